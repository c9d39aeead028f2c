import ArgumentParser
import SyntheticData

/// `persona-datagen matrix`: a numeric matrix of Gaussian blobs for benchmarks.
struct MatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Write an id,f1,...,fD numeric matrix drawn from Gaussian blobs.",
        discussion: """
            Like scikit-learn's make_blobs: blob centres uniform in [-10, 10) per column, \
            each blob's standard deviation uniform in [0.5, 1.5) times --spread, rows \
            assigned to blobs uniformly. Values have --digits significant digits; 1M rows \
            x 16 columns at 6 digits is about 160 MB. --truth writes id,blob (blobs from 0).

            Example:
              persona-datagen matrix --rows 1000000 --dims 16 --clusters 8 --out m.csv
            """)

    @Option(name: [.customLong("rows"), .customShort("n")], parsing: .unconditional, help: "The number of rows.")
    var rows: Int = 100_000

    @Option(name: .customLong("dims"), parsing: .unconditional, help: "The number of numeric columns.")
    var dimensions: Int = 16

    @Option(parsing: .unconditional, help: "The number of Gaussian blobs.")
    var clusters: Int = 8

    @Option(parsing: .unconditional, help: "Multiplies every blob's standard deviation.")
    var spread: Double = 1

    @Option(parsing: .unconditional, help: "Significant digits per value.")
    var digits: Int = 6

    @OptionGroup var output: OutputOptions

    func makeGenerator() throws(SyntheticDataError) -> MatrixGenerator {
        try MatrixGenerator(
            rows: rows, dimensions: dimensions, clusters: clusters, clusterSpread: spread,
            significantDigits: digits, seed: output.seed, includeTruth: output.truth != nil)
    }

    func validate() throws {
        do {
            _ = try makeGenerator()
        } catch {
            throw ValidationError(
                error.naming([
                    "rows": "--rows", "dimensions": "--dims", "clusters": "--clusters",
                    "clusterSpread": "--spread", "significantDigits": "--digits",
                ]))
        }
    }

    func run() throws {
        try writeAtomically(makeGenerator(), out: output.out, truth: output.truth)
    }
}
