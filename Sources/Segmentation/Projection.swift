import NumericCore

/// A 2-D picture of the customers for the reports: the first two principal components of
/// the scaled features, fitted on a seeded sample of at most 20,000 rows and drawn for at
/// most 2,000 of them, so the cost does not grow with the table.
public struct Projection: Sendable, Equatable {
    public let x: [Double]
    public let y: [Double]
    /// Each drawn point's cluster.
    public let labels: [Int]
    /// Share of the variance along the two axes.
    public let explainedVarianceRatio: [Double]
    /// How many rows the components were fitted on.
    public let fittedRows: Int

    public static let fitRows = 20_000, drawnRows = 2_000

    /// `rowsOf(sample)` returns the scaled rows of the sampled row indices (sorted).
    public static func make(rows: Int, labels: [Int], seed: UInt64, rowsOf: ([Int]) throws -> Matrix) throws -> Projection? {
        guard rows >= 3 else { return nil }
        var random = SeededRandom(seed: seed, stream: 0x5043_4120)  // "PCA "
        let sample = random.sampleIndices(min(fitRows, rows), from: rows)  // in random order
        let sorted = sample.sorted()
        let matrix = try rowsOf(sorted)
        guard matrix.columns >= 2 else { return nil }  // one feature: no second axis to draw
        let pca = try PCA.fit(matrix, components: 2)
        // The first rows of the random-order sample are a random subset of it: draw those.
        let positions = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($0.element, $0.offset) })
        let drawn = sample.prefix(drawnRows).sorted().compactMap { positions[$0] }
        let points = try pca.transform(matrix.selectingRows(drawn))
        return Projection(x: (0..<points.rows).map { points[$0, 0] },
                          y: (0..<points.rows).map { points[$0, 1] },
                          labels: drawn.map { labels[sorted[$0]] },
                          explainedVarianceRatio: pca.explainedVarianceRatio, fittedRows: sample.count)
    }
}
