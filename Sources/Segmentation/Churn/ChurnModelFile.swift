import CustomerData
import Foundation
import NumericCore

/// CHURN.json: the `persona.logistic` format of DESIGN.md. Coefficients are in the units the
/// model was fitted in (per standard deviation with `--scale zscore`); `encoding` and `scaler`
/// turn a new export into those units.
public struct ChurnModelFile: Codable, Sendable {
    public struct Label: Codable, Sendable, Equatable {
        public let column: String
        public let positive: String
        public let negative: String
    }

    public struct CrossValidation: Codable, Sendable, Equatable {
        public let folds: Int
        public let seed: UInt64
        public let aucMean: Double
        /// Population standard deviation over folds (numpy's default, ddof = 0).
        public let aucStd: Double
        public let aucPerFold: [Double]
        /// Over the pooled out-of-fold predictions.
        public let logLoss: Double
        public let brier: Double
        public let bestF1: ClassificationMetrics.ThresholdChoice?

        enum CodingKeys: String, CodingKey {
            case folds, seed, brier
            case aucMean = "auc_mean"
            case aucStd = "auc_std"
            case aucPerFold = "auc_per_fold"
            case logLoss = "log_loss"
            case bestF1 = "best_f1"
        }
    }

    public let format: String
    public let version: Int
    public let source: String
    public let idColumn: String
    public let label: Label
    /// Encoding and scaler: new exports are put into the model's units through it.
    public let pipeline: FeaturePipeline
    public let intercept: Double
    public let coefficients: [String: Double]
    public let standardErrors: [String: Double]
    public let interceptStandardError: Double
    public let oddsRatios: [String: Double]
    public let l2: Double
    public let balanced: Bool
    public let iterations: Int
    public let converged: Bool
    public let logLikelihood: Double
    public let rows: Int
    public let positives: Int
    public let cv: CrossValidation?
    public let riskTiers: RiskTiers
    public let warnings: [String]

    enum CodingKeys: String, CodingKey {
        case format, version, source, label, intercept, coefficients, l2, balanced
        case iterations, converged, rows, positives, cv, warnings
        case idColumn = "id_column"
        case standardErrors = "standard_errors"
        case interceptStandardError = "intercept_standard_error"
        case oddsRatios = "odds_ratios"
        case logLikelihood = "log_likelihood"
        case riskTiers = "risk_tiers"
    }

    static let formatName = "persona.logistic"

    public var features: [String] { pipeline.features }
    public var encoding: FeatureEncoding { pipeline.encoding }
    public var scaler: Scaler { pipeline.scaler }

    /// The fitted model in feature order.
    var fit: LogisticRegression.Fit {
        LogisticRegression.Fit(intercept: intercept, coefficients: features.map { coefficients[$0] ?? 0 },
                               interceptStandardError: interceptStandardError,
                               standardErrors: features.map { standardErrors[$0] ?? .nan },
                               iterations: iterations, converged: converged, logLikelihood: logLikelihood, objective: .nan)
    }

    public func json() throws -> [UInt8] { try ModelFile.json(self) }

    public static func read(path: String) throws -> ChurnModelFile {
        try ModelFile.read(ChurnModelFile.self, path: path, format: formatName, version: 1, makeWith: "persona churn train")
    }

    init(format: String, version: Int, source: String, idColumn: String, label: Label, pipeline: FeaturePipeline,
         intercept: Double, coefficients: [String: Double], standardErrors: [String: Double], interceptStandardError: Double,
         oddsRatios: [String: Double], l2: Double, balanced: Bool, iterations: Int, converged: Bool, logLikelihood: Double,
         rows: Int, positives: Int, cv: CrossValidation?, riskTiers: RiskTiers, warnings: [String]) {
        (self.format, self.version, self.source, self.idColumn, self.label, self.pipeline) = (format, version, source, idColumn, label, pipeline)
        (self.intercept, self.coefficients, self.standardErrors, self.interceptStandardError) = (intercept, coefficients, standardErrors, interceptStandardError)
        (self.oddsRatios, self.l2, self.balanced, self.iterations, self.converged) = (oddsRatios, l2, balanced, iterations, converged)
        (self.logLikelihood, self.rows, self.positives, self.cv, self.riskTiers, self.warnings) = (logLikelihood, rows, positives, cv, riskTiers, warnings)
    }

    /// Decodes the pipeline keys and the model's own, and checks that they agree.
    public init(from decoder: Decoder) throws {
        pipeline = try FeaturePipeline(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        version = try c.decode(Int.self, forKey: .version)
        source = try c.decode(String.self, forKey: .source)
        idColumn = try c.decode(String.self, forKey: .idColumn)
        label = try c.decode(Label.self, forKey: .label)
        intercept = try c.decode(Double.self, forKey: .intercept)
        coefficients = try c.decode([String: Double].self, forKey: .coefficients)
        standardErrors = try c.decode([String: Double].self, forKey: .standardErrors)
        interceptStandardError = try c.decode(Double.self, forKey: .interceptStandardError)
        oddsRatios = try c.decode([String: Double].self, forKey: .oddsRatios)
        l2 = try c.decode(Double.self, forKey: .l2)
        balanced = try c.decode(Bool.self, forKey: .balanced)
        iterations = try c.decode(Int.self, forKey: .iterations)
        converged = try c.decode(Bool.self, forKey: .converged)
        logLikelihood = try c.decode(Double.self, forKey: .logLikelihood)
        rows = try c.decode(Int.self, forKey: .rows)
        positives = try c.decode(Int.self, forKey: .positives)
        cv = try c.decodeIfPresent(CrossValidation.self, forKey: .cv)
        riskTiers = try c.decode(RiskTiers.self, forKey: .riskTiers)
        warnings = try c.decodeIfPresent([String].self, forKey: .warnings) ?? []
        guard pipeline.scaler.log1pColumns.isEmpty else {
            throw ModelCheck.corrupt(CodingKeys.coefficients, in: c, "belongs to a scaler with log1p columns, which a logistic model does not use")
        }
        guard Set(coefficients.keys) == Set(pipeline.features) else {
            let missing = pipeline.features.filter { coefficients[$0] == nil }, extra = coefficients.keys.filter { !pipeline.features.contains($0) }.sorted()
            throw ModelCheck.corrupt(CodingKeys.coefficients, in: c,
                                     "must give one coefficient per feature; missing: \(missing.joined(separator: ", ")); not a feature: \(extra.joined(separator: ", "))")
        }
        guard intercept.isFinite, coefficients.values.allSatisfy(\.isFinite) else {
            throw ModelCheck.corrupt(CodingKeys.coefficients, in: c, "holds a number that is not finite")
        }
        guard riskTiers.high.isFinite, riskTiers.medium.isFinite, riskTiers.medium <= riskTiers.high else {
            throw ModelCheck.corrupt(CodingKeys.riskTiers, in: c, "needs medium <= high; got medium \(riskTiers.medium), high \(riskTiers.high)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        try pipeline.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(version, forKey: .version)
        try c.encode(source, forKey: .source)
        try c.encode(idColumn, forKey: .idColumn)
        try c.encode(label, forKey: .label)
        try c.encode(intercept, forKey: .intercept)
        try c.encode(coefficients, forKey: .coefficients)
        try c.encode(standardErrors, forKey: .standardErrors)
        try c.encode(interceptStandardError, forKey: .interceptStandardError)
        try c.encode(oddsRatios, forKey: .oddsRatios)
        try c.encode(l2, forKey: .l2)
        try c.encode(balanced, forKey: .balanced)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(converged, forKey: .converged)
        try c.encode(logLikelihood, forKey: .logLikelihood)
        try c.encode(rows, forKey: .rows)
        try c.encode(positives, forKey: .positives)
        try c.encodeIfPresent(cv, forKey: .cv)
        try c.encode(riskTiers, forKey: .riskTiers)
        try c.encode(warnings, forKey: .warnings)
    }
}
