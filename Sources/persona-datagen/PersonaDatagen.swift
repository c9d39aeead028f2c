import ArgumentParser
import AtomicOutput

/// `persona-datagen`: writes seeded synthetic data sets for Persona's tests, samples and
/// benchmarks. All the generation logic is in the `SyntheticData` library; this executable
/// parses options, calls it, and writes the files.
@main
struct PersonaDatagen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persona-datagen",
        abstract: "Write seeded synthetic CSV data sets with planted customer segments.",
        discussion: """
            Every data set is a pure function of its options: the same options and --seed \
            give byte-identical files on every run. Files are written atomically (to a \
            temporary file beside the target, then renamed; --out and --truth together or \
            not at all), so a failed or interrupted run leaves no partial output. Use --out - \
            to write to standard output.

            The planted segments are vip, regular, bargain_hunter, lapsed and new. They are \
            never a column of the data file; --truth writes them to a separate file.
            """,
        subcommands: [CustomersCommand.self, OrdersCommand.self, MatrixCommand.self, IdentitiesCommand.self])

    /// Temporary output files are removed on Ctrl-C or SIGTERM (`OutputInterrupts`).
    static func main() {
        OutputInterrupts.install()
        main(nil)
    }
}
