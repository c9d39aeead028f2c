/// A numeric benchmark matrix: `rows` points in `dimensions` dimensions drawn from
/// `clusters` isotropic Gaussian blobs, like scikit-learn's `make_blobs`.
///
/// The file is `id,f1,…,fD` with integer ids from 1 and values rounded to
/// `significantDigits` significant digits (about 160 MB for 1M × 16 at 6 digits). Blob
/// centres are uniform in [−10, 10)ᴰ; each blob's standard deviation is uniform in
/// [0.5, 1.5) × `clusterSpread`; each row picks a blob uniformly. With `includeTruth` the
/// truth file is `id,blob` (blobs numbered from 0).
///
/// Complexity: O(rows · dimensions) time, O(chunk + clusters · dimensions) memory.
public struct MatrixGenerator: SyntheticDataset {
    /// The number of rows.
    public let rows: Int
    /// The number of numeric columns `f1…fD`.
    public let dimensions: Int
    /// The number of blobs.
    public let clusters: Int
    /// Scales every blob's standard deviation.
    public let clusterSpread: Double
    /// Significant digits written per value.
    public let significantDigits: Int
    /// The seed; the same seed gives byte-identical files.
    public let seed: UInt64
    /// Whether to emit the `id,blob` truth file.
    public let includeTruth: Bool

    /// Creates the configuration.
    /// - Throws: `SyntheticDataError` naming the first parameter out of range:
    ///   `rows` 1...10⁹, `dimensions` 1...10,000, `clusters` 1...`rows`,
    ///   `clusterSpread` 0...1,000, `significantDigits` 1...17.
    public init(
        rows: Int, dimensions: Int = 16, clusters: Int = 8, clusterSpread: Double = 1,
        significantDigits: Int = 6, seed: UInt64 = 42, includeTruth: Bool = false
    ) throws(SyntheticDataError) {
        try SyntheticDataError.check("rows", rows, in: 1...1_000_000_000)
        try SyntheticDataError.check("dimensions", dimensions, in: 1...10_000)
        try SyntheticDataError.check("clusters", clusters, in: 1...rows)
        try SyntheticDataError.check("clusterSpread", clusterSpread, in: 0...1_000)
        try SyntheticDataError.check("significantDigits", significantDigits, in: 1...17)
        self.rows = rows
        self.dimensions = dimensions
        self.clusters = clusters
        self.clusterSpread = clusterSpread
        self.significantDigits = significantDigits
        self.seed = seed
        self.includeTruth = includeTruth
    }

    /// The blob centres, row-major `clusters × dimensions`, as the data file uses them.
    public func centers() -> [Double] {
        var rng = SeededGenerator(seed: seed, stream: 1)
        return (0..<(clusters * dimensions)).map { _ in rng.uniform(-10, 10) }
    }

    /// Each blob's standard deviation, as the data file uses them.
    public func standardDeviations() -> [Double] {
        var rng = SeededGenerator(seed: seed, stream: 2)
        return (0..<clusters).map { _ in rng.uniform(0.5, 1.5) * clusterSpread }
    }

    /// Generates the data set; see `SyntheticDataset.generate(chunkBytes:emit:)`.
    public func generate(chunkBytes: Int, emit: (OutputFile, [UInt8]) throws -> Void) rethrows {
        var data = CSVBuffer(file: .data, chunkBytes: chunkBytes)
        var truth = CSVBuffer(file: .truth, chunkBytes: includeTruth ? chunkBytes : 1024)
        data.appendHeader(["id"] + (1...dimensions).map { "f\($0)" })
        if includeTruth { truth.appendHeader(["id", "blob"]) }
        let centers = centers()
        let deviations = standardDeviations()
        var rng = SeededGenerator(seed: seed, stream: 3)
        let digits = significantDigits

        for row in 0..<rows {
            let blob = rng.integer(below: clusters)
            let base = blob * dimensions
            let deviation = deviations[blob]
            data.appendDigits(UInt64(row + 1))
            for column in 0..<dimensions {
                data.comma()
                data.appendSignificant(
                    centers[base + column] + deviation * rng.standardNormal(), digits: digits)
            }
            data.newline()
            try data.flushIfFull(emit)
            if includeTruth {
                truth.appendDigits(UInt64(row + 1))
                truth.comma()
                truth.appendDigits(UInt64(blob))
                truth.newline()
                try truth.flushIfFull(emit)
            }
        }
        try data.flush(emit)
        if includeTruth { try truth.flush(emit) }
    }
}
