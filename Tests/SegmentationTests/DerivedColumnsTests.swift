import CustomerData
import Foundation
import Testing
@testable import Segmentation

/// The values of a numeric column, or an issue and nil.
private func numbers(_ table: CustomerTable, _ name: String) -> [Double]? {
    guard let j = table.index(of: name), case .numeric(let column) = table.columns[j] else {
        Issue.record("no numeric column '\(name)' in \(table.columnNames)")
        return nil
    }
    return column.values
}

/// Equal, with NaN equal to NaN (a missing value where one is expected).
private func same(_ a: [Double]?, _ b: [Double]) -> Bool {
    guard let a, a.count == b.count else { return false }
    return zip(a, b).allSatisfy { $0.isNaN && $1.isNaN || $0 == $1 }
}

@Suite("Derived columns")
struct DerivedColumnsTests {
    /// On `arithmeticTable` (TagArithmeticTests.swift), worked by hand:
    ///
    ///     id  monetary  frequency  returns_value   avg_basket  net   net_per_order
    ///     a        600         12            100           50  500   500 / 12 = 41⅔
    ///     b        400          0              0   (x / 0) NaN  400   (x / 0) NaN
    ///     c      blank          3             10           NaN  NaN   NaN
    ///     d        900          3          blank           300  NaN   NaN
    ///     e        -50          5              5           -10  -55   -11
    @Test("values worked by hand, NaN for blanks and zero divisors; later columns use earlier ones")
    func values() throws {
        let table = try DerivedColumns.append([
            DerivedColumn(name: "avg_basket", expression: "monetary / frequency"),
            DerivedColumn(name: "net", expression: "monetary - returns_value"),
            DerivedColumn(name: "net_per_order", expression: "net / frequency"),
            DerivedColumn(name: "sign flipped", expression: "-(avg_basket)"),
            DerivedColumn(name: "six", expression: "2 * 3"),
        ], to: arithmeticTable, file: "persona.yaml")
        #expect(table.columnNames == arithmeticTable.columnNames + ["avg_basket", "net", "net_per_order", "sign flipped", "six"])
        #expect(same(numbers(table, "avg_basket"), [50, .nan, .nan, 300, -10]))
        #expect(same(numbers(table, "net"), [500, 400, .nan, .nan, -55]))
        #expect(same(numbers(table, "net_per_order"), [500.0 / 12, .nan, .nan, .nan, -11]))
        #expect(same(numbers(table, "sign flipped"), [-50, .nan, .nan, -300, 10]))
        #expect(same(numbers(table, "six"), [6, 6, 6, 6, 6]))
        if let j = table.index(of: "avg_basket"), case .numeric(let column) = table.columns[j] {
            #expect(column.missingCount == 2)
        }
        // The new columns are ordinary columns for tag rules (backquotes for a name with a space).
        let hits = try TagEvaluator(table: table, rule: "r").evaluate(try TagParser.parse("avg_basket > 40 or `sign flipped` > 0"))
        #expect(hits == [true, false, false, true, true])
        // The input table is a value: unchanged.
        #expect(arithmeticTable.columnNames == ["id", "monetary", "frequency", "returns_value", "avg_order_value", "plan", "none"])
    }

    @Test("no derived columns: the same table")
    func none() throws {
        #expect(try DerivedColumns.append([], to: arithmeticTable, file: "p.yaml").columnNames == arithmeticTable.columnNames)
    }

    @Test("names: taken by the table or an earlier derived column, or empty")
    func names() {
        #expect(throws: DerivedColumnError.nameTaken(file: "p.yaml", name: "monetary")) {
            try DerivedColumns.append([DerivedColumn(name: "monetary", expression: "frequency * 2")], to: arithmeticTable, file: "p.yaml")
        }
        #expect(throws: DerivedColumnError.nameTaken(file: "p.yaml", name: "x")) {
            try DerivedColumns.append([DerivedColumn(name: "x", expression: "1"), DerivedColumn(name: "x", expression: "2")],
                                      to: arithmeticTable, file: "p.yaml")
        }
        #expect(throws: DerivedColumnError.emptyName(file: "p.yaml", expression: "monetary * 2")) {
            try DerivedColumns.append([DerivedColumn(name: "", expression: "monetary * 2")], to: arithmeticTable, file: "p.yaml")
        }
        #expect(DerivedColumnError.nameTaken(file: "p.yaml", name: "monetary").description
                == "p.yaml: derived column 'monetary': there is already a column named 'monetary'")
        #expect(DerivedColumnError.emptyName(file: "p.yaml", expression: "monetary * 2").description
                == "p.yaml: a derived column has an empty name (its expression: monetary * 2)")
    }

    @Test("unknown columns list what is available: the table's, then earlier derived ones")
    func unknownColumns() {
        let columns = arithmeticTable.columnNames
        #expect(throws: DerivedColumnError.unknownColumn(file: "p.yaml", name: "aov", column: "spend", available: columns)) {
            try DerivedColumns.append([DerivedColumn(name: "aov", expression: "spend / frequency")], to: arithmeticTable, file: "p.yaml")
        }
        // A column may not use a later one, nor itself.
        #expect(throws: DerivedColumnError.unknownColumn(file: "p.yaml", name: "b", column: "c", available: columns + ["a"])) {
            try DerivedColumns.append([DerivedColumn(name: "a", expression: "1"), DerivedColumn(name: "b", expression: "a + c"),
                                       DerivedColumn(name: "c", expression: "2")], to: arithmeticTable, file: "p.yaml")
        }
        #expect(throws: DerivedColumnError.unknownColumn(file: "p.yaml", name: "x", column: "x", available: columns)) {
            try DerivedColumns.append([DerivedColumn(name: "x", expression: "x + 1")], to: arithmeticTable, file: "p.yaml")
        }
        #expect(DerivedColumnError.unknownColumn(file: "p.yaml", name: "aov", column: "spend", available: ["id", "monetary"]).description
                == "p.yaml: derived column 'aov': there is no column 'spend'; columns are: 'id', 'monetary'")
    }

    @Test("a text or id column in the arithmetic names the derived column, the column and the character")
    func textColumns() {
        #expect(throws: DerivedColumnError.textColumn(file: "p.yaml", name: "r", expression: "monetary / plan", column: "plan", position: 12)) {
            try DerivedColumns.append([DerivedColumn(name: "r", expression: "monetary / plan")], to: arithmeticTable, file: "p.yaml")
        }
        #expect(throws: DerivedColumnError.textColumn(file: "p.yaml", name: "r", expression: "-id", column: "id", position: 2)) {
            try DerivedColumns.append([DerivedColumn(name: "r", expression: "-id")], to: arithmeticTable, file: "p.yaml")
        }
        #expect(DerivedColumnError.textColumn(file: "p.yaml", name: "r", expression: "monetary / plan", column: "plan", position: 12).description
                == "p.yaml: derived column 'r': 'plan' holds text; arithmetic (+ - * /) needs numeric columns, at character 12 of: monetary / plan")
    }

    @Test("syntax errors carry the derived column's name and the character", arguments: [
        ("monetary /", 11, "expected a column or a number but found end of expression"),
        ("monetary > 1", 10, "unexpected '>' after a complete expression"),
        ("", 1, "the expression is empty"),
        ("\"x\" * 2", 1, "text \"x\" cannot be used in arithmetic (+ - * /)"),
        ("(monetary > 1)", 1, "a condition cannot be used in arithmetic (+ - * /)"),
        ("monetary = 1", 10, "use == to compare, not ="),
        (String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000), 201,
         "the expression nests deeper than 200 levels (each parenthesis, 'not' and unary '-' is one)"),
    ])
    func syntax(expression: String, position: Int, message: String) {
        #expect(throws: DerivedColumnError.syntax(file: "p.yaml", name: "d", expression: expression, position: position, message: message)) {
            try DerivedColumns.append([DerivedColumn(name: "d", expression: expression)], to: arithmeticTable, file: "p.yaml")
        }
    }

    @Test("a syntax error's message")
    func syntaxDescription() {
        #expect(DerivedColumnError.syntax(file: "p.yaml", name: "d", expression: "monetary /", position: 11,
                                          message: "expected a column or a number but found end of expression").description
                == "p.yaml: derived column 'd': expected a column or a number but found end of expression, at character 11 of: monetary /")
    }
}
