import NumericCore

/// How table columns become numeric features; fitted on one table, applied to any table with
/// the same columns (so a saved model can score new customers).
///
/// - numeric columns: the value; missing cells take the column median (fitted);
/// - boolean columns (Yes/No, true/false, Y/N, 是/否 text, or numbers that are all 0/1):
///   1 for yes/true, missing cells take the median;
/// - text columns: one-hot, `COL=VALUE`, dropping the first level in Unicode code point order
///   (`pandas.get_dummies(drop_first=True)` on sorted categories); a missing cell or a level
///   not seen when fitting is all zeros, i.e. the reference level.
public struct FeatureEncoding: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case numeric, boolean, categorical
    }

    public struct Column: Codable, Sendable, Equatable {
        public let name: String
        public let kind: Kind
        /// Median used for missing numeric/boolean cells.
        public let fill: Double?
        /// Text values read as 1 in a boolean text column (lower-cased).
        public let trueValues: [String]?
        /// Text values read as 0 in a boolean text column (lower-cased).
        public let falseValues: [String]?
        /// The dropped reference level of a categorical column.
        public let reference: String?
        /// The levels that get a column, in order.
        public let levels: [String]?

        enum CodingKeys: String, CodingKey {
            case name, kind, fill, reference, levels
            case trueValues = "true_values"
            case falseValues = "false_values"
        }

        /// Names of the features this column produces.
        public var featureNames: [String] {
            kind == .categorical ? (levels ?? []).map { "\(name)=\($0)" } : [name]
        }
    }

    public let columns: [Column]

    public var featureNames: [String] { columns.flatMap(\.featureNames) }

    public init(columns: [Column]) {
        self.columns = columns
    }
}

/// What encoding did to the data, for the run summary.
public struct EncodingReport: Sendable, Equatable {
    public struct Imputation: Sendable, Equatable {
        public let column: String
        public let count: Int
        public let value: Double
    }
    public var imputations: [Imputation] = []
    /// Text cells that were empty (encoded as the reference level), by column.
    public var missingCategories: [String: Int] = [:]
    /// Levels not seen when the encoding was fitted (encoded as the reference level), by column.
    public var unseenLevels: [String: Int] = [:]
    /// Columns left out when features were chosen automatically, with the reason.
    public var excluded: [(column: String, reason: String)] = []
    /// Text columns that are numbers but for a few cells (a typo, a stray word): read as text,
    /// which the user should hear about.
    public var numericLooking: [NumericLooking] = []

    public static func == (a: EncodingReport, b: EncodingReport) -> Bool {
        a.imputations == b.imputations && a.missingCategories == b.missingCategories
            && a.unseenLevels == b.unseenLevels && a.excluded.map(\.column) == b.excluded.map(\.column)
            && a.excluded.map(\.reason) == b.excluded.map(\.reason) && a.numericLooking == b.numericLooking
    }
}

/// A text column whose values are nearly all numbers.
public struct NumericLooking: Sendable, Equatable, CustomStringConvertible {
    public let column: String
    /// Non-empty cells that read as numbers, and all non-empty cells.
    public let numbers: Int
    public let present: Int
    /// The first value (in file order) that is not a number.
    public let example: String

    public var description: String {
        "'\(column)' is read as text: \(count(numbers)) of its \(count(present)) values are numbers, but "
            + "\(quoted(example)) is not; correct or blank such cells to use the column as numbers"
    }

    /// At least this share of the non-empty cells are numbers.
    static let share = 0.9

    /// The finding for a text column with these distinct values (in first-appearance order)
    /// and counts, or nil when it is not nearly all numbers.
    static func check(column: String, levels: [String], counts: [Int]) -> NumericLooking? {
        var numbers = 0, present = 0
        var example: String?
        for (level, count) in zip(levels, counts) {
            var text = level
            let parsed = text.withUTF8 { bytes in
                bytes.baseAddress.map { NumberParser.parse($0, bytes.count) } ?? .missing
            }
            switch parsed {
            case .number: numbers += count
            case .missing: continue
            case .nonFinite, .notANumber: if example == nil { example = level }
            }
            present += count
        }
        guard let example, numbers > 0, Double(numbers) >= share * Double(present) else { return nil }
        return NumericLooking(column: column, numbers: numbers, present: present, example: example)
    }
}

/// The encoded design matrix, row-major, in doubles or (for very large runs) floats.
public struct EncodedFeatures<Element: MatrixElement>: Sendable {
    public var matrix: [Element]
    public let rows: Int
    public let names: [String]
    public var report: EncodingReport
}
