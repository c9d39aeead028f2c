import ArgumentParser
import AtomicOutput
import CustomerData
import Foundation
import Reporting
import NumericCore
import Segmentation

struct CLVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clv",
        abstract: "Customer lifetime value, P(alive) and expected purchases: BG/NBD or Pareto/NBD, and Gamma-Gamma.",
        discussion: """
            From an order log (--date and --amount given) the buy-till-you-die summary is made \
            as lifetimes' summary_data_from_transaction_data: per customer, frequency = periods \
            with a purchase − 1 (zero amounts count; negative ones are an error), recency and T \
            in periods from the first purchase, monetary_value = mean spend of the repeat \
            periods. From a summary table give --frequency, --recency, --T and --monetary instead.

            BG/NBD (Fader, Hardie & Lee 2005) is fitted to every customer by maximum likelihood; \
            with --model-type pareto, Pareto/NBD (Schmittlein, Morrison & Colombo 1987) instead, \
            and with --model-type both, both (the standard columns from BG/NBD, Pareto/NBD's in \
            p_alive_pareto, expected_purchases_pareto and clv_pareto). Gamma-Gamma is fitted to \
            customers with repeat purchases and a positive spend. Written per customer: p_alive, \
            expected_purchases in --horizon months, expected_value (expected spend per purchase) \
            and clv (discounted by --discount per month), as lifetimes' customer_lifetime_value.

            Example (CDNOW, weekly, 39-week calibration):
              persona clv CDNOW_master.txt --delimiter whitespace --customer customer_id --date date \\
                --date-format %Y%m%d --amount dollar_value --period week --calibration-end 1997-09-30 \\
                --out clv.csv --model clv.json
            """)

    @Argument(help: ArgumentHelp("The order log, or a summary table with --frequency.", valueName: "LOG.csv"))
    var input: String

    @Option(help: ArgumentHelp("The customer id column; ids are written as in the input.", valueName: "COL"))
    var customer: String

    @Option(help: ArgumentHelp("The order date column (order-log mode).", valueName: "COL"))
    var date: String?

    @Option(help: ArgumentHelp("The line amount column (order-log mode).", valueName: "COL"))
    var amount: String?

    @Option(name: .customLong("date-format"), help: ArgumentHelp("Date layout when not ISO, strftime style (CDNOW: %Y%m%d).", valueName: "FMT"))
    var dateFormat: String?

    @Option(help: ArgumentHelp("Period of the summary: day or week (pandas weeks, Monday to Sunday).", valueName: "day|week"))
    var period: String = "day"

    @Option(name: .customLong("calibration-end"), help: ArgumentHelp("Last calibration day (inclusive); later lines up to the observation end are the holdout, reported as predicted vs actual.", valueName: "DATE"))
    var calibrationEnd: String?

    @Option(name: .customLong("observation-end"), help: ArgumentHelp("Last day observed, inclusive (default: the last date in the log); as lifetimes' observation_period_end.", valueName: "DATE"))
    var observationEnd: String?

    @Option(help: ArgumentHelp("Summary-table mode: the frequency column (repeat periods).", valueName: "COL"))
    var frequency: String?

    @Option(help: ArgumentHelp("Summary-table mode: the recency column (periods).", valueName: "COL"))
    var recency: String?

    @Option(name: .customLong("T"), help: ArgumentHelp("Summary-table mode: the T column (age in periods).", valueName: "COL"))
    var age: String?

    @Option(help: ArgumentHelp("Summary-table mode: the monetary value column (mean spend of repeat periods).", valueName: "COL"))
    var monetary: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Horizon of expected_purchases and clv, in months (30 days or 4.345 weeks each).", valueName: "MONTHS"))
    var horizon: Int = 12

    @Option(parsing: .unconditional, help: ArgumentHelp("Discount rate per month for clv.", valueName: "R"))
    var discount: Double = 0.01

    @Option(parsing: .unconditional, help: ArgumentHelp("L2 penalty on the parameters, as lifetimes' penalizer_coef (each model as its lifetimes fitter applies it).", valueName: "X"))
    var penalizer: Double = 0

    @Option(name: .customLong("model-type"), help: ArgumentHelp("The repeat-purchase model: bgnbd, pareto (Pareto/NBD), or both (BG/NBD's columns plus *_pareto ones).", valueName: "bgnbd|pareto|both"))
    var modelType: String = "bgnbd"

    @Option(help: ArgumentHelp("Field separator: 'auto', one ASCII character, 'tab', or 'whitespace' (order logs only).", valueName: "CHAR"))
    var delimiter: String = "auto"

    @Option(help: ArgumentHelp("Where to write one row per customer.", valueName: "CLV.csv"))
    var out: String

    @Option(help: ArgumentHelp("Where to write the fitted models.", valueName: "CLV.json"))
    var model: String?

    @OptionGroup var reporting: ReportOptions

    @OptionGroup var limits: LimitOptions

    private var summaryMode: Bool { frequency != nil || recency != nil || age != nil || monetary != nil }

    func validate() throws {
        try checkDistinctOutputs([("--out", out), ("--model", model), ("--report", reporting.report), ("--notebook", reporting.notebook)],
                                 inputs: [("LOG", input)])
        if summaryMode {
            guard frequency != nil, recency != nil, age != nil, monetary != nil else {
                throw ValidationError("a summary table needs all of --frequency, --recency, --T and --monetary")
            }
            for (name, given) in [("--date", date), ("--amount", amount), ("--calibration-end", calibrationEnd),
                                  ("--observation-end", observationEnd), ("--date-format", dateFormat)] where given != nil {
                throw ValidationError("\(name) is for order logs; a summary table (--frequency …) is already summarized")
            }
        } else if date == nil || amount == nil {
            throw ValidationError("give an order log's --date and --amount columns, or a summary table's --frequency, --recency, --T and --monetary")
        }
        guard BTYDPeriod(rawValue: period) != nil else { throw ValidationError("--period must be day or week; got '\(period)'") }
        guard CLVModelType(rawValue: modelType) != nil else { throw ValidationError("--model-type must be bgnbd, pareto or both; got '\(modelType)'") }
        guard (1...1200).contains(horizon) else { throw ValidationError("--horizon must be between 1 and 1200 months; got \(horizon)") }
        guard discount.isFinite, discount >= 0, discount < 10 else { throw ValidationError("--discount must be a monthly rate in [0, 10); got \(discount)") }
        guard penalizer.isFinite, penalizer >= 0 else { throw ValidationError("--penalizer must be 0 or more; got \(penalizer)") }
        if let calibration = try calibrationEnd.map({ try day($0, option: "--calibration-end") }),
           let observation = try observationEnd.map({ try day($0, option: "--observation-end") }), observation <= calibration {
            throw ValidationError("--observation-end (\(observationEnd ?? "")) must come after --calibration-end (\(calibrationEnd ?? ""))")
        }
        _ = try logOptions()
    }

    private func day(_ text: String, option: String) throws -> Int32 {
        let seconds = try dateOption(text, option: option)
        return Int32(truncatingIfNeeded: (seconds - ((seconds % 86_400) + 86_400) % 86_400) / 86_400)
    }

    private func logOptions() throws -> OrderLogOptions {
        var options = OrderLogOptions(customer: customer, date: date ?? "", amount: .column(amount ?? ""))
        if let dateFormat {
            do { options.dateFormat = try TimestampFormat(pattern: dateFormat) } catch { throw ValidationError(error.description) }
        }
        if let separator = try orderLogSeparator(delimiter) { options.separator = separator }
        options.limits = try limits.limits()
        return options
    }

    func run() throws {
        BLASConfiguration.setThreadCount(1)
        let progress = ProgressLine()
        do {
            let start = Date()
            let summary = try readSummary(progress: progress)
            let readSeconds = Date().timeIntervalSince(start)
            var options = CLVOptions()
            options.modelType = CLVModelType(rawValue: modelType) ?? .bgnbd
            progress.update("fitting \(options.modelType.models) and Gamma-Gamma on \(summary.count) customers…")
            options.period = BTYDPeriod(rawValue: period) ?? .day
            options.horizonMonths = horizon
            options.monthlyDiscount = discount
            options.penalizer = penalizer
            options.threads = ProcessInfo.processInfo.activeProcessorCount
            let fitStart = Date()
            let result = try CLVResult.fit(summary, options: options)
            let fitSeconds = Date().timeIntervalSince(fitStart)
            let outputs = OutputSet.forCommand()
            try outputs.stage(result.csv(), to: out)
            if let model { try outputs.stage(try result.modelJSON(), to: model) }
            if reporting.wanted {
                try reporting.stage(CLVReport.document(result, files: ReportFiles(input: reporting.relative(input), segments: reporting.relative(out)),
                                                       language: reporting.language), into: outputs)
            }
            try outputs.commit()
            progress.finish()
            var text = CLVSummaryText(result: result, out: out, model: model, readSeconds: readSeconds, fitSeconds: fitSeconds)
            text.extra = [reporting.report, reporting.notebook].compactMap { $0 }
            Terminal.print(text.text)
        } catch {
            progress.finish()
            throw Terminal.fail(error)
        }
    }

    private func readSummary(progress: ProgressLine) throws -> CustomerSummary {
        if summaryMode {
            var read = CSVReadOptions()
            read.limits = try limits.limits()
            if delimiter != "auto" {
                guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first else {
                    throw ValidationError("a summary table takes one ASCII character or 'auto' as --delimiter; got '\(delimiter)'")
                }
                read.delimiter = byte
            } else {
                let detected = try DelimiterSniffer.detect(path: input)
                if detected != UInt8(ascii: ",") { Terminal.print(delimiterNote(file: input, detected)) }
                read.delimiter = detected
            }
            let columns = SummaryColumns(id: customer, frequency: frequency ?? "", recency: recency ?? "", T: age ?? "", monetary: monetary ?? "")
            return try CustomerSummary.read(path: input, columns: columns, read: read)
        }
        var options = try logOptions()
        if delimiter == "auto" {
            let detected = try DelimiterSniffer.detect(path: input)
            if detected != UInt8(ascii: ",") { Terminal.print(delimiterNote(file: input, detected)) }
            options.separator = .byte(detected)
        }
        let days = try OrderLogReader.purchaseDays(path: input, options: options) { progress.update($0) }
        let summaryOptions = SummaryOptions(
            period: BTYDPeriod(rawValue: period) ?? .day,
            calibrationEnd: try calibrationEnd.map { try day($0, option: "--calibration-end") },
            observationEnd: try observationEnd.map { try day($0, option: "--observation-end") })
        return try CustomerSummary.summarize(days, options: summaryOptions)
    }
}

/// What `persona clv` prints at the end.
struct CLVSummaryText {
    let result: CLVResult
    let out: String
    let model: String?
    /// The report and notebook written, if any.
    var extra: [String] = []
    let readSeconds: Double
    let fitSeconds: Double

    var text: String {
        var lines = ["clv: \(result.summary.count) customers (period: \(result.options.period.rawValue))"]
        if result.summary.customersAfterEnd > 0 {
            lines.append("  \(result.summary.customersAfterEnd) customers first bought after the end of the period and are left out")
        }
        if let bg = result.bgnbd {
            lines.append(String(format: "  BG/NBD: r = %.6g, alpha = %.6g, a = %.6g, b = %.6g (log-likelihood %.4f, %d iterations)",
                                bg.r, bg.alpha, bg.a, bg.b, bg.logLikelihood, bg.iterations))
        }
        if let pareto = result.paretoNBD {
            lines.append(String(format: "  Pareto/NBD: r = %.6g, alpha = %.6g, s = %.6g, beta = %.6g (log-likelihood %.4f, %d iterations)",
                                pareto.r, pareto.alpha, pareto.s, pareto.beta, pareto.logLikelihood, pareto.iterations))
        }
        if let gg = result.gammaGamma {
            lines.append(String(format: "  Gamma-Gamma: p = %.6g, q = %.6g, v = %.6g on %d repeat customers; corr(frequency, spend) = %.3f",
                                gg.p, gg.q, gg.v, gg.customers, gg.frequencySpendCorrelation))
            if result.zeroSpendRepeatCustomers > 0 {
                lines.append("  \(result.zeroSpendRepeatCustomers) repeat customers with zero mean spend are left out of Gamma-Gamma")
            }
        }
        let primaryName = result.bgnbd == nil ? "Pareto/NBD" : "BG/NBD"
        for (name, holdout) in [(primaryName, result.holdout), ("Pareto/NBD", result.paretoHoldout)] {
            guard let holdout else { continue }
            let label = result.paretoNBD == nil ? "" : "\(name) "
            lines.append("  \(label)" + String(format: "holdout (%.4g periods): predicted %.1f purchases, actual %.0f, MAE per customer %.4f",
                                holdout.duration, holdout.predictedTotal, holdout.actualTotal, holdout.meanAbsoluteError))
            lines.append("    frequency  customers  actual  predicted")
            for bucket in holdout.buckets {
                let label = String(repeating: " ", count: max(0, 9 - bucket.frequency.count)) + bucket.frequency
                lines.append("    \(label)" + String(format: "  %9d  %6.3f  %9.3f", bucket.customers, bucket.actual, bucket.predicted))
            }
        }
        for note in result.notes { lines.append("note: \(note)") }
        let written = [out] + [model].compactMap { $0 } + extra
        lines.append("  wrote \(written.dropLast().joined(separator: ", "))\(written.count > 1 ? " and " : "")\(written.last ?? "")" + String(format: " (read %.2f s, fit and score %.2f s)", readSeconds, fitSeconds))
        return lines.joined(separator: "\n")
    }
}
