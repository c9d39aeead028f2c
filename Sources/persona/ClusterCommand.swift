import ArgumentParser
import AtomicOutput
import Foundation
import CustomerData
import NumericCore
import Reporting
import Segmentation

struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Segment customers with k-means on standardized features.",
        discussion: """
            Reads INPUT (CSV or .csv.gz), encodes the feature columns (numbers as they are, \
            Yes/No-style columns as 0/1, text one-hot as COL=VALUE dropping the first level in \
            sorted order), fills missing numbers with the column median, scales, and runs k-means. \
            SEGMENTS.csv gets the id, the cluster (0 = largest) and the distance to its centroid; \
            MODEL.json gets centroids, scaler, encoding and quality metrics.

            With --k auto (the default) every k in --k-range is fitted and the one with the highest \
            mean silhouette is kept; the table of all k is printed and saved in MODEL.json.

            --apply MODEL.json places the customers of INPUT at the nearest centroid of a saved \
            run, through the saved encoding, fills, log1p and scaler (no refitting): on the data \
            it was fitted on it reproduces the run's clusters and distances. Only --out (and the \
            reading options) go with it.
            """)

    @Argument(help: ArgumentHelp("The customer export (CSV, optionally .gz).", valueName: "INPUT.csv"))
    var input: String

    @Option(help: ArgumentHelp("The customer id column; ids are written back exactly as in the input.", valueName: "COL"))
    var id: String

    @OptionGroup var columns: FeatureColumnOptions

    @Flag(help: "Also print the vector instructions the k-means kernel runs with (chosen from the CPU at start-up) and the OpenBLAS build and kernel family.")
    var verbose = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Number of clusters, or 'auto' to choose by silhouette (default: auto).", valueName: "N|auto"))
    var k: String?

    @Option(name: .customLong("k-range"), parsing: .unconditional, help: ArgumentHelp("The k values --k auto tries.", valueName: "MIN...MAX"))
    var kRange: String = "2...10"

    @Option(help: ArgumentHelp("Scaling before clustering: zscore (population sd, the default), robust (median/IQR), minmax, none.", valueName: "METHOD"))
    var scale: String?

    @Option(help: ArgumentHelp("Numeric columns to transform with log1p before scaling (skewed spend).", valueName: "A,B"))
    var log1p: String?

    @Option(name: .customLong("init"), help: ArgumentHelp("Starting centroids: k-means++, random, or a CSV of centroids in scaled units (header = feature names).", valueName: "k-means++|random|FILE"))
    var initialization: String?

    @Option(name: .customLong("n-init"), parsing: .unconditional, help: ArgumentHelp("Restarts; the lowest inertia is kept (default: 3 for k-means++, 10 for random, 1 for a file).", valueName: "N"))
    var nInit: Int?

    @Option(name: .customLong("max-iter"), parsing: .unconditional, help: ArgumentHelp("Lloyd iterations per restart at most.", valueName: "N"))
    var maxIter: Int = 300

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop when the summed squared centroid shift is below tol × mean feature variance (as scikit-learn).", valueName: "X"))
    var tol: Double = 1e-4

    @Option(parsing: .unconditional, help: ArgumentHelp("Random seed: the same input and seed give the same output, whatever --threads is.", valueName: "S"))
    var seed: UInt64 = 0

    @Option(name: .customLong("max-categories"), parsing: .unconditional, help: ArgumentHelp("Text columns with more distinct values are left out unless named in --features.", valueName: "N"))
    var maxCategories: Int = 50

    @OptionGroup var input_: InputOptions

    @Option(help: ArgumentHelp("Assign to the clusters of a saved run (its MODEL.json) instead of fitting.", valueName: "MODEL.json"))
    var apply: String?

    @Option(help: ArgumentHelp("Where to write the per-customer segments.", valueName: "SEGMENTS.csv"))
    var out: String

    @Option(help: ArgumentHelp("Where to write the fitted model (JSON).", valueName: "MODEL.json"))
    var model: String?

    @Flag(name: .customLong("float32"), help: "Keep the scaled matrix in 32-bit floats: half its memory, for very large runs. Values are rounded to about 7 significant digits; all arithmetic stays in double, so results differ from the default only by that rounding (the inertia typically in the 7th digit).")
    var float32 = false

    @OptionGroup var reporting: ReportOptions

    func validate() throws {
        if apply != nil {
            let fitting: [(String, Bool)] = [("--features", columns.features != nil), ("--exclude", columns.exclude != nil), ("--k", k != nil),
                                             ("--scale", scale != nil), ("--log1p", log1p != nil), ("--init", initialization != nil),
                                             ("--n-init", nInit != nil), ("--model", model != nil), ("--report", reporting.report != nil),
                                             ("--notebook", reporting.notebook != nil), ("--numeric", columns.numeric != nil),
                                             ("--float32", float32)]
            if let given = fitting.first(where: \.1) {
                throw ValidationError("--apply uses the saved model's features, scaling and centroids; leave out \(given.0)")
            }
            try checkDistinctOutputs([("--out", out)], inputs: [("INPUT", input), ("--apply", apply)])
            return
        }
        _ = try kChoice()
        guard ScalingMethod(rawValue: scale ?? "zscore") != nil else {
            throw ValidationError("--scale must be one of zscore, robust, minmax, none; got '\(scale ?? "")'")
        }
        if let nInit, nInit < 1 { throw ValidationError("--n-init must be at least 1; got \(nInit)") }
        guard maxIter >= 1 else { throw ValidationError("--max-iter must be at least 1; got \(maxIter)") }
        guard tol >= 0, tol.isFinite else { throw ValidationError("--tol must be a finite number >= 0; got \(tol)") }
        guard maxCategories >= 1 else { throw ValidationError("--max-categories must be at least 1; got \(maxCategories)") }
        try reporting.requireForNotebook(model, option: "--model MODEL.json")
        let centroids = initialization.flatMap { ["k-means++", "kmeans++", "random"].contains($0) ? nil : $0 }
        try checkDistinctOutputs([("--out", out), ("--model", model), ("--report", reporting.report), ("--notebook", reporting.notebook)],
                                 inputs: [("INPUT", input), ("--init", centroids)])
        if let features = columns.features, columnList(features)?.isEmpty ?? true {
            throw ValidationError("--features must name at least one column; got '\(features)'")
        }
    }

    func kChoice() throws -> ClusterOptions.KChoice {
        let k = self.k ?? "auto"
        if k == "auto" {
            let parts = kRange.replacingOccurrences(of: "...", with: "-").replacingOccurrences(of: "..", with: "-")
                .split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let low = parts[0], let high = parts[1], low >= 2, high >= low else {
                throw ValidationError("--k-range must look like 2...10 with 2 <= MIN <= MAX; got '\(kRange)'")
            }
            return .auto(low...high)
        }
        guard let value = Int(k), value >= 1 else {
            throw ValidationError("--k must be a whole number >= 1 or 'auto'; got '\(k)'")
        }
        return .fixed(value)
    }

    func options(read: CSVReadOptions) throws -> ClusterOptions {
        var options = ClusterOptions(input: input, idColumn: id)
        let idColumn = options.read.idColumn
        options.read = read
        options.read.idColumn = idColumn
        options.read.numericColumns = columnList(columns.numeric) ?? []
        options.features = columnList(columns.features)
        options.exclude = columnList(columns.exclude) ?? []
        options.k = try kChoice()
        options.scale = ScalingMethod(rawValue: scale ?? "zscore") ?? .zscore
        options.log1p = columnList(log1p) ?? []
        switch initialization ?? "k-means++" {
        case "k-means++", "kmeans++": options.start = .kMeansPlusPlus
        case "random": options.start = .random
        case let path: options.start = .centroidsFile(path)
        }
        options.nInit = nInit
        options.maxIterations = maxIter
        options.tolerance = tol
        options.seed = seed
        options.threads = input_.threadCount
        options.maxCategories = maxCategories
        options.forReport = reporting.wanted
        options.float32 = float32
        return options
    }

    func run() throws {
        BLASConfiguration.setThreadCount(1)
        if let apply { return try applyModel(apply) }
        let progress = ProgressLine()
        do {
            let read = try input_.readOptions(for: input, progress: progress)
            let run = try ClusterJob.run(try options(read: read)) { progress.update($0) }
            progress.update("writing…")
            let writeStart = Date()
            let outputs = OutputSet.forCommand()
            let segments = try outputs.open(out)
            try run.writeSegmentsCSV(threads: input_.threadCount) { try segments.write($0) }
            if let model { try outputs.stage(try run.modelJSON(), to: model) }
            if reporting.wanted {
                var files = ReportFiles(input: reporting.relative(input), segments: reporting.relative(out), model: model.map(reporting.relative))
                files.delimiter = read.delimiter
                try reporting.stage(ClusterReport.document(run, files: files, language: reporting.language), into: outputs)
            }
            try outputs.commit()
            progress.finish()
            let written = [out, model, reporting.report, reporting.notebook].compactMap { $0 }
            let summary = ClusterSummary(run: run, outputs: written,
                                         writeSeconds: Date().timeIntervalSince(writeStart))
            Terminal.print(summary.text)
            if verbose { Terminal.print(Self.machineLines) }
        } catch {
            progress.finish()
            throw Terminal.fail(error)
        }
    }

    /// What `--verbose` adds: the code paths this machine runs.
    static var machineLines: String {
        let level = VectorLevel.current
        let lowered = level < VectorLevel.supported ? " (lowered by PERSONA_VECTOR_LEVEL from \(VectorLevel.supported.description))" : ""
        return "  vector level    \(level.description)\(lowered)\n  BLAS            \(BLASConfiguration.configuration)"
    }

    /// `--apply`: assign with a saved model and print a short summary.
    private func applyModel(_ path: String) throws {
        let progress = ProgressLine()
        do {
            let start = Date()
            let read = try input_.readOptions(for: input, progress: progress)
            let assignment = try ClusterAssignment.run(input: input, idColumn: id, modelPath: path, read: read, threads: input_.threadCount)
            let outputs = OutputSet.forCommand()
            let segments = try outputs.open(out)
            try assignment.writeSegmentsCSV(threads: input_.threadCount) { try segments.write($0) }
            try outputs.commit()
            let n = assignment.labels.count
            var lines = ["persona cluster: \(assignment.source), \(Format.count(n)) customers placed with \((path as NSString).lastPathComponent) (k = \(assignment.model.k), fitted on \(assignment.model.source); not refitted)"]
            for imputation in assignment.report.imputations {
                lines.append("  imputed         '\(imputation.column)': \(Format.count(imputation.count)) missing → saved median \(Format.decimal(imputation.value, 4))")
            }
            for (column, count) in assignment.report.unseenLevels.sorted(by: { $0.key < $1.key }) {
                lines.append("  unseen levels   '\(column)': \(Format.count(count)) cells with a value the model never saw (encoded as its reference level)")
            }
            lines.append("  cluster sizes   " + assignment.clusterSizes.enumerated().map { "\($0.offset): \(Format.count($0.element)) (\(Format.percent($0.element, of: n)))" }.joined(separator: "  "))
            lines.append("  inertia         \(Format.decimal(assignment.inertia, 4)) (scaled space; the fit's: \(Format.decimal(assignment.model.inertia, 4)) on \(Format.count(assignment.model.clusterSizes.reduce(0, +))) rows)")
            lines.append("  wrote           \(out) in \(Format.seconds(Date().timeIntervalSince(start)))")
            progress.finish()
            Terminal.print(lines.joined(separator: "\n"))
        } catch {
            progress.finish()
            throw Terminal.fail(error)
        }
    }
}
