/// Splits records whose fields are separated by runs of spaces or tabs, with leading and
/// trailing blanks ignored and no quoting: fixed-width text exports such as CDNOW's
/// `CDNOW_master.txt`. Feeds the same `FieldSink` as `CSVScanner`.
struct WhitespaceScanner {
    let file: String
    /// A longer record is `CustomerDataError.recordTooLong`, as in `CSVScanner`.
    var maxRecordBytes = Int.max

    func scan<Sink: FieldSink>(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, rowLimit: Int = .max,
                               expectedFields: Int?, final: Bool = true, fieldLimit: Int = .max,
                               into sink: inout Sink) throws -> CSVScanner.Outcome {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return .init(rows: 0, lines: 0, endOffset: 0) }
        let end = base + bytes.count
        var p = base
        var line = firstLine
        var row = 0
        @inline(__always) func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
        while p < end, row < rowLimit {
            let recordStart = p
            var field = 0
            while true {
                while p < end, blank(p.pointee) { p += 1 }
                if p >= end || p.pointee == 0x0A || p.pointee == 0x0D { break }
                let start = p
                while p < end, !blank(p.pointee), p.pointee != 0x0A, p.pointee != 0x0D { p += 1 }
                if field >= fieldLimit { throw CustomerDataError.tooManyColumns(file: file, limit: fieldLimit) }
                if field < (expectedFields ?? .max) { sink.add(column: field, start, p - start, row: row, line: line) }
                field += 1
            }
            let recordLine = line
            if p < end {
                if p.pointee == 0x0D, p + 1 < end, (p + 1).pointee == 0x0A { p += 1 }
                p += 1
            }
            line += 1
            if field == 0 { continue }
            if p - recordStart > maxRecordBytes {
                throw CustomerDataError.recordTooLong(file: file, line: recordLine, limit: maxRecordBytes)
            }
            if let expectedFields, field != expectedFields {
                throw CustomerDataError.raggedRow(file: file, line: recordLine, expected: expectedFields, got: field)
            }
            sink.endRow(line: recordLine)
            row += 1
        }
        return .init(rows: row, lines: line - firstLine, endOffset: p - base)
    }
}
