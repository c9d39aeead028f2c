/// A parsed CSV: one typed column per header field, rows in file order.
public struct CustomerTable: Sendable {
    /// The file name used in messages.
    public let source: String
    public let columnNames: [String]
    public internal(set) var columns: [Column]
    public let rowCount: Int
    /// The physical (1-based) line each row starts on, for error messages.
    public let rowLines: [Int32]

    public enum Column: Sendable {
        case numeric(NumericColumn)
        case text(TextColumn)
        case identifier(IdentifierColumn)
        /// Not read (not requested).
        case skipped
    }

    /// The 0-based index of a column by exact name.
    public func index(of name: String) -> Int? { columnNames.firstIndex(of: name) }

    public func line(ofRow row: Int) -> Int { Int(rowLines[row]) }
}

/// A numeric column; missing cells are NaN.
public struct NumericColumn: Sendable {
    public var values: [Double]
    public var missingCount: Int
    /// True when every present value is 0 or 1.
    public var isBinary: Bool {
        values.allSatisfy { $0.isNaN || $0 == 0 || $0 == 1 }
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
    var offsets: [Int]

    public var count: Int { offsets.count - 1 }

    public subscript(row: Int) -> String {
        String(decoding: bytes[offsets[row]..<offsets[row + 1]], as: UTF8.self)
    }

    /// The raw bytes of one id, for writing without a round trip through `String`.
    public func withBytes<R>(_ row: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        bytes.withUnsafeBufferPointer { buffer in
            body(UnsafeBufferPointer(rebasing: buffer[offsets[row]..<offsets[row + 1]]))
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
