import CustomerData

/// Evaluates arithmetic (`monetary / frequency`) over a whole table, a column at a time: for
/// conditions (`TagEvaluator`) and for derived columns (`DerivedColumns`), which each turn a
/// `Failure` into their own error.
struct ArithmeticEvaluator {
    let table: CustomerTable

    /// A calculation's result: one number for every row, or one per row. NaN is missing.
    enum Numbers: Equatable {
        case scalar(Double)
        case vector([Double])
    }

    /// A column the calculation cannot use.
    enum Failure: Error, Equatable {
        case unknownColumn(String)
        /// A text or id column; `position` is where its name starts.
        case textColumn(String, position: Int)
    }

    /// `expression` row by row. A missing operand gives a missing result, and so does a result
    /// that is not a finite number (`x / 0`, overflow): missing, never ±inf, so a comparison
    /// with it is false. Chains are loops; only `.negated` and parenthesised chains recurse,
    /// and the parser bounds those by `TagParser.maximumDepth`.
    ///
    /// - Throws: `Failure` for a column the table does not have, or one that is not numeric.
    /// - Complexity: O(n) per operator, for n rows.
    func numbers(_ expression: TagExpression.Arithmetic) throws(Failure) -> Numbers {
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
                result = ArithmeticEvaluator.combine(result, step.op, try numbers(step.operand))
            }
            return result
        }
    }

    /// `numbers` with a scalar spread over every row.
    func column(_ expression: TagExpression.Arithmetic) throws(Failure) -> [Double] {
        switch try numbers(expression) {
        case .scalar(let x): return [Double](repeating: x, count: table.rowCount)
        case .vector(let v): return v
        }
    }

    /// The values of a numeric column (NaN where blank); a failure for any other kind.
    private func numericColumn(_ name: String, position: Int) throws(Failure) -> [Double] {
        guard let j = table.index(of: name) else { throw .unknownColumn(name) }
        switch table.columns[j] {
        case .numeric(let column): return column.values
        case .text, .identifier: throw .textColumn(name, position: position)
        case .skipped: throw .unknownColumn(name)
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
