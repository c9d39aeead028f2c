import CKernels
import Testing
@testable import NumericCore

/// The column passes before k-means (the scaler's sums, the moments' extremes) run several
/// columns side by side in C: per column they must make the additions and comparisons a loop
/// over the rows in order makes, so the bits are the same as before, at every width.
@Suite("Column sums and extremes: the bits of a loop over the rows")
struct ColumnPassTests {
    @Test("sums and squared deviations equal a row loop's bits, for widths around the block of 8", arguments: [1, 3, 7, 8, 9, 16, 19])
    func sums(width d: Int) {
        var rng = SeededRandom(seed: UInt64(d))
        let rows = 1_003
        let x = (0..<(rows * d)).map { _ in 1e6 + 50 * rng.nextUnit() - 25 * Double.random(in: 0...1, using: &rng) }
        let start = (0..<d).map { Double($0) * 0.1 }  // the sums are added to
        let centre = (0..<d).map { _ in 1e6 + rng.nextUnit() }
        var plain = start, plainSquares = start
        for i in 0..<rows {
            for j in 0..<d {
                plain[j] += x[i * d + j]
                let deviation = x[i * d + j] - centre[j]
                plainSquares[j] += deviation * deviation
            }
        }
        var sums = start, squares = start
        persona_add_column_sums(x, Int64(rows), Int64(d), nil, &sums)
        persona_add_column_sums(x, Int64(rows), Int64(d), centre, &squares)
        #expect(sums.map(\.bitPattern) == plain.map(\.bitPattern))
        #expect(squares.map(\.bitPattern) == plainSquares.map(\.bitPattern))
    }

    @Test("extremes are Swift's min and max in row order: NaN ignored, the minimum keeps the first zero, the maximum the last",
          arguments: [1, 5, 8, 12, 17])
    func extremes(width d: Int) {
        var rng = SeededRandom(seed: 100 + UInt64(d))
        let rows = 257
        var x = (0..<(rows * d)).map { _ in (rng.nextUnit() - 0.5) * 10 }
        for j in 0..<d {
            x[(3 + j) * d + j] = .nan
            // Zeros of both signs as a column's extremes: all its values are ±0 or beyond.
            if j % 2 == 0 {
                for i in 0..<rows { x[i * d + j] = abs(x[i * d + j]) + 1 }
                x[(10 + j) * d + j] = -0.0
                x[(20 + j) * d + j] = 0.0
            } else {
                for i in 0..<rows { x[i * d + j] = -abs(x[i * d + j]) - 1 }
                x[(10 + j) * d + j] = -0.0
                x[(20 + j) * d + j] = 0.0
                x[(30 + j) * d + j] = -0.0
            }
        }
        x[0] = .nan  // a NaN in the first row of column 0
        var low = [Double](repeating: .infinity, count: d), high = [Double](repeating: -.infinity, count: d)
        for i in 0..<rows {
            for j in 0..<d {
                low[j] = min(low[j], x[i * d + j])
                high[j] = max(high[j], x[i * d + j])
            }
        }
        var minimums = [Double](repeating: .infinity, count: d), maximums = [Double](repeating: -.infinity, count: d)
        persona_column_extremes(x, Int64(rows), Int64(d), &minimums, &maximums)
        #expect(minimums.map(\.bitPattern) == low.map(\.bitPattern))
        #expect(maximums.map(\.bitPattern) == high.map(\.bitPattern))
        // Worked by hand for column 0 (positive values and the two zeros): the minimum is the first zero, -0.
        #expect(minimums[0] == 0 && minimums[0].sign == .minus)
        if d > 1 { #expect(maximums[1] == 0 && maximums[1].sign == .minus) }  // the last zero of column 1 is -0
    }
}
