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
    public static func read(path: String, delimiter: UInt8 = UInt8(ascii: ","), keeping: Set<String>? = nil) throws -> CSVRecords {
        let name = (path as NSString).lastPathComponent
        return try FileLoader.withContents(path: path) { all in
            var start = 0
            if all.count >= 3, all[0] == 0xEF, all[1] == 0xBB, all[2] == 0xBF { start = 3 }
            let buffer = UnsafeBufferPointer(rebasing: all[start...])
            var headerSink = HeaderSink()
            let scanner = CSVScanner(file: name, delimiter: delimiter, header: ["(header)"])
            let headerScan = try scanner.scan(buffer, firstLine: 1, rowLimit: 1, expectedFields: nil, into: &headerSink)
            guard headerScan.rows == 1 else { throw CustomerDataError.emptyFile(file: name) }
            var sink = RecordSink(keep: keeping.map { kept in headerSink.names.map(kept.contains) })
            let body = UnsafeBufferPointer(rebasing: buffer[headerScan.endOffset...])
            _ = try CSVScanner(file: name, delimiter: delimiter, header: headerSink.names)
                .scan(body, firstLine: 1 + headerScan.lines, expectedFields: headerSink.names.count, into: &sink)
            return CSVRecords(file: name, header: headerSink.names, rows: sink.rows)
        }
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
