import CustomerData
import NumericCore
import Segmentation

/// The one-screen summary `persona cluster` prints on stderr.
struct ClusterSummary {
    let run: ClusterRun
    let outputs: [String]
    let writeSeconds: Double

    var text: String {
        var lines = ["persona cluster: \(run.source)"]
        func add(_ label: String, _ value: String) {
            lines.append("  " + label.padding(toLength: 16, withPad: " ", startingAt: 0) + value)
        }
        add("rows read", Format.count(run.rowsRead))
        describeEncoding(run.encoding, run.report, add)
        var scaling = run.scaler.method.rawValue
        if !run.scaler.log1pColumns.isEmpty {
            scaling += " after log1p on " + run.scaler.log1pColumns.map { run.features[$0] }.joined(separator: ", ")
        }
        add("scaling", scaling)
        if run.matrixStorage != Double.storageName {
            add("matrix", "kept in 32-bit floats (--float32): half the memory, arithmetic in double")
        }
        let model = run.result.model
        if !run.selection.isEmpty {
            add("k", "\(model.k), chosen by highest silhouette:")
            lines.append("      k      inertia  silhouette  Calinski-H.  Davies-B.")
            for row in run.selection {
                let mark = row.k == model.k ? " ←" : ""
                lines.append("    " + pad(String(row.k), 3) + pad(Format.decimal(row.inertia, 2), 13)
                    + pad(Format.optional(row.metrics.silhouette), 12) + pad(Format.optional(row.metrics.calinskiHarabasz, 1), 13)
                    + pad(Format.optional(row.metrics.daviesBouldin), 11) + mark)
            }
        } else {
            add("k", String(model.k))
        }
        add("inertia", Format.decimal(model.inertia, 4) + " (scaled space)")
        add("iterations", "\(model.iterations) (\(model.converged ? "converged" : "stopped at --max-iter"))"
            + (model.restartInertias.count > 1 ? ", best of \(model.restartInertias.count) restarts" : ""))
        let sizes = run.result.clusterSizes
        add("cluster sizes", sizes.enumerated().map { "\($0.offset): \(Format.count($0.element)) (\(Format.percent($0.element, of: run.rowsRead)))" }
            .joined(separator: "  "))
        let m = run.metrics
        add("metrics", "silhouette \(Format.optional(m.silhouette))"
            + (m.silhouetteSampleSize.map { " (sample of \(Format.count($0)))" } ?? "")
            + " · Calinski-Harabasz \(Format.optional(m.calinskiHarabasz, 1)) · Davies-Bouldin \(Format.optional(m.daviesBouldin))")
        add("time", (run.timings + [("write", writeSeconds)]).map { "\($0.0) \(Format.seconds($0.1))" }.joined(separator: " · "))
        add("wrote", outputs.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - s.count)) + s
    }
}

/// The lines every summary prints about how columns became features.
func describeEncoding(_ encoding: FeatureEncoding, _ report: EncodingReport, _ add: (String, String) -> Void) {
    let kinds = Dictionary(grouping: encoding.columns, by: \.kind)
    let numeric = kinds[.numeric]?.count ?? 0, boolean = kinds[.boolean]?.count ?? 0
    let categorical = kinds[.categorical] ?? []
    let oneHot = categorical.reduce(0) { $0 + ($1.levels?.count ?? 0) }
    add("columns used", "\(encoding.columns.count) → \(encoding.featureNames.count) features "
        + "(\(numeric) numeric, \(boolean) boolean, \(categorical.count) text → \(oneHot) one-hot)")
    for (column, reason) in report.excluded { add("left out", "'\(column)': \(reason)") }
    for found in report.numericLooking { add("warning", found.description) }
    if report.imputations.isEmpty {
        add("imputed", "none")
    }
    for imputation in report.imputations {
        add("imputed", "'\(imputation.column)': \(Format.count(imputation.count)) missing → median \(Format.decimal(imputation.value, 4))")
    }
    for (column, count) in report.missingCategories.sorted(by: { $0.key < $1.key }) {
        add("missing text", "'\(column)': \(Format.count(count)) empty → reference level")
    }
    for (column, count) in report.unseenLevels.sorted(by: { $0.key < $1.key }) {
        add("unseen text", "'\(column)': \(Format.count(count)) values not seen in training → reference level")
    }
}
