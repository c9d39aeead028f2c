import CustomerData
import Foundation

/// Evaluates a condition over a whole table at once, column by column: a text column is
/// decided once per distinct value and then looked up by code, so a rule costs a few passes
/// over a million rows. Recursion follows the expression's nesting (chains are loops), which
/// the parser bounds by `TagParser.maximumDepth`.
struct TagEvaluator {
    let table: CustomerTable
    let rule: String

    /// What an operand is, resolved against the table.
    private enum Values {
        case numbers([Double])               // NaN = missing
        case text(codes: [Int32], levels: [String])  // −1 = missing
        case number(Double)
        case string(String)
    }

    func evaluate(_ expression: TagExpression) throws(TagRuleError) -> [Bool] {
        let n = table.rowCount
        switch expression {
        case let .not(e):
            return try evaluate(e).map { !$0 }
        case let .and(terms):
            // A loop over the terms, not recursion: a chain of 50,000 costs one stack frame.
            var result = [Bool](repeating: true, count: n)
            for term in terms {
                let x = try evaluate(term)
                for i in 0..<n { result[i] = result[i] && x[i] }
            }
            return result
        case let .or(terms):
            var result = [Bool](repeating: false, count: n)
            for term in terms {
                let x = try evaluate(term)
                for i in 0..<n { result[i] = result[i] || x[i] }
            }
            return result
        case let .missing(column, negated):
            switch try values(of: column) {
            case .numbers(let v): return v.map { $0.isNaN != negated }
            case .text(let codes, _): return codes.map { ($0 < 0) != negated }
            default: return [Bool](repeating: negated, count: n)
            }
        case let .truthy(column, position):
            switch try values(of: column) {
            case .numbers(let v): return v.map { !$0.isNaN && $0 != 0 }
            case .text(let codes, let levels):
                let yes: Set<String> = ["yes", "true", "1", "y", "t", "是"]
                let no: Set<String> = ["no", "false", "0", "n", "f", "否"]
                guard levels.allSatisfy({ yes.contains($0.lowercased()) || no.contains($0.lowercased()) }) else {
                    throw TagRuleError.notACondition(rule: rule, column: column, position: position)
                }
                return byLevel(codes, levels.map { yes.contains($0.lowercased()) })
            default: throw TagRuleError.notACondition(rule: rule, column: column, position: position)
            }
        case let .contains(column, text, position):
            guard case .text(let codes, let levels) = try values(of: column) else {
                throw TagRuleError.typeMismatch(rule: rule, position: position, message: "contains needs a text column; '\(column)' holds numbers")
            }
            let needle = Array(text.utf8)
            return byLevel(codes, levels.map { TagEvaluator.containsBytes(Array($0.utf8), needle) })
        case let .member(column, list, position):
            let resolved = try values(of: column)
            if TagEvaluator.empty(resolved) { return [Bool](repeating: false, count: n) }
            switch resolved {
            case .numbers(let v):
                var set = Set<Double>()
                for item in list {
                    guard case .number(let x) = item else {
                        throw TagRuleError.typeMismatch(rule: rule, position: position, message: "'\(column)' holds numbers but the list has text; write numbers without quotes")
                    }
                    set.insert(x)
                }
                return v.map { !$0.isNaN && set.contains($0) }
            case .text(let codes, let levels):
                var set = Set<[UInt8]>()
                for item in list {
                    guard case .text(let s) = item else {
                        throw TagRuleError.typeMismatch(rule: rule, position: position, message: "'\(column)' holds text but the list has numbers; put them in \"quotes\"")
                    }
                    set.insert(Array(s.utf8))
                }
                return byLevel(codes, levels.map { set.contains(Array($0.utf8)) })
            default:
                return [Bool](repeating: false, count: n)
            }
        case let .compare(a, op, b, position):
            return try compare(try values(a), op, try values(b), position: position)
        }
    }

    /// Substring search on UTF-8 bytes, like `==` and ordering (no Unicode normalization).
    static func containsBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    private func byLevel(_ codes: [Int32], _ truth: [Bool]) -> [Bool] {
        codes.map { $0 >= 0 && truth[Int($0)] }
    }

    private func values(_ operand: TagExpression.Operand) throws(TagRuleError) -> Values {
        switch operand {
        case .column(let name): return try values(of: name)
        case .number(let x): return .number(x)
        case .text(let s): return .string(s)
        case .arithmetic(let expression):
            do {
                switch try ArithmeticEvaluator(table: table).numbers(expression) {
                case .scalar(let x): return .number(x)
                case .vector(let v): return .numbers(v)
                }
            } catch {
                switch error {
                case .unknownColumn(let name):
                    throw TagRuleError.unknownColumn(rule: rule, column: name, available: table.columnNames)
                case let .textColumn(name, position):
                    throw TagRuleError.textInArithmetic(rule: rule, column: name, position: position)
                }
            }
        }
    }

    private func values(of name: String) throws(TagRuleError) -> Values {
        guard let j = table.index(of: name) else {
            throw TagRuleError.unknownColumn(rule: rule, column: name, available: table.columnNames)
        }
        switch table.columns[j] {
        case .numeric(let column):
            // A column with no values at all reads as numbers, but may be meant as text:
            // every comparison on it is false either way, so let it compare with strings.
            if column.missingCount == column.values.count { return .text(codes: [Int32](repeating: -1, count: column.values.count), levels: []) }
            return .numbers(column.values)
        case .text(let column): return .text(codes: column.codes, levels: column.levels)
        case .identifier(let ids): return .text(codes: (0..<Int32(ids.count)).map { $0 }, levels: (0..<ids.count).map { ids[$0] })
        case .skipped: throw TagRuleError.unknownColumn(rule: rule, column: name, available: table.columnNames)
        }
    }

    /// Code point order (what pandas and most databases use), not Swift's canonical ordering.
    private static func order(_ a: String, _ b: String) -> Int {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        return x == y ? 0 : (x.lexicographicallyPrecedes(y) ? -1 : 1)
    }

    private static func holds(_ op: TagExpression.Comparison, _ sign: Int) -> Bool {
        switch op {
        case .equal: return sign == 0
        case .notEqual: return sign != 0
        case .less: return sign < 0
        case .lessOrEqual: return sign <= 0
        case .greater: return sign > 0
        case .greaterOrEqual: return sign >= 0
        }
    }

    private static func flipped(_ op: TagExpression.Comparison) -> TagExpression.Comparison {
        switch op {
        case .less: return .greater
        case .lessOrEqual: return .greaterOrEqual
        case .greater: return .less
        case .greaterOrEqual: return .lessOrEqual
        default: return op
        }
    }

    /// A column without any value (read as text with no levels): every comparison is false.
    private static func empty(_ values: Values) -> Bool {
        if case .text(_, let levels) = values { return levels.isEmpty }
        return false
    }

    private func compare(_ left: Values, _ op: TagExpression.Comparison, _ right: Values, position: Int) throws(TagRuleError) -> [Bool] {
        if TagEvaluator.empty(left) || TagEvaluator.empty(right) { return [Bool](repeating: false, count: table.rowCount) }
        switch (left, right) {
        case (.number, .numbers), (.string, .text):
            return try compare(right, TagEvaluator.flipped(op), left, position: position)
        case let (.numbers(v), .number(x)):
            // A calculated constant can be missing (`1 / 0`): then no row compares true.
            guard !x.isNaN else { return [Bool](repeating: false, count: v.count) }
            return v.map { !$0.isNaN && TagEvaluator.holds(op, $0 < x ? -1 : ($0 > x ? 1 : 0)) }
        case let (.text(codes, levels), .string(s)):
            return byLevel(codes, levels.map { TagEvaluator.holds(op, TagEvaluator.order($0, s)) })
        case let (.numbers(a), .numbers(b)):
            return zip(a, b).map { x, y in !x.isNaN && !y.isNaN && TagEvaluator.holds(op, x < y ? -1 : (x > y ? 1 : 0)) }
        case let (.text(ca, la), .text(cb, lb)):
            return zip(ca, cb).map { x, y in x >= 0 && y >= 0 && TagEvaluator.holds(op, TagEvaluator.order(la[Int(x)], lb[Int(y)])) }
        case (.numbers, .string), (.string, .numbers):
            throw TagRuleError.typeMismatch(rule: rule, position: position, message: "compares a column of numbers with text; write the number without quotes")
        case (.text, .number), (.number, .text):
            throw TagRuleError.typeMismatch(rule: rule, position: position, message: "compares a text column with a number; put the value in \"quotes\"")
        case (.numbers, .text), (.text, .numbers):
            throw TagRuleError.typeMismatch(rule: rule, position: position, message: "compares a column of numbers with a text column")
        default:
            throw TagRuleError.typeMismatch(rule: rule, position: position, message: "a comparison needs a column")
        }
    }
}
