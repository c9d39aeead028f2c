import Foundation
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

    private func read(threads: Int = 2, floats: Bool = false, blockBytes: Int? = nil) throws -> CustomerTable {
        var options = CSVReadOptions()
        options.idColumn = "id"
        options.threads = threads
        options.numbersAsFloats = floats
        if let blockBytes { options.blockBytes = blockBytes }
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
        let fitted = try FeaturePipeline.fit(releasing: &owned, spec, as: Double.self, threads: 2)
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

    /// Floats: the encoded values rounded to floats, the scaler fitted to those (in double),
    /// the scaled values rounded again: the double pipeline on the rounded table, rounded.
    @Test("a float matrix is the double pipeline's, fitted on the values rounded to floats, rounded")
    func floatMatrix() throws {
        var spec = FeaturePipeline.Specification()
        spec.exclude = ["id"]
        var owned = try read()
        let fitted = try FeaturePipeline.fit(releasing: &owned, spec, as: Float.self, threads: 2)
        let (encoding, raw, _) = try FeaturePipeline.encode(try read(), spec, threads: 2)
        let rounded = try Matrix(rows: raw.rows, columns: raw.columns, storage: raw.storage.map { Double(Float($0)) })
        let scaler = try Scaler.fit(rounded, method: spec.scale, threads: 2)
        #expect(fitted.pipeline == FeaturePipeline(encoding: encoding, scaler: scaler))
        let expected = try scaler.transform(rounded).storage.map { Float($0) }
        #expect(fitted.matrix.storage == expected)
        #expect(fitted.matrix.rows == 300_000)
        // The plain double pipeline differs only by the rounding (z-scores of order 1).
        let plain = try FeaturePipeline.fit(try read(), spec, threads: 2)
        #expect(zip(fitted.matrix.storage, plain.matrix.storage).allSatisfy { abs(Double($0) - $1) < 1e-6 })
    }

    @Test("a table read as floats holds each number rounded, whatever the threads and blocks",
          arguments: [(1, nil), (2, 64 << 10)] as [(Int, Int?)])
    func readAsFloats(threads: Int, blockBytes: Int?) throws {
        let doubles = try read(threads: 2)
        let floats = try read(threads: threads, floats: true, blockBytes: blockBytes)
        for name in ["spend", "visits"] {
            guard let j = floats.index(of: name), case .numeric(let column) = floats.columns[j],
                  case .float(let cells) = column.storage, let k = doubles.index(of: name),
                  case .numeric(let reference) = doubles.columns[k] else {
                Issue.record("\(name) should be a numeric column of floats")
                continue
            }
            #expect(cells.count == 300_000 && column.count == 300_000)
            #expect(cells.elementsEqual(reference.values) { $0.bitPattern == Float($1).bitPattern }, "\(name)")
            #expect(column.missingCount == reference.missingCount)
            #expect(column.values.elementsEqual(reference.values.map { Double(Float($0)) }) { ($0.isNaN && $1.isNaN) || $0 == $1 })
        }
        #expect(floats.identifiers?[123_456] == "c123456")
        #expect(floats.line(ofRow: 299_999) == 300_001)
        // The encoding decided from the float cells is the same (0/1 columns are still booleans).
        var spec = FeaturePipeline.Specification()
        spec.exclude = ["id"]
        var owned = floats
        let fitted = try FeaturePipeline.fit(releasing: &owned, spec, as: Float.self, threads: threads)
        #expect(fitted.pipeline.features == ["spend", "visits", "vip", "plan=Gold", "plan=Silver"])
        var plain = try read()
        let reference = try FeaturePipeline.fit(releasing: &plain, spec, as: Float.self, threads: 2)
        #expect(zip(fitted.matrix.storage, reference.matrix.storage).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) })
    }

    @Test("a value beyond the float range is reported where it was read, not rounded to infinity")
    func beyondFloatRange() throws {
        var options = CSVReadOptions()
        options.idColumn = "id"
        var table = try CSVReader.read(bytes: Array("id,spend,visits\na,1.5,2\nb,4e38,3\nc,2,1\n".utf8), name: "big.csv", options: options)
        var spec = FeaturePipeline.Specification()
        spec.exclude = ["id"]
        #expect(throws: CustomerDataError.beyondFloatRange(file: "big.csv", line: 3, column: 2, name: "spend")) {
            _ = try FeaturePipeline.fit(releasing: &table, spec, as: Float.self)
        }
        #expect(CustomerDataError.beyondFloatRange(file: "big.csv", line: 3, column: 2, name: "spend").description
            == "big.csv:3: column 'spend' (2): the value is beyond the range of 32-bit floats (about ±3.4e38), in which this run "
            + "keeps its matrix: keep the matrix in doubles for values this large")
        var again = try CSVReader.read(bytes: Array("id,spend,visits\na,1.5,2\nb,4e38,3\nc,2,1\n".utf8), name: "big.csv", options: options)
        #expect(try FeaturePipeline.fit(releasing: &again, spec, as: Double.self).pipeline.scaler.center[0] > 1e38)
    }

    @Test("a copy of the table that shares the columns keeps every value")
    func sharedCopyKept() throws {
        let original = try read()
        let spendBefore = numbers(original, "spend"), visitsBefore = numbers(original, "visits")
        var shared = original
        var spec = FeaturePipeline.Specification()
        spec.exclude = ["id"]
        _ = try FeaturePipeline.fit(releasing: &shared, spec, as: Double.self, threads: 2)
        #expect(numbers(original, "spend").elementsEqual(spendBefore) { $0.bitPattern == $1.bitPattern })
        #expect(numbers(original, "visits") == visitsBefore)
        #expect(visitsBefore.reduce(0, +) == Double((0..<300_000).reduce(0) { $0 + $1 % 13 }))
        guard let j = original.index(of: "plan"), case .text(let plan) = original.columns[j] else {
            Issue.record("plan should still be text in the original")
            return
        }
        #expect(plan.codes.count == 300_000 && plan.codes.allSatisfy { $0 >= 0 })
    }

    @Test("huge pages are asked for the whole 2 MiB pages inside a buffer only; the cells stay")
    func hugePageRange() throws {
        let huge = 2 << 20
        #if os(Linux)
        // A mapping of its own, so that no earlier advice on reused heap memory shows here.
        let mapped = mmap(nil, 5 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        let mapping = try #require(mapped == MAP_FAILED ? nil : mapped)
        defer { munmap(mapping, 5 * huge) }
        let block = try #require(UnsafeMutableRawPointer(bitPattern: (Int(bitPattern: mapping) + huge - 1) / huge * huge))
        #else
        let block = UnsafeMutableRawPointer.allocate(byteCount: 4 * huge, alignment: huge)
        defer { block.deallocate() }
        #endif
        // From 4 KiB past a boundary to 4 KiB past the fourth: only the second and third pages are whole.
        let start = block + 4096
        let values = UnsafeMutableBufferPointer(start: start.bindMemory(to: Double.self, capacity: 3 * huge / 8), count: 3 * huge / 8)
        values.initialize(repeating: 2.5)
        let small = UnsafeMutableBufferPointer(rebasing: values[0..<((huge - 8192) / 8)])
        #expect(!PageRelease.preferHugePages(small))  // no whole huge page inside
        #if os(Linux)
        #expect(PageRelease.preferHugePages(values))
        #expect(values.allSatisfy { $0 == 2.5 })
        // Where the system leaves huge pages to the program, only the advised pages may get them.
        // (Files under /proc and /sys report size 0: read to the end, not by size.)
        func contents(_ path: String) -> String {
            String(decoding: FileHandle(forReadingAtPath: path)?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        }
        guard contents("/sys/kernel/mm/transparent_hugepage/enabled").contains("[madvise]") else { return }
        let smaps = contents("/proc/self/smaps")
        let address = Int(bitPattern: block)
        #expect(Self.eligible(smaps, at: address + huge) == true)
        #expect(Self.eligible(smaps, at: address + 2 * huge + 4095) == true)
        #expect(Self.eligible(smaps, at: address + 4096) == false)
        #expect(Self.eligible(smaps, at: address + 3 * huge + 4096) == false)
        #endif
    }

    /// The `THPeligible` flag of the mapping that holds `address` in /proc/self/smaps.
    private static func eligible(_ smaps: String, at address: Int) -> Bool? {
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let ends = range.split(separator: "-").compactMap { Int($0, radix: 16) }
                inside = ends.count == 2 && ends[0] <= address && address < ends[1]
            } else if inside, fields.first == "THPeligible:" {
                return fields.last == "1"
            }
        }
        return nil
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
