/// The arithmetic rules of the grammar: sum → product → unary → atom.
extension TagParser {
    typealias Arithmetic = TagExpression.Arithmetic

    /// `product (("+" | "-") product)*`, one `.chain` node however long.
    mutating func sum() throws(TagSyntaxError) -> Parsed {
        let first = try product()
        guard arithmeticOperator([.add, .subtract]) != nil else { return first }
        let head = try arithmetic(first)
        var steps = [Arithmetic.Step]()
        while let op = arithmeticOperator([.add, .subtract]) {
            let token = take()
            steps.append(Arithmetic.Step(op, try arithmetic(try product()), position: token.position))
        }
        return .value(.arithmetic(.chain(head, steps)), start: first.start)
    }

    /// `unary (("*" | "/") unary)*`, one `.chain` node however long.
    private mutating func product() throws(TagSyntaxError) -> Parsed {
        let first = try unary()
        guard arithmeticOperator([.multiply, .divide]) != nil else { return first }
        let head = try arithmetic(first)
        var steps = [Arithmetic.Step]()
        while let op = arithmeticOperator([.multiply, .divide]) {
            let token = take()
            steps.append(Arithmetic.Step(op, try arithmetic(try unary()), position: token.position))
        }
        return .value(.arithmetic(.chain(head, steps)), start: first.start)
    }

    /// `"-" unary | atom`; a minus before a number literal is folded into it (`-5`).
    private mutating func unary() throws(TagSyntaxError) -> Parsed {
        guard peek.kind == .symbol("-") else { return try atom() }
        let minus = take()
        try enter(minus)
        defer { depth -= 1 }
        let inner = try unary()
        if case .value(.number(let x), _) = inner { return .value(.number(-x), start: minus) }
        return .value(.arithmetic(.negated(try arithmetic(inner))), start: minus)
    }

    /// A literal, a column, or a parenthesised condition or calculation.
    private mutating func atom() throws(TagSyntaxError) -> Parsed {
        let token = take()
        switch token.kind {
        case .number(let v):
            return .value(.number(v), start: token)
        case .text(let s):
            return .value(.text(s), start: token)
        case .name(let n):
            return .value(.column(n), start: token)
        case .symbol("("):
            try enter(token)
            defer { depth -= 1 }
            let inner = try or()
            guard peek.kind == .symbol(")") else {
                throw TagSyntaxError(position: peek.position, message: "expected ')' but found \(describe(peek))")
            }
            _ = take()
            // A condition is reported at its '('; a value keeps its own start, so `(plan)`
            // on its own points at `plan`.
            if case .condition(let expression, _) = inner { return .condition(expression, start: token) }
            return inner
        default:
            let wanted = subject == .condition ? "a column, a number or a \"string\"" : "a column or a number"
            throw TagSyntaxError(position: token.position, message: "expected \(wanted) but found \(describe(token))")
        }
    }

    /// The arithmetic operator at the current token, when it is one of `allowed`.
    private func arithmeticOperator(_ allowed: [Arithmetic.Operator]) -> Arithmetic.Operator? {
        guard case .symbol(let s) = peek.kind, let op = Arithmetic.Operator(rawValue: s), allowed.contains(op) else { return nil }
        return op
    }

    /// `parsed` as a number per row; a syntax error at it when it is text or a condition.
    func arithmetic(_ parsed: Parsed) throws(TagSyntaxError) -> Arithmetic {
        switch parsed {
        case .value(.column(let name), let start):
            return .column(name, position: start.position)
        case .value(.number(let x), _):
            return .number(x)
        case .value(.arithmetic(let a), _):
            return a
        case .value(.text(let s), let start):
            throw TagSyntaxError(position: start.position, message: "text \"\(s)\" cannot be used in arithmetic (+ - * /)")
        case .condition(_, let start):
            throw TagSyntaxError(position: start.position, message: "a condition cannot be used in arithmetic (+ - * /)")
        }
    }
}
