import CustomerData
import NumericCore

/// What `persona churn train` is asked to do.
public struct ChurnTrainOptions: Sendable {
    public var input: String
    public var idColumn: String
    public var labelColumn: String
    /// The label value that means 1; nil: recognised pairs (Yes/No, true/false, 1/0, 是/否, Y/N).
    public var positive: String?
    public var features: [String]?
    public var exclude: [String] = []
    public var maxCategories = 50
    public var scale: ScalingMethod = .zscore
    /// L2 penalty λ on the coefficients (the intercept is never penalized). scikit-learn's
    /// default C = 1 is λ = 1.
    public var l2: Double = 1
    public var folds = 5
    public var seed: UInt64 = 0
    /// Weight rows by n / (2 · rows of their class), as scikit-learn's class_weight="balanced".
    public var balanced = false
    /// Spend-like columns for value tiers (`--value`): the tiers `persona segment` makes from
    /// them, shown beside the churn probabilities in the report and the cv predictions. Empty: none.
    public var valueColumns: [String] = []
    public var threads = 1
    public var read = CSVReadOptions()

    public init(input: String, idColumn: String, labelColumn: String) {
        self.input = input
        self.idColumn = idColumn
        self.labelColumn = labelColumn
        read.idColumn = idColumn
    }
}

/// Probability cut-offs for `risk_tier`.
public struct RiskTiers: Codable, Sendable, Equatable {
    /// `high` at or above this probability.
    public var high: Double
    /// `medium` at or above this (and below `high`); `low` below.
    public var medium: Double

    public static let standard = RiskTiers(high: 0.5, medium: 0.25)

    public init(high: Double, medium: Double) {
        self.high = high
        self.medium = medium
    }

    public func tier(_ probability: Double) -> String {
        probability >= high ? "high" : probability >= medium ? "medium" : "low"
    }
}
