import ArgumentParser
import CustomerData
import Foundation

/// How to read an order log: its columns and parsing choices (shared by the commands that
/// read one).
struct OrderLogColumns: ParsableArguments {
    @Option(help: ArgumentHelp("The customer id column; ids are kept as in the input (trimmed; with persona features --identities, record ids of the log's source).", valueName: "COL"))
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

    @Option(name: .customLong("date-format"), help: ArgumentHelp("Date layout when not ISO, strftime style: %Y %y %m %b %d %H %M %S (CDNOW: %Y%m%d).", valueName: "FMT"))
    var dateFormat: String?

    @Option(help: ArgumentHelp("Field separator: 'auto' (detected from the first lines among , ; tab |; a note says when it is not a comma), one ASCII character, 'tab', or 'whitespace' (runs of spaces, as in fixed-width text; never detected).", valueName: "CHAR"))
    var delimiter: String = "auto"

    @Flag(name: .customLong("skip-bad-rows"), help: "Count and skip lines whose date or amount cannot be read, instead of stopping.")
    var skipBadRows = false

    @Flag(help: "Drop exact duplicate lines (they are counted either way).")
    var dedupe = false

    @Flag(name: .customLong("normalize-ids"), help: "Write ids such as 17850.0 as 17850 (and treat both spellings as one customer).")
    var normalizeIDs = false

    @OptionGroup var limits: LimitOptions

    func validate() throws {
        switch (amount, price, quantity) {
        case (.some, nil, nil), (nil, .some, .some): break
        case (.some, _, _): throw ValidationError("give either --amount or --price with --quantity, not both")
        default: throw ValidationError("give the line amount: --amount COL, or --price COL with --quantity COL")
        }
        _ = try options()
    }

    /// The options as given; with `--delimiter auto` the separator is a comma until
    /// `detectSeparator(for:into:)` has looked at the file.
    func options() throws -> OrderLogOptions {
        let source: OrderLogOptions.Amount = amount.map { .column($0) }
            ?? .priceTimesQuantity(price: price ?? "", quantity: quantity ?? "")
        var options = OrderLogOptions(customer: customer, date: date, amount: source)
        options.order = order
        options.category = category
        if let dateFormat {
            do { options.dateFormat = try TimestampFormat(pattern: dateFormat) } catch {
                throw ValidationError(error.description)
            }
        }
        if let separator = try orderLogSeparator(delimiter) { options.separator = separator }
        options.skipBadRows = skipBadRows
        options.dedupe = dedupe
        options.normalizeIDs = normalizeIDs
        options.limits = try limits.limits()
        return options
    }

    /// With `--delimiter auto`: the separator found in the file's first lines (a note says when
    /// it is not a comma), or for a pipe, found as its first lines are read.
    func detectSeparator(for input: String, into options: inout OrderLogOptions) throws {
        guard delimiter == "auto" else { return }
        if isPipe(input) {
            options.detectSeparator = true
            options.separatorDetected = { detected in
                if detected != UInt8(ascii: ",") { Terminal.print(delimiterNote(file: input, detected)) }
            }
        } else {
            let detected = try DelimiterSniffer.detect(path: input)
            if detected != UInt8(ascii: ",") { Terminal.print(delimiterNote(file: input, detected)) }
            options.separator = .byte(detected)
        }
    }
}
