import CustomerData
import Foundation
import Testing
@testable import Segmentation

/// A small table with blanks, Unicode names and values, and a column name that needs backquotes.
let tagTable: CustomerTable = {
    let csv = """
        id,monetary,frequency,城市,plan,Annual Income (k$),note
        a,6000,12,北京,Gold,80,"likes ""tea""\u{22}
        b,4000,20,上海,Basic,,
        c,,3,深圳,Gold,40,vip member
        d,9000,1,,Basic,120,tea
        """
    do {
        var options = CSVReadOptions()
        options.idColumn = "id"
        return try CSVReader.read(bytes: Array(csv.utf8), name: "t.csv", options: options)
    } catch {
        fatalError("the test table does not parse: \(error)")
    }
}()

/// The ids (a…d) for which `condition` is true.
func matching(_ condition: String) throws -> String {
    let expression = try TagParser.parse(condition)
    let hits = try TagEvaluator(table: tagTable, rule: "r").evaluate(expression)
    return zip(["a", "b", "c", "d"], hits).filter { $0.1 }.map { $0.0 }.joined()
}

@Suite("Tag rules")
struct TagRuleTests {
    @Test("every comparison operator, numbers and text", arguments: [
        ("monetary == 6000", "a"), ("monetary != 6000", "bd"), ("monetary < 6000", "b"), ("monetary <= 6000", "ab"),
        ("monetary > 6000", "d"), ("monetary >= 6000", "ad"), ("6000 < monetary", "d"),
        ("plan == \"Gold\"", "ac"), ("plan != \"Gold\"", "bd"), ("plan < \"C\"", "bd"),
        ("frequency > monetary", ""), ("monetary > frequency", "abd"),
    ])
    func comparisons(condition: String, expected: String) throws {
        #expect(try matching(condition) == expected, "\(condition)")
    }

    @Test("in, is missing, is not missing, contains", arguments: [
        ("城市 in [\"北京\", \"深圳\"]", "ac"), ("frequency in [1, 3]", "cd"),
        ("monetary is missing", "c"), ("城市 is missing", "d"), ("monetary is not missing", "abd"),
        ("note contains \"tea\"", "ad"), ("note contains \"\\\"tea\\\"\"", "a"),
    ])
    func operators(condition: String, expected: String) throws {
        #expect(try matching(condition) == expected, "\(condition)")
    }

    @Test("precedence: not > and > or; parentheses", arguments: [
        // or binds loosest: a-or-(b-and-c)
        ("plan == \"Basic\" or monetary > 5000 and frequency > 10", "abd"),
        ("(plan == \"Basic\" or monetary > 5000) and frequency > 10", "ab"),
        // not applies to the comparison next to it, before and
        ("not plan == \"Gold\" and frequency > 5", "b"),
        ("not (plan == \"Gold\" and frequency > 5)", "bcd"),
        ("not not monetary > 5000", "ad"),
    ])
    func precedence(condition: String, expected: String) throws {
        #expect(try matching(condition) == expected, "\(condition)")
    }

    @Test("missing values: comparisons are false, not negates, is missing is true", arguments: [
        ("monetary < 1000000", "abd"), ("monetary != 1", "abd"), ("not monetary < 1000000", "c"),
        ("城市 != \"北京\"", "bc"), ("`Annual Income (k$)` >= 40", "acd"), ("`Annual Income (k$)` is missing", "b"),
    ])
    func missing(condition: String, expected: String) throws {
        #expect(try matching(condition) == expected, "\(condition)")
    }

    @Test("syntax errors point at the rule and the character", arguments: [
        ("monetary >= ", 13, "expected a column, a number or a \"string\" but found end of condition"),
        ("monetary = 5", 10, "use == to compare, not ="),
        ("(monetary > 5", 14, "expected ')' but found end of condition"),
        ("plan == \"Gold", 9, "a string is never closed with \""),
        ("monetary > 5 frequency", 14, "unexpected 'frequency' after a complete condition"),
        ("城市 in [\"北京\" \"上海\"]", 13, "expected ',' or ']' but found \"上海\""),
        ("monetary is 5", 13, "expected 'missing' after 'is' but found number 5.0"),
        ("5 > 3", 1, "a comparison needs a column on at least one side"),
        ("", 1, "the condition is empty"),
        // A value where a condition is needed, reported where the comparison should be.
        ("plan or 5", 10, "expected a comparison (== != < <= > >=, in, is missing, contains) but found end of condition"),
        ("5 and plan", 3, "expected a comparison (== != < <= > >=, in, is missing, contains) but found 'and'"),
        ("not 5", 6, "expected a comparison (== != < <= > >=, in, is missing, contains) but found end of condition"),
    ])
    func syntaxErrors(condition: String, position: Int, message: String) {
        #expect(throws: TagSyntaxError(position: position, message: message)) { try TagParser.parse(condition) }
    }

    @Test("number literals, digit-led names, text on its own, blank columns, byte-level contains")
    func edges() throws {
        #expect(try TagParser.parse("monetary > -1e3") == .compare(.column("monetary"), .greater, .number(-1000), position: 10))
        #expect(try TagParser.parse("monetary > -2.5E-1") == .compare(.column("monetary"), .greater, .number(-0.25), position: 10))
        #expect(try TagParser.parse("30d_spend >= 1e3") == .compare(.column("30d_spend"), .greaterOrEqual, .number(1000), position: 11))
        #expect(throws: TagRuleError.notACondition(rule: "r", column: "plan", position: 1)) {
            try TagEvaluator(table: tagTable, rule: "r").evaluate(try TagParser.parse("plan"))
        }
        let blank = try CSVReader.read(bytes: Array("id,city,name\na,,e\u{301}\nb,,x\n".utf8), name: "b.csv", options: {
            var o = CSVReadOptions(); o.idColumn = "id"; return o }())
        let evaluator = TagEvaluator(table: blank, rule: "r")
        #expect(try evaluator.evaluate(try TagParser.parse("city == \"北京\"")) == [false, false])
        #expect(try evaluator.evaluate(try TagParser.parse("city > 3")) == [false, false])
        #expect(try evaluator.evaluate(try TagParser.parse("city is missing")) == [true, true])
        // "e" + combining acute contains "e" by bytes (pandas agrees); Swift's Character rules would say no.
        #expect(try evaluator.evaluate(try TagParser.parse("name contains \"e\"")) == [true, false])
    }

    @Test("type errors and unknown columns name the rule")
    func semanticErrors() throws {
        let rules = try TagRules.parse("""
            tags:
              - name: 高价值客户
                when: "monetary >= \\"5000\\""
            """, file: "r.yaml")
        #expect(throws: TagRuleError.typeMismatch(rule: "高价值客户", position: 10, message: "compares a column of numbers with text; write the number without quotes")) {
            try TagEvaluator(table: tagTable, rule: "高价值客户").evaluate(rules.rules[0].expression)
        }
        #expect(throws: TagRuleError.unknownColumn(rule: "r", column: "spend", available: tagTable.columnNames)) {
            try TagEvaluator(table: tagTable, rule: "r").evaluate(try TagParser.parse("spend > 1"))
        }
        #expect(TagRuleError.syntax(rule: "vip", condition: "monetary = 5", position: 10, message: "use == to compare, not =").description
                == "rule 'vip': use == to compare, not =, at character 10 of: monetary = 5")
    }

    @Test("rules files: duplicates, missing fields and bad conditions are refused with the rule's name")
    func rulesFiles() throws {
        #expect(throws: TagRuleError.at(file: "r.yaml", line: 3, column: 6, problem: "two rules are named 'x'")) {
            try TagRules.parse("tags:\n  - {name: x, when: \"monetary > 1\"}\n  - {name: x, when: \"monetary > 2\"}\n", file: "r.yaml")
        }
        #expect(throws: TagRuleError.at(file: "r.yaml", line: 2, column: 5, problem: "rule 'x' has no 'when' condition")) {
            try TagRules.parse("tags:\n  - name: x\n", file: "r.yaml")
        }
        let syntax = TagRuleError.syntax(rule: "y", condition: "monetary >", position: 11, message: "expected a column, a number or a \"string\" but found end of condition")
        #expect(throws: TagRuleError.at(file: "r.yaml", line: 3, column: 5, problem: syntax.description)) {
            try TagRules.parse("tags:\n  - name: y\n    when: monetary >\n", file: "r.yaml")
        }
    }
}
