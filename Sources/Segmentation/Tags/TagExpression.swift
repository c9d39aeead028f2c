/// The condition language of tag rules (`when:` in RULES.yaml):
///
///     monetary >= 5000 and frequency >= 10
///     城市 in ["北京", "上海"] and not (`Annual Income (k$)` < 40 or recency_days is missing)
///
/// Literals are numbers and "double-quoted strings" (`\"` inside). Column names are bare
/// (letters, digits, `_`, `:`, any non-ASCII letter) or `backquoted`. Operators: `== != < <= >
/// >=`, `in [..]`, `is missing`, `is not missing`, `contains "x"`, `and`, `or`, `not`,
/// parentheses; `not` binds tighter than `and`, `and` tighter than `or`, and comparisons
/// tighter than all three. A comparison that meets a missing value is false.
public indirect enum TagExpression: Equatable, Sendable {
    public enum Operand: Equatable, Sendable {
        case column(String)
        case number(Double)
        case text(String)
    }

    public enum Comparison: String, Equatable, Sendable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    case compare(Operand, Comparison, Operand, position: Int)
    case member(column: String, of: [Operand], position: Int)
    case missing(column: String, negated: Bool)
    case contains(column: String, text: String, position: Int)
    /// A column on its own: true for Yes/true/1/是 (text) or a non-zero number.
    case truthy(column: String, position: Int)
    case not(TagExpression)
    /// True where every term is: `a and b and c` is one node with three terms, so a long
    /// chain costs no recursion depth.
    case and([TagExpression])
    /// True where any term is; one node per chain, like `and`.
    case or([TagExpression])

    /// Every column the expression reads.
    public var columns: [String] {
        switch self {
        case let .compare(a, _, b, _):
            return [a, b].compactMap { if case .column(let name) = $0 { return name } else { return nil } }
        case let .member(column, _, _), let .missing(column, _), let .contains(column, _, _), let .truthy(column, _):
            return [column]
        case let .not(e):
            return e.columns
        case let .and(terms), let .or(terms):
            return terms.flatMap(\.columns)
        }
    }
}

/// A problem in a rule's condition, with the 1-based character position it points at.
public struct TagSyntaxError: Error, Equatable, Sendable {
    public let position: Int
    public let message: String
}

