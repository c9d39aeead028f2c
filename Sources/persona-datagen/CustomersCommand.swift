import ArgumentParser
import SyntheticData

/// `persona-datagen customers`: the CRM customer export with planted segments.
struct CustomersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers",
        abstract: "Write a customer export: one row per customer, five planted segments.",
        discussion: """
            Columns: customer_id (C000001…), gender (M/F/blank), age, 城市, 会员等级, \
            channel (web/app/store), tenure_days, recency_days, frequency, total_spend, \
            avg_basket, return_rate, discount_share, email_open_rate, sessions_30d, \
            referrals, preferred_category, last_campaign, newsletter (Yes/No), churned \
            (Yes/No, a logistic function of the other columns). About 2-5 % of the cells of \
            age, total_spend, avg_basket, discount_share and email_open_rate are blank.

            Segments (vip 8 %, regular 35 %, bargain_hunter 22 %, lapsed 20 %, new 15 %) are \
            not a column; --truth writes customer_id,segment to a separate file.

            Example:
              persona-datagen customers --rows 2000 --seed 42 \\
                --out customers.csv --truth customers_truth.csv
            """)

    @Option(name: [.customLong("rows"), .customShort("n")], parsing: .unconditional, help: "The number of customers.")
    var rows: Int = 10_000

    @OptionGroup var output: OutputOptions

    func makeGenerator() throws(SyntheticDataError) -> CustomerGenerator {
        try CustomerGenerator(rows: rows, seed: output.seed, includeTruth: output.truth != nil)
    }

    func validate() throws {
        do {
            _ = try makeGenerator()
        } catch {
            throw ValidationError(error.naming(["rows": "--rows"]))
        }
    }

    func run() throws {
        try writeAtomically(makeGenerator(), out: output.out, truth: output.truth)
    }
}
