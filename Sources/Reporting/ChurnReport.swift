import Foundation
import NumericCore
import Segmentation

/// The report of `persona churn train`: cross-validated discrimination and calibration, and
/// what drives the risk.
public enum ChurnReport {
    public static func document(_ run: ChurnTraining.Run, files: ReportFiles, language: Language) -> ReportDocument {
        let t = Localizer(language)
        let model = run.model
        let rate = Double(model.positives) / Double(max(1, model.rows))
        var headline = [
            ReportDocument.Stat(t("customers with a label"), ReportFormat.count(model.rows), key: "rows", value: Double(model.rows)),
            ReportDocument.Stat(t("{0} rate ({1} = {2})", model.label.column, model.label.column, model.label.positive),
                                ReportFormat.percent(rate), key: "positive_rate", value: rate),
        ]
        var sections = [ReportDocument.Section]()
        if let cv = model.cv {
            headline += [
                .init(t("cross-validated AUC ({0} folds)", String(cv.folds)), "\(ReportFormat.decimal(cv.aucMean, 3)) ± \(ReportFormat.decimal(cv.aucStd, 3))",
                      key: "cv.auc_mean", value: cv.aucMean),
                .init(t("log loss (out of fold)"), ReportFormat.decimal(cv.logLoss, 4), key: "cv.log_loss", value: cv.logLoss),
                .init(t("Brier score (out of fold)"), ReportFormat.decimal(cv.brier, 4), key: "cv.brier", value: cv.brier),
            ]
            let roc = rocCurve(run.outOfFold, labels: run.labels)
            let calibration = calibrationBins(run.outOfFold, labels: run.labels)
            let foldTable = ReportDocument.Table(header: [t("fold"), "AUC"], rows: cv.aucPerFold.enumerated().map { f, auc in
                [.init(String(f + 1), numeric: true), .init(ReportFormat.decimal(auc, 4), key: "cv.auc_per_fold.\(f)", value: auc)]
            })
            let calibrationTable = ReportDocument.Table(
                header: [t("predicted probability"), t("customers"), t("mean predicted"), t("observed rate")],
                rows: calibration.map { bin in
                    [.init("\(ReportFormat.decimal(bin.low, 1))–\(ReportFormat.decimal(bin.high, 1))"), .init(ReportFormat.count(bin.count), numeric: true),
                     .init(ReportFormat.decimal(bin.predicted, 3), numeric: true), .init(ReportFormat.decimal(bin.observed, 3), numeric: true)]
                })
            sections.append(.init(
                title: t("How well the model ranks and calibrates"),
                intro: t("Every customer's probability comes from the model fitted without their fold (stratified {0}-fold cross-validation, seed {1}), so these curves show how the model does on customers it has not seen.",
                         String(cv.folds), String(cv.seed)),
                blocks: [.figure(svg: Charts.lines(title: t("ROC curve (out of fold)"), series: [.init(name: "ROC", points: roc, showPoints: false)],
                                                   xLabel: t("false positive rate"), yLabel: t("true positive rate"),
                                                   xDomain: 0...1, yDomain: 0...1, diagonal: true, width: 400, height: 360),
                                 caption: t("All out-of-fold predictions pooled: AUC {0}. Per fold: mean {1}, sd {2}. The dashed diagonal is a model that ranks at random.",
                                            ReportFormat.decimal(ClassificationMetrics.auc(run.outOfFold, labels: run.labels) ?? .nan, 3),
                                            ReportFormat.decimal(cv.aucMean, 3), ReportFormat.decimal(cv.aucStd, 3))),
                         .figure(svg: Charts.lines(title: t("Calibration (out of fold)"),
                                                   series: [.init(name: t("observed"), points: calibration.map { ($0.predicted, $0.observed) })],
                                                   xLabel: t("mean predicted probability"), yLabel: t("observed rate"),
                                                   xDomain: 0...1, yDomain: 0...1, diagonal: true, width: 400, height: 360),
                                 caption: t("Ten equal-width bins of predicted probability; points on the diagonal are well calibrated.")),
                         .table(foldTable), .table(calibrationTable)],
                code: files.predictions.map { _ in """
                    import numpy as np
                    y = (cv[LABEL] == POSITIVE).astype(int).to_numpy()
                    p = cv["probability"].to_numpy()
                    bins = np.minimum((p * 10).astype(int), 9)
                    pd.DataFrame({"p": p, "y": y, "bin": bins}).groupby("bin").agg(customers=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"))
                    """ }))
            let byClass = [run.outOfFold.indices.filter { run.labels[$0] == 0 }.map { run.outOfFold[$0] },
                           run.outOfFold.indices.filter { run.labels[$0] == 1 }.map { run.outOfFold[$0] }]
            sections.append(.init(
                title: t("Probability by outcome"),
                intro: t("Out-of-fold churn probability for customers who did and did not churn: box from the first to the third quartile, line at the median, whiskers from the 5th to the 95th percentile, dot at the mean."),
                blocks: [.figure(svg: Charts.boxes(title: t("Predicted probability by actual outcome"),
                                                   labels: ["\(model.label.column) = \(model.label.negative)", "\(model.label.column) = \(model.label.positive)"],
                                                   values: byClass, xLabel: t("predicted probability"), hover: t.boxHover), caption: "")],
                code: files.predictions.map { _ in "cv.groupby(LABEL)[\"probability\"].describe()" }))
        }

        if let tiers = run.valueTiers { sections.append(valueTierSection(run, tiers, files: files, t: t)) }

        // Odds ratios with 95 % intervals, strongest first.
        let units = model.scaler.method == .zscore ? t("per standard deviation of the feature (--scale zscore)") : t("per unit of the feature")
        let ranked = model.features.sorted {
            let a = abs(model.coefficients[$0] ?? 0), b = abs(model.coefficients[$1] ?? 0)
            return a != b ? a > b : $0 < $1
        }
        let shown = Array(ranked.prefix(15))
        func interval(_ name: String) -> (Double, Double, Double) {
            let beta = model.coefficients[name] ?? .nan, se = model.standardErrors[name] ?? .nan
            return (exp(beta), exp(beta - 1.959963984540054 * se), exp(beta + 1.959963984540054 * se))
        }
        let coefficientTable = ReportDocument.Table(
            header: [t("feature"), t("coefficient"), t("standard error"), t("odds ratio"), t("95% interval")],
            rows: ranked.map { name in
                let (ratio, low, high) = interval(name)
                return [.init(name), .init(ReportFormat.decimal(model.coefficients[name] ?? .nan, 4), key: "coefficients.\(name)", value: model.coefficients[name]),
                        .init(ReportFormat.decimal(model.standardErrors[name] ?? .nan, 4), key: "standard_errors.\(name)", value: model.standardErrors[name]),
                        .init(ReportFormat.decimal(ratio, 3), key: "odds_ratios.\(name)", value: model.oddsRatios[name]),
                        .init("\(ReportFormat.decimal(low, 3))–\(ReportFormat.decimal(high, 3))", numeric: true)]
            })
        sections.append(.init(
            title: t("What drives the risk"),
            intro: t("Odds ratios {0}, with 95% intervals from the standard errors (exp(β ± 1.96·SE)). Above 1 raises the odds of {1} = {2}, below 1 lowers them. The {3} strongest are drawn; the table lists all.",
                     units, model.label.column, model.label.positive, String(shown.count)),
            blocks: [.figure(svg: Charts.intervals(title: t("Odds ratios with 95% intervals"), labels: shown,
                                                   estimates: shown.map { interval($0).0 }, lows: shown.map { interval($0).1 },
                                                   highs: shown.map { interval($0).2 }, xLabel: t("odds ratio (log scale)")),
                             caption: ""),
                     .table(coefficientTable)],
            code: """
                coef = pd.DataFrame({"coefficient": model["coefficients"], "standard_error": model["standard_errors"], "odds_ratio": model["odds_ratios"]})
                coef.reindex(coef["coefficient"].abs().sort_values(ascending=False).index)
                """))

        if !model.warnings.isEmpty {
            sections.append(.init(title: t("Warnings"), intro: "", blocks: model.warnings.map { .text($0) }, code: nil))
        }
        var setup = """
            import json
            import pandas as pd

            LABEL, POSITIVE = \(ReportFiles.python(model.label.column)), \(ReportFiles.python(model.label.positive))
            with open(\(ReportFiles.python(files.model ?? "")), encoding="utf-8") as f:
                model = json.load(f)
            """
        if let predictions = files.predictions {
            setup += "\ncv = pd.read_csv(\(ReportFiles.python(predictions)), dtype={\(ReportFiles.python(model.idColumn)): str, LABEL: str})\ncv.head()"
        }
        return ReportDocument(
            language: language, title: t("Churn model: {0}", model.source),
            subtitle: t("persona churn train · logistic regression on {0} features · {1} customers · L2 {2}",
                        String(model.features.count), ReportFormat.count(model.rows), String(model.l2)),
            headline: headline, sections: sections, setupCode: setup)
    }

    /// Churn per value tier (`--value`): the observed rate and, with cross-validation, the
    /// out-of-fold probabilities as box plots.
    static func valueTierSection(_ run: ChurnTraining.Run, _ tiers: ChurnTraining.ValueTiers, files: ReportFiles,
                                 t: Localizer) -> ReportDocument.Section {
        let label = run.model.label
        let members = tiers.names.indices.map { v in run.labels.indices.filter { tiers.tier[$0] == v } }
        let shown = tiers.names.indices.filter { !members[$0].isEmpty }
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(1, values.count)) }
        let crossValidated = run.model.cv != nil
        let table = ReportDocument.Table(
            header: [t("value tier"), t("customers"), "\(label.column) = \(label.positive)", t("observed rate")]
                + (crossValidated ? [t("mean out-of-fold probability")] : []),
            rows: shown.map { v in
                let name = tiers.names[v], rows = members[v]
                let positives = rows.filter { run.labels[$0] == 1 }.count
                let rate = Double(positives) / Double(rows.count)
                let probability = mean(rows.map { run.outOfFold[$0] })
                return [.init(t.name(name)), .init(ReportFormat.count(rows.count), key: "value_tier.\(name).customers", value: Double(rows.count)),
                        .init(ReportFormat.count(positives), numeric: true),
                        .init(ReportFormat.percent(rate), key: "value_tier.\(name).observed_rate", value: rate)]
                    + (crossValidated ? [.init(ReportFormat.decimal(probability, 3), key: "value_tier.\(name).mean_probability", value: probability)] : [])
            })
        var blocks = [ReportDocument.Block]()
        if crossValidated {
            blocks.append(.figure(svg: Charts.boxes(title: t("Out-of-fold churn probability by value tier"), labels: shown.map { t.name(tiers.names[$0]) },
                                                    values: shown.map { v in members[v].map { run.outOfFold[$0] } },
                                                    xLabel: t("predicted probability"), hover: t.boxHover), caption: ""))
        }
        blocks.append(.table(table))
        return .init(
            title: t("Churn by value tier"),
            intro: t("Value tiers as persona segment makes them: k-means with three clusters on {0} (standardized, log1p on columns without negative values), named from the most valuable down.",
                     tiers.columns.joined(separator: ", "))
                + (crossValidated ? " " + t("Box from the first to the third quartile, line at the median, whiskers from the 5th to the 95th percentile, dot at the mean.") : ""),
            blocks: blocks,
            code: files.predictions.map { _ in """
                by_tier = cv.groupby("value_tier").agg(customers=(LABEL, "size"), observed_rate=(LABEL, lambda s: (s == POSITIVE).mean()), mean_probability=("probability", "mean"))
                by_tier.reindex([\(shown.map { ReportFiles.python(tiers.names[$0]) }.joined(separator: ", "))])
                """ })
    }

    /// ROC points (false positive rate, true positive rate) from the highest score down,
    /// one point per distinct score, thinned to at most 400 points.
    static func rocCurve(_ scores: [Double], labels: [Double]) -> [(x: Double, y: Double)] {
        let order = scores.indices.filter { !scores[$0].isNaN }.sorted { scores[$0] > scores[$1] }
        let positives = Double(order.filter { labels[$0] == 1 }.count), negatives = Double(order.count) - positives
        guard positives > 0, negatives > 0 else { return [] }
        var points = [(x: 0.0, y: 0.0)]
        var tp = 0.0, fp = 0.0
        for (position, i) in order.enumerated() {
            if labels[i] == 1 { tp += 1 } else { fp += 1 }
            if position + 1 == order.count || scores[order[position + 1]] != scores[i] {
                points.append((fp / negatives, tp / positives))
            }
        }
        guard points.count > 400 else { return points }
        let step = Double(points.count - 1) / 399
        return (0..<400).map { points[Int((Double($0) * step).rounded())] }
    }

    struct Bin {
        let low: Double, high: Double, count: Int, predicted: Double, observed: Double
    }

    /// Ten equal-width bins of predicted probability, [k/10, (k+1)/10) with 1.0 in the last,
    /// empty ones left out.
    static func calibrationBins(_ scores: [Double], labels: [Double]) -> [Bin] {
        var count = [Int](repeating: 0, count: 10), predicted = [Double](repeating: 0, count: 10), observed = [Double](repeating: 0, count: 10)
        for (p, y) in zip(scores, labels) where !p.isNaN {
            let bin = min(9, max(0, Int(p * 10)))
            count[bin] += 1
            predicted[bin] += p
            observed[bin] += y
        }
        return (0..<10).filter { count[$0] > 0 }.map { b in
            Bin(low: Double(b) / 10, high: Double(b + 1) / 10, count: count[b], predicted: predicted[b] / Double(count[b]),
                observed: observed[b] / Double(count[b]))
        }
    }
}
