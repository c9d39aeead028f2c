import Foundation
import NumericCore
import Segmentation

/// Where the notebook's code finds the run's files, as paths relative to the notebook.
public struct ReportFiles: Sendable {
    public var input: String
    /// The run's per-customer output the notebook reloads (SEGMENTS.csv; CLV.csv for persona clv).
    public var segments: String
    public var model: String?
    /// `persona churn train --cv-predictions`.
    public var predictions: String?
    /// `persona segment --compare`.
    public var compare: String?
    /// SEGMENTS.csv holds keyed pseudonyms (`--hash-ids`): join it to the input by row.
    public var idsHashed = false
    /// The input's field separator as it was read (given with `--delimiter` or detected), for pandas.
    public var delimiter: UInt8 = UInt8(ascii: ",")

    /// `, sep=…` for `pd.read_csv` of the input when it is not comma-separated.
    var separatorArgument: String {
        delimiter == UInt8(ascii: ",") ? "" : ", sep=" + ReportFiles.python(String(UnicodeScalar(delimiter)))
    }

    public init(input: String, segments: String, model: String? = nil, predictions: String? = nil,
                compare: String? = nil) {
        self.input = input
        self.segments = segments
        self.model = model
        self.predictions = predictions
        self.compare = compare
    }

    /// `target` as seen from the directory of `notebook` (both as given on the command line).
    /// When the two share nothing but the root ("/tmp/x/n.ipynb" and "/home/me/data.csv"), a relative
    /// path would climb to "/" and break as soon as either folder moves, so the absolute path is written.
    public static func relative(_ target: String, from notebook: String) -> String {
        let base = URL(fileURLWithPath: notebook).standardizedFileURL.deletingLastPathComponent().pathComponents
        let path = URL(fileURLWithPath: target).standardizedFileURL.pathComponents
        var common = 0
        while common < min(base.count, path.count), base[common] == path[common] { common += 1 }
        if common <= 1 { return URL(fileURLWithPath: target).standardizedFileURL.path }
        let ups = Array(repeating: "..", count: base.count - common)
        return (ups + path[common...]).joined(separator: "/")
    }

    /// A Python string literal.
    static func python(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// The report of `persona cluster`.
public enum ClusterReport {
    public static func document(_ run: ClusterRun, files: ReportFiles, language: Language) -> ReportDocument {
        let t = Localizer(language)
        let k = run.result.model.k
        let n = run.rowsRead
        let sizes = run.result.clusterSizes
        let names = (0..<k).map { t("Cluster {0}", String($0)) }
        var headline = [
            ReportDocument.Stat(t("customers"), ReportFormat.count(n), key: "customers", value: Double(n)),
            ReportDocument.Stat(t("clusters"), String(k), key: "k", value: Double(k)),
            ReportDocument.Stat(t("features"), String(run.features.count), key: "features", value: Double(run.features.count)),
        ]
        if let silhouette = run.metrics.silhouette {
            headline.append(.init(t("mean silhouette"), ReportFormat.decimal(silhouette, 3), key: "silhouette", value: silhouette))
        }
        let inertiaLabel = run.scaler.method == .none ? t("inertia") : t("inertia (scaled space)")
        headline.append(.init(inertiaLabel, ReportFormat.magnitude(run.result.model.inertia), key: "inertia",
                              value: run.result.model.inertia))

        var sections = [ReportDocument.Section]()
        let sizeTable = ReportDocument.Table(header: [t("cluster"), t("customers"), t("share")], rows: (0..<k).map { c in
            [.init(names[c]), .init(ReportFormat.count(sizes[c]), key: "cluster_sizes.\(c)", value: Double(sizes[c])),
             .init(ReportFormat.percent(Double(sizes[c]) / Double(max(1, n))), numeric: true)]
        })
        sections.append(.init(
            title: t("Segment sizes"),
            intro: t("Clusters are numbered by decreasing size: cluster 0 is the largest."),
            blocks: [sizeBars(t("Customers per cluster"), names: names, sizes: sizes, of: n), .table(sizeTable)],
            code: "segments[\"cluster\"].value_counts().sort_index()"))

        // Profiles: features as rows (there may be many), clusters as columns.
        if let z = run.centroidZScores {
            let features = run.features
            let cells = features.indices.map { j in (0..<k).map { c in "\(signed(z[c, j]))\n\(ReportFormat.magnitude(run.centroidsOriginal[c, j]))" } }
            let strength = features.indices.map { j in (0..<k).map { c in max(-1, min(1, z[c, j] / 2.5)) } }
            // One cluster is the average customer: every z-score is 0 and the heatmap would be
            // blank, so its centre is listed instead.
            let blocks: [ReportDocument.Block] = k == 1
                ? [.text(t("With one cluster the centre is the average customer, so every z-score is 0. The centre in original units:")),
                   .table(.init(header: [t("feature"), t("centre")], rows: features.indices.map { j in
                       [.init(features[j]), .init(ReportFormat.magnitude(run.centroidsOriginal[0, j]), key: "centroids.0.\(j)", value: run.centroidsOriginal[0, j])]
                   }))]
                : [.figure(svg: Charts.heatmap(title: t("Cluster centres (z-score, original units)"), rowLabels: features,
                                               columnLabels: names, strength: strength, cellText: cells, diverging: true,
                                               rowTitle: t("feature"), cellWidth: 88, cellHeight: 36),
                           caption: profileCaption(run.scaler, t))]
            sections.append(.init(
                title: t("Cluster profiles"),
                intro: k == 1 ? "" : t("Each cell is the cluster centre as a z-score of the feature (bold: above the average in orange, below in blue) and, underneath, in the feature's original units. One-hot columns (COL=VALUE) show the share of the cluster with that value."),
                blocks: blocks,
                code: "pd.DataFrame(model[\"centroids\"], columns=model[\"features\"]).T.rename(columns=lambda c: f\"cluster {c}\")"))
        }

        if let projection = run.projection {
            sections.append(projectionSection(projection, names: names, scaled: run.scaler.method != .none || !run.scaler.log1pColumns.isEmpty,
                                              code: projectionCode(features: clusterFeaturesCode, scaler: "model[\"scaler\"]",
                                                                   labels: "segments[\"cluster\"]"), t: t))
        }
        if !run.selection.isEmpty {
            sections.append(kSelectionSection(run, t: t))
        }
        let metrics = run.metrics
        let quality = ReportDocument.Table(header: [t("metric"), t("value"), t("reads")], rows: [
            [.init(t("mean silhouette")), metric(metrics.silhouette, "silhouette", 4), .init(t("−1 … 1, higher is better"))],
            [.init("Calinski-Harabasz"), metric(metrics.calinskiHarabasz, "calinski_harabasz", 1), .init(t("higher is better"))],
            [.init("Davies-Bouldin"), metric(metrics.daviesBouldin, "davies_bouldin", 4), .init(t("lower is better"))],
            [.init(inertiaLabel), metric(run.result.model.inertia, "inertia", 2), .init(t("sum of squared distances to the centres"))],
            [.init(t("iterations")), .init(String(run.result.model.iterations), numeric: true),
             .init(run.result.model.converged ? t("converged") : t("stopped at --max-iter"))],
        ])
        sections.append(.init(title: t("Quality"), intro: metrics.silhouetteSampleSize.map {
            t("The silhouette is computed on a seeded sample of {0} customers.", ReportFormat.count($0))
        } ?? "", blocks: [.table(quality)], code: "{k: v for k, v in model[\"metrics\"].items()}"))

        let setup = """
            import json
            import pandas as pd

            segments = pd.read_csv(\(ReportFiles.python(files.segments)), dtype={\(ReportFiles.python(run.idColumn)): str})
            with open(\(ReportFiles.python(files.model ?? "")), encoding="utf-8") as f:
                model = json.load(f)
            customers = pd.read_csv(\(ReportFiles.python(files.input)), dtype={\(ReportFiles.python(run.idColumn)): str}\(files.separatorArgument))
            segments.head()
            """
        return ReportDocument(
            language: language, title: t("Customer segments: {0}", run.source),
            subtitle: t("persona cluster · {0} customers · k-means with {1} clusters on {2} features · scaling: {3} · seed {4}",
                        ReportFormat.count(n), String(k), String(run.features.count), scalingName(run.scaler.method, t), String(run.seed)),
            headline: headline, sections: sections, setupCode: setup)
    }

    /// `--scale` in the report's language (the option's own word in English).
    static func scalingName(_ method: ScalingMethod, _ t: Localizer) -> String {
        switch method {
        case .zscore: t("zscore")
        case .robust: t("robust")
        case .minmax: t("minmax")
        case .none: t("none")
        }
    }

    /// Bars of group sizes, each labelled "count (share of all)".
    static func sizeBars(_ title: String, names: [String], sizes: [Int], of total: Int) -> ReportDocument.Block {
        .figure(svg: Charts.bars(title: title, labels: names, values: sizes.map(Double.init),
                                 valueLabels: sizes.map { "\(ReportFormat.count($0)) (\(ReportFormat.percent(Double($0) / Double(max(1, total)))))" }),
                caption: "")
    }

    static func metric(_ value: Double?, _ key: String, _ places: Int) -> ReportDocument.Cell {
        guard let value else { return .init("–", numeric: true) }
        return .init(ReportFormat.decimal(value, places), key: "metrics.\(key)", value: value)
    }

    static func signed(_ x: Double) -> String {
        (x > 0.05 ? "+" : "") + ReportFormat.decimal(x, 1)
    }

    /// What the profile's z-scores are taken over, and what "original units" means for a log1p column.
    static func profileCaption(_ scaler: Scaler, _ t: Localizer) -> String {
        if scaler.method == .none && scaler.log1pColumns.isEmpty {
            return t("z-scores are taken over all customers of the features as clustered (--scale none).")
        }
        let caption = t("z-scores are taken over all customers of the scaled features.")
        guard !scaler.log1pColumns.isEmpty else { return caption }
        return caption + " " + t("A log1p column is compared on the log scale; its original-units value is the centre mapped back (expm1), which lies below the cluster's plain average.")
    }

    /// Python that rebuilds `X`, the features `persona cluster` clustered on, from the input as
    /// MODEL.json's encoding describes it (numbers with the saved median fill, yes/no text, one-hot levels).
    static let clusterFeaturesCode = """
        def encoded(column):
            raw = customers[column["name"]]
            if column["kind"] == "categorical":
                text = raw.astype("string").str.strip()
                return [(text == level).fillna(False).astype(float).rename(f"{column['name']}={level}") for level in column["levels"]]
            if column.get("true_values"):
                text = raw.astype("string").str.strip().str.lower()
                values = text.isin(column["true_values"]).astype(float).where(text.notna())
            else:
                values = pd.to_numeric(raw, errors="coerce")
            return [values.fillna(column["fill"]).rename(column["name"])]

        X = pd.concat([s for column in model["encoding"]["columns"] for s in encoded(column)], axis=1)[model["features"]]
        """

    /// Python for the projection figure's computation on every customer: `X` scaled with the
    /// saved scaler (log1p columns first), then the first two principal components of its
    /// covariance. The figure fits them on a sample, so the signs and the exact axes may differ.
    static func projectionCode(features: String, scaler: String, labels: String) -> String {
        features.trimmingCharacters(in: .newlines) + "\n" + """
        import numpy as np
        scaler = \(scaler)
        Z = X.to_numpy(dtype=float)
        Z[:, scaler["log1p_columns"]] = np.log1p(Z[:, scaler["log1p_columns"]])
        Z = (Z - np.array(scaler["center"])) / np.array(scaler["scale"])
        variances, vectors = np.linalg.eigh(np.cov(Z, rowvar=False))
        top = variances.argsort()[::-1][:2]
        pcs = pd.DataFrame(Z @ vectors[:, top], columns=[f"component {i + 1} ({v / variances.sum():.1%})" for i, v in enumerate(variances[top])])
        pcs.groupby(\(labels).to_numpy()).mean()  # each segment's centre in the plane of the figure
        """
    }

    static func projectionSection(_ projection: Projection, names: [String], scaled: Bool = true, code: String,
                                  t: Localizer) -> ReportDocument.Section {
        let ratio = projection.explainedVarianceRatio
        let fitted = ReportFormat.count(projection.fittedRows), drawn = ReportFormat.count(projection.x.count)
        let axis = { (i: Int) in t("component {0} ({1} of the variance)", String(i + 1), ReportFormat.percent(i < ratio.count ? ratio[i] : 0)) }
        return .init(
            title: t("Customers in two dimensions"),
            intro: scaled
                ? t("The first two principal components of the scaled features (PCA fitted on {0} sampled customers, {1} drawn). Clusters that overlap here may still be apart in the other dimensions.", fitted, drawn)
                : t("The first two principal components of the features as clustered, unscaled (PCA fitted on {0} sampled customers, {1} drawn). Clusters that overlap here may still be apart in the other dimensions.", fitted, drawn),
            blocks: [.figure(svg: Charts.scatter(title: t("Principal components, coloured by segment"), x: projection.x, y: projection.y,
                                                 groups: projection.labels, groupNames: names, xLabel: axis(0), yLabel: axis(1)),
                             caption: "")],
            code: code)
    }

    static func kSelectionSection(_ run: ClusterRun, t: Localizer) -> ReportDocument.Section {
        let rows = run.selection
        let chosen = Double(run.result.model.k)
        func chart(_ title: String, _ value: (KSelectionRow) -> Double?) -> ReportDocument.Block {
            .figure(svg: Charts.lines(title: title, series: [.init(name: title, points: rows.map { (Double($0.k), value($0) ?? .nan) })],
                                      xLabel: "k", yLabel: "", marker: (chosen, t("chosen k = {0}", String(Int(chosen)))), integerX: true,
                                      width: 360, height: 240),
                    caption: "")
        }
        return .init(
            title: t("Choosing k"),
            intro: t("Every k in the range was fitted; the k with the highest mean silhouette was kept (ties: the smaller k)."),
            blocks: [chart(t("mean silhouette (higher is better)"), { $0.metrics.silhouette }),
                     chart(t("Calinski-Harabasz (higher is better)"), { $0.metrics.calinskiHarabasz }),
                     chart(t("Davies-Bouldin (lower is better)"), { $0.metrics.daviesBouldin }),
                     chart(run.scaler.method == .none ? t("inertia") : t("inertia (scaled space)"), { $0.inertia })],
            code: "pd.DataFrame([{\"k\": r[\"k\"], \"inertia\": r[\"inertia\"], **r[\"metrics\"]} for r in model[\"k_selection\"]]).set_index(\"k\")")
    }
}
