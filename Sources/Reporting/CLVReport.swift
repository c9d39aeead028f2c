import Foundation
import NumericCore
import Segmentation

/// The report of `persona clv`: how the model did on the holdout (a calibration plot), and
/// lifetime value by loyalty tier.
public enum CLVReport {
    public static func document(_ result: CLVResult, files: ReportFiles, language: Language) -> ReportDocument {
        let t = Localizer(language)
        let n = result.summary.count
        func mean(_ values: [Double]) -> Double {
            let finite = values.filter(\.isFinite)
            return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
        }
        let totalCLV = result.clv.filter(\.isFinite).reduce(0, +)
        var headline = [
            ReportDocument.Stat(t("customers"), ReportFormat.count(n), key: "customers", value: Double(n)),
            ReportDocument.Stat(t("mean P(alive)"), ReportFormat.decimal(mean(result.probabilityAlive), 3), key: "p_alive_mean",
                                value: mean(result.probabilityAlive)),
            ReportDocument.Stat(t("expected purchases per customer in {0} months", String(result.options.horizonMonths)),
                                ReportFormat.decimal(mean(result.expectedPurchases), 2), key: "expected_purchases_mean",
                                value: mean(result.expectedPurchases)),
        ]
        if totalCLV > 0 {
            headline.append(.init(t("total lifetime value"), ReportFormat.magnitude(totalCLV), key: "clv_total", value: totalCLV))
        }
        var sections = [ReportDocument.Section]()
        if let holdout = result.holdout {
            let x = holdout.buckets.indices.map(Double.init)
            let table = ReportDocument.Table(
                header: [t("purchases in calibration (repeat)"), t("customers"), t("actual purchases in the holdout"), t("predicted")],
                rows: holdout.buckets.map { b in
                    [.init(b.frequency), .init(ReportFormat.count(b.customers), numeric: true),
                     .init(ReportFormat.decimal(b.actual, 3), key: "holdout.\(b.frequency).actual", value: b.actual),
                     .init(ReportFormat.decimal(b.predicted, 3), key: "holdout.\(b.frequency).predicted", value: b.predicted)]
                })
            sections.append(.init(
                title: t("Calibration against the holdout"),
                intro: t("The model was fitted on the purchases up to the calibration end; for each number of repeat purchases then, the mean number of purchases customers made in the holdout against the number the model expected."),
                blocks: [.figure(svg: Charts.lines(title: t("Holdout purchases per customer: actual and predicted"),
                                                   series: [.init(name: t("actual"), points: Array(zip(x, holdout.buckets.map(\.actual)))),
                                                            .init(name: t("predicted"), points: Array(zip(x, holdout.buckets.map(\.predicted))))],
                                                   xLabel: t("purchases in calibration (repeat): {0}", holdout.buckets.map(\.frequency).joined(separator: ", ")),
                                                   yLabel: t("purchases in the holdout"), integerX: true),
                                 caption: t("Mean absolute error per customer {0}; {1} purchases predicted in all, {2} made.",
                                            ReportFormat.decimal(holdout.meanAbsoluteError, 3), ReportFormat.magnitude(holdout.predictedTotal),
                                            ReportFormat.magnitude(holdout.actualTotal))),
                         .table(table)],
                code: "clv.groupby(clv[\"frequency\"].clip(upper=7))[[\"frequency_holdout\", \"expected_purchases\"]].mean()"))
        }
        let tiers = result.loyaltyTiers
        let names = CLVResult.loyaltyTierNames
        let members = names.map { name in tiers.indices.filter { tiers[$0] == name } }
        let clvByTier = members.map { $0.map { result.clv[$0] }.filter(\.isFinite) }
        var blocks = [ReportDocument.Block]()
        let allCLV = clvByTier.joined().sorted()
        if !allCLV.isEmpty {
            let top = max(Quantiles.linear(allCLV, 0.95), 1e-9)
            blocks.append(.figure(svg: Charts.boxes(title: t("Lifetime value by loyalty tier"), labels: names.map(t.name), values: clvByTier,
                                                    xLabel: t("lifetime value"), hover: t.boxHover, xDomain: 0...top),
                                  caption: t("Box from the first to the third quartile, line at the median, whiskers from the 5th to the 95th percentile, dot at the mean.")))
        }
        blocks.append(.table(ReportDocument.Table(
            header: [t("loyalty tier"), t("customers"), t("mean P(alive)"), t("mean expected purchases"), t("mean CLV"), t("share of all CLV")],
            rows: names.indices.map { k in
                let alive = mean(members[k].map { result.probabilityAlive[$0] }), purchases = mean(members[k].map { result.expectedPurchases[$0] })
                let value = mean(clvByTier[k]), share = totalCLV > 0 ? clvByTier[k].reduce(0, +) / totalCLV : .nan
                return [.init(t.name(names[k])), .init(ReportFormat.count(members[k].count), key: "loyalty.\(names[k]).customers", value: Double(members[k].count)),
                        .init(ReportFormat.decimal(alive, 3), numeric: true),
                        .init(ReportFormat.decimal(purchases, 2), key: "loyalty.\(names[k]).expected_purchases", value: purchases),
                        .init(ReportFormat.magnitude(value), numeric: true), .init(ReportFormat.percent(share), numeric: true)]
            })))
        sections.append(.init(
            title: t("Loyalty tiers"),
            intro: t("Loyalty tiers cut the expected purchases in the horizon at their terciles: loyal (top third), regular, occasional."),
            blocks: blocks,
            code: "clv.groupby(\"loyalty_tier\")[[\"p_alive\", \"expected_purchases\", \"clv\"]].describe()"))
        let setup = """
            import pandas as pd

            clv = pd.read_csv(\(ReportFiles.python(files.segments)), dtype={\(ReportFiles.python(result.summary.idName)): str})
            clv.head()
            """
        return ReportDocument(
            language: language, title: t("Customer lifetime value: {0}", result.summary.file),
            subtitle: t("persona clv · {0} · {1} customers · horizon {2} months", result.options.modelType.models, ReportFormat.count(n),
                        String(result.options.horizonMonths)),
            headline: headline, sections: sections, setupCode: setup)
    }
}
