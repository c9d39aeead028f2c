/// A recursive-descent parser: or → and → not → comparison → operand.
struct TagParser {
    /// How deeply parentheses and `not` may nest. Chains of `and`/`or` do not count: they
    /// are collected in loops.
    static let maximumDepth = 200

    private var tokens: [TagToken]
    private var index = 0
    private var depth = 0

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

    /// `a or b or c` as one node: collected in a loop, so the chain's length costs no depth.
    private mutating func or() throws(TagSyntaxError) -> TagExpression {
        let first = try and()
        guard peek.kind == .keyword("or") else { return first }
        var terms = [first]
        while peek.kind == .keyword("or") {
            _ = take()
            terms.append(try and())
        }
        return .or(terms)
    }

    private mutating func and() throws(TagSyntaxError) -> TagExpression {
        let first = try not()
        guard peek.kind == .keyword("and") else { return first }
        var terms = [first]
        while peek.kind == .keyword("and") {
            _ = take()
            terms.append(try not())
        }
        return .and(terms)
    }

    private mutating func not() throws(TagSyntaxError) -> TagExpression {
        if peek.kind == .keyword("not") {
            let token = take()
            try enter(token)
            defer { depth -= 1 }
            return .not(try not())
        }
        return try comparison()
    }

    /// One level deeper (a parenthesis or `not`); refuses to go past `maximumDepth`, so
    /// neither this parser nor the evaluator can run out of stack.
    private mutating func enter(_ token: TagToken) throws(TagSyntaxError) {
        depth += 1
        guard depth <= TagParser.maximumDepth else {
            throw TagSyntaxError(position: token.position, message: "the condition nests deeper than \(TagParser.maximumDepth) levels (each parenthesis and each 'not' is one)")
        }
    }

    private mutating func comparison() throws(TagSyntaxError) -> TagExpression {
        if peek.kind == .symbol("(") {
            let open = take()
            try enter(open)
            defer { depth -= 1 }
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
