/// A parsed CSV: one typed column per header field, rows in file order.
public struct CustomerTable: Sendable {
    /// The file name used in messages.
    public let source: String
    public let columnNames: [String]
    public internal(set) var columns: [Column]
    public let rowCount: Int
    /// The physical (1-based) line each row starts on, for error messages.
    public let rowLines: LineNumbers
    /// Column name → index (the first column of that name), so looking a column up by name
    /// does not cost a pass over the header: encoding 100,000 columns stays linear.
    private let positions: [String: Int]

    init(source: String, columnNames: [String], columns: [Column], rowCount: Int, rowLines: LineNumbers) {
        self.source = source
        self.columnNames = columnNames
        self.columns = columns
        self.rowCount = rowCount
        self.rowLines = rowLines
        positions = Dictionary(columnNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public enum Column: Sendable {
        case numeric(NumericColumn)
        case text(TextColumn)
        case identifier(IdentifierColumn)
        /// Not read (not requested).
        case skipped
    }

    /// The 0-based index of a column by exact name.
    public func index(of name: String) -> Int? { positions[name] }

    public func line(ofRow row: Int) -> Int { Int(rowLines[row]) }
}

/// A numeric column; missing cells are NaN.
public struct NumericColumn: Sendable {
    /// The cells as they are stored: doubles, or floats when the table was read for a matrix of
    /// floats (`CSVReadOptions.numbersAsFloats`: half the memory, each number rounded).
    public enum Storage: Sendable {
        case double([Double])
        case float([Float])
    }

    public var storage: Storage
    public var missingCount: Int

    public init(values: [Double], missingCount: Int) {
        storage = .double(values)
        self.missingCount = missingCount
    }

    public init(floats: [Float], missingCount: Int) {
        storage = .float(floats)
        self.missingCount = missingCount
    }

    /// The cells as doubles: the stored array, or for floats a widened copy made at every
    /// access (bind it once; code that reads large columns reads `storage`).
    public var values: [Double] {
        get {
            switch storage {
            case .double(let values): return values
            case .float(let floats): return floats.map { Double($0) }
            }
        }
        set { storage = .double(newValue) }
    }

    public var count: Int {
        switch storage {
        case .double(let values): return values.count
        case .float(let floats): return floats.count
        }
    }

    /// True when every present value is 0 or 1.
    public var isBinary: Bool {
        switch storage {
        case .double(let values): return values.allSatisfy { $0.isNaN || $0 == 0 || $0 == 1 }
        case .float(let floats): return floats.allSatisfy { $0.isNaN || $0 == 0 || $0 == 1 }
        }
    }
}

/// A text column stored as codes into its distinct values (first-appearance order); −1 is missing.
public struct TextColumn: Sendable {
    public var codes: [Int32]
    public var levels: [String]
    public var missingCount: Int { codes.reduce(0) { $0 + ($1 < 0 ? 1 : 0) } }
}

/// The id column, kept byte for byte as written (`0001` stays `0001`).
public struct IdentifierColumn: Sendable {
    var bytes: [UInt8]
    var offsets: IdentifierOffsets

    public var count: Int { offsets.count - 1 }

    public subscript(row: Int) -> String {
        String(decoding: bytes[offsets[row]..<offsets[row + 1]], as: UTF8.self)
    }

    /// A view of every id's raw bytes, for writing them without a round trip through
    /// `String`; opened once for a loop over millions of rows.
    public func withBytesView<R>(_ body: (BytesView) -> R) -> R {
        bytes.withUnsafeBufferPointer { buffer in
            offsets.withView { offsets in body(BytesView(base: buffer.baseAddress, offsets: offsets)) }
        }
    }

    /// Valid only inside `withBytesView`; `CSVWriter.idField` writes from it.
    public struct BytesView {
        let base: UnsafePointer<UInt8>?
        let offsets: IdentifierOffsets.View

        public subscript(row: Int) -> UnsafeBufferPointer<UInt8> {
            let start = offsets[row]
            return UnsafeBufferPointer(start: base.map { $0 + start }, count: offsets[row + 1] - start)
        }
    }
}

extension Optional where Wrapped == IdentifierColumn {
    /// `withBytesView` for an id column that may be absent (nil: rows go by number).
    public func withBytesView<R>(_ body: (IdentifierColumn.BytesView?) -> R) -> R {
        switch self {
        case .some(let ids): return ids.withBytesView { body($0) }
        case .none: return body(nil)
        }
    }
}

extension CustomerTable {
    /// The id column, when one was named.
    public var identifiers: IdentifierColumn? {
        for column in columns {
            if case .identifier(let ids) = column { return ids }
        }
        return nil
    }
}

extension CustomerTable {
    /// Why `appending(numeric:values:)` refused a column.
    ///
    /// Its own small type, beside the one method that throws it; it belongs with
    /// `CustomerDataError` and can move there (a follow-up outside this change).
    public enum AppendError: Error, Equatable, Sendable, CustomStringConvertible {
        case emptyName(file: String)
        /// `column` is the 1-based number of the column that already has the name.
        case nameTaken(file: String, name: String, column: Int)
        case wrongLength(file: String, name: String, expected: Int, got: Int)
        /// `line` is the file line of the row holding `value` (±inf).
        case nonFinite(file: String, name: String, line: Int, value: Double)

        public var description: String {
            switch self {
            case let .emptyName(file):
                return "\(file): cannot add a column with an empty name"
            case let .nameTaken(file, name, column):
                return "\(file): cannot add column '\(name)': column \(column) already has that name"
            case let .wrongLength(file, name, expected, got):
                return "\(file): cannot add column '\(name)': it has \(got) values but the table has \(expected) rows"
            case let .nonFinite(file, name, line, value):
                return "\(file):\(line): cannot add column '\(name)': \(value) is not a finite number (NaN stands for missing)"
            }
        }
    }

    /// The table with one more numeric column after the others, for values computed from
    /// them (derived columns). The table itself is unchanged; the new one shares its columns.
    ///
    /// - Parameters:
    ///   - name: the new column's name, not already in `columnNames`.
    ///   - values: one per row, in row order; NaN where missing, finite everywhere else (as
    ///     the CSV reader guarantees for the columns it reads).
    /// - Throws: `AppendError` for an empty or taken name, a count other than `rowCount`,
    ///   or an infinite value (naming its line).
    /// - Complexity: O(n) for n rows (one pass to check and count missing values).
    public func appending(numeric name: String, values: [Double]) throws(AppendError) -> CustomerTable {
        guard !name.isEmpty else { throw .emptyName(file: source) }
        if let j = index(of: name) { throw .nameTaken(file: source, name: name, column: j + 1) }
        guard values.count == rowCount else {
            throw .wrongLength(file: source, name: name, expected: rowCount, got: values.count)
        }
        var missing = 0
        for (row, value) in values.enumerated() {
            if value.isNaN { missing += 1 } else if value.isInfinite {
                throw .nonFinite(file: source, name: name, line: line(ofRow: row), value: value)
            }
        }
        return CustomerTable(source: source, columnNames: columnNames + [name],
                             columns: columns + [.numeric(NumericColumn(values: values, missingCount: missing))],
                             rowCount: rowCount, rowLines: rowLines)
    }
}
