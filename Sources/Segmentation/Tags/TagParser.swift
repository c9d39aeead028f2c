/// A recursive-descent parser, one function per rule of the grammar in `TagExpression`:
/// or → and → not → test → sum → product → unary → atom (the last three in
/// `TagParser+Arithmetic.swift`).
///
/// Chains (`a or b or c`, `a + b + c`) are collected in loops into one node, so only
/// parentheses, `not` and unary `-` make it recurse, and those stop at `maximumDepth`.
struct TagParser {
    /// How deeply parentheses, `not` and unary `-` may nest.
    static let maximumDepth = 200

    /// What is being parsed, for messages.
    enum Subject: String {
        case condition, expression
    }

    /// A piece parsed so far: a condition, or a value that may still be compared or computed
    /// with. Whether `(x)` is a value or a yes/no test is only known from what follows it.
    enum Parsed {
        case condition(TagExpression, start: TagToken)
        case value(TagExpression.Operand, start: TagToken)

        var start: TagToken {
            switch self {
            case .condition(_, let start), .value(_, let start): return start
            }
        }
    }

    let subject: Subject
    private let tokens: [TagToken]
    private var index = 0
    var depth = 0

    /// A rule's condition.
    static func parse(_ source: String) throws(TagSyntaxError) -> TagExpression {
        var parser = try TagParser(source, subject: .condition)
        let parsed = try parser.or()
        let expression = try parser.condition(parsed)
        try parser.expectEnd()
        return expression
    }

    /// A numeric expression on its own (a derived column): the `sum` of the grammar.
    static func parseArithmetic(_ source: String) throws(TagSyntaxError) -> TagExpression.Arithmetic {
        var parser = try TagParser(source, subject: .expression)
        let value = try parser.arithmetic(try parser.sum())
        try parser.expectEnd()
        return value
    }

    private init(_ source: String, subject: Subject) throws(TagSyntaxError) {
        tokens = try TagLexer.tokens(source)
        self.subject = subject
        guard tokens.count > 1 else { throw TagSyntaxError(position: 1, message: "the \(subject) is empty") }
    }

    var peek: TagToken { tokens[index] }

    mutating func take() -> TagToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func describe(_ token: TagToken) -> String {
        switch token.kind {
        case .number(let v): return "number \(v)"
        case .text(let s): return "\"\(s)\""
        case .name(let n): return "'\(n)'"
        case .keyword(let k): return "'\(k)'"
        case .symbol(let s): return "'\(s)'"
        case .end: return "end of \(subject)"
        }
    }

    private func expectEnd() throws(TagSyntaxError) {
        guard peek.kind == .end else {
            throw TagSyntaxError(position: peek.position, message: "unexpected \(describe(peek)) after a complete \(subject)")
        }
    }

    /// One level deeper (a parenthesis, `not` or unary `-`); refuses to go past
    /// `maximumDepth`, so neither this parser nor the evaluator can run out of stack.
    mutating func enter(_ token: TagToken) throws(TagSyntaxError) {
        depth += 1
        guard depth <= TagParser.maximumDepth else {
            throw TagSyntaxError(position: token.position, message: "the \(subject) nests deeper than \(TagParser.maximumDepth) levels (each parenthesis, 'not' and unary '-' is one)")
        }
    }

    /// `parsed` used as a condition: a lone column is a yes/no test; any other value is not a
    /// condition, reported at the token after it (where a comparison was expected). Call it
    /// on a local, not as `condition(try and())`: Swift reads `self` for the call before
    /// the argument moves the parser on, and `peek` would be stale.
    private func condition(_ parsed: Parsed) throws(TagSyntaxError) -> TagExpression {
        switch parsed {
        case .condition(let expression, _):
            return expression
        case .value(.column(let name), let start):
            return .truthy(column: name, position: start.position)
        case .value:
            throw TagSyntaxError(position: peek.position, message: "expected a comparison (== != < <= > >=, in, is missing, contains) but found \(describe(peek))")
        }
    }

    mutating func or() throws(TagSyntaxError) -> Parsed {
        let first = try and()
        guard peek.kind == .keyword("or") else { return first }
        var terms = [try condition(first)]
        while peek.kind == .keyword("or") {
            _ = take()
            let term = try and()
            terms.append(try condition(term))
        }
        return .condition(.or(terms), start: first.start)
    }

    private mutating func and() throws(TagSyntaxError) -> Parsed {
        let first = try not()
        guard peek.kind == .keyword("and") else { return first }
        var terms = [try condition(first)]
        while peek.kind == .keyword("and") {
            _ = take()
            let term = try not()
            terms.append(try condition(term))
        }
        return .condition(.and(terms), start: first.start)
    }

    private mutating func not() throws(TagSyntaxError) -> Parsed {
        guard peek.kind == .keyword("not") else { return try test() }
        let token = take()
        try enter(token)
        defer { depth -= 1 }
        let inner = try not()
        return .condition(.not(try condition(inner)), start: token)
    }

    /// A comparison, `in`, `is missing` or `contains` after a value; the value itself (for a
    /// yes/no test or an enclosing calculation) when none follows.
    private mutating func test() throws(TagSyntaxError) -> Parsed {
        let left = try sum()
        guard case .value(let operand, let start) = left else { return left }
        let next = peek
        switch next.kind {
        case .symbol(let s):
            guard let comparison = TagExpression.Comparison(rawValue: s) else { return left }
            _ = take()
            let right = try sum()
            guard case .value(let other, _) = right else {
                throw TagSyntaxError(position: right.start.position, message: "expected a column, a number or a \"string\" but found a condition in parentheses")
            }
            guard !operand.columns.isEmpty || !other.columns.isEmpty else {
                throw TagSyntaxError(position: start.position, message: "a comparison needs a column on at least one side")
            }
            return .condition(.compare(operand, comparison, other, position: next.position), start: start)
        case .keyword("in"):
            _ = take()
            let column = try columnName(operand, start)
            return .condition(.member(column: column, of: try list(), position: next.position), start: start)
        case .keyword("is"):
            _ = take()
            let column = try columnName(operand, start)
            var negated = false
            if peek.kind == .keyword("not") { _ = take(); negated = true }
            guard peek.kind == .keyword("missing") else {
                throw TagSyntaxError(position: peek.position, message: "expected 'missing' after 'is' but found \(describe(peek))")
            }
            _ = take()
            return .condition(.missing(column: column, negated: negated), start: start)
        case .keyword("contains"):
            _ = take()
            let column = try columnName(operand, start)
            let token = take()
            guard case .text(let s) = token.kind else {
                throw TagSyntaxError(position: token.position, message: "expected a \"string\" after 'contains' but found \(describe(token))")
            }
            return .condition(.contains(column: column, text: s, position: next.position), start: start)
        default:
            return left
        }
    }

    /// `[item, …]` after `in`: numbers (`-` allowed before them) and strings.
    private mutating func list() throws(TagSyntaxError) -> [TagExpression.Operand] {
        guard peek.kind == .symbol("[") else {
            throw TagSyntaxError(position: peek.position, message: "expected '[' after 'in' but found \(describe(peek))")
        }
        _ = take()
        var values = [TagExpression.Operand]()
        while peek.kind != .symbol("]") {
            let token = take()
            var kind = token.kind
            if kind == .symbol("-"), case .number(let v) = peek.kind {
                _ = take()
                kind = .number(-v)
            }
            switch kind {
            case .number(let v): values.append(.number(v))
            case .text(let s): values.append(.text(s))
            default: throw TagSyntaxError(position: token.position, message: "expected a number or a \"string\" in the list but found \(describe(token))")
            }
            if peek.kind == .symbol(",") { _ = take() } else if peek.kind != .symbol("]") {
                throw TagSyntaxError(position: peek.position, message: "expected ',' or ']' but found \(describe(peek))")
            }
        }
        _ = take()
        return values
    }

    /// The column left of `in`, `is` or `contains`.
    private func columnName(_ operand: TagExpression.Operand, _ start: TagToken) throws(TagSyntaxError) -> String {
        switch operand {
        case .column(let name):
            return name
        case .arithmetic:
            throw TagSyntaxError(position: start.position, message: "expected a column name before this operator, found a calculation")
        case .number, .text:
            throw TagSyntaxError(position: start.position, message: "expected a column name before this operator, found \(describe(start))")
        }
    }
}
