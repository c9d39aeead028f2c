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
    case and(TagExpression, TagExpression)
    case or(TagExpression, TagExpression)

    /// Every column the expression reads.
    public var columns: [String] {
        switch self {
        case let .compare(a, _, b, _):
            return [a, b].compactMap { if case .column(let name) = $0 { return name } else { return nil } }
        case let .member(column, _, _), let .missing(column, _), let .contains(column, _, _), let .truthy(column, _):
            return [column]
        case let .not(e):
            return e.columns
        case let .and(a, b), let .or(a, b):
            return a.columns + b.columns
        }
    }
}

/// A problem in a rule's condition, with the 1-based character position it points at.
public struct TagSyntaxError: Error, Equatable, Sendable {
    public let position: Int
    public let message: String
}

/// Tokens of the condition language, each with the character position where it starts.
struct TagToken: Equatable {
    enum Kind: Equatable {
        case number(Double)
        case text(String)
        case name(String)
        case keyword(String)
        case symbol(String)
        case end
    }
    let kind: Kind
    let position: Int
}

enum TagLexer {
    static let keywords: Set<String> = ["and", "or", "not", "in", "is", "missing", "contains"]

    static func tokens(_ source: String) throws(TagSyntaxError) -> [TagToken] {
        let chars = Array(source)
        var tokens = [TagToken]()
        var i = 0
        func isNameCharacter(_ c: Character) -> Bool {
            c.isLetter || c.isNumber || c == "_" || c == ":" || (!c.isASCII && !c.isWhitespace && !c.isPunctuation)
        }
        /// A name (or keyword) starting at `start`; returns where it ends.
        func readName(from start: Int, position: Int) -> Int {
            var end = start
            while end < chars.count, isNameCharacter(chars[end]) { end += 1 }
            let word = String(chars[start..<end])
            tokens.append(TagToken(kind: keywords.contains(word) ? .keyword(word) : .name(word), position: position))
            return end
        }
        while i < chars.count {
            let c = chars[i]
            let position = i + 1
            if c.isWhitespace { i += 1; continue }
            if c == "\"" || c == "`" {
                var value = ""
                i += 1
                var closed = false
                while i < chars.count {
                    if c == "\"", chars[i] == "\\", i + 1 < chars.count { value.append(chars[i + 1]); i += 2; continue }
                    if chars[i] == c { closed = true; i += 1; break }
                    value.append(chars[i])
                    i += 1
                }
                guard closed else {
                    throw TagSyntaxError(position: position, message: c == "\"" ? "a string is never closed with \"" : "a `name` is never closed with `")
                }
                tokens.append(TagToken(kind: c == "\"" ? .text(value) : .name(value), position: position))
                continue
            }
            // A number: [-]digits[.digits][e[+-]digits]. Digits followed by letters are a
            // name instead (`30d_spend`).
            if (c.isASCII && c.isNumber) || (c == "-" && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber) {
                var j = c == "-" ? i + 1 : i
                func digits() { while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 } }
                digits()
                if j < chars.count, chars[j] == "." { j += 1; digits() }
                if j < chars.count, chars[j] == "e" || chars[j] == "E" {
                    var k = j + 1
                    if k < chars.count, chars[k] == "+" || chars[k] == "-" { k += 1 }
                    if k < chars.count, chars[k].isASCII, chars[k].isNumber { j = k; digits() }
                }
                if c != "-", j < chars.count, isNameCharacter(chars[j]), !(chars[j].isASCII && chars[j].isNumber) {
                    i = readName(from: i, position: position)
                    continue
                }
                let text = String(chars[i..<j])
                guard let value = Double(text), value.isFinite else {
                    throw TagSyntaxError(position: position, message: "\(text) is not a number")
                }
                tokens.append(TagToken(kind: .number(value), position: position))
                i = j
                continue
            }
            if isNameCharacter(c), !c.isNumber || !c.isASCII {
                i = readName(from: i, position: position)
                continue
            }
            let two = i + 1 < chars.count ? String(chars[i...(i + 1)]) : ""
            if ["==", "!=", "<=", ">="].contains(two) {
                tokens.append(TagToken(kind: .symbol(two), position: position))
                i += 2
                continue
            }
            if "<>()[],".contains(c) {
                tokens.append(TagToken(kind: .symbol(String(c)), position: position))
                i += 1
                continue
            }
            if c == "=" {
                throw TagSyntaxError(position: position, message: "use == to compare, not =")
            }
            throw TagSyntaxError(position: position, message: "unexpected character '\(c)'")
        }
        tokens.append(TagToken(kind: .end, position: chars.count + 1))
        return tokens
    }
}

/// A recursive-descent parser: or → and → not → comparison → operand.
struct TagParser {
    private var tokens: [TagToken]
    private var index = 0

    static func parse(_ source: String) throws(TagSyntaxError) -> TagExpression {
        var parser = TagParser(tokens: try TagLexer.tokens(source))
        guard parser.tokens.count > 1 else { throw TagSyntaxError(position: 1, message: "the condition is empty") }
        let expression = try parser.or()
        let rest = parser.peek
        guard rest.kind == .end else { throw TagSyntaxError(position: rest.position, message: "unexpected \(describe(rest)) after a complete condition") }
        return expression
    }

    private init(tokens: [TagToken]) { self.tokens = tokens }

    private var peek: TagToken { tokens[index] }

    private mutating func take() -> TagToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private static func describe(_ token: TagToken) -> String {
        switch token.kind {
        case .number(let v): return "number \(v)"
        case .text(let s): return "\"\(s)\""
        case .name(let n): return "'\(n)'"
        case .keyword(let k): return "'\(k)'"
        case .symbol(let s): return "'\(s)'"
        case .end: return "end of condition"
        }
    }

    private mutating func or() throws(TagSyntaxError) -> TagExpression {
        var left = try and()
        while peek.kind == .keyword("or") {
            _ = take()
            left = .or(left, try and())
        }
        return left
    }

    private mutating func and() throws(TagSyntaxError) -> TagExpression {
        var left = try not()
        while peek.kind == .keyword("and") {
            _ = take()
            left = .and(left, try not())
        }
        return left
    }

    private mutating func not() throws(TagSyntaxError) -> TagExpression {
        if peek.kind == .keyword("not") {
            _ = take()
            return .not(try not())
        }
        return try comparison()
    }

    private mutating func comparison() throws(TagSyntaxError) -> TagExpression {
        if peek.kind == .symbol("(") {
            _ = take()
            let inner = try or()
            guard peek.kind == .symbol(")") else {
                throw TagSyntaxError(position: peek.position, message: "expected ')' but found \(TagParser.describe(peek))")
            }
            _ = take()
            return inner
        }
        let start = peek
        let left = try operand()
        let next = peek
        switch next.kind {
        case .symbol(let s) where TagExpression.Comparison(rawValue: s) != nil:
            _ = take()
            let right = try operand()
            if case .column = left {} else if case .column = right {} else {
                throw TagSyntaxError(position: start.position, message: "a comparison needs a column on at least one side")
            }
            return .compare(left, TagExpression.Comparison(rawValue: s) ?? .equal, right, position: next.position)
        case .keyword("in"):
            _ = take()
            let column = try columnName(left, start)
            guard peek.kind == .symbol("[") else {
                throw TagSyntaxError(position: peek.position, message: "expected '[' after 'in' but found \(TagParser.describe(peek))")
            }
            _ = take()
            var values = [TagExpression.Operand]()
            while peek.kind != .symbol("]") {
                let token = take()
                switch token.kind {
                case .number(let v): values.append(.number(v))
                case .text(let s): values.append(.text(s))
                default: throw TagSyntaxError(position: token.position, message: "expected a number or a \"string\" in the list but found \(TagParser.describe(token))")
                }
                if peek.kind == .symbol(",") { _ = take() } else if peek.kind != .symbol("]") {
                    throw TagSyntaxError(position: peek.position, message: "expected ',' or ']' but found \(TagParser.describe(peek))")
                }
            }
            _ = take()
            return .member(column: column, of: values, position: next.position)
        case .keyword("is"):
            _ = take()
            let column = try columnName(left, start)
            var negated = false
            if peek.kind == .keyword("not") { _ = take(); negated = true }
            guard peek.kind == .keyword("missing") else {
                throw TagSyntaxError(position: peek.position, message: "expected 'missing' after 'is' but found \(TagParser.describe(peek))")
            }
            _ = take()
            return .missing(column: column, negated: negated)
        case .keyword("contains"):
            _ = take()
            let column = try columnName(left, start)
            let token = take()
            guard case .text(let s) = token.kind else {
                throw TagSyntaxError(position: token.position, message: "expected a \"string\" after 'contains' but found \(TagParser.describe(token))")
            }
            return .contains(column: column, text: s, position: next.position)
        default:
            guard case .column(let name) = left else {
                throw TagSyntaxError(position: next.position, message: "expected a comparison (== != < <= > >=, in, is missing, contains) but found \(TagParser.describe(next))")
            }
            return .truthy(column: name, position: start.position)
        }
    }

    private func columnName(_ operand: TagExpression.Operand, _ token: TagToken) throws(TagSyntaxError) -> String {
        guard case .column(let name) = operand else {
            throw TagSyntaxError(position: token.position, message: "expected a column name before this operator, found \(TagParser.describe(token))")
        }
        return name
    }

    private mutating func operand() throws(TagSyntaxError) -> TagExpression.Operand {
        let token = take()
        switch token.kind {
        case .number(let v): return .number(v)
        case .text(let s): return .text(s)
        case .name(let n): return .column(n)
        default:
            throw TagSyntaxError(position: token.position, message: "expected a column, a number or a \"string\" but found \(TagParser.describe(token))")
        }
    }
}
