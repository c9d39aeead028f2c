import CustomerData
import Foundation
import NumericCore

/// A fitted segmentation — value tiers, behaviour tiers, preference groups, personas, with
/// the resolved config (lifecycle thresholds, tag rules) — as `persona segment --model`
/// saves it and `--apply` reads it. Fit and apply both return `SegmentAssignments`.
public struct SegmentModel: Codable, Sendable {
    public static let formatName = "persona.segment"
    public static let version = 2

    public let source: String
    public let idColumn: String
    /// Every role spelled out (`SegmentRoles.resolve`).
    public let config: SegmentConfig
    public let value: TierDimension
    public let behavior: BehaviorTiers
    public let preference: NamedClusters?
    public let persona: NamedClusters
    /// What the fit noticed: skipped roles, outliers.
    public let notes: [String]

    enum CodingKeys: String, CodingKey {
        case format, version, source, config, value, behavior, preference, persona, notes
        case idColumn = "id_column"
    }

    /// Fits every dimension on `table` (derived columns already added) and assigns its rows.
    /// - Throws: `CustomerDataError` / `SegmentationError` naming the file, column and value.
    public static func fit(table: CustomerTable, idColumn: String, config: SegmentConfig,
                           threads: Int) throws -> (SegmentModel, SegmentAssignments) {
        var (config, notes) = try SegmentRoles.resolve(config, table: table)
        let valueColumns = config.value.columns ?? []
        let (value, valueTier) = try TierDimension.fit(
            name: "value", table: table, columns: valueColumns, log1p: config.value.log1p ?? [], tierNames: config.value.tiers,
            minShare: config.minShare, seed: config.seed, threads: threads, source: "the segment config (value)")
        let (behavior, behaviorTier, behaviorNotes) = try BehaviorTiers.fit(table: table, behavior: config.behavior,
                                                             tenure: config.lifecycle.tenure ?? SegmentRoles.tenureNames.first { table.index(of: $0) != nil })
        notes += behaviorNotes
        // Preference groups: k-means on the preference mix, named by the share that lifts each most.
        var preference: NamedClusters?
        var preferenceGroup: [Int]?
        if config.preference.enabled, let columns = config.preference.columns, !columns.isEmpty {
            let k = config.preference.k
            (preference, preferenceGroup) = try NamedClusters.fit(table: table, .init(
                columns: columns, k: k...k, minShare: config.minShare, seed: config.seed, threads: threads, purpose: "preference groups")
            ) { _, traits in NamedClusters.traitName(traits.first ?? "") }
        }
        // Personas: all roles together, k by the criterion unless fixed.
        var personaColumns = [String]()
        let behaviorColumns = behavior.columns
        for column in valueColumns + behaviorColumns + (preference?.columns ?? []) where !personaColumns.contains(column) {
            personaColumns.append(column)
        }
        let log1p = personaColumns.filter { (config.value.log1p ?? []).contains($0) || (behaviorColumns.contains($0) && nonNegative(table, $0)) }
        let range: ClosedRange<Int> = config.persona.k.map { $0...$0 } ?? (config.persona.kRange[0]...config.persona.kRange[1])
        let (valueNames, behaviorNames) = (value.tiers.map(\.name), behavior.tiers.map(\.name))
        var (persona, personaCluster) = try NamedClusters.fit(table: table, .init(
            columns: personaColumns, log1p: log1p, k: range, criterion: config.persona.criterion, minShare: config.minShare,
            seed: config.seed, threads: threads, purpose: "personas")
        ) { rows, traits in
            // Most common tiers, then the trait that lifts the persona most against everyone.
            ["\(valueNames[mostCommon(rows, valueTier)]) value", behaviorNames[mostCommon(rows, behaviorTier)],
             NamedClusters.traitName(traits.first ?? "")].joined(separator: " · ")
        }
        try PersonaAttributes.describe(config.attributes, table: table, labels: personaCluster, clusters: &persona)
        for (what, count) in [("value tiers", value.outliers), ("preference groups", preference?.outliers ?? 0), ("personas", persona.outliers)]
        where count > 0 {
            notes.append("\(what): \(count) outlier customers (in clusters under \(Format.plain(config.minShare * 100)) % of customers) placed in the nearest one")
        }
        let model = SegmentModel(source: table.source, idColumn: idColumn, config: config, value: value, behavior: behavior,
                                 preference: preference, persona: persona, notes: notes)
        let assignments = try model.finish(table: table, valueTier: valueTier, behaviorTier: behaviorTier,
                                           preferenceGroup: preferenceGroup, personaCluster: personaCluster)
        return (model, assignments)
    }

    /// Places the customers of `table` with the saved dimensions, without refitting: the
    /// nearest saved centroid per clustered dimension, the saved behaviour rule, the saved
    /// lifecycle thresholds and tag rules.
    public func apply(table: CustomerTable, threads: Int) throws -> SegmentAssignments {
        try finish(table: table, valueTier: try value.assign(table, threads: threads), behaviorTier: try behavior.assign(table),
                   preferenceGroup: try preference?.assign(table, threads: threads),
                   personaCluster: try persona.assign(table, threads: threads))
    }

    private func finish(table: CustomerTable, valueTier: [Int], behaviorTier: [Int], preferenceGroup: [Int]?,
                        personaCluster: [Int]) throws -> SegmentAssignments {
        let lifecycle = try Lifecycle.stages(table: table, config: config, valueTiers: valueTier.map { value.tiers[$0].name },
                                             behaviorTiers: behaviorTier.map { behavior.tiers[$0].name })
        let tags = try config.tagRules(file: "the config").map { try $0.apply(to: table) }
        return SegmentAssignments(valueTier: valueTier, behaviorTier: behaviorTier, preferenceGroup: preferenceGroup,
                                  personaCluster: personaCluster, lifecycle: lifecycle, tags: tags)
    }

    private static func mostCommon(_ rows: [Int], _ labels: [Int]) -> Int {
        var counts = [Int: Int]()
        for i in rows { counts[labels[i], default: 0] += 1 }
        return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? 0
    }

    private static func nonNegative(_ table: CustomerTable, _ name: String) -> Bool {
        guard let j = table.index(of: name), case .numeric(let column) = table.columns[j] else { return false }
        return !column.values.contains { $0 < 0 }
    }

    /// Personal columns may not be roles; a personal id column must be hashed.
    public static func checkPrivacy(_ config: SegmentConfig, idColumn: String, hashingIDs: Bool) throws {
        let b = config.behavior
        let l = config.lifecycle
        let roles = (config.value.columns ?? []) + [b.recency, b.frequency, b.interpurchase, l.tenure, l.gap, l.trend].compactMap { $0 }
            + (config.preference.columns ?? []) + config.attributes + config.derived.map(\.name)
        for column in config.pii where roles.contains(column) {
            throw SegmentationError.modelFile(file: config.file ?? "the segment config", problem: "column '\(column)' is declared pii but used as a segmentation role or attribute")
        }
        if config.pii.contains(idColumn), !hashingIDs {
            throw SegmentationError.modelFile(file: config.file ?? "the segment config", problem: "the id column '\(idColumn)' is declared pii: add --hash-ids so it is not written")
        }
    }

    // MARK: - The file

    public func json() throws -> [UInt8] { try ModelFile.json(self) }

    /// Reads MODEL.json of `persona segment --model`, with every index checked.
    public static func read(path: String) throws -> SegmentModel {
        try ModelFile.read(SegmentModel.self, path: path, format: formatName, version: version,
                           makeWith: "persona segment --model")
    }

    init(source: String, idColumn: String, config: SegmentConfig, value: TierDimension, behavior: BehaviorTiers,
         preference: NamedClusters?, persona: NamedClusters, notes: [String]) {
        self.source = source
        self.idColumn = idColumn
        self.config = config
        self.value = value
        self.behavior = behavior
        self.preference = preference
        self.persona = persona
        self.notes = notes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decode(String.self, forKey: .source)
        idColumn = try c.decode(String.self, forKey: .idColumn)
        config = try c.decode(SegmentConfig.self, forKey: .config)
        value = try c.decode(TierDimension.self, forKey: .value)
        behavior = try c.decode(BehaviorTiers.self, forKey: .behavior)
        preference = try c.decodeIfPresent(NamedClusters.self, forKey: .preference)
        persona = try c.decode(NamedClusters.self, forKey: .persona)
        notes = try c.decodeIfPresent([String].self, forKey: .notes) ?? []
        guard value.tiers.map(\.name) == config.value.tiers, behavior.tiers.map(\.name) == config.behavior.tiers else {
            throw ModelCheck.corrupt(CodingKeys.config, in: c, "its tier names do not match the value and behavior sections")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatName, forKey: .format)
        try c.encode(Self.version, forKey: .version)
        try c.encode(source, forKey: .source)
        try c.encode(idColumn, forKey: .idColumn)
        try c.encode(config, forKey: .config)
        try c.encode(value, forKey: .value)
        try c.encode(behavior, forKey: .behavior)
        try c.encodeIfPresent(preference, forKey: .preference)
        try c.encode(persona, forKey: .persona)
        try c.encode(notes, forKey: .notes)
    }
}
