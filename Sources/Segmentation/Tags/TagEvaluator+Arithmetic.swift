import CustomerData

/// Arithmetic in conditions (`monetary / frequency > 50`), evaluated a whole column at a time.
extension TagEvaluator {
    /// A calculation's result: one number for every row, or one per row. NaN is missing.
    enum Numbers: Equatable {
        case scalar(Double)
        case vector([Double])
    }

    /// `expression` row by row. A missing operand gives a missing result, and so does a result
    /// that is not a finite number (`x / 0`, overflow): missing, never ±inf, so a comparison
    /// with it is false. Chains are loops; only `.negated` and parenthesised chains recurse,
    /// and the parser bounds those by `TagParser.maximumDepth`.
    ///
    /// - Throws: `TagRuleError.textInArithmetic` for a text (or id) column,
    ///   `TagRuleError.unknownColumn` for a column the table does not have.
    /// - Complexity: O(n) per operator, for n rows.
    func numbers(_ expression: TagExpression.Arithmetic) throws(TagRuleError) -> Numbers {
        switch expression {
        case let .column(name, position):
            return .vector(try numericColumn(name, position: position))
        case .number(let x):
            return .scalar(x)
        case .negated(let inner):
            switch try numbers(inner) {
            case .scalar(let x): return .scalar(-x)
            case .vector(let v): return .vector(v.map { -$0 })
            }
        case let .chain(first, steps):
            var result = try numbers(first)
            for step in steps {
                result = TagEvaluator.combine(result, step.op, try numbers(step.operand))
            }
            return result
        }
    }

    /// The values of a numeric column (NaN where blank); an error for any other kind.
    private func numericColumn(_ name: String, position: Int) throws(TagRuleError) -> [Double] {
        guard let j = table.index(of: name) else {
            throw TagRuleError.unknownColumn(rule: rule, column: name, available: table.columnNames)
        }
        switch table.columns[j] {
        case .numeric(let column): return column.values
        case .text, .identifier: throw TagRuleError.textInArithmetic(rule: rule, column: name, position: position)
        case .skipped: throw TagRuleError.unknownColumn(rule: rule, column: name, available: table.columnNames)
        }
    }

    /// `a op b` elementwise, with a scalar standing for every row.
    static func combine(_ a: Numbers, _ op: TagExpression.Arithmetic.Operator, _ b: Numbers) -> Numbers {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): return .scalar(apply(op, x, y))
        case let (.vector(v), .scalar(y)): return .vector(v.map { apply(op, $0, y) })
        case let (.scalar(x), .vector(w)): return .vector(w.map { apply(op, x, $0) })
        case let (.vector(v), .vector(w)): return .vector(zip(v, w).map { apply(op, $0, $1) })
        }
    }

    /// One operation; NaN for a missing operand and for any result that is not finite.
    @inline(__always)
    static func apply(_ op: TagExpression.Arithmetic.Operator, _ x: Double, _ y: Double) -> Double {
        let r: Double
        switch op {
        case .add: r = x + y
        case .subtract: r = x - y
        case .multiply: r = x * y
        case .divide: r = x / y
        }
        return r.isFinite ? r : .nan
    }
}
