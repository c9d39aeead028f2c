import CustomerData
@testable import Segmentation

/// A row-at-a-time interpreter of tag conditions, written from the semantics documented on
/// `TagExpression`, to check the column-at-a-time `TagEvaluator` against. Only called where
/// the evaluator succeeded, so it does not repeat the evaluator's type errors.
struct ReferenceTagEvaluator {
    enum Cell: Equatable {
        case number(Double)
        case text(String)
        case missing
    }

    /// Cells by column name, one dictionary per row. (A numeric column without any value is
    /// missing in every row, so every comparison with it is false, as documented.)
    let rows: [[String: Cell]]

    init(_ table: CustomerTable) {
        var rows = [[String: Cell]](repeating: [:], count: table.rowCount)
        for (name, column) in zip(table.columnNames, table.columns) {
            for i in 0..<table.rowCount {
                switch column {
                case .numeric(let c): rows[i][name] = c.values[i].isNaN ? .missing : .number(c.values[i])
                case .text(let c): rows[i][name] = c.codes[i] < 0 ? .missing : .text(c.levels[Int(c.codes[i])])
                case .identifier(let c): rows[i][name] = .text(c[i])
                case .skipped: break
                }
            }
        }
        self.rows = rows
    }

    func evaluate(_ expression: TagExpression) -> [Bool] {
        rows.map { evaluate(expression, $0) }
    }

    private func evaluate(_ e: TagExpression, _ row: [String: Cell]) -> Bool {
        switch e {
        case .not(let inner): return !evaluate(inner, row)
        case .and(let terms): return terms.allSatisfy { evaluate($0, row) }
        case .or(let terms): return terms.contains { evaluate($0, row) }
        case let .missing(column, negated): return (row[column] == .missing) != negated
        case .truthy(let column, _):
            switch row[column] {
            case .number(let x): return x != 0
            case .text(let s): return ["yes", "true", "1", "y", "t", "是"].contains(s.lowercased())
            default: return false
            }
        case let .contains(column, text, _):
            guard case .text(let s) = row[column] else { return false }
            let (h, n) = (Array(s.utf8), Array(text.utf8))
            return n.isEmpty || (h.count >= n.count && (0...(h.count - n.count)).contains { Array(h[$0..<($0 + n.count)]) == n })
        case let .member(column, list, _):
            switch row[column] {
            case .number(let x): return list.contains(.number(x))
            case .text(let s): return list.contains { if case .text(let t) = $0 { return Array(t.utf8) == Array(s.utf8) } else { return false } }
            default: return false
            }
        case let .compare(a, op, b, _):
            let (x, y) = (value(a, row), value(b, row))
            let sign: Int
            switch (x, y) {
            case let (.number(p), .number(q)): sign = p < q ? -1 : (p > q ? 1 : 0)
            case let (.text(p), .text(q)):
                let (u, v) = (Array(p.utf8), Array(q.utf8))
                sign = u == v ? 0 : (u.lexicographicallyPrecedes(v) ? -1 : 1)
            default: return false
            }
            // Spelled out again rather than calling the evaluator's own helper: a reference
            // that shares code with what it checks cannot catch that code's mistakes.
            switch op {
            case .equal: return sign == 0
            case .notEqual: return sign != 0
            case .less: return sign < 0
            case .lessOrEqual: return sign <= 0
            case .greater: return sign > 0
            case .greaterOrEqual: return sign >= 0
            }
        }
    }

    private func value(_ operand: TagExpression.Operand, _ row: [String: Cell]) -> Cell {
        switch operand {
        case .column(let name): return row[name] ?? .missing
        case .number(let x): return .number(x)
        case .text(let s): return .text(s)
        case .arithmetic(let a):
            let x = number(a, row)
            return x.isNaN ? .missing : .number(x)
        }
    }

    /// A calculation in one row: NaN for missing, and for any result that is not finite.
    func number(_ a: TagExpression.Arithmetic, _ row: [String: Cell]) -> Double {
        switch a {
        case .column(let name, _):
            if case .number(let x) = row[name] { return x }
            return .nan
        case .number(let x): return x
        case .negated(let inner): return -number(inner, row)
        case let .chain(first, steps):
            var x = number(first, row)
            for step in steps {
                let y = number(step.operand, row)
                let r: Double
                switch step.op {
                case .add: r = x + y
                case .subtract: r = x - y
                case .multiply: r = x * y
                case .divide: r = x / y
                }
                x = r.isFinite ? r : .nan
            }
            return x
        }
    }
}
