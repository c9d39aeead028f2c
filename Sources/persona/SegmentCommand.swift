import ArgumentParser
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
            Each dimension is clustered on its own columns (standardized, log1p for spend-like \
            ones) and the clusters are named by an explicit score: value by mean standardized \
            spend and frequency (high / mid / low), behaviour by recency against frequency and \
            engagement (active / potential / at_risk / churned). Lifecycle stages follow \
            documented rules (README). Without --config the columns of persona features are \
            used; --print-config writes the effective config to start from.

            --apply MODEL.json assigns new customers to a saved run's tiers without refitting \
            (nearest saved centroid); --compare OLD_SEGMENTS.csv prints how customers moved \
            between the old run's tiers and this one's.

            Privacy: columns listed under pii: in the config are never written; --hash-ids \
            replaces ids by a keyed hash (HMAC-SHA-256, 32 hex digits) with the key from \
            --hash-key or the PERSONA_HASH_KEY environment variable, so segments can leave the \
            CRM and still be joined back inside it.

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

    @Option(help: ArgumentHelp("Random seed for the clustering (overrides the config's).", valueName: "S"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("Assign to the tiers of a saved run (its MODEL.json) instead of clustering again.", valueName: "MODEL.json"))
    var apply: String?

    @Option(help: ArgumentHelp("An earlier SEGMENTS.csv: print the migration between its tiers and this run's.", valueName: "OLD_SEGMENTS.csv"))
    var compare: String?

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
                                 inputs: [("INPUT", input), ("--config", config), ("--apply", apply), ("--compare", compare),
                                          ("--churn-model", churnModel)])
        try reporting.requireForNotebook(model, option: "--model MODEL.json")
        if apply != nil, config != nil {
            throw ValidationError("--apply uses the config saved in the model; leave out --config")
        }
    }

    func run() throws {
        BLASConfiguration.setThreadCount(1)
        do {
            var settings = try config.map(SegmentConfig.read) ?? SegmentConfig()
            if let seed { settings.seed = seed }
            if printConfig {
                print(try settings.yaml(), terminator: "")
                return
            }
            guard let input, let id, let out else { return }
            let start = Date()
            var hashing: KeyedHash?
            if hashIDs {
                guard let key = hashKey ?? ProcessInfo.processInfo.environment["PERSONA_HASH_KEY"], !key.isEmpty else {
                    throw ValidationError("--hash-ids needs a key: --hash-key KEY or the PERSONA_HASH_KEY environment variable")
                }
                hashing = KeyedHash(key: Array(key.utf8))
            }
            try SegmentJob.checkPrivacy(settings, idColumn: id, hashingIDs: hashIDs)
            var read = CSVReadOptions()
            read.delimiter = try input_.delimiter(for: input)
            read.threads = input_.threadCount
            let run = try apply.map {
                try SegmentJob.apply(input: input, idColumn: id, modelPath: $0, read: read, hashingIDs: hashIDs, threads: input_.threadCount)
            }
                ?? SegmentJob.run(input: input, idColumn: id, config: settings, read: read, threads: input_.threadCount)
            let migration = try compare.map { try Migration.compare(oldPath: $0, run: run, hashing: hashing) }
            let churn = try churnModel.map {
                try ChurnScoring.run(input: input, modelPath: $0, idColumn: id, tiers: nil, read: read, threads: input_.threadCount).probabilities
            }
            var reportSeconds: Double?
            let outputs = OutputFiles()
            try outputs.stage(run.segmentsCSV(hashing: hashing, churn: churn), to: out)
            if let model { try outputs.stage(try run.modelJSON(), to: model) }
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
            var lines = ["persona segment: \(run.source), \(Format.count(run.valueTier.count)) customers"]
            for (dimension, assigned) in [(run.value, run.valueTier), (run.behavior, run.behaviorTier)] {
                lines.append("  \(dimension.name) tiers (k-means on \(dimension.columns.joined(separator: ", ")); centroids in original units):")
                for (t, tier) in dimension.tiers.enumerated() {
                    let count = assigned.filter { $0 == t }.count
                    let centre = dimension.columns.map { "\($0) \(Format.decimal(tier.centroid[$0] ?? .nan, 1))" }.joined(separator: ", ")
                    lines.append("    " + tier.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                        + Format.count(count).leftPadded(to: 9) + "  " + Format.percent(count, of: assigned.count).leftPadded(to: 6)
                        + "  score \(Format.decimal(tier.score, 2))  [\(centre)]")
                }
            }
            if let preference = run.preference {
                lines.append("  preference groups (k-means on \(preference.columns.count) preference columns; named by the largest lift):")
                for (g, cluster) in preference.clusters.enumerated() {
                    let size = run.preferenceGroup?.filter { $0 == g }.count ?? 0  // this run's customers (also with --apply)
                    lines.append("    " + cluster.name.padding(toLength: 28, withPad: " ", startingAt: 0)
                        + Format.count(size).leftPadded(to: 9) + "  " + Format.percent(size, of: run.valueTier.count).leftPadded(to: 6))
                }
            }
            let selection = run.persona.kSelection.map { rows in
                " k = \(run.persona.clusters.count) by silhouette (" + rows.map { "\($0.k): \(Format.optional($0.silhouette, 3))" }.joined(separator: ", ") + ")"
            } ?? ""
            lines.append("  personas (k-means on all roles;\(selection)):")
            let nameWidth = run.persona.clusters.map(\.name.count).max() ?? 20
            for (c, cluster) in run.persona.clusters.enumerated() {
                let size = run.personaCluster.filter { $0 == c }.count
                lines.append("    \(c) " + cluster.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                    + Format.count(size).leftPadded(to: 9) + "  " + Format.percent(size, of: run.valueTier.count).leftPadded(to: 6)
                    + "  traits: " + cluster.traits.joined(separator: ", "))
                if let attributes = cluster.attributes, !attributes.isEmpty {
                    lines.append("        " + attributes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " · "))
                }
            }
            var stages = [String: Int]()
            for stage in run.lifecycle { stages[stage, default: 0] += 1 }
            lines.append("  lifecycle: " + ["potential", "new", "won_back", "VIP", "growing", "mature", "declining"]
                .compactMap { s in stages[s].map { "\(s) \(Format.count($0))" } }.joined(separator: " · "))
            if let tags = run.tags {
                var counts = [String: Int]()
                for row in tags { for tag in row { counts[tag, default: 0] += 1 } }
                let names = run.config.tags?.map(\.name) ?? []
                lines.append("  tags: " + names.map { "\($0) \(Format.count(counts[$0] ?? 0))" }.joined(separator: " · "))
            }
            if let churn {
                let means = run.behavior.tiers.indices.map { t -> String in
                    let values = run.behaviorTier.indices.filter { run.behaviorTier[$0] == t }.map { churn[$0] }
                    return "\(run.behavior.tiers[t].name) \(Format.decimal(values.reduce(0, +) / Double(max(1, values.count)), 3))"
                }
                lines.append("  churn probability, mean by behaviour tier: " + means.joined(separator: " · "))
            }
            if let migration {
                lines.append("  migration from \(compare ?? "") (\(Format.count(migration.matched)) customers in both; "
                    + "\(Format.count(migration.onlyOld)) only before, \(Format.count(migration.onlyNew)) only now):")
                for table in migration.tables {
                    let width = max(10, (table.old + table.new).map(\.count).max() ?? 10) + 2
                    lines.append("    \(table.column) (rows: before, columns: now)")
                    lines.append("    " + "".padding(toLength: width + 4, withPad: " ", startingAt: 0)
                        + table.new.map { $0.leftPadded(to: width) }.joined())
                    for (r, name) in table.old.enumerated() {
                        lines.append("    " + name.padding(toLength: width + 4, withPad: " ", startingAt: 0)
                            + table.counts[r].map { Format.count($0).leftPadded(to: width) }.joined())
                    }
                }
            }
            let written = [out, model, reporting.report, reporting.notebook].compactMap { $0 }
            lines.append("  wrote \(written.joined(separator: ", ")) in \(Format.seconds(Date().timeIntervalSince(start)))"
                         + (reportSeconds.map { " (report and notebook: \(Format.seconds($0)))" } ?? ""))
            Terminal.print(lines.joined(separator: "\n"))
        } catch {
            throw Terminal.fail(error)
        }
    }
}
