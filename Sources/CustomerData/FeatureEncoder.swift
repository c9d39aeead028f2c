import NumericCore

/// Chooses and fits the encoding of a table's feature columns.
public enum FeatureEncoder {
    /// Boolean vocabularies: (true word, false word), compared lower-cased.
    static let booleanPairs: [(String, String)] = [("yes", "no"), ("true", "false"), ("y", "n"), ("是", "否"), ("t", "f")]

    /// Fits an encoding.
    /// - Parameters:
    ///   - features: the columns to use, in order; nil means every read column except the id
    ///     and `exclude`, where text columns with more than `maxCategories` levels and columns
    ///     with no values are left out (and reported) rather than rejected.
    /// - Throws: `CustomerDataError.noValues` for a requested column with no values,
    ///   `.noFeatures` when nothing is left to use.
    ///   - threads: the columns' summaries and the medians of numeric columns are computed in parallel.
    public static func fit(_ table: CustomerTable, features: [String]?, exclude: [String] = [],
                           maxCategories: Int = 50, threads: Int = 1,
                           source: String = "--features") throws -> (FeatureEncoding, EncodingReport) {
        let summary = ColumnSummary(table, threads: threads)
        let chosen = try chooseColumns(summary, features: features, exclude: exclude, source: source)
        return try fit(summary, medians: numericMedians(table, columns: chosen, threads: threads), features: features,
                       exclude: exclude, maxCategories: maxCategories, source: source)
    }

    /// Fits an encoding from column statistics alone: what `fit(_:features:…)` does with a
    /// table, for a table too large for one machine whose partitions were summarized and
    /// merged (`ColumnSummary.merged`). The same decisions, so the same encoding.
    /// - Parameters:
    ///   - medians: the median of every numeric column among the chosen ones that has values
    ///     (`QuantileSearch` finds them exactly across partitions).
    /// - Throws: as `fit(_:features:…)`.
    public static func fit(_ summary: ColumnSummary, medians: [String: Double], features: [String]?, exclude: [String] = [],
                           maxCategories: Int = 50, source: String = "--features") throws -> (FeatureEncoding, EncodingReport) {
        var report = EncodingReport()
        let explicit = features != nil
        let file = summary.source
        let chosen = try chooseColumns(summary, features: features, exclude: exclude, source: source)
        let positions = summary.positions
        var columns = [FeatureEncoding.Column]()
        for name in chosen {
            guard let j = positions[name] else {
                throw CustomerDataError.unknownColumn(file: file, option: source, name: name, available: summary.columnNames)
            }
            let column = summary.columns[j]
            switch column.kind {
            case .numeric:
                guard let median = medians[name] else {
                    if explicit { throw CustomerDataError.noValues(file: file, column: j + 1, name: name) }
                    report.excluded.append((name, "no values"))
                    continue
                }
                let kind: FeatureEncoding.Kind = column.binary ?? false ? .boolean : .numeric
                columns.append(.init(name: name, kind: kind, fill: median,
                                     trueValues: nil, falseValues: nil, reference: nil, levels: nil))
            case .text:
                let levels = column.levels ?? []
                if let finding = NumericLooking.check(column: name, levels: levels, counts: column.counts ?? []) {
                    report.numericLooking.append(finding)
                }
                if let boolean = booleanColumn(name: name, levels: levels, counts: column.counts ?? []) {
                    columns.append(boolean)
                    continue
                }
                guard !levels.isEmpty else {
                    if explicit { throw CustomerDataError.noValues(file: file, column: j + 1, name: name) }
                    report.excluded.append((name, "no values"))
                    continue
                }
                if !explicit, levels.count > maxCategories {
                    report.excluded.append((name, "text with \(levels.count) distinct values (more than \(maxCategories)); name it in --features to one-hot encode it"))
                    continue
                }
                let sorted = levels.sorted(by: codePointOrder)
                columns.append(.init(name: name, kind: .categorical, fill: nil, trueValues: nil, falseValues: nil,
                                     reference: sorted.first, levels: Array(sorted.dropFirst())))
            case .identifier, .skipped:
                continue
            }
        }
        let encoding = FeatureEncoding(columns: columns)
        var names = Set<String>()
        for name in encoding.featureNames where !names.insert(name).inserted {
            throw CustomerDataError.duplicateFeature(file: file, name: name,
                                                     reason: "two columns produce a feature of that name (a column named like a one-hot level)")
        }
        guard !encoding.featureNames.isEmpty else {
            // A text column with one value makes no one-hot feature.
            let reasons = report.excluded.map { "'\($0.column)': \($0.reason)" }
                + columns.map { "'\($0.name)': one value only, \(quoted($0.reference ?? ""))" }
            let reason = reasons.isEmpty
                ? "the file has no columns besides the id"
                : "every column was left out (" + reasons.prefix(10).joined(separator: "; ")
                    + (reasons.count > 10 ? "; and \(reasons.count - 10) more" : "") + ")"
            throw CustomerDataError.noFeatures(file: file, reason: reason)
        }
        return (encoding, report)
    }

    /// The columns an encoding is fitted on: `features` as given (checked for repeats), or
    /// every read column except the id and `exclude` (checked to exist).
    public static func chooseColumns(_ summary: ColumnSummary, features: [String]?, exclude: [String],
                                     source: String = "--features") throws -> [String] {
        if let features {
            var seen = Set<String>()
            for name in features where !seen.insert(name).inserted {
                throw CustomerDataError.duplicateFeature(file: summary.source, name: name, reason: "\(source) names it twice")
            }
            return features
        }
        let positions = summary.positions
        for name in exclude where positions[name] == nil {
            throw CustomerDataError.unknownColumn(file: summary.source, option: "--exclude", name: name, available: summary.columnNames)
        }
        let excluded = Set(exclude)
        return summary.columns.compactMap { column in
            switch column.kind {
            case .identifier, .skipped: return nil
            default: return excluded.contains(column.name) ? nil : column.name
            }
        }
    }

    /// The median of the present values of every numeric column among `columns` (absent when
    /// a column has no values).
    private static func numericMedians(_ table: CustomerTable, columns: [String], threads: Int) -> [String: Double] {
        let numeric: [(String, NumericColumn)] = columns.compactMap { name in
            guard let j = table.index(of: name), case .numeric(let column) = table.columns[j] else { return nil }
            return (name, column)
        }
        let results = Parallel.map(count: numeric.count, threads: threads) { i -> Double? in
            let column = numeric[i].1
            let present = column.missingCount == 0 ? column.values : column.values.filter { !$0.isNaN }
            return present.isEmpty ? nil : ColumnStatistics.median(present)
        }
        var medians = [String: Double]()
        for (i, result) in results.enumerated() {
            if case .success(let value?) = result { medians[numeric[i].0] = value }
        }
        return medians
    }

    /// Python's string order: by Unicode code points.
    static func codePointOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
    }

    private static func booleanColumn(name: String, levels: [String], counts: [Int]) -> FeatureEncoding.Column? {
        let lowered = Set(levels.map { $0.lowercased() })
        for (yes, no) in booleanPairs where !lowered.isEmpty && lowered.isSubset(of: [yes, no]) {
            var ones = 0, present = 0
            for (level, count) in zip(levels, counts) {
                present += count
                if level.lowercased() == yes { ones += count }
            }
            // Median of 0/1 values, as numpy computes it.
            let fill: Double = ones * 2 > present ? 1 : (ones * 2 == present ? 0.5 : 0)
            return .init(name: name, kind: .boolean, fill: fill, trueValues: [yes], falseValues: [no],
                         reference: nil, levels: nil)
        }
        return nil
    }
}
