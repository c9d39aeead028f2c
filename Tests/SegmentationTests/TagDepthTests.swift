import CustomerData
import Foundation
import Testing
@testable import Segmentation

/// Five rows with one number column `x`: 1, 2, 3, blank, 50000.
private let depthTable: CustomerTable = {
    do {
        var options = CSVReadOptions()
        options.idColumn = "id"
        return try CSVReader.read(bytes: Array("id,x\na,1\nb,2\nc,3\nd,\ne,50000\n".utf8), name: "x.csv", options: options)
    } catch {
        fatalError("the depth test table does not parse: \(error)")
    }
}()

/// The ids (a…e) for which `condition` is true.
private func ids(_ condition: String) throws -> String {
    let hits = try TagEvaluator(table: depthTable, rule: "r").evaluate(try TagParser.parse(condition))
    return zip(["a", "b", "c", "d", "e"], hits).filter { $0.1 }.map { $0.0 }.joined()
}

private func depthError(at position: Int) -> TagSyntaxError {
    TagSyntaxError(position: position, message: "the condition nests deeper than 200 levels (each parenthesis, 'not' and unary '-' is one)")
}

@Suite("Tag rules: nesting limits and long chains")
struct TagDepthTests {
    @Test("10,000 nested parentheses are refused at the 201st, without running out of stack")
    func deepParentheses() {
        let condition = String(repeating: "(", count: 10_000) + "x > 1" + String(repeating: ")", count: 10_000)
        #expect(throws: depthError(at: 201)) { try TagParser.parse(condition) }
    }

    @Test("10,000 nots are refused at the 201st")
    func deepNots() {
        let condition = String(repeating: "not ", count: 10_000) + "x > 1"
        // "not " is 4 characters: the 201st starts at 200 * 4 + 1.
        #expect(throws: depthError(at: 801)) { try TagParser.parse(condition) }
    }

    @Test("exactly 200 levels parse and evaluate; 201 do not")
    func boundary() throws {
        let parens = String(repeating: "(", count: 200) + "x > 1" + String(repeating: ")", count: 200)
        #expect(try ids(parens) == "bce")
        #expect(throws: depthError(at: 201)) { try TagParser.parse("(" + parens + ")") }
        // 200 nots: an even number, so the same rows as without them; 199 flips them.
        #expect(try ids(String(repeating: "not ", count: 200) + "x > 1") == "bce")
        #expect(try ids(String(repeating: "not ", count: 199) + "x > 1") == "ad")
        // Mixed: 100 × "not (" is 200 levels; "not (" is 5 characters, so a 201st level starts at 501.
        let mixed = String(repeating: "not (", count: 100) + "x > 1" + String(repeating: ")", count: 100)
        #expect(try ids(mixed) == "bce")
        #expect(throws: depthError(at: 501)) { try TagParser.parse(String(repeating: "not (", count: 100) + "not x > 1" + String(repeating: ")", count: 100)) }
    }

    @Test("10,000 unary minuses are refused at the 201st; 200 evaluate")
    func deepMinus() throws {
        #expect(throws: depthError(at: 201)) { try TagParser.parse(String(repeating: "-", count: 10_000) + "x > 1") }
        // 200 minuses cancel out; 199 leave -x > -2, that is x < 2.
        #expect(try ids(String(repeating: "-", count: 200) + "x > 1") == "bce")
        #expect(try ids(String(repeating: "-", count: 199) + "x > -2") == "a")
    }

    @Test("arithmetic nested 200 parentheses deep evaluates; 201 is refused")
    func deepArithmetic() throws {
        // x + (x + (… (x) …)): 200 parentheses, 201 terms, so 201 * x where x is present.
        var sum = "x"
        for _ in 0..<200 { sum = "x + (" + sum + ")" }
        #expect(try ids(sum + " == 201 * x") == "abce")
        // One more level: its '(' is the 201st, after 200 × "x + (" (5 characters each) and "x + ".
        #expect(throws: depthError(at: 1005)) { try TagParser.parse("x + (" + sum + ") > 1") }
    }

    @Test("50,000-term + and * chains evaluate without recursion")
    func longArithmetic() throws {
        let sum = Array(repeating: "x", count: 50_000).joined(separator: " + ")
        #expect(try ids(sum + " == 50000 * x") == "abce")
        let product = "x" + String(repeating: " * 1", count: 50_000)
        #expect(try ids(product + " == x") == "abce")
    }

    @Test("a 50,000-term or chain (over 100,000 characters) parses into one node and evaluates")
    func longOr() throws {
        // x == 4 or x == 5 or … or x == 50003: of 1, 2, 3, blank, 50000 only 50000 is in it.
        let condition = (4...50_003).map { "x == \($0)" }.joined(separator: " or ")
        #expect(condition.count > 100_000)
        let expression = try TagParser.parse(condition)
        guard case .or(let terms) = expression else {
            Issue.record("expected one or node, got \(expression)")
            return
        }
        #expect(terms.count == 50_000)
        #expect(try ids(condition) == "e")
        #expect(try ids(condition + " or x == 2") == "be")
    }

    @Test("a 50,000-term and chain, and and/or chains inside each other")
    func longAnd() throws {
        // x != 4 and x != 5 and … and x != 50003: false for 50000 and for the blank.
        let condition = (4...50_003).map { "x != \($0)" }.joined(separator: " and ")
        #expect(try ids(condition) == "abc")
        // (x == 1 or x == 3) and (x == 3 or x == 50000) and … repeated: only x == 3 meets all.
        let nested = Array(repeating: "(x == 1 or x == 3) and (x == 3 or x == 50000)", count: 5_000).joined(separator: " and ")
        #expect(try ids(nested) == "c")
    }
}
