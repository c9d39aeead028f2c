import ArgumentParser
import AtomicOutput

/// Options every subcommand shares: the seed and where the files go.
struct OutputOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "The random seed; the same seed gives byte-identical output.")
    var seed: UInt64 = 42

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("Where to write the CSV; '-' for standard output.", valueName: "path"))
    var out: String

    @Option(
        help: ArgumentHelp(
            "Also write the planted ground truth (id and segment) to this CSV.",
            valueName: "path"))
    var truth: String?

    mutating func validate() throws {
        if out.isEmpty {
            throw ValidationError("--out must not be empty; use '-' for standard output.")
        }
        if let truth {
            if truth == "-" {
                throw ValidationError("--truth must be a file path, not '-'.")
            }
            if truth == out {
                throw ValidationError("--truth and --out must differ. Got '\(truth)' for both.")
            }
        }
        do {
            try OutputPaths.check(outputs: [("--out", out), ("--truth", truth)])
        } catch {
            throw ValidationError(error.description)
        }
    }
}
