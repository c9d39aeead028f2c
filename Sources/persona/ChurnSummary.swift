import CustomerData
import Foundation
import NumericCore
import Segmentation

/// What `persona churn train` and `persona churn score` print on stderr.
enum ChurnSummary {
    private static func lines(_ title: String) -> (lines: [String], add: (String, String) -> String) {
        ([title], { label, value in "  " + label.padding(toLength: 16, withPad: " ", startingAt: 0) + value })
    }

    static func training(_ run: ChurnTraining.Run, outputs: [String]) -> String {
        let m = run.model
        var (lines, format) = lines("persona churn train: \(m.source)")
        func add(_ label: String, _ value: String) { lines.append(format(label, value)) }
        add("rows", "\(Format.count(m.rows)) labelled" + (run.unlabelled > 0 ? ", \(Format.count(run.unlabelled)) with a blank label left out" : ""))
        add("classes", "'\(m.label.column)' = \(m.label.positive): \(Format.count(m.positives)) (\(Format.percent(m.positives, of: m.rows)))"
            + " · \(m.label.negative): \(Format.count(m.rows - m.positives))")
        describeEncoding(m.encoding, run.report, add)
        add("model", "logistic regression, \(m.scaler.method.rawValue) scaling, l2 \(m.l2)\(m.balanced ? ", balanced class weights" : "")"
            + " · \(m.iterations) Newton steps (\(m.converged ? "converged" : "not converged"))")
        if let cv = m.cv {
            add("cross-val.", "\(cv.folds) stratified folds (seed \(cv.seed))")
            lines.append("      AUC \(Format.decimal(cv.aucMean)) ± \(Format.decimal(cv.aucStd)) (folds: "
                + cv.aucPerFold.map { Format.decimal($0, 3) }.joined(separator: ", ") + ")")
            lines.append("      log loss \(Format.decimal(cv.logLoss)) · Brier \(Format.decimal(cv.brier))")
            if let best = cv.bestF1 {
                lines.append("      best F1 \(Format.decimal(best.f1, 3)) at p ≥ \(Format.decimal(best.threshold, 3)):"
                    + " accuracy \(Format.decimal(best.accuracy, 3)), precision \(Format.decimal(best.precision, 3)), recall \(Format.decimal(best.recall, 3))")
            }
        }
        if let tiers = run.valueTiers {
            add("value tiers", "on \(tiers.columns.joined(separator: ", ")), with their rate of '\(m.label.column)' = \(m.label.positive):")
            lines.append("      " + tiers.names.indices.compactMap { v in
                let rows = run.labels.indices.filter { tiers.tier[$0] == v }
                guard !rows.isEmpty else { return nil }
                let positives = rows.filter { run.labels[$0] == 1 }.count
                return "\(tiers.names[v]) \(Format.count(rows.count)) (\(Format.percent(positives, of: rows.count)))"
            }.joined(separator: " · "))
        }
        let strongest = m.features.sorted { abs(m.coefficients[$0] ?? 0) > abs(m.coefficients[$1] ?? 0) }.prefix(10)
        let unit = m.scaler.method == .zscore ? " (per standard deviation)" : ""
        add("strongest", "coefficients\(unit):")
        let width = min(40, strongest.map(\.count).max() ?? 10)
        lines.append("      " + "feature".padding(toLength: width, withPad: " ", startingAt: 0) + "   coef   odds ratio  std. error")
        for name in strongest {
            let coefficient = m.coefficients[name] ?? .nan
            lines.append("      " + String(name.prefix(width)).padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "%+8.4f %11.4f %11.4f", coefficient, m.oddsRatios[name] ?? .nan, m.standardErrors[name] ?? .nan))
        }
        for warning in m.warnings { lines.append("  warning: \(warning)") }
        add("time", run.timings.map { "\($0.0) \(Format.seconds($0.1))" }.joined(separator: " · "))
        add("wrote", outputs.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    static func scoring(_ run: ChurnScoring.Run, output: String) -> String {
        var (lines, format) = lines("persona churn score: \(run.source) with a model of '\(run.model.label.column)' = \(run.model.label.positive)")
        func add(_ label: String, _ value: String) { lines.append(format(label, value)) }
        let n = run.probabilities.count
        add("rows", Format.count(n))
        for imputation in run.report.imputations {
            add("imputed", "'\(imputation.column)': \(Format.count(imputation.count)) missing or unreadable → training median \(Format.decimal(imputation.value, 4))")
        }
        for (column, count) in run.report.missingCategories.sorted(by: { $0.key < $1.key }) {
            add("missing text", "'\(column)': \(Format.count(count)) empty → reference level")
        }
        for (column, count) in run.report.unseenLevels.sorted(by: { $0.key < $1.key }) {
            add("unseen text", "'\(column)': \(Format.count(count)) values not seen in training → reference level")
        }
        let mean = run.probabilities.reduce(0, +) / Double(max(1, n))
        add("probability", "mean \(Format.decimal(mean))")
        let counts = run.tierCounts
        add("risk tiers", ["high", "medium", "low"].map { "\($0) \(Format.count(counts[$0] ?? 0)) (\(Format.percent(counts[$0] ?? 0, of: n)))" }
            .joined(separator: " · ") + "  [high ≥ \(run.tiers.high), medium ≥ \(run.tiers.medium)]")
        add("time", run.timings.map { "\($0.0) \(Format.seconds($0.1))" }.joined(separator: " · "))
        add("wrote", output)
        return lines.joined(separator: "\n")
    }
}
