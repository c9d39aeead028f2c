import Foundation
import Testing
@testable import CustomerData

@Suite("CSV columns as bytes")
struct CSVFieldColumnsTests {
    @Test("the selected fields, unquoted, with the line each record starts on")
    func small() throws {
        let path = NSTemporaryDirectory() + "persona-columns-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "id,note,phone\n1,\"a, b\",138\n\"2\",\"two\nlines\",\n3,,\" 139 \"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let table = try CSVFieldColumns.read(path: path) { _, header in [header.firstIndex(of: "phone") ?? -1, 0] }
        #expect(table.header == ["id", "note", "phone"])
        #expect(table.lines == [2, 3, 5])
        let phones = (0..<3).map { r in table.columns[0].withField(r) { String(decoding: $0, as: UTF8.self) } }
        let ids = (0..<3).map { r in table.columns[1].withField(r) { String(decoding: $0, as: UTF8.self) } }
        #expect(phones == ["138", "", " 139 "])
        #expect(ids == ["1", "2", "3"])
    }

    /// Records cut at the reader's 4 MiB block ends are scanned again from their start: the
    /// columns must hold each field once.
    @Test("a file of several blocks reads as the text reader reads it")
    func blocks() throws {
        let path = NSTemporaryDirectory() + "persona-columns-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text = "id,name,city\n"
        for i in 0..<250_000 {
            text += "\(i),\"name \(i), with comma\",\(i % 7 == 0 ? "\"two\nlines\"" : "city\(i % 13)")\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(text.utf8.count > 8 << 20)
        let table = try CSVFieldColumns.read(path: path) { _, _ in [2, 1] }
        let rows = try CSVRecords.read(path: path).rows
        #expect(table.rowCount == rows.count)
        #expect(table.lines == rows.map(\.line))
        for (r, row) in rows.enumerated() {
            let city = table.columns[0].withField(r) { String(decoding: $0, as: UTF8.self) }
            let name = table.columns[1].withField(r) { String(decoding: $0, as: UTF8.self) }
            guard city == row.fields[2], name == row.fields[1] else {
                Issue.record("record \(r): \(name)/\(city) against \(row.fields)")
                return
            }
        }
    }
}
