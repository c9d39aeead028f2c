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
    ///   - threads: medians of numeric columns are computed in parallel.
    public static func fit(_ table: CustomerTable, features: [String]?, exclude: [String] = [],
                           maxCategories: Int = 50, threads: Int = 1,
                           source: String = "--features") throws -> (FeatureEncoding, EncodingReport) {
        var report = EncodingReport()
        let explicit = features != nil
        if let features {
            var seen = Set<String>()
            for name in features where !seen.insert(name).inserted {
                throw CustomerDataError.duplicateFeature(file: table.source, name: name, reason: "\(source) names it twice")
            }
        } else {
            for name in exclude where table.index(of: name) == nil {
                throw CustomerDataError.unknownColumn(file: table.source, option: "--exclude", name: name, available: table.columnNames)
            }
        }
        let excluded = Set(exclude)
        let chosen: [String] = features ?? table.columnNames.enumerated().compactMap { j, name in
            switch table.columns[j] {
            case .identifier, .skipped: return nil
            default: return excluded.contains(name) ? nil : name
            }
        }
        let medians = numericMedians(table, columns: chosen, threads: threads)
        var columns = [FeatureEncoding.Column]()
        for name in chosen {
            guard let j = table.index(of: name) else {
                throw CustomerDataError.unknownColumn(file: table.source, option: source, name: name, available: table.columnNames)
            }
            switch table.columns[j] {
            case .numeric(let column):
                guard let median = medians[name] else {
                    if explicit { throw CustomerDataError.noValues(file: table.source, column: j + 1, name: name) }
                    report.excluded.append((name, "no values"))
                    continue
                }
                let kind: FeatureEncoding.Kind = column.isBinary ? .boolean : .numeric
                columns.append(.init(name: name, kind: kind, fill: median,
                                     trueValues: nil, falseValues: nil, reference: nil, levels: nil))
            case .text(let column):
                if let boolean = booleanColumn(name: name, column) {
                    columns.append(boolean)
                    continue
                }
                guard !column.levels.isEmpty else {
                    if explicit { throw CustomerDataError.noValues(file: table.source, column: j + 1, name: name) }
                    report.excluded.append((name, "no values"))
                    continue
                }
                if !explicit, column.levels.count > maxCategories {
                    report.excluded.append((name, "text with \(column.levels.count) distinct values (more than \(maxCategories)); name it in --features to one-hot encode it"))
                    continue
                }
                let sorted = column.levels.sorted(by: codePointOrder)
                columns.append(.init(name: name, kind: .categorical, fill: nil, trueValues: nil, falseValues: nil,
                                     reference: sorted.first, levels: Array(sorted.dropFirst())))
            case .identifier, .skipped:
                continue
            }
        }
        let encoding = FeatureEncoding(columns: columns)
        var names = Set<String>()
        for name in encoding.featureNames where !names.insert(name).inserted {
            throw CustomerDataError.duplicateFeature(file: table.source, name: name,
                                                     reason: "two columns produce a feature of that name (a column named like a one-hot level)")
        }
        guard !encoding.featureNames.isEmpty else {
            // A text column with one value makes no one-hot feature.
            let reasons = report.excluded.map { "'\($0.column)': \($0.reason)" }
                + columns.map { "'\($0.name)': one value only, \(quoted($0.reference ?? ""))" }
            let reason = reasons.isEmpty
                ? "the file has no columns besides the id"
                : "every column was left out (" + reasons.joined(separator: "; ") + ")"
            throw CustomerDataError.noFeatures(file: table.source, reason: reason)
        }
        return (encoding, report)
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

    private static func booleanColumn(name: String, _ column: TextColumn) -> FeatureEncoding.Column? {
        let lowered = Set(column.levels.map { $0.lowercased() })
        for (yes, no) in booleanPairs where !lowered.isEmpty && lowered.isSubset(of: [yes, no]) {
            var ones = 0, present = 0
            for code in column.codes where code >= 0 {
                present += 1
                if column.levels[Int(code)].lowercased() == yes { ones += 1 }
            }
            // Median of 0/1 values, as numpy computes it.
            let fill: Double = ones * 2 > present ? 1 : (ones * 2 == present ? 0.5 : 0)
            return .init(name: name, kind: .boolean, fill: fill, trueValues: [yes], falseValues: [no],
                         reference: nil, levels: nil)
        }
        return nil
    }
}
