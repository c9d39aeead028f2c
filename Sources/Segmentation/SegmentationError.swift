import NumericCore

/// What the segmentation pipelines reject, beyond the data-reading errors of `CustomerData`.
public indirect enum SegmentationError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooFewRows(file: String, rows: Int, k: Int)
    case allFeaturesConstant(file: String, columns: [String])
    case centroidsFile(file: String, problem: String)
    case numeric(file: String, NumericError)
    case labelValues(file: String, column: String, values: [String], reason: String)
    /// Features that order the classes on their own (`complete`: a threshold splits them).
    case separated(file: String, features: [String], complete: Bool)
    /// Separation found only while fitting (a combination of features).
    case separatedByCombination(file: String, iterations: Int)
    case collinear(file: String, features: [String])
    case tooFewPerClass(file: String, folds: Int, smallest: Int)
    case modelFile(file: String, problem: String)
    /// A partition's saved matrix (`MatrixCache`) that cannot be used.
    case matrixCache(file: String, problem: String)
    /// A model-file problem at a line and column.
    case modelFileAt(file: String, line: Int, column: Int, problem: String)
    case roleInFeatures(file: String, column: String, role: String)
    /// `churn train --value` names a column that cannot define value tiers.
    case valueColumn(file: String, column: String, problem: String)
    /// A required segmentation role found no column by its default names.
    case roleMissing(file: String, role: String, expected: String, key: String, available: [String])
    /// A problem met while fitting one cross-validation fold.
    case inFold(fold: Int, folds: Int, rows: Int, SegmentationError)
    /// Every feature of a churn model is constant on the training rows (each described with
    /// its one value).
    case noVaryingFeature(file: String, features: [String])
    /// At least as many encoded features as labelled rows: coefficients not identifiable.
    case tooManyFeatures(file: String, features: Int, rows: Int)
    /// A value of a customer summary (frequency, recency, T, monetary value) that purchase
    /// models cannot take, at its line and column.
    case summaryValue(file: String, line: Int, column: Int, name: String, value: String, problem: String)
    /// Nothing left to model: no customer in the calibration period, or no holdout line.
    case noPurchases(file: String, problem: String)
    /// The column behaviour tiers read P(alive) from cannot be used (at a row's line when one
    /// value is at fault).
    case behaviorColumn(file: String, line: Int?, column: String, problem: String)

    public var description: String {
        switch self {
        case let .tooFewRows(file, rows, k):
            return "\(file): k=\(k) clusters need at least \(k) rows, but the file has \(rows)"
        case let .allFeaturesConstant(file, columns):
            return "\(file): every feature column is constant (\(columns.joined(separator: ", "))): there is nothing to cluster on"
        case let .centroidsFile(file, problem):
            return "\(file): \(problem)"
        case let .numeric(file, error):
            return "\(file): \(error.description)"
        case let .labelValues(file, column, values, reason):
            let shown = values.prefix(10).map { "\"\($0)\"" }.joined(separator: ", ")
            return "\(file): label column '\(column)' holds \(values.isEmpty ? "no values" : shown)\(values.count > 10 ? ", …" : ""): \(reason)"
        case let .separated(file, features, complete):
            let list = features.map { "'\($0)'" }.joined(separator: ", ")
            return "\(file): \(list) \(features.count == 1 ? "separates" : "each separate") the classes \(complete ? "perfectly" : "almost perfectly (one class on one side, the other touching it)"), so the unpenalized fit has no finite maximum: leave \(features.count == 1 ? "it" : "them") out with --exclude, or use --l2 with a positive value"
        case let .separatedByCombination(file, iterations):
            return "\(file): after \(iterations) Newton steps the coefficients keep growing: a combination of features separates the classes (perfect or quasi-separation), so the unpenalized fit has no finite maximum; use --l2 with a positive value"
        case let .collinear(file, features):
            let list = features.map { "'\($0)'" }.joined(separator: ", ")
            return "\(file): \(list) \(features.count == 1 ? "is a linear combination" : "are linear combinations") of the intercept and other features (constant columns, or one-hot levels that always go together), so unpenalized coefficients are not unique: leave \(features.count == 1 ? "it" : "them") out with --exclude, or use --l2 with a positive value"
        case let .tooFewPerClass(file, folds, smallest):
            return "\(file): --folds \(folds) needs at least \(folds) rows of each class; the smaller class has \(smallest)"
        case let .modelFile(file, problem):
            return "\(file): \(problem)"
        case let .matrixCache(file, problem):
            return "\(file): matrix cache: \(problem)"
        case let .modelFileAt(file, line, column, problem):
            return "\(file):\(line):\(column): \(problem)"
        case let .roleInFeatures(file, column, role):
            return "\(file): --features names '\(column)', the \(role) column; a model must not learn from its own \(role)"
        case let .valueColumn(file, column, problem):
            return "\(file): --value: '\(column)' \(problem)"
        case let .roleMissing(file, role, expected, key, available):
            let list = available.prefix(30).map { "'\($0)'" }.joined(separator: ", ")
            return "\(file): \(role) need \(expected), and no column has a name Persona knows for it; name yours in a config (\(key)) given with --config; columns are: \(list)\(available.count > 30 ? ", …" : "")"
        case let .noVaryingFeature(file, features):
            let list = features.prefix(10).joined(separator: ", ") + (features.count > 10 ? ", …" : "")
            return "\(file): every feature is constant on the training rows (\(list)): a model could only give every customer "
                + "the same probability, the overall rate (AUC 0.5); choose feature columns whose values differ between customers"
        case let .inFold(fold, folds, rows, error):
            return "\(error.description) [found while fitting cross-validation fold \(fold) of \(folds), on its \(rows) training rows only; with fewer folds, --folds 0, or a positive --l2 it may not occur]"
        case let .tooManyFeatures(file, features, rows):
            return "\(file): \(features) encoded features for \(rows) labelled rows: with at least as many features as rows the coefficients cannot be identified (many fits match the labels equally well), and fitting takes long; use fewer features (text columns add one per level) or more rows"
        case let .summaryValue(file, line, column, name, value, problem):
            return "\(file):\(line): column '\(name)' (\(column)): \"\(value)\" \(problem)"
        case let .noPurchases(file, problem):
            return "\(file): \(problem)"
        case let .behaviorColumn(file, line, column, problem):
            return "\(file)\(line.map { " line \($0)" } ?? ""), column '\(column)' (behavior.p_alive): \(problem)"
        }
    }
}
