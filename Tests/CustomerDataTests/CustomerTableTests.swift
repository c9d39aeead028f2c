import Testing
@testable import CustomerData

@Suite("CustomerTable.appending")
struct CustomerTableTests {
    /// Three rows on lines 2–4; `spend` has a blank.
    private func table() throws -> CustomerTable {
        var options = CSVReadOptions()
        options.idColumn = "id"
        return try CSVReader.read(bytes: Array("id,spend,plan\na,10,Gold\nb,,Basic\nc,30,Gold\n".utf8), name: "c.csv", options: options)
    }

    @Test("a numeric column is added after the others; the original table is unchanged")
    func appends() throws {
        let original = try table()
        let wider = try original.appending(numeric: "half", values: [5, .nan, 15])
        #expect(wider.columnNames == ["id", "spend", "plan", "half"])
        #expect(wider.index(of: "half") == 3)
        #expect(wider.rowCount == 3)
        guard case .numeric(let half) = wider.columns[3] else {
            Issue.record("expected a numeric column, got \(wider.columns[3])")
            return
        }
        #expect(half.values[0] == 5 && half.values[1].isNaN && half.values[2] == 15)
        #expect(half.missingCount == 1)
        #expect(wider.identifiers?[2] == "c")
        #expect(original.columnNames == ["id", "spend", "plan"])
        #expect(original.columns.count == 3)
    }

    @Test("taken and empty names, a wrong count and infinities are refused with the value")
    func errors() throws {
        let t = try table()
        #expect(throws: CustomerTable.AppendError.nameTaken(file: "c.csv", name: "plan", column: 3)) {
            try t.appending(numeric: "plan", values: [1, 2, 3])
        }
        #expect(throws: CustomerTable.AppendError.emptyName(file: "c.csv")) { try t.appending(numeric: "", values: [1, 2, 3]) }
        #expect(throws: CustomerTable.AppendError.wrongLength(file: "c.csv", name: "x", expected: 3, got: 2)) {
            try t.appending(numeric: "x", values: [1, 2])
        }
        // Row 1 (0-based) is on line 3 of the file.
        #expect(throws: CustomerTable.AppendError.nonFinite(file: "c.csv", name: "x", line: 3, value: -.infinity)) {
            try t.appending(numeric: "x", values: [1, -.infinity, 3])
        }
        #expect(CustomerTable.AppendError.nameTaken(file: "c.csv", name: "plan", column: 3).description
                == "c.csv: cannot add column 'plan': column 3 already has that name")
        #expect(CustomerTable.AppendError.wrongLength(file: "c.csv", name: "x", expected: 3, got: 2).description
                == "c.csv: cannot add column 'x': it has 2 values but the table has 3 rows")
        #expect(CustomerTable.AppendError.nonFinite(file: "c.csv", name: "x", line: 3, value: -.infinity).description
                == "c.csv:3: cannot add column 'x': -inf is not a finite number (NaN stands for missing)")
    }
}
