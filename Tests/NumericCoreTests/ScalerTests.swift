import Foundation
import Testing
@testable import NumericCore

@Suite("Scalers against scikit-learn")
struct ScalerTests {
    let scalers = ReferenceFixture.shared.scalers

    func expectTransformed(_ got: Matrix, _ want: [[Double]]) {
        #expect(got.rows == want.count)
        for (g, w) in zip(got.rowArrays, want) {
            for (a, b) in zip(g, w) { #expect(close(a, b, 1e-12), "\(a) vs \(b)") }
        }
    }

    @Test("z-score equals StandardScaler (population sd; constant column → 0)")
    func zscore() throws {
        let data = matrix(scalers.X)
        let scaler = try Scaler.fit(data, method: .zscore)
        for (a, b) in zip(scaler.center, scalers.zscore.mean ?? []) { #expect(close(a, b, 1e-12)) }
        for (a, b) in zip(scaler.scale, scalers.zscore.scale ?? []) { #expect(close(a, b, 1e-12)) }
        let out = try scaler.transform(data)
        expectTransformed(out, scalers.zscore.transformed)
        // Property: every non-constant column has mean 0 and population sd 1.
        for j in 0..<out.columns where scaler.scale[j] != 1 {
            #expect(abs(ColumnStatistics.mean(out.column(j))) < 1e-12)
            #expect(abs(ColumnStatistics.variance(out.column(j)) - 1) < 1e-12)
        }
    }

    @Test("robust equals RobustScaler (median, IQR by linear interpolation)")
    func robust() throws {
        let data = matrix(scalers.X)
        let scaler = try Scaler.fit(data, method: .robust)
        for (a, b) in zip(scaler.center, scalers.robust.center ?? []) { #expect(close(a, b, 1e-12)) }
        for (a, b) in zip(scaler.scale, scalers.robust.scale ?? []) { #expect(close(a, b, 1e-12)) }
        expectTransformed(try scaler.transform(data), scalers.robust.transformed)
    }

    @Test("min-max equals MinMaxScaler")
    func minmax() throws {
        let data = matrix(scalers.X)
        let scaler = try Scaler.fit(data, method: .minmax)
        #expect(scaler.center == scalers.minmax.data_min)
        expectTransformed(try scaler.transform(data), scalers.minmax.transformed)
    }

    @Test("log1p on chosen columns, then z-score")
    func log1pThenZscore() throws {
        let data = matrix(scalers.X)
        let scaler = try Scaler.fit(data, method: .zscore, log1pColumns: scalers.log1p_zscore.log1p_columns ?? [])
        expectTransformed(try scaler.transform(data), scalers.log1p_zscore.transformed)
    }

    @Test("inverseTransform undoes transform, log1p included; the scaler survives JSON")
    func roundTrip() throws {
        let data = matrix([[1, 100], [2, 1000], [4, 5]])
        let scaler = try Scaler.fit(data, method: .zscore, log1pColumns: [1])
        let back = try scaler.inverseTransform(try scaler.transform(data))
        for (a, b) in zip(back.storage, data.storage) { #expect(close(a, b, 1e-12)) }
        let decoded = try JSONDecoder().decode(Scaler.self, from: try JSONEncoder().encode(scaler))
        #expect(decoded == scaler)
    }

    @Test("median by selection equals the sorted definition (numpy: mean of the two middle values)")
    func median() {
        #expect(ColumnStatistics.median([3, 1, 2]) == 2)
        #expect(ColumnStatistics.median([4, 1, 3, 2]) == 2.5)
        #expect(ColumnStatistics.median([5, 5, 5, 1]) == 5)
        #expect(ColumnStatistics.median([-1]) == -1)
        var rng = SeededRandom(seed: 3)
        for n in [2, 3, 10, 101, 1000] {
            let values = (0..<n).map { _ in Double(rng.nextIndex(below: 20)) }  // many ties
            let sorted = values.sorted()
            let expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
            #expect(ColumnStatistics.median(values) == expected, "n = \(n)")
        }
    }

    /// Large columns go through the sampled bracket first; it must give the sorted
    /// definition's value on every shape of data, and step aside (nil, then quickselect)
    /// where its strided sample misleads it or ties put more than n/8 values in the bracket.
    @Test("median of large columns: the sampled bracket equals the sorted definition, or steps aside",
          arguments: ["uniform", "sorted", "reversed", "ties", "constant", "skewed", "strided trap"])
    func sampledMedian(shape: String) {
        var rng = SeededRandom(seed: 11)
        for n in [ColumnStatistics.sampledMedianMinimum, ColumnStatistics.sampledMedianMinimum + 1, 1_000_003] {
            let stride = n / 16_384
            let values: [Double] = (0..<n).map { i in
                switch shape {
                case "uniform": return rng.nextUnit() * 1e6 - 5e5
                case "sorted": return Double(i)
                case "reversed": return Double(n - i)
                case "ties": return Double(rng.nextIndex(below: 7))
                case "constant": return 42
                case "skewed": return exp(12 * rng.nextUnit())
                default: return i % stride == 0 ? 0 : 1e9 + Double(i)  // the sample sees only zeros
                }
            }
            let sorted = values.sorted()
            let expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
            #expect(ColumnStatistics.median(values) == expected, "\(shape), n = \(n)")
            let bracketed = ColumnStatistics.sampledMedian(values)
            if ["strided trap", "ties", "constant"].contains(shape) {
                // Fooled by the pattern, or more than n/8 values inside a bracket of ties.
                #expect(bracketed == nil, "\(shape), n = \(n)")
            } else {
                #expect(bracketed == expected, "\(shape), n = \(n)")
            }
        }
    }

    @Test("log1p below -1 is rejected with the row, column and value")
    func log1pDomain() throws {
        #expect(throws: NumericError.log1pDomain(column: 0, row: 1, value: -2)) {
            try Scaler.fit(matrix([[1], [-2]]), method: .zscore, log1pColumns: [0])
        }
    }

    @Test("transform rejects a different column count")
    func shapeCheck() throws {
        let scaler = try Scaler.fit(matrix([[1, 2], [3, 4]]), method: .zscore)
        #expect(throws: NumericError.self) { try scaler.transform(matrix([[1], [2]])) }
    }

    /// The scaler's passes (finite check, means, variances, transform) and the searches for a
    /// bad value run on fixed row chunks: over many chunks, any thread count gives the same
    /// bits, the same scaled matrix, and the first bad element in row-major order.
    @Test("Chunked passes: any thread count, the same bits; the first bad value found")
    func threadCounts() throws {
        var rng = SeededRandom(seed: 12)
        let (rows, columns) = (70_001, 3)
        var data = Matrix(unchecked: rows, columns, (0..<(rows * columns)).map { _ in 1e6 + 50 * rng.nextUnit() })
        let one = ColumnStatistics.meansAndVariances(data, threads: 1)
        let scaler = try Scaler.fit(data, method: .zscore, threads: 1)
        var scaled = data
        try scaler.transform(&scaled, threads: 1)
        for threads in [2, 3] {
            let many = ColumnStatistics.meansAndVariances(data, threads: threads)
            #expect(many.means.map(\.bitPattern) == one.means.map(\.bitPattern) && many.variances.map(\.bitPattern) == one.variances.map(\.bitPattern))
            #expect(try Scaler.fit(data, method: .zscore, threads: threads) == scaler)
            var other = data
            try scaler.transform(&other, threads: threads)
            #expect(other.storage.map(\.bitPattern) == scaled.storage.map(\.bitPattern))
        }
        // Two-pass, chunked sums agree with a plain sum over the rows, to rounding.
        let plain = (0..<rows).reduce(0.0) { $0 + data[$1, 1] } / Double(rows)
        #expect(abs(one.means[1] - plain) <= 1e-9 * plain)
        // Bad values in two chunks far apart: the earlier one is reported, whatever the threads.
        data[69_000, 2] = .infinity
        data[5, 1] = .nan
        data[40_000, 0] = 1e101
        for threads in [1, 2, 3] {
            let bad = try #require(data.firstNonFinite(threads: threads))
            #expect(bad.row == 5 && bad.column == 1 && bad.value.isNaN)
            let large = try #require(data.firstElement(exceeding: 1e100, threads: threads))
            #expect(large.row == 40_000 && large.column == 0 && large.value == 1e101)
            #expect(throws: NumericError.self) { try data.checkFinite(threads: threads) }
        }
    }
}
