import ArgumentParser
import AtomicOutput
import NumericCore

@main
struct Persona: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persona",
        abstract: "Customer segmentation and churn scoring for CRM and e-commerce exports.",
        discussion: """
            Persona reads a customer export (CSV, UTF-8, any Unicode headers) or an order log: \
            cluster finds segments with k-means on standardized features, features turns an \
            order log into one row of RFM and behaviour features per customer, churn trains and \
            applies a churn or purchase-probability model. Every command writes all of its \
            outputs or none, and prints a summary on stderr.

            Examples:
              persona cluster datasets/sample_customers.csv --id customer_id --out segments.csv --model model.json
              persona features datasets/sample_orders.csv --customer CustomerID --date InvoiceDate \\
                --price UnitPrice --quantity Quantity --order InvoiceNo --out features.csv
              persona churn train datasets/sample_customers.csv --id customer_id --label churned --model churn.json
            """,
        version: "0.1.0",
        subcommands: [ClusterCommand.self, FeaturesCommand.self, IdentityCommand.self, ChurnCommand.self, SegmentCommand.self, TagCommand.self, StepCommand.self, CLVCommand.self, StoreCommand.self])

    /// Temporary output files are removed on Ctrl-C or SIGTERM (`OutputInterrupts`).
    static func main() {
        OutputInterrupts.install()
        PageRelease.returnFreedMemoryPromptly()
        main(nil)
    }
}
