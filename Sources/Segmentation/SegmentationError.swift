import NumericCore

/// What the segmentation pipelines reject, beyond the data-reading errors of `CustomerData`.
public enum SegmentationError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooFewRows(file: String, rows: Int, k: Int)
    case allFeaturesConstant(file: String, columns: [String])
    case log1pNotNumeric(file: String, column: String)
    case log1pNegative(file: String, line: Int, column: String, value: Double)
    case centroidsFile(file: String, problem: String)
    case numeric(file: String, NumericError)

    public var description: String {
        switch self {
        case let .tooFewRows(file, rows, k):
            return "\(file): k=\(k) clusters need at least \(k) rows, but the file has \(rows)"
        case let .allFeaturesConstant(file, columns):
            return "\(file): every feature column is constant (\(columns.joined(separator: ", "))): there is nothing to cluster on"
        case let .log1pNotNumeric(file, column):
            return "\(file): --log1p names column '\(column)', which is not a numeric feature"
        case let .log1pNegative(file, line, column, value):
            return "\(file):\(line): column '\(column)': log1p needs values >= -1, found \(value)"
        case let .centroidsFile(file, problem):
            return "\(file): \(problem)"
        case let .numeric(file, error):
            return "\(file): \(error.description)"
        }
    }
}
