/// Everything the numeric core can reject, with the values needed to act on it.
public enum NumericError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Shapes that do not fit together, written `2x3`. `operation` says, in a user's words,
    /// what was being done ("assigning rows to the saved clusters"), never a type or function.
    case shapeMismatch(operation: String, expected: String, got: String)
    /// A dimension above what 32-bit BLAS/LAPACK accept.
    case dimensionTooLarge(rows: Int, columns: Int)
    /// A NaN or infinity at a 0-based row and column (printed 1-based).
    case nonFinite(row: Int, column: Int, value: Double)
    /// A parameter outside its allowed range, sklearn-style.
    case invalidParameter(name: String, allowed: String, got: String)
    /// The data cannot support the requested model (e.g. fewer rows than clusters).
    case tooFewSamples(samples: Int, required: Int, reason: String)
    /// A LAPACK routine reported failure.
    case lapackFailure(routine: String, info: Int)
    /// `log1p` asked for on a column with a value below -1.
    case log1pDomain(column: Int, row: Int, value: Double)

    public var description: String {
        switch self {
        case let .shapeMismatch(operation, expected, got):
            return "\(operation): expected \(expected), got \(got)"
        case let .dimensionTooLarge(rows, columns):
            return "a \(rows)x\(columns) matrix is too large: each dimension must be at most \(Int32.max)"
        case let .nonFinite(row, column, value):
            return "row \(row + 1), column \(column + 1): \(value) is not a finite number"
        case let .invalidParameter(name, allowed, got):
            return "the '\(name)' parameter must be \(allowed). Got \(got) instead."
        case let .tooFewSamples(samples, required, reason):
            return "\(samples) row\(samples == 1 ? "" : "s") \(samples == 1 ? "is" : "are") too few, at least \(required) are needed: \(reason)"
        case let .lapackFailure(routine, info):
            return "LAPACK \(routine) failed with info = \(info)"
        case let .log1pDomain(column, row, value):
            return "log1p needs values above -1; row \(row + 1), column \(column + 1) holds \(value)"
        }
    }
}
