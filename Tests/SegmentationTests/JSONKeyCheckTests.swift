import Foundation
import Testing
@testable import Segmentation

@Suite("Model files: a key given twice, or nesting too deep, is refused")
struct JSONKeyCheckTests {
    func check(_ text: String) -> JSONKeyCheck.Problem? { JSONKeyCheck.check(Array(text.utf8)) }

    @Test("duplicate keys are found per object, with their place and the first one's")
    func duplicates() {
        #expect(check(#"{"k": 1, "k": 2}"#) == .duplicateKey(key: "k", path: "", line: 1, column: 10, firstLine: 1, firstColumn: 2))
        #expect(check("{\n  \"scaler\": {\n    \"mean\": [1],\n    \"mean\": [2]\n  }\n}")
                == .duplicateKey(key: "mean", path: "scaler", line: 4, column: 5, firstLine: 3, firstColumn: 5))
        // Escapes are decoded: "\u006b" is "k". Columns count characters: "é" is one.
        #expect(check(#"{"é": 0, "k": 1, "\u006b": 2}"#) == .duplicateKey(key: "k", path: "", line: 1, column: 18, firstLine: 1, firstColumn: 10))
        #expect(check(#"{"a": [{"x": 1}, {"y": 1, "y": 2}]}"#) == .duplicateKey(key: "y", path: "a[1]", line: 1, column: 27, firstLine: 1, firstColumn: 19))
    }

    @Test("equal keys in different objects, equal values, and keys inside strings are fine")
    func notDuplicates() {
        #expect(check(#"{"a": {"k": 1}, "b": {"k": 1}, "c": ["k", "k"], "d": "\"k\": 1, \"k\": 2", "k": "k"}"#) == nil)
        #expect(check(#"{"\ud83d\ude00": 1, "\ud83d\ude01": 2}"#) == nil)
        // Not JSON at all: left for the decoder to report.
        #expect(check("id,spend\n1,2\n") == nil)
    }

    @Test("nesting deeper than the bound is refused where it goes too deep")
    func depth() {
        let deep = String(repeating: "[", count: JSONKeyCheck.maximumDepth + 1) + String(repeating: "]", count: JSONKeyCheck.maximumDepth + 1)
        #expect(check(deep) == .tooDeep(line: 1, column: JSONKeyCheck.maximumDepth + 1))
        let fine = String(repeating: "[", count: JSONKeyCheck.maximumDepth) + String(repeating: "]", count: JSONKeyCheck.maximumDepth)
        #expect(check(fine) == nil)
    }

    @Test("one long line of many keys is scanned (columns counted on, not from the line start each time)")
    func longLine() {
        let keys = (0..<50_000).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        #expect(check("{" + keys + ", \"k7\": 0}") == .duplicateKey(key: "k7", path: "", line: 1, column: 1 + keys.count + 3,
                                                                     firstLine: 1, firstColumn: 2 + (0..<7).map { "\"k\($0)\": \($0), ".count }.reduce(0, +)))
    }
}
