import CustomerData
import Foundation
import NumericCore

/// Fitting a `FeaturePipeline` on a file split into partitions (Spark), one round at a time:
/// every partition runs the map step the state names (`next`) on its rows, and the driver
/// feeds the partitions' outputs, in partition order, to `advanced(with:)`, which returns the
/// next state, until `pipeline` is set.
///
/// Rounds: column statistics; exact medians (the fills) by `QuantileSearch`; moments of the
/// encoded, log1p-transformed features (zscore, minmax); exact quartiles of those features
/// (robust). The encoding is chosen by `FeatureEncoder.fit(_:medians:…)`, the same decisions
/// as on one machine; the scaler from the merged statistics by the formulas `Scaler.fit`
/// uses. Counts, levels, minimums, maximums, medians and quartiles are exactly the
/// single-machine numbers; means and standard deviations agree to rounding.
public struct PipelineFit: Codable, Sendable {
    /// What to fit, as `persona cluster` takes it.
    public struct Specification: Codable, Sendable {
        /// The input's file name, for messages.
        public var source: String
        public var idColumn: String
        public var features: [String]?
        public var exclude: [String] = []
        public var maxCategories = 50
        public var log1p: [String] = []
        public var scale: ScalingMethod = .zscore
        /// Columns that must hold numbers (`--numeric`).
        public var numericColumns: [String] = []
        /// Columns some partition reads as text: every partition reads them as text.
        public var textColumns: [String] = []
        public var delimiter: UInt8 = UInt8(ascii: ",")
        /// Rows blank in this column are left out of the scaler's statistics (a churn label:
        /// the single machine scales by the labelled rows); nil: every row.
        public var scalerRowsColumn: String?
        /// Fit the features before the medians are known when no chosen numeric column has a
        /// blank cell (the medians are only the fills of blank cells, so they cannot change
        /// the matrix): the search for them then rides on later rounds (`fillsPending`).
        /// nil: no (a driver that runs those rounds says yes).
        public var deferFills: Bool?
        /// An order statistic's interval holding at most this many values is sent as values
        /// rather than counted in buckets (`QuantileSearch.collectLimit`); nil: its default.
        public var collectLimit: Int?

        public init(source: String, idColumn: String) {
            self.source = source
            self.idColumn = idColumn
        }

        enum CodingKeys: String, CodingKey {
            case source, features, exclude, log1p, scale, delimiter
            case idColumn = "id_column"
            case maxCategories = "max_categories"
            case numericColumns = "numeric_columns"
            case textColumns = "text_columns"
            case scalerRowsColumn = "scaler_rows_column"
            case deferFills = "defer_fills"
            case collectLimit = "collect_limit"
        }
    }

    /// The per-partition work of a round.
    public enum MapStep: String, Codable, Sendable {
        case columns, quantiles, moments
    }

    public var specification: Specification
    /// What each partition runs next; nil once `pipeline` is fitted.
    public var next: MapStep?
    /// Rows in each partition, in order (after the first round).
    public var partRows: [Int]?
    public var summary: ColumnSummary?
    /// The order statistics being looked for: medians of raw columns, then (robust) quartiles
    /// of the features of `unscaled`. Medians still looked for after `pipeline` is fitted:
    /// `fillsPending`.
    public var search: QuantileSearch?
    /// The encoding and log1p with no scaling: what moments and quartiles are taken of.
    public var unscaled: FeaturePipeline?
    public var moments: FeatureMoments?
    /// Columns left out when features were chosen automatically, with the reason.
    public var excluded: [[String]]?
    public var pipeline: FeaturePipeline?

    enum CodingKeys: String, CodingKey {
        case specification, next, summary, search, unscaled, moments, excluded, pipeline
        case partRows = "part_rows"
    }

    public init(_ specification: Specification) {
        self.specification = specification
        next = .columns
    }

    // MARK: map steps (one partition)

    /// How a partition is read in the current round: the columns the pipeline needs, its
    /// text columns as text.
    public func readOptions() -> CSVReadOptions {
        var read = CSVReadOptions()
        read.allowsNoRows = true  // a partition may hold no rows
        read.idColumn = specification.idColumn
        read.delimiter = specification.delimiter
        read.numericColumns = specification.numericColumns
        read.textColumns = specification.textColumns
        if let fitted = pipeline ?? unscaled {
            read.columns = fitted.columns
            read.columnsSource = "the model"
            read.textColumns += fitted.encoding.columns.filter { $0.kind == .categorical }.map(\.name)
        } else if let features = specification.features {
            read.columns = features
        }
        if let column = specification.scalerRowsColumn {
            if let columns = read.columns, !columns.contains(column) { read.columns = columns + [column] }
            if !read.textColumns.contains(column) { read.textColumns.append(column) }
        }
        return read
    }

    /// The current round's statistics of one partition, as JSON.
    /// - Throws: `CustomerDataError` for unreadable rows (file and line), `SegmentationError`
    ///   when the state has no work for partitions.
    public func map(partition path: String, threads: Int = 1) throws -> [UInt8] {
        let table = try CSVReader.read(path: path, options: readOptions())
        switch next {
        case .columns:
            return try StepFile.line(ColumnSummary(table, forScaleOut: true))
        case .moments:
            guard let unscaled else { throw StepFile.noWork(specification.source, "moments") }
            var matrix = try unscaled.transform(table, threads: threads).matrix
            if let column = specification.scalerRowsColumn, let j = table.index(of: column) {
                let present: [Int]
                switch table.columns[j] {
                case .text(let text): present = text.codes.indices.filter { text.codes[$0] >= 0 }
                case .numeric(let numbers): present = numbers.values.indices.filter { !numbers.values[$0].isNaN }
                case .identifier, .skipped: present = Array(0..<table.rowCount)
                }
                if present.count < table.rowCount { matrix = matrix.selectingRows(present) }
            }
            return try StepFile.line(FeatureMoments(matrix))
        case .quantiles:
            guard let search else { throw StepFile.noWork(specification.source, "quantiles") }
            if let unscaled {
                let matrix = try unscaled.transform(table, threads: threads).matrix
                let names = unscaled.features
                return try StepFile.line(search.count { name in matrix.column(names.firstIndex(of: name) ?? 0) })
            }
            return try StepFile.line(Self.rawCounts(search, table))
        case nil:
            throw StepFile.noWork(specification.source, "none")
        }
    }

    /// `search`'s counts of the raw numeric columns of `table`.
    private static func rawCounts(_ search: QuantileSearch, _ table: CustomerTable) -> QuantileSearch.Counts {
        search.count { name in
            guard let j = table.index(of: name), case .numeric(let column) = table.columns[j] else { return [] }
            return column.values
        }
    }

    // MARK: fills found after the fit (`deferFills`)

    /// The pipeline is fitted with stand-in fills while the medians are still being found
    /// (no chosen numeric column has a blank cell, so no fill changes the matrix): later
    /// rounds count for the search (`fillCounts`) until `withFillCounts` puts the medians in.
    public var fillsPending: Bool { pipeline != nil && search != nil }

    /// One partition's counts for the pending search of the medians (read as `readOptions()`).
    public func fillCounts(_ table: CustomerTable) throws -> QuantileSearch.Counts {
        guard let search, fillsPending else { throw StepFile.noWork(specification.source, "quantiles") }
        return Self.rawCounts(search, table)
    }

    /// The state after a round's fill counts, in partition order: the search narrowed, and
    /// once it is done, the encoding with the medians as fills (the same as fitting it with
    /// them: nothing else in the encoding or the scaler depends on them).
    public func withFillCounts(_ parts: [QuantileSearch.Counts]) throws -> PipelineFit {
        guard let search, let pipeline, let summary else { throw StepFile.noWork(specification.source, "quantiles") }
        var state = self
        state.search = try search.refined(with: parts, file: specification.source)
        guard let found = state.search, found.isDone else { return state }
        let (encoding, _) = try FeatureEncoder.fit(summary, medians: Self.medians(summary, found), features: specification.features,
                                                   exclude: specification.exclude, maxCategories: specification.maxCategories)
        state.pipeline = FeaturePipeline(encoding: encoding, scaler: pipeline.scaler)
        if let unscaled { state.unscaled = FeaturePipeline(encoding: encoding, scaler: unscaled.scaler) }
        state.search = nil
        return state
    }

    /// The medians `search` found, of the numeric columns with values.
    private static func medians(_ summary: ColumnSummary, _ search: QuantileSearch) -> [String: Double] {
        var medians = [String: Double]()
        for column in summary.columns where column.kind == .numeric && column.present > 0 {
            let ranks = ColumnStatistics.medianRanks(count: column.present)
            if ranks.allSatisfy({ search.value(column.name, rank: $0) != nil }) {
                medians[column.name] = ColumnStatistics.median(count: column.present) { search.value(column.name, rank: $0) ?? .nan }
            }
        }
        return medians
    }

    /// Whether the medians may be found after the fit: asked for, no robust scaling (its
    /// quartile search comes after the medians), every row scaled, and no blank cell in any
    /// column the search looks at.
    private func mayDeferFills(_ search: QuantileSearch, _ summary: ColumnSummary) -> Bool {
        guard specification.deferFills == true, specification.scale != .robust, specification.scalerRowsColumn == nil else { return false }
        let positions = summary.positions
        return search.targets.allSatisfy { target in
            guard let j = positions[target.column] else { return false }
            return summary.columns[j].kind == .numeric && summary.columns[j].present == summary.rows
        }
    }

    // MARK: reduce (the driver)

    /// The state after a round, from every partition's output in partition order.
    /// - Throws: the single-machine errors of fitting (unknown or empty columns, log1p on text),
    ///   `CustomerDataError.partsDisagree` for outputs that do not belong to this round.
    public func advanced(with parts: [Data]) throws -> PipelineFit {
        var state = self
        let file = specification.source
        switch next {
        case .columns:
            let summaries = try parts.map { try StepFile.decode(ColumnSummary.self, $0, file: file) }
            let mixed = ColumnSummary.mixedColumns(summaries)
            if !mixed.isEmpty {
                state.specification.textColumns += mixed.filter { !state.specification.textColumns.contains($0) }
                return state  // read them again, as text everywhere
            }
            var summary = try ColumnSummary.merged(summaries)
            summary.source = file
            var histograms = [String: KeyHistogram]()
            for j in summary.columns.indices {
                if let keys = summary.columns[j].keys { histograms[summary.columns[j].name] = keys }
                summary.columns[j].keys = nil  // the state keeps no histograms
            }
            state.summary = summary
            state.partRows = summaries.map(\.rows)
            let chosen = Set(try FeatureEncoder.chooseColumns(summary, features: specification.features, exclude: specification.exclude))
            var wanted = [(column: String, rank: Int, count: Int, minimum: Double, maximum: Double)]()
            for column in summary.columns where column.kind == .numeric && chosen.contains(column.name) {
                guard let low = column.minimum, let high = column.maximum else { continue }
                for rank in ColumnStatistics.medianRanks(count: column.present) {
                    wanted.append((column.name, rank, column.present, low, high))
                }
            }
            state.search = try search(wanted).narrowed(by: histograms, file: file)
            return try state.afterSearch()
        case .quantiles:
            guard let search else { throw StepFile.noWork(file, "quantiles") }
            let counts = try parts.map { try StepFile.decode(QuantileSearch.Counts.self, $0, file: file) }
            state.search = try search.refined(with: counts, file: file)
            return try state.afterSearch()
        case .moments:
            let moments = try FeatureMoments.merged(parts.map { try StepFile.decode(FeatureMoments.self, $0, file: file) }, file: file)
            return try state.withMoments(moments)
        case nil:
            throw StepFile.noWork(file, "none")
        }
    }

    /// A search for the order statistics `wanted`, with the specification's collect limit.
    private func search(_ wanted: [(column: String, rank: Int, count: Int, minimum: Double, maximum: Double)]) -> QuantileSearch {
        var search = QuantileSearch(wanted)
        if let limit = specification.collectLimit { search.collectLimit = limit }
        return search
    }

    /// The state once the moments of `unscaled`'s features are known: the robust scaler's
    /// quartile search, or the fitted pipeline.
    private func withMoments(_ moments: FeatureMoments) throws -> PipelineFit {
        var state = self
        state.moments = moments
        guard let unscaled else { throw StepFile.noWork(specification.source, "moments") }
        if specification.scale == .robust {
            var wanted = [(column: String, rank: Int, count: Int, minimum: Double, maximum: Double)]()
            for (j, name) in unscaled.features.enumerated() {
                let ranks = Set([0.25, 0.5, 0.75].flatMap { ColumnStatistics.quantileRanks(count: moments.count, $0) })
                for rank in ranks.sorted() { wanted.append((name, rank, moments.count, moments.minimums[j], moments.maximums[j])) }
            }
            state.search = search(wanted)
            state.next = .quantiles
            return try state.afterSearch()
        }
        state.finish()
        return state
    }

    /// The moments of `unscaled`'s features from the column statistics, when every feature is
    /// a numeric column taken as it is (no blank cell to fill, no log1p) over every row: then
    /// the encoded matrix is those columns, and their moments are the moments round's.
    private func momentsFromSummary() -> FeatureMoments? {
        guard let unscaled, let summary, specification.scalerRowsColumn == nil, unscaled.scaler.log1pColumns.isEmpty,
              unscaled.encoding.columns.allSatisfy({ $0.kind == .numeric }),
              unscaled.features == unscaled.encoding.columns.map(\.name) else { return nil }
        let positions = summary.positions
        var columns = [FeatureMoments]()
        for name in unscaled.features {
            guard let j = positions[name], summary.columns[j].kind == .numeric, summary.columns[j].present == summary.rows,
                  let moments = summary.columns[j].moments, moments.count == summary.rows, moments.means.count == 1 else { return nil }
            columns.append(moments)
        }
        guard let first = columns.first else { return nil }
        var joined = first
        joined.means = columns.flatMap(\.means)
        joined.squaredDeviations = columns.flatMap(\.squaredDeviations)
        joined.minimums = columns.flatMap(\.minimums)
        joined.maximums = columns.flatMap(\.maximums)
        return joined
    }

    /// Once the current search is done: the encoding (after medians) or the robust scaler
    /// (after quartiles); otherwise another quantile round.
    private func afterSearch() throws -> PipelineFit {
        var state = self
        guard let search, let summary else { throw StepFile.noWork(specification.source, "quantiles") }
        let deferred = !search.isDone && unscaled == nil && mayDeferFills(search, summary)
        guard search.isDone || deferred else {
            state.next = .quantiles
            return state
        }
        if let unscaled, let moments {
            state.finish(robust: unscaled.features.map { name in
                ColumnStatistics.robustCenterAndScale(count: moments.count) { search.value(name, rank: $0) ?? .nan }
            })
            state.search = nil  // (a search beside a fitted pipeline is one for fills: `fillsPending`)
            return state
        }
        var medians = Self.medians(summary, search)
        if deferred {  // stand-ins (each column's minimum), which no cell takes: `withFillCounts` replaces them
            for column in summary.columns where column.kind == .numeric && medians[column.name] == nil {
                if let minimum = column.minimum { medians[column.name] = minimum }
            }
        }
        let (encoding, report) = try FeatureEncoder.fit(summary, medians: medians, features: specification.features,
                                                        exclude: specification.exclude, maxCategories: specification.maxCategories)
        var fitting = FeaturePipeline.Specification(features: specification.features, log1p: specification.log1p, scale: specification.scale)
        fitting.exclude = specification.exclude
        let log1p = try FeaturePipeline.log1pIndices(encoding, fitting, file: specification.source)
        let width = encoding.featureNames.count
        state.unscaled = FeaturePipeline(encoding: encoding, scaler: Scaler(
            method: .none, center: [Double](repeating: 0, count: width), scale: [Double](repeating: 1, count: width),
            log1pColumns: log1p.sorted()))
        state.excluded = report.excluded.map { [$0.column, $0.reason] }
        state.search = deferred ? search : nil
        state.next = .moments
        if let moments = state.momentsFromSummary() { return try state.withMoments(moments) }
        return state
    }

    /// The fitted pipeline from the merged moments (or the robust centres and scales).
    private mutating func finish(robust: [(Double, Double)] = []) {
        guard let unscaled, let moments else { return }
        let d = unscaled.features.count
        var center = [Double](repeating: 0, count: d), scale = [Double](repeating: 1, count: d)
        let variances = moments.variances
        for j in 0..<d where moments.count > 0 {
            switch specification.scale {
            case .none: break
            case .zscore:
                (center[j], scale[j]) = ColumnStatistics.standardCenterAndScale(mean: moments.means[j], variance: variances[j], count: moments.count)
            case .minmax:
                (center[j], scale[j]) = ColumnStatistics.minimumAndRange(minimum: moments.minimums[j], maximum: moments.maximums[j])
            case .robust:
                (center[j], scale[j]) = robust[j]
            }
        }
        pipeline = FeaturePipeline(encoding: unscaled.encoding, scaler: Scaler(
            method: specification.scale, center: center, scale: scale, log1pColumns: unscaled.scaler.log1pColumns))
        next = nil
    }

    /// The variance of every scaled feature (for k-means' tolerance): the unscaled variance
    /// over the square of the scale.
    public var scaledVariances: [Double]? {
        guard let pipeline, let moments else { return nil }
        return zip(moments.variances, pipeline.scaler.scale).map { $0 / ($1 * $1) }
    }
}
