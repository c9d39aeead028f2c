import ArgumentParser
import SyntheticData

/// `persona-datagen orders`: an order-line log in the style of UCI Online Retail.
struct OrdersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "Write an order log: one line per invoice line, in time order.",
        discussion: """
            Columns: InvoiceNo, StockCode, Description, Quantity, InvoiceDate \
            (YYYY-MM-DD HH:MM:SS), UnitPrice, CustomerID, Country, Category. Customers \
            follow the planted segments: lapsed customers stop buying partway through the \
            period, new ones start in its second half. Planted blemishes: returns (InvoiceNo \
            C..., negative Quantity), guest lines without CustomerID, exact duplicate lines, \
            blank descriptions, POST postage lines. About 39 lines per customer per year: \
            26,000 customers give about 1M lines, 260,000 about 10M.

            --truth writes CustomerID,segment,active_from,active_until.

            Example:
              persona-datagen orders --customers 500 --start 2023-01-01 --end 2023-12-31 \\
                --out orders.csv --truth orders_truth.csv
            """)

    @Option(parsing: .unconditional, help: "The number of registered customers.")
    var customers: Int = 1_000

    @Option(help: ArgumentHelp("The first day of the log.", valueName: "YYYY-MM-DD"))
    var start: String = "2023-01-01"

    @Option(help: ArgumentHelp("The last day of the log (inclusive).", valueName: "YYYY-MM-DD"))
    var end: String = "2023-12-31"

    @Option(parsing: .unconditional, help: "The share of purchase invoices made by guests without a CustomerID.")
    var guestShare: Double = 0.1

    @Option(parsing: .unconditional, help: "The probability that a line is written twice (an exact duplicate).")
    var duplicateRate: Double = 0.002

    @OptionGroup var output: OutputOptions

    func makeGenerator() throws(SyntheticDataError) -> OrderGenerator {
        try OrderGenerator(
            customers: customers, start: CivilDate(parsing: start, parameter: "start"),
            end: CivilDate(parsing: end, parameter: "end"), guestShare: guestShare,
            duplicateRate: duplicateRate, seed: output.seed, includeTruth: output.truth != nil)
    }

    func validate() throws {
        do {
            _ = try makeGenerator()
        } catch {
            throw ValidationError(
                error.naming([
                    "customers": "--customers", "start": "--start", "end": "--end",
                    "guestShare": "--guest-share", "duplicateRate": "--duplicate-rate",
                ]))
        }
    }

    func run() throws {
        try writeAtomically(makeGenerator(), out: output.out, truth: output.truth)
    }
}
