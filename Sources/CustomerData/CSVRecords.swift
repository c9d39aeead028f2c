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
        let (name, header, sink) = try scan(path: path, delimiter: delimiter, limits: limits) { _, header in
            RecordSink(keep: keeping.map { kept in header.map(kept.contains) })
        }
        return CSVRecords(file: name, header: header, rows: sink.rows)
    }

    /// Scans every data record of the CSV file at `path` into the sink that `makeSink` makes
    /// from the file's name and header. A record cut at a block's end is scanned again from
    /// its first field in the next block: the sink starts a record over at column 0. A sink
    /// that meets a problem keeps it in `failure` (checked after each block, and before an
    /// error the scanner met later in the block, so errors come in file order).
    static func scan<Sink: FieldSink>(path: String, delimiter: UInt8, limits: InputLimits,
                                      failure: (Sink) -> CustomerDataError? = { _ in nil },
                                      sink makeSink: (_ file: String, _ header: [String]) throws -> Sink)
        throws -> (file: String, header: [String], sink: Sink)
    {
        let stream = try RecordStream(path: path, limits: limits)
        let name = stream.name
        guard var block = try stream.next(consumed: 0, line: 1) else { throw CustomerDataError.emptyFile(file: name) }
        let (header, headerEnd, headerLines) = try CSVHeader.read(stream, block: &block, delimiter: delimiter, limits: limits)
        let body = CSVScanner(file: name, delimiter: delimiter, header: header, maxRecordBytes: limits.maxRecordBytes)
        var sink = try makeSink(name, header)
        var start = headerEnd
        var line = 1 + headerLines
        while true {
            do {
                if let nul = block.nul {
                    // Records before the NUL byte's come first: their errors are met in file order.
                    _ = try body.scan(UnsafeBufferPointer(rebasing: block.bytes[start..<max(start, BinaryData.lineStart(before: nul, in: block.bytes))]), firstLine: line,
                                      expectedFields: header.count, final: false, into: &sink)
                    if let failure = failure(sink) { throw failure }
                    throw BinaryData.error(at: nul - start, in: UnsafeBufferPointer(rebasing: block.bytes[start...]), firstLine: line,
                                           separator: .byte(delimiter), file: name, header: header, blockStartsWithHeader: false)
                }
                let outcome = try body.scan(UnsafeBufferPointer(rebasing: block.bytes[start...]), firstLine: line,
                                            expectedFields: header.count, final: block.final, into: &sink)
                if let failure = failure(sink) { throw failure }
                line += outcome.lines
                guard let next = try stream.next(consumed: start + outcome.endOffset, line: line) else { break }
                block = next
                start = 0
            } catch {
                // A problem the sink met earlier in the block comes first.
                if let failure = failure(sink) { throw failure }
                throw error
            }
        }
        return (name, header, sink)
    }
}

private struct RecordSink: FieldSink {
    /// Which columns to keep (nil: all).
    let keep: [Bool]?
    var rows: [(line: Int, fields: [String])] = []
    var current: [String] = []

    mutating func add(column: Int, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, line: Int) {
        if column == 0 { current.removeAll(keepingCapacity: true) }  // a record cut at the last block's end starts over
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
