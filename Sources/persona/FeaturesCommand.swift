import ArgumentParser
import AtomicOutput
import CustomerData
import Foundation
import NumericCore

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Turn order logs into one row of RFM and behaviour features per customer.",
        discussion: """
            Streams TRANSACTIONS (CSV, .csv.gz, or whitespace-separated text) once. A line's \
            amount is --amount, or --price × --quantity; lines with a positive amount are \
            purchases, negative ones returns (cancellations), zero ones are ignored. Lines \
            without a customer id are dropped. Every count is printed at the end.

            Several logs are read one after the other (the first given first), with the same \
            options; each must have the columns they name. Without --identities they are one \
            log cut in pieces (monthly exports of one system): the same customer id, order id \
            or line in two of them is the same customer, order or line. With --identities \
            IDENTITIES.csv (from persona identity) and one --source per log, in the same order, \
            each log's --customer column holds record ids of its source (trimmed as persona \
            identity trims them; source A's record 17 is not source B's), every line counts \
            for its record's customer key, and the id column written is customer_key. Order ids \
            and duplicate lines are then told apart by source too. A record id that is not in \
            IDENTITIES.csv stops the run unless --unmatched says otherwise.

            Columns written: recency_days, frequency, monetary, avg_order_value, tenure_days, \
            mean_interpurchase_days, returns_count, returns_value, return_rate, active_days; with \
            --category also distinct_categories, top_category and share:<category> for the top \
            categories by spend; with --cutoff/--horizon also purchased_in_horizon and churned. \
            The README defines each one.

            Example (UCI Online Retail):
              persona features online_retail.csv.gz --customer CustomerID --date InvoiceDate \\
                --price UnitPrice --quantity Quantity --order InvoiceNo --as-of 2011-12-10 --out rfm.csv

            Example (a shop and tills, customers resolved by persona identity):
              persona features shop.csv till.csv --identities identities.csv \\
                --source shop --source till --customer customer --date date \\
                --amount amount --out rfm.csv
            """)

    @Argument(help: ArgumentHelp("The order log(s) (CSV, optionally .gz), read in this order.", valueName: "TRANSACTIONS.csv"))
    var inputs: [String]

    /// The first log (the only one for `persona step`).
    var input: String { inputs.first ?? "" }

    @OptionGroup var columns: OrderLogColumns

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Compute recency and tenure as of this date (default: midnight after the latest date in the logs). Later lines are left out.", valueName: "DATE"))
    var asOf: String?

    @Option(help: ArgumentHelp("Features from lines before DATE only; labels from the --horizon days after it.", valueName: "DATE"))
    var cutoff: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Label window after --cutoff, in days.", valueName: "DAYS"))
    var horizon: Int?

    @Option(name: .customLong("top-categories"), parsing: .unconditional, help: ArgumentHelp("Categories (by total spend) that get a share:<category> column.", valueName: "N"))
    var topCategories: Int = 20

    @Option(help: ArgumentHelp("Customer keys from persona identity (source,record_id,customer_key): each log's record ids are looked up under its --source.", valueName: "IDENTITIES.csv"))
    var identities: String?

    @Option(name: .customLong("source"), help: ArgumentHelp("With --identities: the source (as named in IDENTITIES.csv) whose record ids a log holds; one per log, in the order of the logs.", valueName: "NAME"))
    var sources: [String] = []

    @Option(help: ArgumentHelp("With --identities, a line whose record id is not in IDENTITIES.csv: error (stop, naming the file, line and id; the default), drop (count it and leave it out), or keep (count it for a customer of its own, keyed SOURCE:RECORD_ID).", valueName: "error|drop|keep"))
    var unmatched: String?

    @Option(help: ArgumentHelp("Where to write the customer features.", valueName: "FEATURES.csv"))
    var out: String

    func validate() throws {
        try checkDistinctOutputs([("--out", out)], inputs: inputs.map { ("TRANSACTIONS", $0) } + [("--identities", identities)])
        try validateLogs()
        if (cutoff == nil) != (horizon == nil) {
            throw ValidationError("--cutoff and --horizon go together: features before the cutoff, labels in the horizon after it")
        }
        if let horizon, !(1...36_500).contains(horizon) {
            throw ValidationError("--horizon must be between 1 and 36500 days; got \(horizon)")
        }
        if cutoff != nil, asOf != nil {
            throw ValidationError("--as-of cannot be combined with --cutoff: with a cutoff, features are computed as of the cutoff")
        }
        guard topCategories >= 0 else { throw ValidationError("--top-categories must be 0 or more; got \(topCategories)") }
        _ = try options()
    }

    private func day(_ text: String, option: String) throws -> Int64 {
        try dateOption(text, option: option)
    }

    /// The options as given; with `--delimiter auto` the separator is a comma until `run()`
    /// has looked at the file.
    func options() throws -> OrderLogOptions {
        var options = try columns.options()
        options.asOf = try asOf.map { try day($0, option: "--as-of") }
        options.cutoff = try cutoff.map { try day($0, option: "--cutoff") }
        options.horizonDays = horizon
        options.shareCategories = topCategories
        if let unmatched {
            guard let choice = OrderLogOptions.Unmatched(rawValue: unmatched) else {
                throw ValidationError("--unmatched must be error, drop or keep; got '\(unmatched)'")
            }
            options.unmatched = choice
        }
        return options
    }

    /// The logs, with --identities, their sources and what to do with unknown record ids agree.
    private func validateLogs() throws {
        guard identities != nil else {
            if let given = sources.first {
                throw ValidationError("--source \(given): --source names the system a log comes from, for --identities; give --identities IDENTITIES.csv (from persona identity), or leave --source out")
            }
            if unmatched != nil { throw ValidationError("--unmatched applies only with --identities") }
            return
        }
        guard sources.count == inputs.count else {
            func list(_ items: [String]) -> String { items.isEmpty ? "" : " (" + items.joined(separator: ", ") + ")" }
            let names = inputs.map { ($0 as NSString).lastPathComponent }
            throw ValidationError("give one --source per order log, in the order of the logs: \(inputs.count) log\(inputs.count == 1 ? "" : "s")\(list(names)), \(sources.count) --source\(list(sources))")
        }
        if columns.normalizeIDs {
            throw ValidationError("--normalize-ids cannot be combined with --identities: record ids are looked up as IDENTITIES.csv has them")
        }
    }

    /// Each log with its source, and its separator settled: `--delimiter auto` looks at a
    /// file's first lines now (with a note when it is not a comma), at a pipe's as it is read.
    func logs() throws -> [OrderLogFile] {
        try inputs.enumerated().map { k, path in
            var log = OrderLogFile(path: path, source: identities == nil ? nil : sources[k])
            guard columns.delimiter == "auto" else { return log }
            if isPipe(path) {
                log.detectSeparator = { detected in
                    if detected != UInt8(ascii: ",") { Terminal.print(delimiterNote(file: path, detected)) }
                }
            } else {
                let detected = try DelimiterSniffer.detect(path: path)
                if detected != UInt8(ascii: ",") { Terminal.print(delimiterNote(file: path, detected)) }
                log.separator = .byte(detected)
            }
            return log
        }
    }

    func run() throws {
        BLASConfiguration.setThreadCount(1)  // no BLAS here; keeps OpenBLAS's idle threads from spinning
        let progress = ProgressLine()
        do {
            let start = Date()
            var options = try options()
            let logs = try logs()
            if let identities {
                progress.update("reading \(identities)…")
                options.customerKeys = try CustomerKeyMap.read(path: identities, limits: options.limits)
            }
            let features = try OrderLogReader.features(logs: logs, options: options) { progress.update($0) }
            let readSeconds = Date().timeIntervalSince(start)
            progress.update("writing \(out)…")
            let writeStart = Date()
            let outputs = OutputSet.forCommand()
            let file = try outputs.open(out)
            try features.writeCSV { try file.write($0) }
            try outputs.commit()
            progress.finish()
            Terminal.print(FeaturesSummary(features: features, options: options, output: out,
                                           readSeconds: readSeconds,
                                           writeSeconds: Date().timeIntervalSince(writeStart)).text)
        } catch {
            progress.finish()
            throw Terminal.fail(error)
        }
    }
}
