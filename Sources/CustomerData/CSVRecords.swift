import Foundation

/// Every record of a small CSV file as text, for side files such as manual tag lists where an
/// id may appear on many lines (so the typed reader, which checks ids, does not fit).
public struct CSVRecords: Sendable {
    public let file: String
    public let header: [String]
    /// Each data record's fields with the line it starts on.
    public let rows: [(line: Int, fields: [String])]

    /// With `keeping`, only the fields of those columns are kept (the others read as ""), which
    /// spares a string per field when only a few columns of a large file are needed.
    public static func read(path: String, delimiter: UInt8 = UInt8(ascii: ","), keeping: Set<String>? = nil,
                            limits: InputLimits = InputLimits()) throws -> CSVRecords {
        let stream = try RecordStream(path: path, limits: limits)
        let name = stream.name
        guard var block = try stream.next(consumed: 0, line: 1) else { throw CustomerDataError.emptyFile(file: name) }
        let (header, headerEnd, headerLines) = try CSVHeader.read(stream, block: &block, delimiter: delimiter, limits: limits)
        let body = CSVScanner(file: name, delimiter: delimiter, header: header, maxRecordBytes: limits.maxRecordBytes)
        var sink = RecordSink(keep: keeping.map { kept in header.map(kept.contains) })
        var start = headerEnd
        var line = 1 + headerLines
        while true {
            if let nul = block.nul {
                // Records before the NUL byte's come first: their errors are met in file order.
                _ = try body.scan(UnsafeBufferPointer(rebasing: block.bytes[start..<max(start, BinaryData.lineStart(before: nul, in: block.bytes))]), firstLine: line,
                                  expectedFields: header.count, final: false, into: &sink)
                throw BinaryData.error(at: nul - start, in: UnsafeBufferPointer(rebasing: block.bytes[start...]), firstLine: line,
                                       separator: .byte(delimiter), file: name, header: header, blockStartsWithHeader: false)
            }
            sink.current.removeAll(keepingCapacity: true)  // a record cut at the last block's end starts over
            let outcome = try body.scan(UnsafeBufferPointer(rebasing: block.bytes[start...]), firstLine: line,
                                        expectedFields: header.count, final: block.final, into: &sink)
            line += outcome.lines
            guard let next = try stream.next(consumed: start + outcome.endOffset, line: line) else { break }
            block = next
            start = 0
        }
        return CSVRecords(file: name, header: header, rows: sink.rows)
    }
}

private struct RecordSink: FieldSink {
    /// Which columns to keep (nil: all).
    let keep: [Bool]?
    var rows: [(line: Int, fields: [String])] = []
    var current: [String] = []

    mutating func add(column: Int, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, line: Int) {
        guard keep.map({ column < $0.count && $0[column] }) ?? true else { return current.append("") }
        current.append(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
    }
    func isNumeric(column: Int) -> Bool { false }
    mutating func addNumber(column: Int, _ value: Double) {}
    mutating func endRow(line: Int) {
        rows.append((line, current))
        current.removeAll(keepingCapacity: true)
    }
}
