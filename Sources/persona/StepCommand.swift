import ArgumentParser
import AtomicOutput
import CustomerData
import Foundation
import NumericCore
import Segmentation

/// `persona step`: the rounds of a `persona cluster` run on a file split into partitions, for
/// a driver such as integrations/spark. `plan-cluster` writes the first state; every
/// partition runs the step the state names on its own rows and prints JSON; `merge` adds the
/// partitions' outputs in partition order and writes the next state, until the model is made.
struct StepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step",
        abstract: "Run persona cluster and persona features on files split into partitions (Apache Spark), one round at a time.",
        discussion: """
            A driver (python -m persona_spark) runs these; they are documented for anyone \
            writing another. Every round is a pure function of one partition's rows and a small \
            state file, and prints small statistics (counts, sums, order-statistic counts) as \
            JSON; the driver merges them in partition order with 'persona step merge', which \
            writes the next state and, at the end, MODEL.json. The numbers are those of \
            persona cluster on the whole file: the same encoder decisions, exact medians and \
            quartiles, the same Lloyd kernel and stopping rules.

            Loop:
              persona step plan-cluster customers.csv --id customer_id --k 5 --out state.json
              while the state's "next" names a step S:
                for each partition P (a CSV with the header) at index I:
                  persona step S P --state state.json --part I > out-I.json
                persona step merge state.json out-0.json out-1.json ... --out state.json --model model.json

            persona churn train --folds 0 the same way: plan-churn writes the first state; the \
            rounds are labels, the feature rounds, then newton (XᵀWX, the gradient and the \
            log-likelihood at the state's coefficients) until Newton's method stops; merge \
            writes CHURN.json to --model.

            On Spark, persona_spark runs the rounds with no Python on the executors: 'split' \
            takes the first round's partition as Spark pipes a text split in and keeps it as a \
            file; 'batch' runs a later round on every kept partition one task holds, one line \
            per partition, and 'batch-apply' applies a model to them. All are driven by \
            RDD.pipe.

            An order log partitioned by customer: order-span on every partition (the latest \
            date and the spend per category), then features on every partition with --as-of \
            and --share-categories taken from all of them.
            """,
        subcommands: [PlanClusterStep.self, ColumnsStep.self, QuantilesStep.self, MomentsStep.self, SampleStep.self,
                      LloydStep.self, FinalStep.self, MetricsStep.self, MergeStep.self, BatchStep.self, BatchApplyStep.self, BatchReadStep.self, SplitStep.self,
                      OrderSpanStep.self, FeaturesStep.self, PlanChurnStep.self, LabelsStep.self, NewtonStep.self])
}

struct PlanClusterStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan-cluster",
        abstract: "Write the first state of a partitioned persona cluster run.",
        discussion: "Takes persona cluster's fitting options; --k must be a number and --delimiter a character (partitions must not each guess).")

    @Argument(help: ArgumentHelp("The whole input's name (or path), used in messages and the model.", valueName: "INPUT.csv"))
    var input: String

    @Option(help: ArgumentHelp("The customer id column.", valueName: "COL"))
    var id: String

    @OptionGroup var columns: FeatureColumnOptions

    @Option(help: ArgumentHelp("Number of clusters.", valueName: "N"))
    var k: Int

    @Option(help: ArgumentHelp("Scaling: zscore (default), robust, minmax, none.", valueName: "METHOD"))
    var scale: String = "zscore"

    @Option(help: ArgumentHelp("Numeric columns to transform with log1p before scaling.", valueName: "A,B"))
    var log1p: String?

    @Option(name: .customLong("init"), help: ArgumentHelp("Starting centroids: k-means++ (on a seeded sample of --sample-size rows, with its restarts), or a CSV of centroids in scaled units.", valueName: "k-means++|FILE"))
    var initialization: String = "k-means++"

    @Option(name: .customLong("n-init"), help: ArgumentHelp("k-means++ restarts on the sample (default 3).", valueName: "N"))
    var nInit: Int?

    @Option(name: .customLong("max-iter"), help: ArgumentHelp("Lloyd iterations at most.", valueName: "N"))
    var maxIter: Int = 300

    @Option(help: ArgumentHelp("Stop when the summed squared centroid shift is below tol × mean feature variance.", valueName: "X"))
    var tol: Double = 1e-4

    @Option(help: ArgumentHelp("Random seed (the sample, k-means++, the silhouette sample).", valueName: "S"))
    var seed: UInt64 = 0

    @Option(name: .customLong("max-categories"), help: ArgumentHelp("Text columns with more distinct values are left out unless named in --features.", valueName: "N"))
    var maxCategories: Int = 50

    @Option(name: .customLong("sample-size"), help: ArgumentHelp("Rows k-means++ runs on to find the start (all rows when there are no more).", valueName: "N"))
    var sampleSize: Int = 100_000

    @Option(help: ArgumentHelp("Field separator of the partitions: one ASCII character or 'tab'.", valueName: "CHAR"))
    var delimiter: String = ","

    @Option(name: .customLong("collect-limit"),
            help: ArgumentHelp("An exact median's interval holding at most this many values is sent as values, else counted in buckets first (one more round). Default: \(QuantileSearch([]).collectLimit).", valueName: "N"))
    var collectLimit: Int?

    @Option(help: ArgumentHelp("Where to write the state.", valueName: "STATE.json"))
    var out: String

    func validate() throws {
        if let collectLimit, collectLimit < 0 { throw ValidationError("--collect-limit must be 0 or more; got \(collectLimit)") }
        guard k >= 1 else { throw ValidationError("--k must be a whole number >= 1; got \(k)") }
        guard ScalingMethod(rawValue: scale) != nil else {
            throw ValidationError("--scale must be one of zscore, robust, minmax, none; got '\(scale)'")
        }
        if let nInit, nInit < 1 { throw ValidationError("--n-init must be at least 1; got \(nInit)") }
        guard maxIter >= 1 else { throw ValidationError("--max-iter must be at least 1; got \(maxIter)") }
        guard tol >= 0, tol.isFinite else { throw ValidationError("--tol must be a finite number >= 0; got \(tol)") }
        guard maxCategories >= 1 else { throw ValidationError("--max-categories must be at least 1; got \(maxCategories)") }
        guard sampleSize >= k else { throw ValidationError("--sample-size must be at least --k (\(k)); got \(sampleSize)") }
        if initialization == "random" { throw ValidationError("--init random is not available for partitioned runs: give k-means++ or a CSV of centroids") }
        _ = try separator()
    }

    func separator() throws -> UInt8 { try Self.separator(delimiter) }

    /// The partitions' field separator: one ASCII character other than a quote or newline, or 'tab'.
    static func separator(_ delimiter: String) throws -> UInt8 {
        if delimiter == "tab" || delimiter == "\\t" { return 0x09 }
        guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != 0x22, byte != 0x0A, byte != 0x0D else {
            throw ValidationError("--delimiter must be one ASCII character other than a quote or newline, or 'tab'; got '\(delimiter)'")
        }
        return byte
    }

    func run() throws {
        do {
            var spec = PipelineFit.Specification(source: (input as NSString).lastPathComponent, idColumn: id)
            spec.features = columnList(columns.features)
            spec.exclude = (columnList(columns.exclude) ?? []) + [id]
            spec.numericColumns = columnList(columns.numeric) ?? []
            spec.maxCategories = maxCategories
            spec.log1p = columnList(log1p) ?? []
            spec.scale = ScalingMethod(rawValue: scale) ?? .zscore
            spec.delimiter = try separator()
            spec.deferFills = true  // the medians of columns with no blank cell ride on the first k-means round
            spec.collectLimit = collectLimit
            var clustering = KMeansFit.Specification(k: k)
            clustering.seed = seed
            clustering.nInit = nInit
            clustering.maxIterations = maxIter
            clustering.tolerance = tol
            clustering.sampleSize = sampleSize
            let startFile = ["k-means++", "kmeans++"].contains(initialization) ? nil : initialization
            let state = ClusterScaleOut(features: spec, clustering: clustering, startFile: startFile)
            try StepOutput.write(try StepFile.json(state), to: out)
        } catch {
            throw Terminal.fail(error)
        }
    }
}

/// What every map step takes: one partition and the state.
struct MapStepOptions: ParsableArguments {
    /// The exit status when --matrix-cache cannot be used and no partition was given: the
    /// driver then runs the step again with the partition's rows, which rebuilds the cache.
    static let cacheMissStatus: Int32 = 3

    @Argument(help: ArgumentHelp("One partition of the input: a CSV with the input's header (may be left out with --matrix-cache).", valueName: "PART.csv"))
    var partition: String?

    @Option(name: .customLong("matrix-cache"),
            help: ArgumentHelp("The partition's scaled matrix, saved between the k-means rounds (sample, lloyd, final, metrics): read when it holds this partition's under the state's features, else made from PART.csv and written here. Without PART.csv, a missing, stale or damaged cache exits with status 3.",
                               valueName: "PATH"))
    var matrixCache: String?

    @Option(help: ArgumentHelp("The state the driver wrote last.", valueName: "STATE.json"))
    var state: String

    @Option(help: ArgumentHelp("The partition's index (0-based, in input order).", valueName: "I"))
    var part: Int = 0

    @Option(help: ArgumentHelp("Worker threads (results do not depend on it).", valueName: "T"))
    var threads: Int = 1

    func validate() throws {
        guard part >= 0 else { throw ValidationError("--part must be 0 or more; got \(part)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1; got \(threads)") }
        guard partition != nil || matrixCache != nil else { throw ValidationError("give the partition (PART.csv), or --matrix-cache PATH") }
    }

    /// Runs step `name` on the partition and prints its JSON on stdout.
    func run(_ name: String) throws {
        BLASConfiguration.setThreadCount(1)
        do {
            let json: [UInt8]
            if try ScaleOutState.isChurn(path: state) {
                guard matrixCache == nil, let partition else {
                    throw ValidationError("--matrix-cache applies to persona cluster runs (plan-cluster); a churn run's rounds read PART.csv")
                }
                json = try StepFile.read(ChurnScaleOut.self, path: state).map(step: name, partition: partition, threads: threads)
            } else {
                json = try StepFile.read(ClusterScaleOut.self, path: state).map(step: name, partition: partition, part: part, threads: threads,
                                                                                matrixCache: matrixCache)
            }
            FileHandle.standardOutput.write(Data(json))
        } catch let error as ValidationError {
            throw error
        } catch let error as SegmentationError {
            let code = Terminal.fail(error)
            if case .matrixCache = error, partition == nil { throw ExitCode(Self.cacheMissStatus) }
            throw code
        } catch {
            throw Terminal.fail(error)
        }
    }
}

struct ColumnsStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "columns", abstract: "Map step: per column, kind, counts, minimum, maximum, text levels with counts.")
    @OptionGroup var options: MapStepOptions
    func run() throws { try options.run("columns") }
}

struct QuantilesStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantiles", abstract: "Map step: counts of values per slice of the intervals that hold the wanted medians or quartiles.")
    @OptionGroup var options: MapStepOptions
    func run() throws { try options.run("quantiles") }
}

struct MomentsStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moments", abstract: "Map step: count, mean, squared deviations, minimum and maximum of every encoded feature.")
    @OptionGroup var options: MapStepOptions
    func run() throws { try options.run("moments") }
}

struct SampleStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample", abstract: "Map step: the scaled rows of the seeded k-means++ sample that fall in this partition.")
    @OptionGroup var options: MapStepOptions
    func run() throws { try options.run("sample") }
}

struct LloydStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lloyd", abstract: "Map step: one Lloyd assignment: per-cluster sums and counts, changed labels, farthest rows.")
    @OptionGroup var options: MapStepOptions
    func run() throws { try options.run("lloyd") }
}

struct FinalStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "final", abstract: "Map step: per-cluster sizes, sums (scaled and original units) and inertia under the final centroids.")
    @OptionGroup var options: MapStepOptions
    func run() throws { try options.run("final") }
}

struct MetricsStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "Map step: distances to the cluster means and the silhouette sample's rows.")
    @OptionGroup var options: MapStepOptions
    func run() throws { try options.run("metrics") }
}

struct MergeStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Driver step: add the partitions' outputs in partition order and write the next state.",
        discussion: "When the round was the last one, --model receives MODEL.json (persona.kmeans, as persona cluster --model writes it; persona cluster --apply reads it).")

    @Argument(help: ArgumentHelp("The state the round ran with.", valueName: "STATE.json"))
    var state: String

    @Argument(help: ArgumentHelp("Every partition's output, in partition order.", valueName: "OUTPUT.json"))
    var outputs: [String] = []

    @Option(help: ArgumentHelp("Where to write the next state.", valueName: "NEXT.json"))
    var out: String

    @Option(help: ArgumentHelp("Where to write the model once it is made.", valueName: "MODEL.json"))
    var model: String?

    @Option(help: ArgumentHelp("Worker threads for the k-means on the sample and the silhouette (the state does not depend on them). Default: all cores.", valueName: "T"))
    var threads: Int?

    func validate() throws {
        guard !outputs.isEmpty else { throw ValidationError("give every partition's output, in partition order") }
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1; got \(threads)")
        }
    }

    func run() throws {
        BLASConfiguration.setThreadCount(1)
        do {
            let parts = try outputs.map { path -> Data in
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw CustomerDataError.unreadable(file: path, reason: "no such file, or no permission")
                }
                return data
            }
            var files = [(bytes: [UInt8], path: String)]()
            if try ScaleOutState.isChurn(path: state) {
                let next = try StepFile.read(ChurnScaleOut.self, path: state).merged(with: parts)
                files.append((try StepFile.json(next), out))
                if let model, let made = next.model { files.append((try made.json(), model)) }
            } else {
                let next = try StepFile.read(ClusterScaleOut.self, path: state)
                    .merged(with: parts, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
                files.append((try StepFile.json(next), out))
                if let model, let made = next.model { files.append((try made.json(), model)) }
            }
            try StepOutput.write(files)
        } catch {
            throw Terminal.fail(error)
        }
    }
}

/// Which kind of scale-out run a state file belongs to.
enum ScaleOutState {
    private struct Format: Decodable { let format: String }

    static func isChurn(path: String) throws -> Bool {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SegmentationError.modelFile(file: name, problem: "cannot read it (no such file, or no permission)")
        }
        return try StepFile.decode(Format.self, data, file: name).format == ChurnScaleOut.formatName
    }
}

struct PlanChurnStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan-churn",
        abstract: "Write the first state of a partitioned persona churn train --folds 0 run.")

    @Argument(help: ArgumentHelp("The whole input's name (or path), used in messages and the model.", valueName: "INPUT.csv"))
    var input: String

    @OptionGroup var fit: ChurnFitOptions

    @Option(help: ArgumentHelp("Field separator of the partitions: one ASCII character or 'tab'.", valueName: "CHAR"))
    var delimiter: String = ","

    @Option(help: ArgumentHelp("Where to write the state.", valueName: "STATE.json"))
    var out: String

    func validate() throws {
        if let features = fit.features, columnList(features)?.contains(fit.label) == true {
            throw ValidationError("--features names the label column '\(fit.label)'")
        }
        _ = try PlanClusterStep.separator(delimiter)
    }

    func run() throws {
        do {
            let options = fit.options(input: input)
            var spec = PipelineFit.Specification(source: (input as NSString).lastPathComponent, idColumn: options.idColumn)
            spec.features = options.features
            spec.exclude = options.exclude
            spec.maxCategories = options.maxCategories
            spec.scale = options.scale
            spec.delimiter = try PlanClusterStep.separator(delimiter)
            let state = ChurnScaleOut(features: spec, labelColumn: options.labelColumn, positive: options.positive, l2: options.l2,
                                      balanced: options.balanced)
            try StepOutput.write(try StepFile.json(state), to: out)
        } catch {
            throw Terminal.fail(error)
        }
    }
}

struct LabelsStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels", abstract: "Map step: the label column's values with counts, and its blanks.")
    @OptionGroup var options: MapStepOptions
    func run() throws { try options.run("labels") }
}

struct NewtonStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newton", abstract: "Map step: XᵀWX, the gradient and the log-likelihood at the state's coefficients.")
    @OptionGroup var options: MapStepOptions
    func run() throws { try options.run("newton") }
}

/// Writes a step's files all or nothing, as one set.
enum StepOutput {
    static func write(_ bytes: [UInt8], to path: String) throws {
        try write([(bytes, path)])
    }

    static func write(_ files: [(bytes: [UInt8], path: String)]) throws {
        let outputs = OutputSet.forCommand()
        for file in files { try outputs.stage(file.bytes, to: file.path) }
        try outputs.commit()
    }
}
