import Foundation
import Testing
@testable import CustomerData
import NumericCore

@Suite("Statistics of partitions that add up")
struct ScaleOutStatisticsTests {
    let whole = """
        id,age,plan,newsletter,spend
        1,30,Pro,Yes,10.5
        2,,Basic,no,0
        3,50,Pro,,1e3
        4,40,Enterprise,YES,0
        5,41,Pro,no,-2
        6,,,no,7
        """

    /// The rows of `whole` from `lines` (1-based data rows), with the header.
    func part(_ rows: ClosedRange<Int>) -> String {
        let lines = whole.split(separator: "\n", omittingEmptySubsequences: false)
        return ([lines[0]] + lines[rows]).joined(separator: "\n")
    }

    /// The summary of a numeric column as one loop in order computes it (Swift's min and max:
    /// of equal values, min keeps the earlier and max takes the later).
    static func sequentialSummary(_ values: [Double]) -> (present: Int, low: Double?, high: Double?, binary: Bool) {
        var (present, low, high, binary) = (0, Double.infinity, -Double.infinity, true)
        for v in values where !v.isNaN {
            present += 1
            low = min(low, v)
            high = max(high, v)
            if v != 0 && v != 1 { binary = false }
        }
        return (present, present > 0 ? low : nil, present > 0 ? high : nil, binary)
    }

    @Test("a numeric column's count, extremes and 0/1 check equal one loop in order's, to the sign of a zero, for doubles and floats")
    func numberSummaryMatchesTheLoop() {
        var random = SeededRandom(seed: 7)
        let pool: [Double] = [0, -0.0, 1, -1, 2.5, .nan, .infinity, -.infinity, 1e-300, -7]
        for trial in 0..<400 {
            let n = Int(random.next() % 23)
            // Draws from a few values of the pool, so that zeros of both signs tie for an extreme.
            let choices = (0..<3).map { _ in pool[Int(random.next() % UInt64(pool.count))] } + [trial % 2 == 0 ? 0 : -0.0]
            let values = (0..<n).map { _ in choices[Int(random.next() % UInt64(choices.count))] }
            for floats in [false, true] {
                let column = floats ? NumericColumn(floats: values.map { Float($0) }, missingCount: 0)
                    : NumericColumn(values: values, missingCount: 0)
                let summary = ColumnSummary.Column(numbers: column, name: "x")
                let expected = Self.sequentialSummary(floats ? values.map { Double(Float($0)) } : values)
                #expect(summary.present == expected.present && summary.binary == expected.binary, "\(values)")
                #expect(summary.minimum?.bitPattern == expected.low?.bitPattern, "minimum of \(values)")
                #expect(summary.maximum?.bitPattern == expected.high?.bitPattern, "maximum of \(values)")
            }
        }
        let both = ColumnSummary.Column(numbers: NumericColumn(values: [1, -0.0, 3, 0, 2, .nan, -0.0, 5, 0, 1], missingCount: 1), name: "x")
        #expect(both.minimum?.sign == .minus && both.maximum == 5 && both.present == 9 && both.binary == false)
        let nonPositive = ColumnSummary.Column(numbers: NumericColumn(values: [-1, -0.0, -3, 0, -2, -0.0], missingCount: 0), name: "x")
        #expect(nonPositive.maximum?.sign == .minus && nonPositive.minimum == -3)
    }

    @Test("the summaries of two halves, merged, equal the summary of the whole (levels in first-appearance order)")
    func halvesAddUp() throws {
        let first = ColumnSummary(try readCSV(part(1...3), id: "id"))
        let second = ColumnSummary(try readCSV(part(4...6), id: "id"))
        let merged = try ColumnSummary.merged([first, second])
        #expect(merged == ColumnSummary(try readCSV(whole, id: "id")))
        let plan = try #require(merged.columns.first { $0.name == "plan" })
        #expect(plan.levels == ["Pro", "Basic", "Enterprise"] && plan.counts == [3, 1, 1] && plan.present == 5)
        let age = try #require(merged.columns.first { $0.name == "age" })
        #expect(age.present == 4 && age.minimum == 30 && age.maximum == 50 && age.binary == false)
    }

    @Test("numbers in one part and text in another: both named, so every part reads them as text")
    func mixedKinds() throws {
        var numbers = ColumnSummary.Column(name: "code", kind: .numeric)
        numbers.present = 2
        var text = ColumnSummary.Column(name: "code", kind: .text)
        (text.present, text.levels, text.counts) = (1, ["A1"], [1])
        let empty = ColumnSummary.Column(name: "code", kind: .numeric)  // every cell blank in that part
        let parts = [numbers, text, empty].map { ColumnSummary(source: "x.csv", rows: 1, columns: [$0]) }
        #expect(ColumnSummary.mixedColumns(parts) == ["code"])
        #expect(ColumnSummary.mixedColumns([parts[1], parts[2]]).isEmpty)
        #expect(throws: CustomerDataError.partsDisagree(
            file: "x.csv", problem: "column(s) 'code' hold numbers in some parts and text in others; read them as text in every part")) {
            try ColumnSummary.merged(parts)
        }
    }

    @Test("the encoding fitted from merged summaries and exact medians is the encoding of the whole table")
    func encodingFromSummaries() throws {
        let table = try readCSV(whole, id: "id")
        let merged = try ColumnSummary.merged([ColumnSummary(try readCSV(part(1...2), id: "id")),
                                               ColumnSummary(try readCSV(part(3...6), id: "id"))])
        // age: 30, 50, 40, 41 → (40 + 41) / 2; spend: -2, 0, 0, 7, 10.5, 1000 → 3.5.
        let (fromParts, _) = try FeatureEncoder.fit(merged, medians: ["age": 40.5, "spend": 3.5], features: nil, exclude: ["id"])
        let (fromTable, _) = try FeatureEncoder.fit(table, features: nil, exclude: ["id"])
        #expect(fromParts == fromTable)
        #expect(fromTable.columns.first { $0.name == "age" }?.fill == 40.5)
    }

    @Test("the search finds the exact order statistics of a skewed column with ties, split three ways")
    func exactQuantiles() throws {
        var rng = SeededRandom(seed: 9)
        // Heavy-tailed with many repeats: what defeats equal-width value buckets.
        let values = (0..<50_000).map { i -> Double in
            i % 5 == 0 ? 0 : (i % 7 == 0 ? 12.5 : exp(6 * rng.nextUnit()) - 1)
        }
        let parts = [Array(values[0..<10_000]), Array(values[10_000..<10_001]), Array(values[10_001...])]
        let sorted = values.sorted()
        let ranks = ColumnStatistics.medianRanks(count: values.count) + [0, 12_345, 49_999]
        var search = QuantileSearch(ranks.map { ("x", $0, values.count, sorted[0], sorted[values.count - 1]) })
        search.collectLimit = 100
        search.buckets = 16
        var rounds = 0
        while !search.isDone {
            search = try search.refined(with: parts.map { part in search.count { _ in part } }, file: "x.csv")
            rounds += 1
            #expect(rounds < 40)
        }
        for rank in ranks { #expect(search.value("x", rank: rank) == sorted[rank], "rank \(rank)") }
        #expect(ColumnStatistics.median(count: values.count) { search.value("x", rank: $0) ?? .nan } == ColumnStatistics.median(values))
    }

    @Test("blank cells (NaN) are not counted; counts and values survive JSON bit for bit, packed")
    func countsSkipBlanksAndRoundTrip() throws {
        let values: [Double] = [3, .nan, -0.0, 1e-310, -.nan, 7, 3, .greatestFiniteMagnitude, 2]
        let present = values.filter { !$0.isNaN }.sorted()
        var search = QuantileSearch(ColumnStatistics.medianRanks(count: present.count).map { ("x", $0, present.count, present[0], present.last ?? 0) })
        search.buckets = 4
        for collectLimit in [0, 100] {  // bucket counts, then the values themselves
            search.collectLimit = collectLimit
            let counts = search.count { _ in values }
            let back = try JSONDecoder().decode(QuantileSearch.Counts.self, from: try JSONEncoder().encode(counts))
            #expect(back == counts)
            let total = counts.targets.map { $0.below + ($0.buckets?.reduce(0, +) ?? $0.values?.count ?? 0) }
            #expect(total == Array(repeating: present.count, count: total.count), "limit \(collectLimit): \(counts)")
        }
        var found = search
        found.collectLimit = 100
        found = try found.refined(with: [found.count { _ in values }], file: "x.csv")
        #expect(found.isDone && found.value("x", rank: 3) == present[3])
        // Packed numbers: every bit, -0 and NaN payloads included; not base64 of whole words is refused.
        let doubles: [Double] = [-0.0, .nan, 5e-324, -.infinity, .pi]
        #expect(PackedNumbers.doubles(PackedNumbers.string(doubles))?.map(\.bitPattern) == doubles.map(\.bitPattern))
        #expect(PackedNumbers.integers(PackedNumbers.string([0, -1, .max, .min])) == [0, -1, .max, .min])
        #expect(PackedNumbers.integers("AAAA") == nil && PackedNumbers.doubles("not base64!") == nil && PackedNumbers.integers("") == [])
    }

    /// Encoded z (stand-in 0) before a (1), written a before z (keys sorted): out of order.
    struct PackedDocument: Encodable {
        @PackedIntegers var z: [Int]?
        var b: String
        @PackedIntegers var a: [Int]?
    }

    @Test("packed strings go into the JSON after encoding: stand-ins from the encoder, its own bytes once filled")
    func packedStringsFilledIn() throws {
        let document = PackedDocument(z: [7], b: "x/y \u{1}", a: Array(0..<500))
        let plain = JSONEncoder()
        plain.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = Array(try plain.encode(document))
        // Under a PackedText the encoder writes stand-ins (U+0001, the nonce, a number), not the strings.
        let texts = PackedText()
        let encoder = JSONEncoder()
        encoder.outputFormatting = plain.outputFormatting
        encoder.userInfo[PackedText.key] = texts
        let raw = String(decoding: try encoder.encode(document), as: UTF8.self)
        #expect(raw.hasPrefix(#"{"a":"\u0001"#) && !raw.contains(PackedNumbers.string([7])) && raw.count < 120, "\(raw)")
        #expect(texts.filled(in: Data(raw.utf8)) == expected)
        // A stand-in without its number, or one given twice, is not filled in: nil, not a wrong document.
        #expect(texts.filled(in: Data(raw.replacingOccurrences(of: "-1\"", with: "-\"").utf8)) == nil)
        #expect(texts.filled(in: Data(raw.replacingOccurrences(of: "-1\"", with: "-0\"").utf8)) == nil)
        // PackedNumbers.encoded: the same bytes, and the encoder's userInfo as it was.
        let shared = JSONEncoder()
        shared.outputFormatting = plain.outputFormatting
        #expect(try PackedNumbers.encoded(document, by: shared) == expected)
        #expect(try PackedNumbers.encoded(document, by: shared) == expected)
        #expect(shared.userInfo[PackedText.key] == nil)
    }

    @Test("the parts' key histograms add up to the whole column's, and a search started from them finds the same values")
    func keyHistograms() throws {
        var rng = SeededRandom(seed: 4)
        let values = (0..<30_000).map { i -> Double in i % 9 == 0 ? 0 : (i % 11 == 0 ? -3.25 : 100 * rng.nextUnit() - 20) }
        func table(_ slice: ArraySlice<Double>) throws -> CustomerTable {
            try readCSV((["id,x"] + slice.enumerated().map { "\($0.offset),\($0.element)" }).joined(separator: "\n"), id: "id")
        }
        let parts = [values[0..<7_000], values[7_000..<7_001], values[7_001...]]
        let summaries = try parts.map { ColumnSummary(try table($0), forScaleOut: true) }
        let merged = try ColumnSummary.merged(summaries)
        let keys = try #require(merged.columns[1].keys)
        #expect(keys == ColumnSummary(try table(values[...]), forScaleOut: true).columns[1].keys)
        #expect(keys.counts.reduce(0, +) == values.count && keys.slices == keys.slices.sorted())
        // Each value's slice is the top bits of its key: count them another way.
        let bySlice = Dictionary(grouping: values) { Int(QuantileSearch.key($0) >> UInt64(64 - KeyHistogram.bits)) }
        #expect(keys.slices == bySlice.keys.sorted() && keys.counts == keys.slices.map { bySlice[$0]?.count ?? 0 })
        #expect(ColumnSummary(try table(values[...])).columns[1].keys == nil)

        let sorted = values.sorted()
        let ranks = ColumnStatistics.medianRanks(count: values.count) + [0, 2_999, 29_999]
        var search = try QuantileSearch(ranks.map { ("x", $0, values.count, sorted[0], sorted[values.count - 1]) })
            .narrowed(by: ["x": keys], file: "x.csv")
        for t in search.targets where t.value == nil {
            #expect(t.below == sorted.filter { QuantileSearch.key($0) < t.low }.count)
            #expect(t.inside == sorted.filter { (t.low...t.high).contains(QuantileSearch.key($0)) }.count && t.inside < 2_000)
        }
        search.collectLimit = 2_000
        search = try search.refined(with: parts.map { part in search.count { _ in Array(part) } }, file: "x.csv")
        #expect(search.isDone)
        for rank in ranks { #expect(search.value("x", rank: rank) == sorted[rank], "rank \(rank)") }

        var wrong = keys
        wrong.counts[0] += 1
        #expect(throws: CustomerDataError.partsDisagree(file: "x.csv", problem: "column 'x': the slices do not hold its 30000 values")) {
            try QuantileSearch([("x", 5, values.count, sorted[0], sorted[values.count - 1])]).narrowed(by: ["x": wrong], file: "x.csv")
        }
    }

    @Test("moments merged by Chan's update equal the two-pass moments of the whole matrix to rounding")
    func moments() throws {
        let rows: [[Double]] = (0..<101).map { i in [Double(i) * 0.37 + 1e6, Double(i % 7)] }
        let whole = FeatureMoments(try Matrix(rowArrays: rows))
        let merged = try FeatureMoments.merged([FeatureMoments(try Matrix(rowArrays: Array(rows[0..<40]))),
                                                FeatureMoments(try Matrix(rowArrays: Array(rows[40...])))], file: "x.csv")
        #expect(merged.count == 101 && merged.minimums == whole.minimums && merged.maximums == whole.maximums)
        for j in 0..<2 {
            #expect(abs(merged.means[j] - whole.means[j]) <= 1e-12 * abs(whole.means[j]))
            #expect(abs(merged.variances[j] - whole.variances[j]) <= 1e-9 * whole.variances[j])
        }
        // Hand check of the second column: 0…6 repeated, 101 values (15 full cycles and 0, 1).
        #expect(whole.maximums[1] == 6 && whole.minimums[1] == 0)
    }
}
