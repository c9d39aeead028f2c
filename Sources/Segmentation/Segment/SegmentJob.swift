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
        public let lifecycle: [String]
        public let tags: [[String]]?
        public let config: SegmentConfig

        /// SEGMENTS.csv: id, value_tier, behavior_tier, lifecycle_stage (and tags, and
        /// churn_probability from a churn model). With `hashing`, ids are replaced by their
        /// keyed pseudonyms.
        public func segmentsCSV(hashing: KeyedHash? = nil, churn: [Double]? = nil) -> [UInt8] {
            var out = CSVWriter(reserve: valueTier.count * 40)
            out.row([idColumn, "value_tier", "behavior_tier", "lifecycle_stage"] + (tags == nil ? [] : ["tags"])
                    + (churn == nil ? [] : ["churn_probability"]))
            for i in valueTier.indices {
                if let hashing, let ids {
                    out.field(hashing.pseudonym(ids[i]))
                } else if let ids {
                    ids.withBytes(i) { out.field(bytes: $0) }
                } else {
                    out.field(i)
                }
                out.field(value.tiers[valueTier[i]].name)
                out.field(behavior.tiers[behaviorTier[i]].name)
                out.field(lifecycle[i])
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
                                 config: config, value: value, behavior: behavior)
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
    }

    /// Assigns new customers to the tiers of a saved MODEL.json, without refitting (the
    /// brief's dynamic tags): nearest saved centroid per dimension, the saved lifecycle
    /// thresholds and tag rules.
    public static func apply(input: String, idColumn: String, modelPath: String, read: CSVReadOptions) throws -> Run {
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
        var options = read
        options.idColumn = idColumn
        let table = try CSVReader.read(path: input, options: options)
        let valueTier = try model.value.assign(table)
        let behaviorTier = try model.behavior.assign(table)
        return try finish(table: table, idColumn: idColumn, config: model.config, value: model.value, valueTier: valueTier,
                          behavior: model.behavior, behaviorTier: behaviorTier)
    }

    private static func finish(table: CustomerTable, idColumn: String, config: SegmentConfig, value: TierDimension, valueTier: [Int],
                               behavior: TierDimension, behaviorTier: [Int]) throws -> Run {
        let lifecycle = try Lifecycle.stages(table: table, config: config, valueTiers: valueTier.map { value.tiers[$0].name },
                                             behaviorTiers: behaviorTier.map { behavior.tiers[$0].name })
        var tags: [[String]]?
        if let rules = try config.tagRules(file: "config") {
            var perRow = [[String]](repeating: [], count: table.rowCount)
            for rule in rules.rules {
                let hits = try TagEvaluator(table: table, rule: rule.name).evaluate(rule.expression)
                for (i, hit) in hits.enumerated() where hit { perRow[i].append(rule.name) }
            }
            tags = perRow
        }
        return Run(source: table.source, idColumn: idColumn, ids: table.identifiers, value: value, behavior: behavior,
                   valueTier: valueTier, behaviorTier: behaviorTier, lifecycle: lifecycle, tags: tags, config: config)
    }

    /// Personal columns may not be tier roles; a personal id column must be hashed.
    public static func checkPrivacy(_ config: SegmentConfig, idColumn: String, hashingIDs: Bool) throws {
        let b = config.behavior
        let roles = config.value.columns + [b.recency, b.frequency] + b.engagement + [config.lifecycle.tenure]
        for column in config.pii where roles.contains(column) {
            throw SegmentationError.modelFile(file: "config", problem: "column '\(column)' is declared pii but used as a segmentation role")
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
        let (value, valueTier) = try TierDimension.fit(
            name: "value", table: table, columns: config.value.columns,
            weights: config.value.columns.map { _ in 1 }, log1p: config.value.log1p,
            tierNames: config.value.tiers, ranking: .byScore, seed: config.seed, threads: threads)
        let behaviorColumns = [b.recency, b.frequency] + b.engagement
        let (behavior, behaviorTier) = try TierDimension.fit(
            name: "behavior", table: table, columns: behaviorColumns,
            weights: [-1, 1] + b.engagement.map { _ in 1 }, log1p: b.log1p.filter(behaviorColumns.contains),
            tierNames: b.tiers, ranking: .behavior, seed: config.seed, threads: threads)
        return try finish(table: table, idColumn: idColumn, config: config, value: value, valueTier: valueTier,
                          behavior: behavior, behaviorTier: behaviorTier)
    }
}

/// Lifecycle stages by documented rules, first match wins:
/// `potential` (never bought: frequency 0 or missing) → `new` (tenure ≤ new_days) →
/// `won_back` (gap column above churn_days) → `VIP` (vip_tier and the best behaviour tier) →
/// `declining` (a declining behaviour tier) → `growing` (tenure ≤ growing_days, 2+ purchases)
/// → `mature`.
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
        let tenure = try numbers(l.tenure)
        let gap = try l.gap.map(numbers)
        let best = config.behavior.tiers.first ?? "active"
        return (0..<table.rowCount).map { i in
            let f = frequency[i]
            if f.isNaN || f == 0 { return "potential" }
            if !tenure[i].isNaN, tenure[i] <= l.newDays { return "new" }
            if let gap, !gap[i].isNaN, gap[i] > l.churnDays { return "won_back" }
            if valueTiers[i] == l.vipTier, behaviorTiers[i] == best { return "VIP" }
            if l.decliningTiers.contains(behaviorTiers[i]) { return "declining" }
            if !tenure[i].isNaN, tenure[i] <= l.growingDays, f >= 2 { return "growing" }
            return "mature"
        }
    }
}
