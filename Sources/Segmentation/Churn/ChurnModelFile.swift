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
    public let features: [String]
    public let encoding: FeatureEncoding
    public let scaler: Scaler
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
        case format, version, source, label, features, encoding, scaler, intercept, coefficients, l2, balanced
        case iterations, converged, rows, positives, cv, warnings
        case idColumn = "id_column"
        case standardErrors = "standard_errors"
        case interceptStandardError = "intercept_standard_error"
        case oddsRatios = "odds_ratios"
        case logLikelihood = "log_likelihood"
        case riskTiers = "risk_tiers"
    }

    static let formatName = "persona.logistic"

    /// The fitted model in feature order.
    var fit: LogisticRegression.Fit {
        LogisticRegression.Fit(intercept: intercept, coefficients: features.map { coefficients[$0] ?? 0 },
                               interceptStandardError: interceptStandardError,
                               standardErrors: features.map { standardErrors[$0] ?? .nan },
                               iterations: iterations, converged: converged, logLikelihood: logLikelihood, objective: .nan)
    }

    public func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return Array(try encoder.encode(self)) + [0x0A]
    }

    public static func read(path: String) throws -> ChurnModelFile {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CustomerDataError.unreadable(file: name, reason: "no such file, or it cannot be read")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let model: ChurnModelFile
        do {
            model = try decoder.decode(ChurnModelFile.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw SegmentationError.modelFile(file: name, problem: "not a persona churn model: '\(path)' is missing; make one with persona churn train")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw SegmentationError.modelFile(file: name, problem: "not a persona churn model: '\(path)' has the wrong type")
        } catch {
            throw SegmentationError.modelFile(file: name, problem: "not a persona churn model (it is not valid JSON); make one with persona churn train")
        }
        guard model.format == formatName, model.version == 1 else {
            throw SegmentationError.modelFile(file: name, problem: "format \(model.format) version \(model.version) is not \(formatName) version 1")
        }
        guard model.features == model.encoding.featureNames, model.scaler.center.count == model.features.count,
              model.scaler.scale.count == model.features.count, model.scaler.log1pColumns.isEmpty,
              model.scaler.scale.allSatisfy({ $0.isFinite && $0 != 0 }), model.scaler.center.allSatisfy(\.isFinite),
              Set(model.coefficients.keys) == Set(model.features), model.intercept.isFinite,
              model.coefficients.values.allSatisfy(\.isFinite) else {
            throw SegmentationError.modelFile(file: name, problem: "its features, encoding, scaler and coefficients do not match")
        }
        return model
    }
}
