/// Everything a rules file, a segment config or a rule can get wrong.
public enum TagRuleError: Error, Equatable, Sendable, CustomStringConvertible {
    case file(file: String, problem: String)
    /// A problem at a place in a YAML file (1-based line and column).
    case at(file: String, line: Int, column: Int, problem: String)
    case syntax(rule: String, condition: String, position: Int, message: String)
    case unknownColumn(rule: String, column: String, available: [String])
    case typeMismatch(rule: String, position: Int, message: String)
    case notACondition(rule: String, column: String, position: Int)
    /// A text (or id) column in `+ - * /`; `position` is where its name starts.
    case textInArithmetic(rule: String, column: String, position: Int)

    public var description: String {
        switch self {
        case let .file(file, problem):
            return "\(file): \(problem)"
        case let .at(file, line, column, problem):
            return "\(file):\(line):\(column): \(problem)"
        case let .syntax(rule, condition, position, message):
            return "rule '\(rule)': \(message), at character \(position) of: \(condition)"
        case let .unknownColumn(rule, column, available):
            let list = available.prefix(30).map { "'\($0)'" }.joined(separator: ", ")
            return "rule '\(rule)': there is no column '\(column)'; columns are: \(list)\(available.count > 30 ? ", …" : "")"
        case let .typeMismatch(rule, position, message):
            return "rule '\(rule)': at character \(position): \(message)"
        case let .notACondition(rule, column, position):
            return "rule '\(rule)': at character \(position): '\(column)' on its own is not a condition; compare it (== != < <= > >=, in, is missing, contains)"
        case let .textInArithmetic(rule, column, position):
            return "rule '\(rule)': at character \(position): '\(column)' holds text; arithmetic (+ - * /) needs numeric columns"
        }
    }
}
