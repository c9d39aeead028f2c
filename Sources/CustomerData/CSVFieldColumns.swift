/// A few columns of a CSV file as raw bytes, field after field, with the line each record
/// starts on: for readers that normalise millions of short fields (phones, e-mails, ids) and
/// should not make a `String` of each. The fields are as the CSV holds them (quotes removed,
/// nothing trimmed; invalid UTF-8 left for the reader to repair).
public struct CSVFieldColumns: Sendable {
    /// One column's fields: field `r` is `bytes[ends[r - 1]..<ends[r]]` (from 0 for the first).
    public struct Column: Sendable {
        public fileprivate(set) var bytes: [UInt8] = []
        public fileprivate(set) var ends: [Int] = []

        /// An empty column with room for `rows` fields of `bytes` bytes in all.
        public init(reserving bytes: Int = 0, rows: Int = 0) {
            self.bytes.reserveCapacity(bytes)
            ends.reserveCapacity(rows)
        }

        /// Adds a field.
        public mutating func append(_ field: [UInt8]) {
            bytes += field
            ends.append(bytes.count)
        }

        /// Calls `body` with the bytes of field `row`.
        @inlinable
        public func withField<R>(_ row: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
            let start = row == 0 ? 0 : ends[row - 1]
            return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<ends[row]])) }
        }
    }

    /// The file's name, for messages.
    public let file: String
    public let header: [String]
    /// The columns asked for, in the order asked.
    public let columns: [Column]
    /// The line each record starts on.
    public let lines: [Int]

    public var rowCount: Int { lines.count }

    /// Reads the columns that `select` picks from the header (indices into it; it may throw,
    /// for a column the file lacks, with the header in hand for the message).
    /// - Throws: what `select` throws, and what reading CSV throws (`CustomerDataError`).
    /// - Complexity: O(size of the file); memory the selected fields plus 8 bytes per field.
    public static func read(path: String, delimiter: UInt8 = UInt8(ascii: ","), limits: InputLimits = InputLimits(),
                            select: (_ file: String, _ header: [String]) throws -> [Int]) throws -> CSVFieldColumns {
        let (file, header, sink) = try CSVRecords.scan(path: path, delimiter: delimiter, limits: limits) { file, header in
            ColumnSink(header: header, selected: try select(file, header))
        }
        return CSVFieldColumns(file: file, header: header, columns: sink.columns, lines: sink.lines)
    }
}

/// Appends the selected fields of each record to their columns.
private struct ColumnSink: FieldSink {
    /// The slot in `columns` of each header column (-1: not kept).
    private var slot: [Int]
    var columns: [CSVFieldColumns.Column]
    var lines: [Int] = []

    init(header: [String], selected: [Int]) {
        slot = [Int](repeating: -1, count: header.count)
        for (k, j) in selected.enumerated() where header.indices.contains(j) { slot[j] = k }
        columns = Array(repeating: CSVFieldColumns.Column(), count: selected.count)
    }

    mutating func add(column: Int, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, line: Int) {
        if column == 0 {
            // A record cut at a block's end is scanned again: drop what it left.
            for k in columns.indices where columns[k].bytes.count != (columns[k].ends.last ?? 0) {
                columns[k].bytes.removeSubrange((columns[k].ends.last ?? 0)...)
            }
        }
        guard column < slot.count else { return }
        let k = slot[column]
        if k >= 0 { columns[k].bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: n)) }
    }

    func isNumeric(column: Int) -> Bool { false }
    mutating func addNumber(column: Int, _ value: Double) {}

    mutating func endRow(line: Int) {
        for k in columns.indices { columns[k].ends.append(columns[k].bytes.count) }
        lines.append(line)
    }
}
