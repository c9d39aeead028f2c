import ArgumentParser
import AtomicOutput
import CustomerData
import Foundation
import NumericCore

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Turn an order log into one row of RFM and behaviour features per customer.",
        discussion: """
            Streams TRANSACTIONS (CSV, .csv.gz, or whitespace-separated text) once. A line's \
            amount is --amount, or --price × --quantity; lines with a positive amount are \
            purchases, negative ones returns (cancellations), zero ones are ignored. Lines \
            without a customer id are dropped. Every count is printed at the end.

            Columns written: recency_days, frequency, monetary, avg_order_value, tenure_days, \
            mean_interpurchase_days, returns_count, returns_value, return_rate, active_days; with \
            --category also distinct_categories, top_category and share:<category> for the top \
            categories by spend; with --cutoff/--horizon also purchased_in_horizon and churned. \
            The README defines each one.

            Example (UCI Online Retail):
              persona features online_retail.csv.gz --customer CustomerID --date InvoiceDate \\
                --price UnitPrice --quantity Quantity --order InvoiceNo --as-of 2011-12-10 --out rfm.csv
            """)

    @Argument(help: ArgumentHelp("The order log (CSV, optionally .gz).", valueName: "TRANSACTIONS.csv"))
    var input: String

    @Option(help: ArgumentHelp("The customer id column; ids are written as in the input (trimmed).", valueName: "COL"))
    var customer: String

    @Option(help: ArgumentHelp("The order date/time column.", valueName: "COL"))
    var date: String

    @Option(help: ArgumentHelp("The line amount column (negative for returns). Or give --price and --quantity.", valueName: "COL"))
    var amount: String?

    @Option(help: ArgumentHelp("The unit price column (with --quantity).", valueName: "COL"))
    var price: String?

    @Option(help: ArgumentHelp("The quantity column (with --price; negative for returns).", valueName: "COL"))
    var quantity: String?

    @Option(help: ArgumentHelp("The order/invoice column: frequency counts distinct orders (default: distinct purchase days).", valueName: "COL"))
    var order: String?

    @Option(help: ArgumentHelp("The product category column: adds category preference features.", valueName: "COL"))
    var category: String?

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Compute recency and tenure as of this date (default: midnight after the latest date in the file). Later lines are left out.", valueName: "DATE"))
    var asOf: String?

    @Option(help: ArgumentHelp("Features from lines before DATE only; labels from the --horizon days after it.", valueName: "DATE"))
    var cutoff: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Label window after --cutoff, in days.", valueName: "DAYS"))
    var horizon: Int?

    @Option(name: .customLong("date-format"), help: ArgumentHelp("Date layout when not ISO, strftime style: %Y %y %m %b %d %H %M %S (CDNOW: %Y%m%d).", valueName: "FMT"))
    var dateFormat: String?

    @Option(help: ArgumentHelp("Field separator: 'auto' (detected from the first lines among , ; tab |; a note says when it is not a comma), one ASCII character, 'tab', or 'whitespace' (runs of spaces, as in fixed-width text; never detected).", valueName: "CHAR"))
    var delimiter: String = "auto"

    @Option(name: .customLong("top-categories"), parsing: .unconditional, help: ArgumentHelp("Categories (by total spend) that get a share:<category> column.", valueName: "N"))
    var topCategories: Int = 20

    @Flag(name: .customLong("skip-bad-rows"), help: "Count and skip lines whose date or amount cannot be read, instead of stopping.")
    var skipBadRows = false

    @Flag(help: "Drop exact duplicate lines (they are counted either way).")
    var dedupe = false

    @Flag(name: .customLong("normalize-ids"), help: "Write ids such as 17850.0 as 17850 (and treat both spellings as one customer).")
    var normalizeIDs = false

    @Option(help: ArgumentHelp("Where to write the customer features.", valueName: "FEATURES.csv"))
    var out: String

    @OptionGroup var limits: LimitOptions

    func validate() throws {
        try checkDistinctOutputs([("--out", out)], inputs: [("TRANSACTIONS", input)])
        switch (amount, price, quantity) {
        case (.some, nil, nil), (nil, .some, .some): break
        case (.some, _, _): throw ValidationError("give either --amount or --price with --quantity, not both")
        default: throw ValidationError("give the line amount: --amount COL, or --price COL with --quantity COL")
        }
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
        let source: OrderLogOptions.Amount = amount.map { .column($0) }
            ?? .priceTimesQuantity(price: price ?? "", quantity: quantity ?? "")
        var options = OrderLogOptions(customer: customer, date: date, amount: source)
        options.order = order
        options.category = category
        options.asOf = try asOf.map { try day($0, option: "--as-of") }
        options.cutoff = try cutoff.map { try day($0, option: "--cutoff") }
        options.horizonDays = horizon
        if let dateFormat {
            do { options.dateFormat = try TimestampFormat(pattern: dateFormat) } catch {
                throw ValidationError(error.description)
            }
        }
        if let separator = try orderLogSeparator(delimiter) { options.separator = separator }
        options.skipBadRows = skipBadRows
        options.dedupe = dedupe
        options.normalizeIDs = normalizeIDs
        options.shareCategories = topCategories
        options.limits = try limits.limits()
        return options
    }

    func run() throws {
        BLASConfiguration.setThreadCount(1)  // no BLAS here; keeps OpenBLAS's idle threads from spinning
        let progress = ProgressLine()
        do {
            let start = Date()
            var options = try options()
            if delimiter == "auto", isPipe(input) {
                // A pipe can be read only once: the separator is found in its first lines as they come.
                options.detectSeparator = true
                let path = input
                options.separatorDetected = { detected in
                    if detected != UInt8(ascii: ",") { Terminal.print(delimiterNote(file: path, detected)) }
                }
            } else if delimiter == "auto" {
                let detected = try DelimiterSniffer.detect(path: input)
                if detected != UInt8(ascii: ",") { Terminal.print(delimiterNote(file: input, detected)) }
                options.separator = .byte(detected)
            }
            let features = try OrderLogReader.features(path: input, options: options) { progress.update($0) }
            let readSeconds = Date().timeIntervalSince(start)
            progress.update("writing \(out)…")
            let writeStart = Date()
            let outputs = OutputSet.forCommand()
            try outputs.stage(features.csv(), to: out)
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
