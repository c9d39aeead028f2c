/// The condition language of tag rules (`when:` in RULES.yaml):
///
///     monetary >= 5000 and frequency >= 10
///     monetary / frequency > 50
///     (monetary - returns_value) >= 2 * avg_order_value
///     城市 in ["北京", "上海"] and not (`Annual Income (k$)` < 40 or recency_days is missing)
///
/// Grammar, loosest first (`x*` is any number of `x`, `[x]` is optional):
///
///     condition := and ("or" and)*
///     and       := not ("and" not)*
///     not       := "not" not | test
///     test      := sum [("==" | "!=" | "<" | "<=" | ">" | ">=") sum]
///                | column "in" "[" [item ("," item)*] "]"     item := ["-"] number | string
///                | column "is" ["not"] "missing"
///                | column "contains" string
///     sum       := product (("+" | "-") product)*
///     product   := unary (("*" | "/") unary)*
///     unary     := "-" unary | atom
///     atom      := number | string | column | "(" condition ")"
///
/// Literals are numbers (`12`, `2.5`, `1e3`) and "double-quoted strings" (`\"` inside).
/// Column names are bare (letters, digits, `_`, `:`, any non-ASCII letter) or `backquoted`.
/// So `not` binds tighter than `and`, `and` tighter than `or`, comparisons tighter than all
/// three, and arithmetic tighter than comparisons, `*` `/` before `+` `-`, each level left to
/// right (`a - b - c` is `(a - b) - c`).
///
/// Semantics: a comparison needs a column on at least one side, and is false where it meets a
/// missing value (so `not` of it is true). Arithmetic works row by row on numbers and numeric
/// columns: a missing operand makes the result missing, and so does a result that is not a
/// finite number (division by zero, overflow), never ±inf. A `"string"` or a parenthesised
/// condition in arithmetic is a syntax error; a text column in arithmetic is an error when the
/// rule runs. A test on its own column (`churned`) is true for Yes/true/1/是 or a non-zero
/// number.
///
/// Limits: parentheses, `not` and unary `-` may nest 200 levels deep (a syntax error past
/// that); chains of `and`, `or`, `+ -` and `* /` may be any length, as each chain is one node.
public indirect enum TagExpression: Equatable, Sendable {
    /// One side of a comparison, or an item of an `in` list.
    public enum Operand: Equatable, Sendable {
        case column(String)
        case number(Double)
        case text(String)
        /// A computed number per row (`monetary / frequency`). A lone column or number in
        /// parentheses stays `.column` / `.number`; `-5` is `.number(-5)`.
        case arithmetic(Arithmetic)

        /// The columns the operand reads.
        public var columns: [String] {
            switch self {
            case .column(let name): return [name]
            case .arithmetic(let a): return a.columns
            case .number, .text: return []
            }
        }
    }

    /// A numeric expression: `+ - * /`, unary minus, numbers and numeric columns.
    public indirect enum Arithmetic: Equatable, Sendable {
        /// A numeric column, with the 1-based position of its name for error messages.
        case column(String, position: Int)
        case number(Double)
        case negated(Arithmetic)
        /// `first op x op y …` evaluated left to right: `a - b - c` is `(a - b) - c`. One
        /// node for the whole chain; the parser puts only `+ -` or only `* /` in one chain.
        case chain(Arithmetic, [Step])

        public enum Operator: String, Equatable, Sendable {
            case add = "+", subtract = "-", multiply = "*", divide = "/"
        }

        /// One `op operand` of a chain, with the operator's 1-based position.
        public struct Step: Equatable, Sendable {
            public let op: Operator
            public let operand: Arithmetic
            public let position: Int

            public init(_ op: Operator, _ operand: Arithmetic, position: Int) {
                self.op = op
                self.operand = operand
                self.position = position
            }
        }

        /// Every column the expression reads, in order of appearance.
        public var columns: [String] {
            switch self {
            case let .column(name, _): return [name]
            case .number: return []
            case .negated(let a): return a.columns
            case let .chain(first, steps): return first.columns + steps.flatMap(\.operand.columns)
            }
        }
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
            return a.columns + b.columns
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

