/// Why a synthetic data set could not be configured.
///
/// Every case names the parameter and carries the offending value, so the message can be
/// shown to a user as it is.
public enum SyntheticDataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An integer parameter is outside its allowed range.
    case integerOutOfRange(parameter: String, value: Int, allowed: ClosedRange<Int>)
    /// A real parameter is outside its allowed range (or not a number).
    case realOutOfRange(parameter: String, value: Double, allowed: ClosedRange<Double>)
    /// A date is not a valid `YYYY-MM-DD` calendar date.
    case invalidDate(parameter: String, text: String)
    /// The end of a date range comes before its start.
    case emptyDateRange(start: CivilDate, end: CivilDate)

    /// A sentence naming the parameter, the allowed range and the value given.
    public var description: String {
        switch self {
        case let .integerOutOfRange(parameter, value, allowed):
            return "The '\(parameter)' parameter must be an integer in the range "
                + "[\(allowed.lowerBound), \(allowed.upperBound)]. Got \(value) instead."
        case let .realOutOfRange(parameter, value, allowed):
            return "The '\(parameter)' parameter must be a number in the range "
                + "[\(allowed.lowerBound), \(allowed.upperBound)]. Got \(value) instead."
        case let .invalidDate(parameter, text):
            return "The '\(parameter)' parameter must be a calendar date written YYYY-MM-DD "
                + "between 1900-01-01 and 2199-12-31. Got \"\(text)\" instead."
        case let .emptyDateRange(start, end):
            return "The date range is empty: the end (\(end)) is before the start (\(start))."
        }
    }
}

extension SyntheticDataError {
    /// Throws `.integerOutOfRange` unless `value` lies in `allowed`.
    static func check(_ parameter: String, _ value: Int, in allowed: ClosedRange<Int>)
        throws(SyntheticDataError)
    {
        guard allowed.contains(value) else {
            throw .integerOutOfRange(parameter: parameter, value: value, allowed: allowed)
        }
    }

    /// Throws `.realOutOfRange` unless `value` lies in `allowed` (NaN never does).
    static func check(_ parameter: String, _ value: Double, in allowed: ClosedRange<Double>)
        throws(SyntheticDataError)
    {
        guard allowed.contains(value) else {
            throw .realOutOfRange(parameter: parameter, value: value, allowed: allowed)
        }
    }
}
