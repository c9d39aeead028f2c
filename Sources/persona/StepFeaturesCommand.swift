import ArgumentParser
import CustomerData
import Foundation
import NumericCore
import Segmentation

/// `persona step order-span`: what the partitions of an order log must agree on before each
/// makes its customers' features: the latest date (the default --as-of) and the purchase
/// spend per category (the share: columns).
struct OrderSpanStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order-span",
        abstract: "Map step for persona features on a partitioned order log: first and last date, spend per category, as JSON.",
        discussion: """
            Takes persona features' arguments (TRANSACTIONS.csv is the partition; --out is not \
            written). The driver takes the latest date over all partitions for --as-of (midnight \
            after it) and the categories with the most spend over all partitions for \
            persona step features --share-categories.
            """)

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("persona features' arguments.", valueName: "ARGUMENTS"))
    var arguments: [String] = []

    struct Span: Codable {
        var lines: Int
        var firstDate: Int64?
        var lastDate: Int64?
        var categoryTotals: [String: Double]
        enum CodingKeys: String, CodingKey {
            case lines
            case firstDate = "first_date"
            case lastDate = "last_date"
            case categoryTotals = "category_totals"
        }
    }

    func run() throws {
        do {
            let command = try FeaturesCommand.parse(arguments.contains("--out") ? arguments : arguments + ["--out", "-"])
            var span = Span(lines: 0, firstDate: nil, lastDate: nil, categoryTotals: [:])
            do {
                let report = try OrderLogReader.features(path: command.input, options: try command.explicitOptions()).report
                span = Span(lines: report.lines, firstDate: report.firstDate, lastDate: report.lastDate, categoryTotals: report.categoryTotals)
            } catch CustomerDataError.noLinesBefore, CustomerDataError.noCustomers {
                // This partition adds nothing before the moment; others may.
            }
            FileHandle.standardOutput.write(Data(try StepFile.json(span)))
        } catch {
            throw Terminal.fail(error)
        }
    }
}

/// `persona step features`: `persona features` on one partition of an order log (all of each
/// customer's lines in it), with the share: columns the whole file has.
struct FeaturesStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Map step: persona features on one partition of an order log, with given share: columns.",
        discussion: "Takes persona features' arguments (give --as-of or --cutoff, and --delimiter, so partitions agree), after --share-categories.")

    @Option(name: .customLong("share-categories"), help: ArgumentHelp("A JSON list of the categories that get a share: column, in order.", valueName: "CATEGORIES.json"))
    var shareCategories: String?

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("persona features' arguments.", valueName: "ARGUMENTS"))
    var arguments: [String] = []

    func run() throws {
        BLASConfiguration.setThreadCount(1)
        do {
            let command = try FeaturesCommand.parse(arguments)
            var options = try command.explicitOptions()
            if let shareCategories {
                options.shareCategoryNames = try StepFile.read([String].self, path: shareCategories)
            }
            let features = try OrderLogReader.features(path: command.input, options: options)
            try StepOutput.write(features.csv(), to: command.out)
        } catch {
            throw Terminal.fail(error)
        }
    }
}

extension FeaturesCommand {
    /// The options with the separator settled: `--delimiter auto` looks at the file. A step
    /// reads one partition of one log.
    func explicitOptions() throws -> OrderLogOptions {
        guard inputs.count == 1, identities == nil else {
            throw ValidationError("a step reads one partition of one order log: several logs and --identities are not supported here")
        }
        var options = try options()
        if columns.delimiter == "auto" { options.separator = .byte(try DelimiterSniffer.detect(path: input)) }
        return options
    }
}
