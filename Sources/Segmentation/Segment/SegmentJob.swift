import CustomerData
import Foundation
import NumericCore

/// `persona segment`: value and behaviour tiers, lifecycle stage and rule tags per customer.
public enum SegmentJob {
    public struct Run: Sendable {
        public let source: String
        public let idColumn: String
        public let ids: IdentifierColumn?
        public let value: TierDimension
        public let behavior: TierDimension
        public let valueTier: [Int]
        public let behaviorTier: [Int]
        /// Preference groups, when the table has preference columns (`share:…`).
        public let preference: NamedClusters?
        public let preferenceGroup: [Int]?
        public let persona: NamedClusters
        public let personaCluster: [Int]
        public let lifecycle: [String]
        public let tags: [[String]]?
        public let config: SegmentConfig
        /// The input, for the report (spend per customer, the persona projection).
        public let table: CustomerTable

        /// Each customer's spend: the first value column, missing as 0.
        public var revenue: [Double] {
            guard let name = config.value.columns.first, let j = table.index(of: name),
                  case .numeric(let column) = table.columns[j] else { return [Double](repeating: 0, count: valueTier.count) }
            return column.values.map { $0.isNaN ? 0 : $0 }
        }

        /// Per persona and over everyone, the mean of each persona column (missing cells
        /// left out), in original units: `(byPersona[c][j], overall[j])`.
        public func personaMeans() -> (byPersona: [[Double]], overall: [Double]) {
            let columns = persona.columns, k = persona.clusters.count
            var sums = [[Double]](repeating: [Double](repeating: 0, count: columns.count), count: k)
            var counts = [[Int]](repeating: [Int](repeating: 0, count: columns.count), count: k)
            for (j, name) in columns.enumerated() {
                guard let index = table.index(of: name), case .numeric(let column) = table.columns[index] else { continue }
                for (i, value) in column.values.enumerated() where !value.isNaN {
                    sums[personaCluster[i]][j] += value
                    counts[personaCluster[i]][j] += 1
                }
            }
            let byPersona = (0..<k).map { c in columns.indices.map { counts[c][$0] > 0 ? sums[c][$0] / Double(counts[c][$0]) : .nan } }
            let overall = columns.indices.map { j -> Double in
                let n = (0..<k).reduce(0) { $0 + counts[$1][j] }
                return n > 0 ? (0..<k).reduce(0.0) { $0 + sums[$1][j] } / Double(n) : .nan
            }
            return (byPersona, overall)
        }

        /// A 2-D picture of the customers on the persona columns, coloured by persona.
        public func personaProjection() throws -> Projection? {
            do {
                return try Projection.make(rows: table.rowCount, labels: personaCluster, seed: config.seed) { try persona.scaled(table, rows: $0) }
            } catch let error as NumericError {
                throw SegmentationError.numeric(file: table.source, error)
            }
        }

        /// SEGMENTS.csv: id, cluster (the persona's number, largest first), value_tier,
        /// behavior_tier, preference_group (when there are preference columns),
        /// lifecycle_stage, persona, and tags / churn_probability where they apply. With
        /// `hashing`, ids are replaced by their keyed pseudonyms.
        public func segmentsCSV(hashing: KeyedHash? = nil, churn: [Double]? = nil) -> [UInt8] {
            var out = CSVWriter(reserve: valueTier.count * 60)
            out.row([idColumn, "cluster", "value_tier", "behavior_tier"] + (preference == nil ? [] : ["preference_group"])
                    + ["lifecycle_stage", "persona"] + (tags == nil ? [] : ["tags"]) + (churn == nil ? [] : ["churn_probability"]))
            for i in valueTier.indices {
                if let hashing, let ids {
                    out.field(hashing.pseudonym(ids[i]))
                } else if let ids {
                    ids.withBytes(i) { out.field(bytes: $0) }
                } else {
                    out.field(i)
                }
                out.field(personaCluster[i])
                out.field(value.tiers[valueTier[i]].name)
                out.field(behavior.tiers[behaviorTier[i]].name)
                if let preference, let preferenceGroup { out.field(preference.clusters[preferenceGroup[i]].name) }
                out.field(lifecycle[i])
                out.field(persona.clusters[personaCluster[i]].name)
                if let tags { out.field(tags[i].joined(separator: ";")) }
                if let churn { out.field(churn[i], significant: 12) }
                out.endRow()
            }
            return out.bytes
        }

        /// MODEL.json (`persona.segment`): config, and per dimension why each cluster got its tier.
        public func modelJSON() throws -> [UInt8] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let file = ModelFile(format: ModelFile.formatName, version: 1, source: source, id_column: idColumn,
                                 config: config, value: value, behavior: behavior, preference: preference, persona: persona)
            return Array(try encoder.encode(file)) + [0x0A]
        }
    }

    /// The JSON layout of MODEL.json.
    struct ModelFile: Codable {
        static let formatName = "persona.segment"
        let format: String
        let version: Int
        let source: String
        let id_column: String
        let config: SegmentConfig
        let value: TierDimension
        let behavior: TierDimension
        let preference: NamedClusters?
        let persona: NamedClusters
    }

    /// Assigns new customers to the tiers of a saved MODEL.json, without refitting (the
    /// brief's dynamic tags): nearest saved centroid per dimension, the saved lifecycle
    /// thresholds and tag rules.
    public static func apply(input: String, idColumn: String, modelPath: String, read: CSVReadOptions,
                             hashingIDs: Bool = false, threads: Int = 1) throws -> Run {
        let name = (modelPath as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: modelPath) else {
            throw SegmentationError.modelFile(file: name, problem: "cannot read it (no such file, or no permission)")
        }
        let model: ModelFile
        do {
            model = try JSONDecoder().decode(ModelFile.self, from: data)
        } catch {
            throw SegmentationError.modelFile(file: name, problem: "not a persona segment model; make one with persona segment --model")
        }
        guard model.format == ModelFile.formatName, model.version == 1 else {
            throw SegmentationError.modelFile(file: name, problem: "format \(model.format) version \(model.version) is not \(ModelFile.formatName) version 1")
        }
        try checkPrivacy(model.config, idColumn: idColumn, hashingIDs: hashingIDs)
        var options = read
        options.idColumn = idColumn
        let table = try CSVReader.read(path: input, options: options)
        let valueTier = try model.value.assign(table, threads: threads)
        let behaviorTier = try model.behavior.assign(table, threads: threads)
        let preferenceGroup = try model.preference?.assign(table, threads: threads)
        let personaCluster = try model.persona.assign(table, threads: threads)
        return try finish(table: table, idColumn: idColumn, config: model.config, value: model.value, valueTier: valueTier,
                          behavior: model.behavior, behaviorTier: behaviorTier, preference: model.preference,
                          preferenceGroup: preferenceGroup, persona: model.persona, personaCluster: personaCluster)
    }

    private static func finish(table: CustomerTable, idColumn: String, config: SegmentConfig, value: TierDimension, valueTier: [Int],
                               behavior: TierDimension, behaviorTier: [Int], preference: NamedClusters?, preferenceGroup: [Int]?,
                               persona: NamedClusters, personaCluster: [Int]) throws -> Run {
        let lifecycle = try Lifecycle.stages(table: table, config: config, valueTiers: valueTier.map { value.tiers[$0].name },
                                             behaviorTiers: behaviorTier.map { behavior.tiers[$0].name })
        let tags = try config.tagRules(file: "the config").map { try $0.apply(to: table) }
        return Run(source: table.source, idColumn: idColumn, ids: table.identifiers, value: value, behavior: behavior,
                   valueTier: valueTier, behaviorTier: behaviorTier, preference: preference, preferenceGroup: preferenceGroup,
                   persona: persona, personaCluster: personaCluster, lifecycle: lifecycle, tags: tags, config: config, table: table)
    }

    /// Personal columns may not be tier roles; a personal id column must be hashed.
    public static func checkPrivacy(_ config: SegmentConfig, idColumn: String, hashingIDs: Bool) throws {
        let b = config.behavior
        let l = config.lifecycle
        let roles = config.value.columns + [b.recency, b.frequency] + b.engagement + [l.tenure]
            + (config.preference.columns ?? []) + config.attributes + [l.gap, l.trend].compactMap { $0 }
        for column in config.pii where roles.contains(column) {
            throw SegmentationError.modelFile(file: "config", problem: "column '\(column)' is declared pii but used as a segmentation role or attribute")
        }
        if config.pii.contains(idColumn), !hashingIDs {
            throw SegmentationError.modelFile(file: "config", problem: "the id column '\(idColumn)' is declared pii: add --hash-ids so it is not written")
        }
    }

    public static func run(input: String, idColumn: String, config: SegmentConfig, read: CSVReadOptions, threads: Int) throws -> Run {
        var options = read
        options.idColumn = idColumn
        let table = try CSVReader.read(path: input, options: options)
        let b = config.behavior
        // log1p for the value columns: as configured, or every column without negative values.
        let valueLog1p = try config.value.log1p ?? TierDimension.withoutNegatives(table, columns: config.value.columns, option: "the segment config")
        let (value, valueTier) = try TierDimension.fit(
            name: "value", table: table, columns: config.value.columns,
            weights: config.value.columns.map { _ in 1 }, log1p: valueLog1p,
            tierNames: config.value.tiers, ranking: .byScore, seed: config.seed, threads: threads)
        let behaviorColumns = [b.recency, b.frequency] + b.engagement
        for columns in [config.value.columns, behaviorColumns] where Set(columns).count != columns.count {
            throw SegmentationError.modelFile(file: "config", problem: "a column is named twice among \(columns.joined(separator: ", "))")
        }
        let (behavior, behaviorTier) = try TierDimension.fit(
            name: "behavior", table: table, columns: behaviorColumns,
            weights: [-1, 1] + b.engagement.map { _ in 1 }, log1p: b.log1p.filter(behaviorColumns.contains),
            tierNames: b.tiers, ranking: .behavior, seed: config.seed, threads: threads)
        // Preference groups: k-means on the preference mix, named by the share that lifts each most.
        let preferenceColumns = config.preference.columns ?? table.columnNames.filter { $0.hasPrefix("share:") }
        var preference: NamedClusters?
        var preferenceGroup: [Int]?
        if !preferenceColumns.isEmpty {
            let k = max(1, config.preference.k)
            (preference, preferenceGroup) = try NamedClusters.fit(
                table: table, columns: preferenceColumns, log1p: [], k: k...k, seed: config.seed, threads: threads
            ) { _, traits in NamedClusters.traitName(traits.first ?? "") }
        }
        // Personas: all roles together, k by silhouette unless fixed.
        var personaColumns = [String]()
        for column in config.value.columns + behaviorColumns + preferenceColumns where !personaColumns.contains(column) {
            personaColumns.append(column)
        }
        let log1p = Array(Set(valueLog1p + b.log1p).intersection(personaColumns)).sorted()
        let range: ClosedRange<Int> = {
            if let k = config.persona.k { return max(1, k)...max(1, k) }
            let low = max(2, config.persona.kRange.first ?? 2)
            return low...max(low, config.persona.kRange.last ?? 8)
        }()
        func mostCommon(_ rows: [Int], _ labels: [Int]) -> Int {
            var counts = [Int: Int]()
            for i in rows { counts[labels[i], default: 0] += 1 }
            return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? 0
        }
        var (persona, personaCluster) = try NamedClusters.fit(
            table: table, columns: personaColumns, log1p: log1p, k: range, seed: config.seed, threads: threads
        ) { rows, traits in
            // Most common tiers, then the trait that lifts the persona most against everyone.
            ["\(value.tiers[mostCommon(rows, valueTier)].name) value", behavior.tiers[mostCommon(rows, behaviorTier)].name,
             NamedClusters.traitName(traits.first ?? "")].joined(separator: " · ")
        }
        try describeAttributes(config.attributes, table: table, labels: personaCluster, clusters: &persona)
        return try finish(table: table, idColumn: idColumn, config: config, value: value, valueTier: valueTier,
                          behavior: behavior, behaviorTier: behaviorTier, preference: preference, preferenceGroup: preferenceGroup,
                          persona: persona, personaCluster: personaCluster)
    }

    /// Per persona: the mean of each numeric attribute, the most common value of each text one.
    private static func describeAttributes(_ attributes: [String], table: CustomerTable, labels: [Int],
                                           clusters: inout NamedClusters) throws {
        guard !attributes.isEmpty else { return }
        var described = clusters.clusters.map { _ in [String: String]() }
        for name in attributes {
            guard let j = table.index(of: name) else {
                throw CustomerDataError.unknownColumn(file: table.source, option: "the segment config (attributes)", name: name,
                                                      available: table.columnNames)
            }
            for c in described.indices {
                let rows = labels.indices.filter { labels[$0] == c }
                switch table.columns[j] {
                case .numeric(let column):
                    let values = rows.map { column.values[$0] }.filter { !$0.isNaN }
                    described[c][name] = values.isEmpty ? "" : String(format: "%.2f", values.reduce(0, +) / Double(values.count))
                case .text(let column):
                    var counts = [Int32: Int]()
                    for i in rows where column.codes[i] >= 0 { counts[column.codes[i], default: 0] += 1 }
                    let top = counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }
                    described[c][name] = top.map { column.levels[Int($0.key)] } ?? ""
                case .identifier, .skipped:
                    described[c][name] = ""
                }
            }
        }
        for c in described.indices { clusters.clusters[c].attributes = described[c] }
    }
}

/// Lifecycle stages by documented rules, first match wins:
/// `potential` (never bought: frequency 0 or missing) → `new` (tenure ≤ new_days) →
/// `won_back` (gap before the latest purchase above churn_days) → `VIP` (vip_tier and the
/// best behaviour tier) → `declining` (a declining behaviour tier, or spend trend ≤
/// decline_trend) → `growing` (spend trend ≥ growth_trend, or tenure ≤ growing_days with 2+
/// purchases) → `mature`. Gap and trend come from `last_gap_days` / `spend_trend` of
/// `persona features` unless the config names other columns; without them those rules are
/// skipped.
enum Lifecycle {
    static func stages(table: CustomerTable, config: SegmentConfig, valueTiers: [String], behaviorTiers: [String]) throws -> [String] {
        let l = config.lifecycle
        func numbers(_ name: String) throws -> [Double] {
            guard let j = table.index(of: name) else {
                throw CustomerDataError.unknownColumn(file: table.source, option: "the segment config (lifecycle)", name: name, available: table.columnNames)
            }
            guard case .numeric(let column) = table.columns[j] else {
                throw SegmentationError.modelFile(file: table.source, problem: "column '\(name)' must hold numbers for lifecycle stages")
            }
            return column.values
        }
        let frequency = try numbers(config.behavior.frequency)
        let recency = try numbers(config.behavior.recency)
        let tenure = try numbers(l.tenure)
        func optional(_ configured: String?, _ standard: String) throws -> [Double]? {
            if let configured { return try numbers(configured) }
            return table.index(of: standard) == nil ? nil : try numbers(standard)
        }
        let gap = try optional(l.gap, "last_gap_days")
        let trend = try optional(l.trend, "spend_trend")
        let best = config.behavior.tiers.first ?? "active"
        return (0..<table.rowCount).map { i in
            let f = frequency[i]
            if f.isNaN || f == 0 { return "potential" }
            if !tenure[i].isNaN, tenure[i] <= l.newDays { return "new" }
            // Won back: a long gap before the latest purchase, and that purchase is recent.
            if let gap, !gap[i].isNaN, gap[i] > l.churnDays, !(recency[i] > l.churnDays) { return "won_back" }
            if valueTiers[i] == l.vipTier, behaviorTiers[i] == best { return "VIP" }
            let t = trend?[i] ?? .nan
            if l.decliningTiers.contains(behaviorTiers[i]) || (!t.isNaN && t <= l.declineTrend) { return "declining" }
            if (!t.isNaN && t >= l.growthTrend) || (!tenure[i].isNaN && tenure[i] <= l.growingDays && f >= 2) { return "growing" }
            return "mature"
        }
    }
}
