import CustomerData
import Foundation

/// The end-of-run report of `persona features`: every count of what happened to the lines.
struct FeaturesSummary {
    let features: CustomerFeatures
    let options: OrderLogOptions
    let output: String
    let readSeconds: Double
    let writeSeconds: Double

    var text: String {
        let r = features.report
        let n = r.lines
        var lines = [String]()
        let mb = Double(r.bytes) / 1_048_576
        lines.append("read \(Format.count(n)) order lines (\(String(format: "%.1f", mb)) MB) in \(Format.seconds(readSeconds))"
            + (r.firstDate.map { " · dates \(TimestampFormat.text($0)) … \(TimestampFormat.text(r.lastDate ?? $0))" } ?? ""))
        func row(_ label: String, _ count: Int, _ note: String = "") {
            // A longer label (a log's name) pushes the count right rather than being cut.
            lines.append("  " + label.padding(toLength: max(34, label.count), withPad: " ", startingAt: 0)
                + Format.count(count).leftPadded(to: 12) + "  " + Format.percent(count, of: n) + note)
        }
        if r.logs.count > 1 {
            for log in r.logs { row("from " + log.name + (log.source.map { " (\($0))" } ?? ""), log.lines) }
        }
        row("without a customer id (dropped)", r.withoutCustomer)
        if let keys = options.customerKeys {
            let note = options.unmatched == .keep ? "  (kept as SOURCE:RECORD_ID customers)" : "  (dropped)"
            row("record ids not in \(keys.file)", r.unmatchedLines, r.unmatchedLines > 0 ? note : "")
            if let first = r.firstUnmatched { lines.append("    first: \(first)") }
        }
        row("purchase lines (amount > 0)", r.purchaseLines)
        row("return lines (amount < 0)", r.returnLines)
        row("zero-amount lines (ignored)", r.zeroAmountLines)
        if case .priceTimesQuantity = options.amount { row("negative-price lines (ignored)", r.negativePriceLines) }
        row("exact duplicate lines", r.duplicateLines, options.dedupe ? "  (dropped: --dedupe)" : r.duplicateLines > 0 ? "  (kept; --dedupe drops them)" : "")
        if options.skipBadRows || r.badRowsSkipped > 0 {
            row("bad lines skipped (--skip-bad-rows)", r.badRowsSkipped)
            if let first = r.firstBadRow { lines.append("    first: \(first)") }
        }
        if r.idsTrimmed > 0 { row("ids with surrounding spaces (trimmed)", r.idsTrimmed) }
        if r.idsNormalized > 0 { row("ids like 17850.0 written as 17850", r.idsNormalized) }
        if r.idsWithDecimalZero > 0 {
            row("ids like 17850.0", r.idsWithDecimalZero, "  (--normalize-ids writes them as 17850)")
        }
        if options.cutoff != nil {
            row("lines in the label horizon", r.horizonLines)
            row("lines after the horizon (ignored)", r.linesAfterWindow)
        } else if r.linesAfterWindow > 0 {
            row("lines on or after --as-of (ignored)", r.linesAfterWindow)
        }
        if let cutoff = options.cutoff, let horizon = options.horizonDays {
            lines.append("features before \(TimestampFormat.text(cutoff)); labels from purchases in the \(horizon) days after it")
            if let churned = features.column("churned"), case .numbers(let values) = churned.values {
                let labelled = values.filter { !$0.isNaN }
                let ones = labelled.filter { $0 == 1 }.count
                lines.append("  churned: \(Format.count(ones)) of \(Format.count(labelled.count)) customers who bought before the cutoff (\(Format.percent(ones, of: labelled.count)))")
            }
            if r.customersExcluded > 0 {
                lines.append("  \(Format.count(r.customersExcluded)) customers first seen after the cutoff are not written")
            }
        } else {
            lines.append("features as of \(TimestampFormat.text(r.asOf))")
            if r.customersExcluded > 0 {
                lines.append("  \(Format.count(r.customersExcluded)) customers seen only on or after --as-of are not written")
            }
        }
        if let keys = options.customerKeys {
            let records = keys.recordsPerSource.reduce(0, +)
            lines.append("customer keys from \(keys.file): \(Format.count(records)) records of \(keys.sources.count) sources, \(Format.count(keys.customerCount)) customers")
        }
        lines.append("wrote \(Format.count(features.ids.count)) customers × \(features.columns.count + 1) columns to \(output) in \(Format.seconds(writeSeconds))")
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
