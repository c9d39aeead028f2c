import CustomerData
import Foundation
import Testing
@testable import Segmentation

/// Five customers, worked by hand below. b has frequency 0, c a blank monetary, d a blank
/// returns_value; `none` is blank everywhere.
///
///     id  monetary  frequency  returns_value  avg_order_value  monetary/frequency
///     a        600         12            100               40                  50
///     b        400          0              0              100   missing (x / 0)
///     c      blank          3             10               20   missing
///     d        900          3          blank              150                 300
///     e        -50          5              5                1                 -10
let arithmeticTable: CustomerTable = {
    let csv = """
        id,monetary,frequency,returns_value,avg_order_value,plan,none
        a,600,12,100,40,Gold,
        b,400,0,0,100,Basic,
        c,,3,10,20,Gold,
        d,900,3,,150,Basic,
        e,-50,5,5,1,Gold,
        """
    do {
        var options = CSVReadOptions()
        options.idColumn = "id"
        return try CSVReader.read(bytes: Array(csv.utf8), name: "a.csv", options: options)
    } catch {
        fatalError("the arithmetic test table does not parse: \(error)")
    }
}()

/// The ids (a…e) for which `condition` is true.
private func ids(_ condition: String) throws -> String {
    let hits = try TagEvaluator(table: arithmeticTable, rule: "r").evaluate(try TagParser.parse(condition))
    return zip(["a", "b", "c", "d", "e"], hits).filter { $0.1 }.map { $0.0 }.joined()
}

@Suite("Tag rules: arithmetic")
struct TagArithmeticTests {
    @Test("ratios, with a zero divisor and blanks giving missing", arguments: [
        ("monetary / frequency > 50", "d"),          // a is exactly 50
        ("monetary / frequency >= 50", "ad"),
        ("monetary / frequency < 100", "ae"),        // b (400 / 0) and c (blank) are missing: false
        ("not monetary / frequency > 50", "abce"),   // not of a missing comparison is true
        ("frequency / frequency == 1", "acde"),      // c's blank monetary plays no part; 0 / 0 is missing
        ("monetary / 0 > 0", ""), ("monetary / 0 < 0", ""), ("monetary / 0 != 1", ""),  // missing, not ±inf
        ("monetary * 1e308 > 0", ""),                // overflow is missing too
        ("monetary == 1 / 0", ""), ("monetary != 1 / 0", ""),  // a missing constant
        ("none + 1 > 0", ""), ("none * 0 == 0", ""),           // a column with no values at all
    ])
    func ratios(condition: String, expected: String) throws {
        #expect(try ids(condition) == expected, "\(condition)")
    }

    @Test("precedence: * / before + -, left to right, arithmetic before comparison", arguments: [
        // a: 600 - 100 = 500 >= 2 * 40; b: 400 - 0 >= 200; c, d missing; e: -55 < 2
        ("(monetary - returns_value) >= 2 * avg_order_value", "ab"),
        ("monetary - frequency * 2 > 500", "ad"),    // a 576, b 400, d 894, e -60
        ("(monetary - frequency) * 2 > 500", "abd"), // a 1176, b 800, d 1794, e -110
        ("monetary - frequency - returns_value == 488", "a"),  // (600 - 12) - 100; right to left would be 688
        ("monetary / frequency / 2 == 25", "a"),     // (600 / 12) / 2; right to left would be 100
        ("monetary + 1 > frequency * 100", "bd"),    // a 601 > 1200 no, b 401 > 0, d 901 > 300, e -49 > 500 no
        ("700 <= monetary + returns_value", "a"),    // a 700, b 400, e -45
        ("monetary / frequency > 40 and plan == \"Basic\" or frequency == 0", "bd"),
    ])
    func precedence(condition: String, expected: String) throws {
        #expect(try ids(condition) == expected, "\(condition)")
    }

    @Test("unary minus, negative literals and spacing", arguments: [
        ("-monetary > 0", "e"),
        ("-(monetary - 1000) > 500", "be"),          // a 400, b 600, d 100, e 1050
        ("- -monetary == 600", "a"), ("--monetary == 600", "a"),
        ("monetary == -50", "e"), ("monetary == - 50", "e"), ("monetary in [-50, 900]", "de"),
        ("monetary-1>598", "ad"), ("monetary -1 > 598", "ad"),   // a 599, b 399, d 899, e -51
        ("monetary == 2 * 300", "a"), ("monetary == 1200 / 2", "a"), ("(frequency) == 12", "a"),
    ])
    func unary(condition: String, expected: String) throws {
        #expect(try ids(condition) == expected, "\(condition)")
    }

    @Test("the parse tree: one chain per precedence level, positions of names and operators")
    func tree() throws {
        typealias A = TagExpression.Arithmetic
        // a - b - c > 1: a@1 -@3 b@5 -@7 c@9 >@11
        #expect(try TagParser.parse("a - b - c > 1") == .compare(
            .arithmetic(.chain(.column("a", position: 1), [
                A.Step(.subtract, .column("b", position: 5), position: 3),
                A.Step(.subtract, .column("c", position: 9), position: 7),
            ])), .greater, .number(1), position: 11))
        // a + b * c > 1: the product is one step of the sum
        #expect(try TagParser.parse("a + b * c > 1") == .compare(
            .arithmetic(.chain(.column("a", position: 1), [
                A.Step(.add, .chain(.column("b", position: 5), [A.Step(.multiply, .column("c", position: 9), position: 7)]), position: 3),
            ])), .greater, .number(1), position: 11))
        #expect(try TagParser.parse("-x > 1") == .compare(.arithmetic(.negated(.column("x", position: 2))), .greater, .number(1), position: 4))
        #expect(try TagParser.parse("x > -(5)") == .compare(.column("x"), .greater, .number(-5), position: 3))
        #expect(try TagParser.parse("(x) > 1") == .compare(.column("x"), .greater, .number(1), position: 5))
        #expect(try TagParser.parse("a / b > 1").columns == ["a", "b"])
    }

    @Test("syntax errors in arithmetic point at the character", arguments: [
        ("monetary + \"x\" > 1", 12, "text \"x\" cannot be used in arithmetic (+ - * /)"),
        ("(monetary > 1) * 2 > 1", 1, "a condition cannot be used in arithmetic (+ - * /)"),
        ("monetary * (frequency > 1) > 1", 12, "a condition cannot be used in arithmetic (+ - * /)"),
        ("monetary + 1", 13, "expected a comparison (== != < <= > >=, in, is missing, contains) but found end of condition"),
        ("monetary + > 5", 12, "expected a column, a number or a \"string\" but found '>'"),
        ("monetary * * 2 > 1", 12, "expected a column, a number or a \"string\" but found '*'"),
        ("2 * 3 > 5", 1, "a comparison needs a column on at least one side"),
        ("monetary / frequency in [1, 2]", 1, "expected a column name before this operator, found a calculation"),
        ("monetary == (frequency > 1)", 13, "expected a column, a number or a \"string\" but found a condition in parentheses"),
        ("(monetary + 1 > 5", 18, "expected ')' but found end of condition"),
        ("monetary in [- \"x\"]", 14, "expected a number or a \"string\" in the list but found '-'"),
    ])
    func syntaxErrors(condition: String, position: Int, message: String) {
        #expect(throws: TagSyntaxError(position: position, message: message)) { try TagParser.parse(condition) }
    }

    @Test("a text or id column in arithmetic is an error naming the rule, the column and the character")
    func textColumns() throws {
        let evaluator = TagEvaluator(table: arithmeticTable, rule: "高价值")
        #expect(throws: TagRuleError.textInArithmetic(rule: "高价值", column: "plan", position: 1)) {
            try evaluator.evaluate(try TagParser.parse("plan * 2 > 1"))
        }
        #expect(throws: TagRuleError.textInArithmetic(rule: "高价值", column: "plan", position: 12)) {
            try evaluator.evaluate(try TagParser.parse("monetary + plan > 1"))
        }
        #expect(throws: TagRuleError.textInArithmetic(rule: "高价值", column: "id", position: 2)) {
            try evaluator.evaluate(try TagParser.parse("-id > 1"))
        }
        #expect(throws: TagRuleError.unknownColumn(rule: "高价值", column: "spend", available: arithmeticTable.columnNames)) {
            try evaluator.evaluate(try TagParser.parse("monetary / spend > 1"))
        }
        #expect(TagRuleError.textInArithmetic(rule: "高价值", column: "plan", position: 12).description
                == "rule '高价值': at character 12: 'plan' holds text; arithmetic (+ - * /) needs numeric columns")
    }
}
