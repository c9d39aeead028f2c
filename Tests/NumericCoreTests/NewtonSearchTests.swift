import Foundation
import Testing
@testable import NumericCore

/// `NewtonSearch` driven with statistics summed over row blocks (as partitions return them)
/// against `LogisticRegression.fit` on all rows.
struct NewtonSearchTests {
    /// Deterministic, not separable: a label from a noisy linear score.
    static func data(rows: Int) throws -> (Matrix, [Double]) {
        var state: UInt64 = 42
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var x = [[Double]](), y = [Double]()
        for _ in 0..<rows {
            let row = (0..<3).map { _ in uniform() * 4 - 2 }
            x.append(row)
            y.append(row[0] - 0.5 * row[1] + (uniform() - 0.5) * 4 > 0 ? 1 : 0)
        }
        return (try Matrix(rowArrays: x), y)
    }

    func distributed(_ x: Matrix, _ y: [Double], weights: [Double]?, l2: Double, blocks: Int) throws -> LogisticRegression.Fit {
        let w = weights ?? [Double](repeating: 1, count: y.count)
        var search = try NewtonSearch(l2: l2, width: x.columns + 1, totalWeight: w.reduce(0, +),
                                      positiveWeight: zip(w, y).reduce(0) { $0 + $1.0 * $1.1 })
        let cuts = (0...blocks).map { $0 * x.rows / blocks }
        var passes = 0
        while !search.done, passes < 200 {
            let parts = try (0..<blocks).map { b -> NewtonSearch.Statistics in
                let rows = Array(cuts[b]..<cuts[b + 1])
                return try NewtonSearch.Statistics(x.selectingRows(rows), labels: rows.map { y[$0] },
                                                   weights: weights.map { w in rows.map { w[$0] } }, beta: search.candidate)
            }
            try search.advance(with: try NewtonSearch.Statistics.sum(parts, width: x.columns + 1))
            passes += 1
        }
        return try search.fit()
    }

    @Test(arguments: [(1.0, false), (0.0, false), (1.0, true)])
    func equalsTheSingleMachineFit(l2: Double, weighted: Bool) throws {
        let (x, y) = try Self.data(rows: 3000)
        let weights = weighted ? y.map { $0 == 1 ? 2.0 : 0.75 } : nil
        let single = try LogisticRegression(l2: l2).fit(x, labels: y, weights: weights)
        for blocks in [1, 4] {
            let fit = try distributed(x, y, weights: weights, l2: l2, blocks: blocks)
            #expect(fit.converged && single.converged)
            #expect(fit.iterations == single.iterations)
            #expect(abs(fit.intercept - single.intercept) <= 1e-10)
            for (a, b) in zip(fit.coefficients + fit.standardErrors, single.coefficients + single.standardErrors) {
                #expect(abs(a - b) <= 1e-10)
            }
            #expect(abs(fit.logLikelihood - single.logLikelihood) <= 1e-9 * abs(single.logLikelihood))
        }
    }

    @Test func oneClassIsRefusedBeforeAnyPass() {
        #expect(throws: LogisticRegression.Problem.oneClass(label: 1)) {
            _ = try NewtonSearch(l2: 1, width: 2, totalWeight: 10, positiveWeight: 10)
        }
    }

    @Test func collinearColumnsAreNamedWithoutPenalty() throws {
        let (x, y) = try Self.data(rows: 200)
        let doubled = try Matrix(rowArrays: (0..<x.rows).map { i in [x[i, 0], x[i, 1], 2 * x[i, 0]] })
        #expect(throws: LogisticRegression.Problem.self) {
            _ = try distributed(doubled, y, weights: nil, l2: 0, blocks: 3)
        }
    }
}
