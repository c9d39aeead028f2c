import Foundation
import NumericCore
import Segmentation

/// The report of `persona segment`: tiers, personas, lifecycle, tags, churn and migration.
public enum SegmentReport {
    public static func document(_ run: SegmentRun, churn: [Double]?, migration: Migration?, files: ReportFiles,
                                language: Language) throws -> ReportDocument {
        let t = Localizer(language)
        let n = run.valueTier.count
        let revenue = run.revenue
        let totalRevenue = revenue.reduce(0, +)
        let revenueColumn = run.value.columns.first ?? ""
        let valueNames = run.value.tiers.map(\.name), behaviorNames = run.behavior.tiers.map(\.name)
        func share(_ part: Double, _ whole: Double) -> Double { whole > 0 ? part / whole : 0 }

        // Counts and spend per value × behaviour tier (and per value tier, per persona).
        var cross = [[Int]](repeating: [Int](repeating: 0, count: behaviorNames.count), count: valueNames.count)
        var crossRevenue = [[Double]](repeating: [Double](repeating: 0, count: behaviorNames.count), count: valueNames.count)
        let personaCount = run.persona.clusters.count
        var personaSize = [Int](repeating: 0, count: personaCount), personaRevenue = [Double](repeating: 0, count: personaCount)
        for i in 0..<n {
            cross[run.valueTier[i]][run.behaviorTier[i]] += 1
            crossRevenue[run.valueTier[i]][run.behaviorTier[i]] += revenue[i]
            personaSize[run.personaCluster[i]] += 1
            personaRevenue[run.personaCluster[i]] += revenue[i]
        }
        let valueRevenue = crossRevenue.map { $0.reduce(0, +) }

        var headline = [
            ReportDocument.Stat(t("customers"), ReportFormat.count(n), key: "customers", value: Double(n)),
            ReportDocument.Stat(t("personas"), String(personaCount), key: "personas", value: Double(personaCount)),
        ]
        for (v, name) in valueNames.enumerated() {
            let fraction = share(valueRevenue[v], totalRevenue)
            headline.append(.init(t("of {0} from {1} value", revenueColumn, t.name(name)), ReportFormat.percent(fraction),
                                  key: "revenue_share.\(name)", value: fraction))
        }
        if let churn {
            let mean = churn.reduce(0, +) / Double(max(1, churn.count))
            headline.append(.init(t("expected churn rate (mean probability)"), ReportFormat.percent(mean), key: "churn_mean", value: mean))
        }

        var sections = [ReportDocument.Section]()
        // Personas: sizes and cards.
        let personaNames = run.persona.clusters.map { t.personaName($0.name) }
        // Averages of this run's customers (also with --apply, where the model describes the fit's).
        let (personaMeans, overallMeans) = try run.personaMeans()
        let cards = run.persona.clusters.enumerated().map { c, cluster in
            ReportDocument.Card(
                title: "\(c) · \(personaNames[c])", colour: Palette.colour(c),
                stats: [.init(t("customers"), ReportFormat.count(personaSize[c]), key: "persona.\(c).size", value: Double(personaSize[c])),
                        .init(t("of customers"), ReportFormat.percent(share(Double(personaSize[c]), Double(n)))),
                        .init(t("of {0}", revenueColumn), ReportFormat.percent(share(personaRevenue[c], totalRevenue)),
                              key: "persona.\(c).revenue_share", value: share(personaRevenue[c], totalRevenue))],
                lines: distinguishing(c, run.persona).map { j in
                    traitPhrase(run.persona.columns[j], mean: personaMeans[c][j], overall: overallMeans[j], config: run.config, t: t)
                }
                    + [(cluster.attributes ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: " · ")]
                    .filter { !$0.isEmpty })
        }
        sections.append(.init(
            title: t("Personas"),
            intro: t("Personas are k-means clusters on all segmentation columns together, named after their most common value and behaviour tier and the column whose average is the most above everyone's (the model file lists the top three as traits). Each card lists the three columns on which the persona's centre lies furthest from the average customer in either direction (in standard deviations), described in original units."),
            blocks: [ClusterReport.sizeBars(t("Customers per persona"), names: personaNames, sizes: personaSize, of: n), .cards(cards)],
            code: "segments[\"persona\"].value_counts()"))

        // Value × behaviour.
        let largest = Double(cross.flatMap { $0 }.max() ?? 1)
        let crossText = cross.indices.map { v in behaviorNames.indices.map { b in
            "\(ReportFormat.count(cross[v][b]))\n\(ReportFormat.percent(share(crossRevenue[v][b], totalRevenue))) \(t("of {0}", revenueColumn))"
        } }
        let crossTable = ReportDocument.Table(
            header: [t("value tier")] + behaviorNames.map(t.name) + [t("customers"), t("of {0}", revenueColumn)],
            rows: valueNames.indices.map { v in
                [.init(t.name(valueNames[v]))]
                    + behaviorNames.indices.map { b in .init(ReportFormat.count(cross[v][b]), key: "tiers.\(valueNames[v]).\(behaviorNames[b])", value: Double(cross[v][b])) }
                    + [.init(ReportFormat.count(cross[v].reduce(0, +)), numeric: true), .init(ReportFormat.percent(share(valueRevenue[v], totalRevenue)), numeric: true)]
            })
        sections.append(.init(
            title: t("Value × behaviour"),
            intro: t("Value tiers cluster {0}; behaviour tiers follow a rule on {1} against each customer's own purchase rhythm. Each cell: customers, and the share of all {2} they account for.",
                     run.value.columns.joined(separator: ", "), run.behavior.columns.joined(separator: ", "), revenueColumn),
            blocks: [.figure(svg: Charts.heatmap(title: t("Customers by value tier and behaviour tier"), rowLabels: valueNames.map(t.name),
                                                 columnLabels: behaviorNames.map(t.name), strength: cross.map { $0.map { Double($0) / max(largest, 1) } },
                                                 cellText: crossText, diverging: false, rowTitle: t("value tier"), columnTitle: t("behaviour tier"),
                                                 cellWidth: 120, cellHeight: 46),
                             caption: ""),
                     .table(crossTable)],
            code: (files.idsHashed
                ? "# SEGMENTS.csv holds pseudonyms (--hash-ids); both files are in input order, so join by row.\n"
                    + "table = pd.concat([customers, segments.drop(columns=[ID])], axis=1)\n"
                : "table = customers.merge(segments, on=ID, suffixes=(\"\", \"_segment\"))\n")
                + "table[\(ReportFiles.python(revenueColumn))] = table[\(ReportFiles.python(revenueColumn))].fillna(0)  # as the report: missing spend counts as 0\n" + """
                pd.pivot_table(table, index="value_tier", columns="behavior_tier", values=\(ReportFiles.python(revenueColumn)), aggfunc=["count", "sum"])
                """))

        if let section = lifetimeValueSection(run, valueNames: valueNames, t: t) { sections.append(section) }

        // Lifecycle and preference.
        var lifecycleBlocks = [ReportDocument.Block]()
        if let lifecycle = run.lifecycle {
            let stageOrder = ["potential", "new", "growing", "mature", "VIP", "declining", "won_back"]
            var stageCounts = [String: Int]()
            for stage in lifecycle { stageCounts[stage, default: 0] += 1 }
            let stages = stageOrder.filter { stageCounts[$0] != nil }
            lifecycleBlocks.append(.figure(svg: Charts.bars(title: t("Lifecycle stages"), labels: stages.map(t.name),
                                                            values: stages.map { Double(stageCounts[$0] ?? 0) },
                                                            valueLabels: stages.map { ReportFormat.count(stageCounts[$0] ?? 0) }),
                                           caption: t("Stages follow documented rules, first match wins: potential, new, won back, VIP, declining, growing, mature.")))
        }
        if let preference = run.preference, let groups = run.preferenceGroup {
            var counts = [Int](repeating: 0, count: preference.clusters.count)
            for g in groups { counts[g] += 1 }
            lifecycleBlocks.append(.figure(svg: Charts.bars(title: t("Preference groups"), labels: preference.clusters.map { t.personaName($0.name) },
                                                            values: counts.map(Double.init), valueLabels: counts.map(ReportFormat.count)),
                                           caption: t("Groups by category mix, named after the share that lifts each most.")))
        }
        if !lifecycleBlocks.isEmpty {
            sections.append(.init(title: t("Lifecycle and preferences"), intro: "", blocks: lifecycleBlocks,
                                  code: run.lifecycle == nil ? "segments[\"preference_group\"].value_counts()"
                                                             : "segments[\"lifecycle_stage\"].value_counts()"))
        }

        // Persona profiles and projection.
        let columns = run.persona.columns
        let z = run.persona.centroidsScaled
        sections.append(.init(
            title: t("Persona profiles"),
            intro: t("Each cell is the persona's centre in standardized units (log1p first for spend-like columns) and, underneath, its average in original units."),
            blocks: [.figure(svg: Charts.heatmap(
                title: t("Persona centres (z-score, average)"), rowLabels: columns,
                // The number (as on the cards) and the distinguishing last part of the name.
                columnLabels: personaNames.indices.map { "\($0) · \(personaNames[$0].components(separatedBy: " · ").last ?? "")" },
                strength: columns.indices.map { j in z.indices.map { c in max(-1, min(1, z[c][j] / 2.5)) } },
                cellText: columns.indices.map { j in run.persona.clusters.indices.map { c in
                    "\(ClusterReport.signed(z[c][j]))\n\(ReportFormat.magnitude(personaMeans[c][j]))"
                } },
                diverging: true, rowTitle: t("column"), cellWidth: 96, cellHeight: 36), caption: "")],
            code: "table.groupby(\"cluster\")[\(pythonList(columns))].mean().T"))
        if let projection = try run.personaProjection() {
            // The persona columns with the saved fills, as in the persona fit.
            let features = """
                persona = model["persona"]
                fills = {c["name"]: c["fill"] for c in persona["encoding"]["columns"]}
                X = table[persona["features"]].astype(float).fillna(fills)
                """
            sections.append(ClusterReport.projectionSection(
                projection, names: personaNames,
                code: ClusterReport.projectionCode(features: features, scaler: "persona[\"scaler\"]", labels: "table[\"persona\"]"), t: t))
        }
        if let selection = run.persona.kSelection, selection.count > 1 {
            let chosen = Double(personaCount)
            let elbow = run.persona.criterion == .elbow
            sections.append(.init(
                title: t("Choosing the number of personas"),
                intro: elbow
                    ? t("Every k in the range (and one below it, as the anchor) was fitted on a seeded sample of at most 4,000 customers; the k at the knee of the inertia curve — farthest below the straight line between its ends — was kept.")
                    : t("Every k in the range was fitted on a seeded sample of at most 4,000 customers; the k with the highest mean silhouette was kept."),
                blocks: [.figure(svg: Charts.lines(title: elbow ? t("inertia (lower is tighter)") : t("mean silhouette (higher is better)"),
                                                   series: [.init(name: elbow ? "inertia" : "silhouette",
                                                                  points: selection.map { (Double($0.k), elbow ? $0.inertia : $0.silhouette ?? .nan) })],
                                                   xLabel: "k", yLabel: "", marker: (chosen, t("chosen k = {0}", String(personaCount))), integerX: true,
                                                   width: 420, height: 260), caption: "")],
                code: "pd.DataFrame(model[\"persona\"][\"k_selection\"]).set_index(\"k\")"))
        }

        if let tags = run.tags, let rules = run.config.tags, !rules.isEmpty {
            var counts = [String: Int]()
            for row in tags { for tag in row { counts[tag, default: 0] += 1 } }
            let names = rules.map(\.name)
            // No customer tagged: a sentence says so instead of a chart without bars.
            let chart: ReportDocument.Block = counts.isEmpty
                ? .text(t("No customer matches any of the {0} tag rules.", String(rules.count)))
                : .figure(svg: Charts.bars(title: t("Customers per tag"), labels: names, values: names.map { Double(counts[$0] ?? 0) },
                                           valueLabels: names.map { ReportFormat.count(counts[$0] ?? 0) }), caption: "")
            sections.append(.init(
                title: t("Tags"), intro: t("Rule tags from the config; a customer can carry several."),
                blocks: [chart,
                         .table(.init(header: [t("tag"), t("rule"), t("customers")], rows: rules.map { rule in
                             [.init(rule.name), .init(rule.when), .init(ReportFormat.count(counts[rule.name] ?? 0), key: "tags.\(rule.name)", value: Double(counts[rule.name] ?? 0))]
                         }))],
                // astype("string"): with no tag at all, pandas reads the column as empty floats.
                code: "segments[\"tags\"].astype(\"string\").dropna().str.split(\";\").explode().value_counts()"))
        }

        if let churn {
            let byValue = valueNames.indices.map { v in (0..<n).filter { run.valueTier[$0] == v }.map { churn[$0] } }
            let byBehavior = behaviorNames.indices.map { b in (0..<n).filter { run.behaviorTier[$0] == b }.map { churn[$0] } }
            func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
            sections.append(.init(
                title: t("Churn risk"),
                intro: t("Churn probability from the churn model, per value tier: box from the first to the third quartile, line at the median, whiskers from the 5th to the 95th percentile, dot at the mean."),
                blocks: [.figure(svg: Charts.boxes(title: t("Churn probability by value tier"), labels: valueNames.map(t.name), values: byValue,
                                                   xLabel: t("churn probability"), hover: t.boxHover), caption: ""),
                         .table(.init(header: [t("behaviour tier"), t("customers"), t("mean churn probability")], rows: behaviorNames.indices.map { b in
                             [.init(t.name(behaviorNames[b])), .init(ReportFormat.count(byBehavior[b].count), numeric: true),
                              .init(ReportFormat.decimal(mean(byBehavior[b]), 3), key: "churn_by_behavior.\(behaviorNames[b])", value: mean(byBehavior[b]))]
                         }))],
                code: "segments.groupby(\"value_tier\")[\"churn_probability\"].describe()"))
        }

        if let migration {
            let blocks = migration.tables.map { table -> ReportDocument.Block in
                let most = Double(table.counts.flatMap { $0 }.max() ?? 1)
                return .figure(svg: Charts.heatmap(
                    title: t("{0}: before (rows) → now (columns)", table.column == "value_tier" ? t("value tier") : t("behaviour tier")), rowLabels: table.old.map(t.name), columnLabels: table.new.map(t.name),
                    strength: table.counts.map { $0.map { Double($0) / max(most, 1) } },
                    cellText: table.counts.map { $0.map(ReportFormat.count) }, diverging: false, rowTitle: t("before"), columnTitle: t("now")),
                    caption: "")
            }
            sections.append(.init(
                title: t("Migration since the earlier run"),
                intro: t("{0} customers are in both runs; {1} only in the earlier one, {2} only in this one.", ReportFormat.count(migration.matched),
                         ReportFormat.count(migration.onlyOld), ReportFormat.count(migration.onlyNew)),
                blocks: blocks,
                code: files.compare.map { before in
                    let columns = migration.tables.map(\.column)
                    return """
                        before = pd.read_csv(\(ReportFiles.python(before)), dtype={ID: str})
                        moved = before.merge(segments, on=ID, suffixes=("_before", "_now"))
                        migration = {c: pd.crosstab(moved[c + "_before"], moved[c + "_now"]) for c in \(pythonList(columns))}
                        """ + columns.dropLast().map { "\ndisplay(migration[\(ReportFiles.python($0))])" }.joined()
                        + (columns.last.map { "\nmigration[\(ReportFiles.python($0))]" } ?? "")
                }))
        }

        let setup = """
            import json
            import pandas as pd

            ID = \(ReportFiles.python(run.idColumn))
            segments = pd.read_csv(\(ReportFiles.python(files.segments)), dtype={ID: str})
            customers = pd.read_csv(\(ReportFiles.python(files.input)), dtype={ID: str}\(files.separatorArgument))
            """ + (files.model.map { "\nwith open(\(ReportFiles.python($0)), encoding=\"utf-8\") as f:\n    model = json.load(f)" } ?? "")
            + "\nsegments.head()"
        return ReportDocument(
            language: language, title: t("Customer segments: {0}", run.source),
            subtitle: t("persona segment · {0} customers · {1} value tiers, {2} behaviour tiers, {3} personas · seed {4}",
                        ReportFormat.count(n), String(valueNames.count), String(behaviorNames.count), String(personaCount), String(run.config.seed)),
            headline: headline, sections: sections, setupCode: setup)
    }

    /// The three columns on which the persona's centre lies furthest from everyone's, in
    /// either direction (largest |z-score| of the centre; standardized units, so a tiny
    /// category share cannot outrank spend just by being small).
    static func distinguishing(_ c: Int, _ clusters: NamedClusters) -> [Int] {
        let z = clusters.centroidsScaled[c]
        let order = clusters.columns.indices.sorted { abs(z[$0]) != abs(z[$1]) ? abs(z[$0]) > abs(z[$1]) : $0 < $1 }
        return Array(order.prefix(3))
    }

    /// A Python list literal of strings.
    static func pythonList(_ names: [String]) -> String {
        "[" + names.map(ReportFiles.python).joined(separator: ", ") + "]"
    }

    /// A trait in words and original units: "spends 3.2× the average (1,250)".
    static func traitPhrase(_ column: String, mean: Double, overall: Double, config: SegmentConfig, t: Localizer) -> String {
        let lift = overall > 0 ? ReportFormat.decimal(mean / overall, 1) : "–"
        if column.hasPrefix("share:") {
            return t("{0} of spend on {1} ({2}× the average)", ReportFormat.percent(mean, 0), String(column.dropFirst("share:".count)), lift)
        }
        if column == config.behavior.recency ?? "recency_days" {
            return t("last purchase {0} days ago on average (all customers: {1})", ReportFormat.magnitude(mean), ReportFormat.magnitude(overall))
        }
        if column == config.behavior.frequency ?? "frequency" {
            return t("{0} purchases on average ({1}× the average)", ReportFormat.magnitude(mean), lift)
        }
        if column == config.value.columns?.first {
            return t("spends {0}× the average ({1})", lift, ReportFormat.magnitude(mean))
        }
        return t("{0}: {1} on average ({2}× the average)", column, ReportFormat.magnitude(mean), lift)
    }

    /// With a `clv` column (persona clv's CLV.csv, joined with --join): lifetime value per value
    /// tier — value tiers rank past spend, this is what each is expected to bring.
    static func lifetimeValueSection(_ run: SegmentRun, valueNames: [String], t: Localizer) -> ReportDocument.Section? {
        guard let j = run.table.index(of: "clv"), case .numeric(let clv) = run.table.columns[j] else { return nil }
        var values = [[Double]](repeating: [], count: valueNames.count)
        for (i, tier) in run.valueTier.enumerated() where clv.values[i].isFinite { values[tier].append(clv.values[i]) }
        guard values.contains(where: { !$0.isEmpty }) else { return nil }
        let total = values.joined().reduce(0, +)
        let means = values.map { $0.isEmpty ? 0 : $0.reduce(0, +) / Double($0.count) }
        let table = ReportDocument.Table(
            header: [t("value tier"), t("customers with a CLV"), t("mean CLV"), t("median CLV"), t("share of all CLV")],
            rows: valueNames.indices.map { v in
                [.init(t.name(valueNames[v])), .init(ReportFormat.count(values[v].count), numeric: true),
                 .init(ReportFormat.magnitude(values[v].isEmpty ? .nan : means[v]), key: "clv.\(valueNames[v]).mean", value: means[v]),
                 .init(ReportFormat.magnitude(values[v].isEmpty ? .nan : ColumnStatistics.median(values[v])), numeric: true),
                 .init(ReportFormat.percent(total > 0 ? values[v].reduce(0, +) / total : .nan), numeric: true)]
            })
        return .init(
            title: t("Lifetime value by value tier"),
            intro: t("From the clv column (persona clv, joined with --join CLV.csv): each customer's expected purchases over the horizon times their expected spend per purchase, discounted. Value tiers rank past spend; this is what each tier is expected to bring."),
            blocks: [.figure(svg: Charts.boxes(title: t("Lifetime value by value tier"), labels: valueNames.map(t.name), values: values,
                                               xLabel: t("lifetime value"), hover: t.boxHover,
                                               xDomain: 0...max(Quantiles.linear(values.joined().sorted(), 0.95), 1e-9)),
                             caption: t("Box from the first to the third quartile, line at the median, whiskers from the 5th to the 95th percentile, dot at the mean.")),
                     .table(table)],
            code: "table.groupby(\"value_tier\")[\"clv\"].describe()")
    }
}
