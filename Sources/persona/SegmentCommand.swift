import ArgumentParser
import AtomicOutput
import CustomerData
import Foundation
import NumericCore
import Reporting
import Segmentation

struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Value tier, behaviour tier, lifecycle stage and tags for every customer.",
        discussion: """
            Value tiers are k-means clusters of the spend-like columns (standardized, log1p for \
            skewed ones), named high / mid / low by their mean standardized score. Behaviour \
            tiers follow a rule on recency against each customer's own purchase rhythm: churned \
            (silent over 4 usual gaps and 60 days, or over 365 days), potential (at most 2 \
            purchases), active (a regular buying at least as often as the typical customer, \
            silent at most 2 usual gaps), at_risk (the rest). With 'behavior: {p_alive: \
            p_alive_pareto}' in the config and --join CLV.csv (persona clv --model-type both), \
            churned and at_risk come from P(alive) instead (below 0.5 and 0.8). Personas cluster all roles \
            together, k chosen at the knee of the inertia curve in 3...8. No tier, group or \
            persona holds under 1 % of customers (min_share): smaller clusters are reported as \
            outliers. Lifecycle stages follow documented rules (README).

            Without --config, roles are found by name (monetary, frequency, recency_days, \
            tenure_days, share:... as persona features writes them, and common synonyms); \
            lifecycle and preference groups are skipped with a note when their columns are \
            absent. --print-config writes the effective config, commented, to start from.

            --validate-with LATER.csv prints each tier's next-period purchase rate: give the \
            order lines after the date the features were computed for, or persona features \
            --cutoff --horizon output (its purchased_in_horizon column).

            --apply MODEL.json assigns new customers to a saved run's tiers without refitting \
            (nearest saved centroid); --compare OLD_SEGMENTS.csv prints how customers moved \
            between the old run's tiers and this one's.

            Privacy: columns listed under pii: in the config are never written; --hash-ids \
            replaces ids by a keyed hash (HMAC-SHA-256, 32 hex digits) with the key from \
            --hash-key or the PERSONA_HASH_KEY environment variable, so segments can leave the \
            CRM and still be joined back inside it. The key needs at least 16 bytes: make one \
            with openssl rand -hex 16, and keep it.

            --report REPORT.html writes a self-contained report (personas, value × behaviour \
            heatmap, lifecycle, profiles, a 2-D projection, churn and migration when given); \
            --notebook OUT.ipynb the same figures in a Jupyter notebook with pandas code that \
            reloads SEGMENTS.csv and MODEL.json; --lang zh switches their labels to Chinese.
            """)

    @Argument(help: ArgumentHelp("The customer table, e.g. from persona features (CSV, optionally .gz).", valueName: "INPUT.csv"))
    var input: String?

    @Option(help: ArgumentHelp("The customer id column.", valueName: "COL"))
    var id: String?

    @Option(help: ArgumentHelp("Column roles, tiers, lifecycle thresholds, tags (YAML).", valueName: "persona.yaml"))
    var config: String?

    @Flag(name: .customLong("print-config"), help: "Write the effective config (defaults filled in) to stdout and stop.")
    var printConfig = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Random seed for the clustering (overrides the config's).", valueName: "S"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("Assign to the tiers of a saved run (its MODEL.json) instead of clustering again.", valueName: "MODEL.json"))
    var apply: String?

    @Option(help: ArgumentHelp("An earlier SEGMENTS.csv: print the migration between its tiers and this run's.", valueName: "OLD_SEGMENTS.csv"))
    var compare: String?

    @Option(name: .customLong("validate-with"), help: ArgumentHelp("What customers did after the cut: the later order lines (a line is a purchase) or persona features --cutoff --horizon output (its purchased_in_horizon column). Prints each tier's next-period purchase rate.", valueName: "LATER.csv"))
    var validateWith: String?

    @OptionGroup var joining: JoinOptions

    @OptionGroup var input_: InputOptions

    @Option(name: .customLong("churn-model"), help: ArgumentHelp("Add churn_probability from a persona churn train model.", valueName: "CHURN.json"))
    var churnModel: String?

    @Flag(name: .customLong("hash-ids"), help: "Write keyed pseudonyms instead of ids (key: --hash-key or PERSONA_HASH_KEY).")
    var hashIDs = false

    @Option(name: .customLong("hash-key"), help: ArgumentHelp("The key for --hash-ids (prefer the PERSONA_HASH_KEY environment variable: command lines are visible to other users).", valueName: "KEY"))
    var hashKey: String?

    @Option(help: ArgumentHelp("Where to write the segments.", valueName: "SEGMENTS.csv"))
    var out: String?

    @Option(help: ArgumentHelp("Where to write the tier model (JSON): why each cluster got its tier.", valueName: "MODEL.json"))
    var model: String?

    @OptionGroup var reporting: ReportOptions

    func validate() throws {
        guard !printConfig else { return }
        guard input != nil else { throw ValidationError("give INPUT.csv (or --print-config)") }
        guard id != nil else { throw ValidationError("give the id column with --id") }
        guard out != nil else { throw ValidationError("give --out SEGMENTS.csv") }
        if hashKey != nil, !hashIDs { throw ValidationError("--hash-key is only used with --hash-ids") }
        try checkDistinctOutputs([("--out", out), ("--model", model), ("--report", reporting.report), ("--notebook", reporting.notebook)],
                                 inputs: [("INPUT", input), ("--config", config), ("--apply", apply), ("--compare", compare), ("--validate-with", validateWith),
                                          ("--churn-model", churnModel)] + joining.joins.map { ("--join", $0) })
        try reporting.requireForNotebook(model, option: "--model MODEL.json")
        if apply != nil, config != nil {
            throw ValidationError("--apply uses the config saved in the model; leave out --config")
        }
    }

    func run() throws {
        BLASConfiguration.setThreadCount(1)
        let progress = ProgressLine()
        do {
            var settings = try config.map(SegmentConfig.read) ?? SegmentConfig()
            if let seed { settings.seed = seed }
            if printConfig {
                print(settings.yaml(), terminator: "")
                return
            }
            guard let input, let id, let out else { return }
            let start = Date()
            var hashing: KeyedHash?
            if hashIDs {
                guard let key = try keyedHash(option: hashKey) else {
                    throw ValidationError("--hash-ids needs a key: --hash-key KEY or the PERSONA_HASH_KEY environment variable")
                }
                hashing = key
            }
            let saved = try apply.map(SegmentModel.read)
            try SegmentModel.checkPrivacy(saved?.config ?? settings, idColumn: id, hashingIDs: hashIDs)
            let read = try input_.readOptions(for: input, progress: progress)
            let threads = input_.threadCount
            let joined = try joining.tables(id: id, input: input_)
            let run = try saved.map { try SegmentRun.apply(input: input, idColumn: id, model: $0, read: read, threads: threads, joining: joined) }
                ?? SegmentRun.fit(input: input, idColumn: id, config: settings, read: read, threads: threads, joining: joined)
            let migration = try compare.map { try Migration.compare(oldPath: $0, run: run, hashing: hashing) }
            // Scored on the table already read: the input is read once.
            let churn = try churnModel.map { try ChurnScoring.score(run.table, model: ChurnModelFile.read(path: $0), threads: threads).0 }
            let followUp = try validateWith.map { try FollowUp.measure(path: $0, run: run, delimiter: input_.delimiter(for: $0)) }
            var reportSeconds: Double?
            let outputs = OutputSet.forCommand()
            try outputs.stage(run.segmentsCSV(hashing: hashing, churn: churn.map { ("churn_probability", $0) }), to: out)
            if let model { try outputs.stage(try run.model.json(), to: model) }
            if reporting.wanted {
                let reportStart = Date()
                var files = ReportFiles(input: reporting.relative(input), segments: reporting.relative(out), model: model.map(reporting.relative),
                                        compare: compare.map(reporting.relative))
                files.idsHashed = hashIDs
                files.delimiter = read.delimiter
                try reporting.stage(try SegmentReport.document(run, churn: churn, migration: migration, files: files, language: reporting.language),
                                    into: outputs)
                reportSeconds = Date().timeIntervalSince(reportStart)
            }
            try outputs.commit()
            var summary = SegmentSummary(run: run, churn: churn, migration: migration, compare: compare, followUp: followUp)
            summary.written = [out, model, reporting.report, reporting.notebook].compactMap { $0 }
            summary.seconds = Date().timeIntervalSince(start)
            summary.reportSeconds = reportSeconds
            progress.finish()
            for note in JoinOptions.notes(run.joins) { Terminal.print(note) }
            Terminal.print(summary.text)
        } catch {
            progress.finish()
            throw Terminal.fail(error)
        }
    }
}
