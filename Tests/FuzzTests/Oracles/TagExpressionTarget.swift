import CustomerData
@testable import Segmentation

/// The tag condition language (`TagParser`, `TagEvaluator`, `ArithmeticEvaluator`): one input
/// is a condition's text, run on a small table with numbers, text, yes/no, an empty column,
/// an id column, blanks and Unicode.
///
/// Properties:
/// - parsing fails only with `TagSyntaxError` and evaluating only with `TagRuleError` (typed
///   throws); nothing traps, however deep or long the input (the depth limit is 200);
/// - a condition that evaluates gives one answer per row, the answers of
///   `ReferenceTagEvaluator` (row at a time, from the documented semantics), the reversed
///   answers on the table with its rows reversed (so text levels get other codes), and
///   `not (condition)` gives the opposite answers where it parses;
/// - the text read as a derived-column expression evaluates to one finite number or blank per
///   row (never ±inf), the same row by row as the reference, reversed on the reversed table.
enum TagExpressionTarget: FuzzTarget {
    static let name = "tag-expression"
    static let maxLength = 8192

    static let rows = [
        ["a", "1", "2.5", "北京", "Yes", "", "hello", "0"],
        ["b", "2", "", "上海", "No", "", "say \"\"hi\"\"", "1"],
        ["c", "3", "-1", "北京", "yes", "", "", "0"],
        ["d", "", "0", "", "No", "", "x", ""],
        ["e", "50000", "1e3", "广州", "", "", "hello world", "1"],
    ]
    static let header = ["id", "x", "y", "城市", "flag", "empty", "note", "churned"]

    static let table = makeTable(rows)
    static let reversed = makeTable(rows.reversed())

    static func makeTable(_ rows: [[String]]) -> CustomerTable {
        let text = ([header] + rows).map { $0.map { "\"\($0)\"" }.joined(separator: ",") }.joined(separator: "\n")
        var options = CSVReadOptions()
        options.idColumn = "id"
        do {
            return try CSVReader.read(bytes: Array(text.utf8), name: "t.csv", options: options)
        } catch {
            fatalError("the tag fuzz table does not parse: \(error)")
        }
    }

    static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let source = String(decoding: input, as: UTF8.self)
        try checkCondition(source)
        try checkArithmetic(source)
    }

    static func checkCondition(_ source: String) throws(PropertyViolation) {
        guard let expression = try? TagParser.parse(source) else { return }
        let context = "condition \(shown(Array(source.utf8)))"
        let result = evaluate(expression, on: table)
        let backwards = evaluate(expression, on: reversed)
        switch (result, backwards) {
        case let (.success(hits), .success(reversedHits)):
            try require(hits.count == table.rowCount, "\(context): \(hits.count) answers for \(table.rowCount) rows")
            try require(Array(reversedHits.reversed()) == hits, "\(context): \(hits) on the table, \(reversedHits) on it reversed")
            let reference = ReferenceTagEvaluator(table).evaluate(expression)
            try require(hits == reference, "\(context): \(hits), the row-by-row reference says \(reference)")
            FuzzStats.accepted(name, "conditions")
        case (.failure, .failure):
            break
        default:
            throw PropertyViolation("\(context): \(result) on the table but \(backwards) on it reversed")
        }
        guard let negated = try? TagParser.parse("not (" + source + ")") else { return }
        switch (result, evaluate(negated, on: table)) {
        case let (.success(hits), .success(opposite)):
            try require(opposite == hits.map { !$0 }, "\(context): \(hits), but not (…) gives \(opposite)")
        case (.failure, .failure):
            break
        case let (hits, opposite):
            throw PropertyViolation("\(context): \(hits), but not (…) gives \(opposite)")
        }
    }

    static func checkArithmetic(_ source: String) throws(PropertyViolation) {
        guard let expression = try? TagParser.parseArithmetic(source) else { return }
        let context = "expression \(shown(Array(source.utf8)))"
        // A column the calculation cannot use is an `ArithmeticEvaluator.Failure` (typed throws).
        guard let forward = try? ArithmeticEvaluator(table: table).column(expression),
              let backward = try? ArithmeticEvaluator(table: reversed).column(expression) else { return }
        try require(forward.count == table.rowCount && forward.allSatisfy { !$0.isInfinite },
                    "\(context): \(forward), not one finite number or blank per row")
        try require(sameDoubles(Array(backward.reversed()), forward), "\(context): \(forward) on the table, \(backward) on it reversed")
        let reference = ReferenceTagEvaluator(table)
        let expected = reference.rows.map { reference.number(expression, $0) }
        try require(sameDoubles(forward, expected), "\(context): \(forward), the row-by-row reference says \(expected)")
        FuzzStats.accepted(name, "expressions")
    }

    static func evaluate(_ expression: TagExpression, on table: CustomerTable) -> Result<[Bool], TagRuleError> {
        do throws(TagRuleError) {
            return .success(try TagEvaluator(table: table, rule: "r").evaluate(expression))
        } catch {
            return .failure(error)
        }
    }
}
