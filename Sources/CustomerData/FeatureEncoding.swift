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

    public static func == (a: EncodingReport, b: EncodingReport) -> Bool {
        a.imputations == b.imputations && a.missingCategories == b.missingCategories
            && a.unseenLevels == b.unseenLevels && a.excluded.map(\.column) == b.excluded.map(\.column)
            && a.excluded.map(\.reason) == b.excluded.map(\.reason)
    }
}

/// The encoded design matrix.
public struct EncodedFeatures: Sendable {
    public var matrix: [Double]
    public let rows: Int
    public let names: [String]
    public var report: EncodingReport
}
