import Testing
import NumericCore
@testable import CustomerData

@Suite("Encoding that gives the table's memory back")
struct ReleasingEncodeTests {
    /// 300,000 rows (2.4 MB per numeric column, so whole pages are released): numbers with
    /// blanks, a yes/no column and a three-level text column.
    private static let text: String = {
        var text = "id,spend,visits,vip,plan\n"
        let plans = ["Gold", "Basic", "Silver"]
        for i in 0..<300_000 {
            let spend = i % 11 == 0 ? "" : String(Double(i % 977) * 1.25)
            text += "c\(i),\(spend),\(i % 13),\(i % 3 == 0 ? "Yes" : "No"),\(plans[i % 3])\n"
        }
        return text
    }()

    private func read(threads: Int = 2) throws -> CustomerTable {
        var options = CSVReadOptions()
        options.idColumn = "id"
        options.threads = threads
        return try CSVReader.read(bytes: Array(Self.text.utf8), name: "r.csv", options: options)
    }

    private func numbers(_ table: CustomerTable, _ name: String) -> [Double] {
        guard let j = table.index(of: name), case .numeric(let column) = table.columns[j] else { return [] }
        return column.values
    }

    @Test("the matrix equals the plain encoding; the used columns leave the table, ids and lines stay")
    func sameMatrix() throws {
        let plain = try read()
        var spec = FeaturePipeline.Specification()
        spec.exclude = ["id"]
        let expected = try FeaturePipeline.fit(plain, spec, threads: 2)
        var owned = try read()
        let fitted = try FeaturePipeline.fit(releasing: &owned, spec, threads: 2)
        #expect(fitted.pipeline == expected.pipeline)
        #expect(fitted.matrix.storage.elementsEqual(expected.matrix.storage) { $0.bitPattern == $1.bitPattern })
        #expect(fitted.report == expected.report)
        for name in ["spend", "visits", "vip", "plan"] {
            guard let j = owned.index(of: name), case .skipped = owned.columns[j] else {
                Issue.record("column \(name) should have left the table")
                continue
            }
        }
        #expect(owned.identifiers?[299_999] == "c299999")
        #expect(owned.line(ofRow: 299_999) == 300_001)
    }

    @Test("a copy of the table that shares the columns keeps every value")
    func sharedCopyKept() throws {
        let original = try read()
        let spendBefore = numbers(original, "spend"), visitsBefore = numbers(original, "visits")
        var shared = original
        var spec = FeaturePipeline.Specification()
        spec.exclude = ["id"]
        _ = try FeaturePipeline.fit(releasing: &shared, spec, threads: 2)
        #expect(numbers(original, "spend").elementsEqual(spendBefore) { $0.bitPattern == $1.bitPattern })
        #expect(numbers(original, "visits") == visitsBefore)
        #expect(visitsBefore.reduce(0, +) == Double((0..<300_000).reduce(0) { $0 + $1 % 13 }))
        guard let j = original.index(of: "plan"), case .text(let plan) = original.columns[j] else {
            Issue.record("plan should still be text in the original")
            return
        }
        #expect(plan.codes.count == 300_000 && plan.codes.allSatisfy { $0 >= 0 })
    }

    @Test("page release gives back whole pages only, up to the rows done")
    func pageRange() {
        let values = [Double](repeating: 1, count: 1 << 20)  // 8 MiB
        var released = 0
        values.withUnsafeBytes { PageRelease.release($0, below: 100, from: &released) }
        #expect(released == 0)  // under a page (and under the minimum span): nothing yet
        values.withUnsafeBytes { PageRelease.release($0, below: 3 << 20, from: &released) }
        values.withUnsafeBytes { bytes in
            let start = Int(bitPattern: bytes.baseAddress)
            #expect((start + released) % PageRelease.pageSize == 0)
            #expect(released <= 3 << 20 && released > (3 << 20) - PageRelease.pageSize)
        }
        // The cells after the released span are untouched.
        #expect(values[(3 << 20) / 8 + 600] == 1 && values[(1 << 20) - 1] == 1)
    }
}
