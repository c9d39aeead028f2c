import ArgumentParser

@main
struct Persona: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persona",
        abstract: "Customer segmentation and churn scoring for CRM and e-commerce exports.",
        discussion: """
            Persona reads a customer export (CSV, UTF-8, any Unicode headers) and finds customer \
            segments with k-means on standardized features. Every command writes all of its \
            outputs or none, and prints a summary on stderr.

            Example:
              persona cluster datasets/sample_customers.csv --id customer_id --out segments.csv --model model.json
            """,
        version: "0.1.0",
        subcommands: [ClusterCommand.self, FeaturesCommand.self, ChurnCommand.self])
}
