import Foundation
import NumericCore
import Yams

/// persona.yaml: which columns play which role, the tier names, the behaviour rule's
/// thresholds, lifecycle thresholds, tag rules and personal data.
///
/// A role left out (nil) is resolved against the table (`SegmentRoles.resolve`): the default
/// column names that are present are used, and an optional role whose columns are absent is
/// skipped with a note. A column named explicitly must exist. `persona segment --print-config`
/// writes the effective config, commented, to start from.
public struct SegmentConfig: Codable, Sendable, Equatable {
    public struct Value: Codable, Sendable, Equatable {
        /// Spend-like columns: higher is more valuable. nil: those of `defaultColumns` present.
        public var columns: [String]?
        /// Columns log1p-transformed before standardizing (skewed spend); nil: every value
        /// column without negative values.
        public var log1p: [String]?
        /// Tier names, best first (the number of names is k).
        public var tiers: [String] = ["high", "mid", "low"]

        public static let defaultColumns = ["monetary", "frequency", "avg_order_value"]

        enum CodingKeys: String, CodingKey, CaseIterable { case columns, log1p, tiers }

        public init() {}

        /// `value: [monetary, frequency]` or the full form.
        public init(from decoder: Decoder) throws {
            if let list = try? decoder.singleValueContainer().decode([String].self) {
                columns = list
                return
            }
            try rejectUnknownKeys(decoder, CodingKeys.self, section: "value")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            columns = try c.decodeIfPresent([String].self, forKey: .columns)
            log1p = try c.decodeIfPresent([String].self, forKey: .log1p)
            tiers = try c.decodeIfPresent([String].self, forKey: .tiers) ?? Value().tiers
        }
    }

    /// The behaviour rule's columns and thresholds (see `BehaviorRule`).
    public struct Behavior: Codable, Sendable, Equatable {
        /// Days since the last purchase (required). nil: `recency_days`.
        public var recency: String?
        /// Number of purchases. nil: `frequency` when present.
        public var frequency: String?
        /// The customer's usual days between purchases. nil: `mean_interpurchase_days` when
        /// present, else tenure ÷ (frequency − 1) when a tenure column is present.
        public var interpurchase: String?
        /// A P(alive) column (persona clv's `p_alive_pareto` or `p_alive`, joined with
        /// `--join CLV.csv`): when set, churned and at risk come from it instead of recency.
        public var pAlive: String?
        public var rule = BehaviorRule.Thresholds()
        /// Names of the four tiers in role order: active, potential, at risk, churned.
        public var tiers: [String] = ["active", "potential", "at_risk", "churned"]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case recency, frequency, interpurchase, tiers
            case pAlive = "p_alive"
        }

        public init() {}

        /// The thresholds sit in the same section, flat (`behavior: {churned_gaps: 5}`).
        public init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.stringValue) + BehaviorRule.Thresholds.CodingKeys.allCases.map(\.stringValue),
                                  section: "behavior")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            recency = try c.decodeIfPresent(String.self, forKey: .recency)
            frequency = try c.decodeIfPresent(String.self, forKey: .frequency)
            interpurchase = try c.decodeIfPresent(String.self, forKey: .interpurchase)
            pAlive = try c.decodeIfPresent(String.self, forKey: .pAlive)
            tiers = try c.decodeIfPresent([String].self, forKey: .tiers) ?? Behavior().tiers
            rule = try BehaviorRule.Thresholds(from: decoder)
        }

        public func encode(to encoder: Encoder) throws {
            try rule.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(recency, forKey: .recency)
            try c.encodeIfPresent(frequency, forKey: .frequency)
            try c.encodeIfPresent(interpurchase, forKey: .interpurchase)
            try c.encodeIfPresent(pAlive, forKey: .pAlive)
            try c.encode(tiers, forKey: .tiers)
        }
    }

    public struct Lifecycle: Codable, Sendable, Equatable {
        /// `lifecycle: off` switches stages off.
        public var enabled = true
        /// Days since the first purchase. nil: `tenure_days`; when absent, stages are skipped.
        public var tenure: String?
        /// Customers whose first purchase is at most this many days ago are `new`.
        public var newDays: Double = 90
        /// `growing`: bought at least twice and first bought at most this many days ago.
        public var growingDays: Double = 365
        /// The value tier whose active customers are `VIP`.
        public var vipTier: String = "high"
        /// Behaviour tiers that make a customer `declining`.
        public var decliningTiers: [String] = ["at_risk", "churned"]
        /// Days between the customer's latest purchase and the one before it; above
        /// `churnDays` the customer is `won_back`. nil: `last_gap_days` when the table has it.
        public var gap: String?
        public var churnDays: Double = 180
        /// The trend of spend (−1 … +1); nil: `spend_trend` when the table has it.
        public var trend: String?
        /// `growing` at or above this trend, `declining` at or below `declineTrend`.
        public var growthTrend: Double = 0.2
        public var declineTrend: Double = -0.5

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, tenure, gap
            case newDays = "new_days"
            case growingDays = "growing_days"
            case vipTier = "vip_tier"
            case decliningTiers = "declining_tiers"
            case churnDays = "churn_days"
            case trend
            case growthTrend = "growth_trend"
            case declineTrend = "decline_trend"
        }

        public init() {}

        public init(from decoder: Decoder) throws {
            if let single = try? decoder.singleValueContainer() {
                if let flag = try? single.decode(Bool.self) {
                    enabled = flag
                    return
                }
                if let word = try? single.decode(String.self) {
                    guard ["off", "none", "false", "no"].contains(word.lowercased()) else {
                        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                            "lifecycle: '\(word)' is not understood; write 'lifecycle: off' or a section of thresholds"))
                    }
                    enabled = false
                    return
                }
            }
            try rejectUnknownKeys(decoder, CodingKeys.self, section: "lifecycle")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Lifecycle()
            enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
            tenure = try c.decodeIfPresent(String.self, forKey: .tenure)
            newDays = try c.decodeIfPresent(Double.self, forKey: .newDays) ?? d.newDays
            growingDays = try c.decodeIfPresent(Double.self, forKey: .growingDays) ?? d.growingDays
            vipTier = try c.decodeIfPresent(String.self, forKey: .vipTier) ?? d.vipTier
            decliningTiers = try c.decodeIfPresent([String].self, forKey: .decliningTiers) ?? d.decliningTiers
            gap = try c.decodeIfPresent(String.self, forKey: .gap)
            churnDays = try c.decodeIfPresent(Double.self, forKey: .churnDays) ?? d.churnDays
            trend = try c.decodeIfPresent(String.self, forKey: .trend)
            growthTrend = try c.decodeIfPresent(Double.self, forKey: .growthTrend) ?? d.growthTrend
            declineTrend = try c.decodeIfPresent(Double.self, forKey: .declineTrend) ?? d.declineTrend
        }
    }

    public struct Preference: Codable, Sendable, Equatable {
        /// `preference: off` switches preference groups off.
        public var enabled = true
        /// Columns whose mix describes what a customer prefers; nil: every `share:` column
        /// (none: the role is skipped).
        public var columns: [String]?
        public var k: Int = 4

        enum CodingKeys: String, CodingKey, CaseIterable { case enabled, columns, k }

        public init() {}

        /// `preference: [share:Toys, discount_share]`, `preference: off`, or the full form.
        public init(from decoder: Decoder) throws {
            if let list = try? decoder.singleValueContainer().decode([String].self) {
                columns = list
                return
            }
            if let flag = try? decoder.singleValueContainer().decode(Bool.self) {
                enabled = flag
                return
            }
            if let word = try? decoder.singleValueContainer().decode(String.self) {
                guard ["off", "none", "false", "no"].contains(word.lowercased()) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                        "preference: '\(word)' is not understood; write 'preference: off', a list of columns or a section"))
                }
                enabled = false
                return
            }
            try rejectUnknownKeys(decoder, CodingKeys.self, section: "preference")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
            columns = try c.decodeIfPresent([String].self, forKey: .columns)
            k = try c.decodeIfPresent(Int.self, forKey: .k) ?? 4
        }
    }

    public struct Persona: Codable, Sendable, Equatable {
        /// How k is chosen in `kRange` when `k` is not fixed (elbow, silhouette, calinski_harabasz).
        public typealias Criterion = KMeansModelSelection.Criterion

        /// Fixed k, or nil to choose by `criterion` in `kRange` (on a seeded sample of 4,000 rows).
        public var k: Int?
        public var kRange: [Int] = [3, 8]
        public var criterion: Criterion = .elbow

        enum CodingKeys: String, CodingKey, CaseIterable {
            case k, criterion
            case kRange = "k_range"
        }

        public init() {}

        public init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, CodingKeys.self, section: "persona")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            k = try c.decodeIfPresent(Int.self, forKey: .k)
            kRange = try c.decodeIfPresent([Int].self, forKey: .kRange) ?? Persona().kRange
            if let name = try c.decodeIfPresent(String.self, forKey: .criterion) {
                guard let criterion = Criterion(rawValue: name) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [CodingKeys.criterion], debugDescription:
                        "persona.criterion '\(name)' is not one of \(Criterion.allCases.map(\.rawValue).joined(separator: ", "))"))
                }
                self.criterion = criterion
            }
        }
    }

    /// One tag rule (`- name: …` / `when: …`), in a config's `tags:` or a rules file.
    public struct TagRule: Codable, Sendable, Equatable {
        public var name: String
        public var when: String
        /// Where `when` is written in the config (line, column), for messages; not a setting.
        public var place: (line: Int, column: Int)?

        enum CodingKeys: String, CodingKey, CaseIterable { case name, when }

        public static func == (a: TagRule, b: TagRule) -> Bool { a.name == b.name && a.when == b.when }

        public init(name: String, when: String) {
            self.name = name
            self.when = when
        }

        /// A rule names itself in every message: a missing name or condition, or a key a rule
        /// does not have (a typo such as `whn` would otherwise leave the rule without its
        /// condition, or be ignored beside it).
        public init(from decoder: Decoder) throws {
            let number = (decoder.codingPath.last?.intValue).map { "rule \($0 + 1)" } ?? "a rule"
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let name = try c.decodeIfPresent(String.self, forKey: .name)?.trimmingCharacters(in: .whitespaces) ?? ""
            let label = name.isEmpty ? number : "rule '\(name)'"
            try rejectUnknownKeys(decoder, CodingKeys.self, section: nil, what: label)
            guard !name.isEmpty else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(number) has no 'name'"))
            }
            guard let when = try c.decodeIfPresent(String.self, forKey: .when), !when.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(label) has no 'when' condition"))
            }
            self.name = name
            self.when = when
        }
    }

    /// A column computed from others before anything else (`spend_per_visit: monetary / frequency`).
    public struct Derived: Codable, Sendable, Equatable {
        public var name: String
        public var expression: String
    }

    public var value = Value()
    public var behavior = Behavior()
    public var lifecycle = Lifecycle()
    public var preference = Preference()
    public var persona = Persona()
    /// Derived columns, in order (one may use the ones before it).
    public var derived: [Derived] = []
    /// Base attributes (age, gender, region …): not clustered on, but described per persona
    /// (mean of a number column, most common value of a text column).
    public var attributes: [String] = []
    /// Columns holding personal data (names, phones, e-mails): never written to any output.
    public var pii: [String] = []
    /// The smallest share of customers a value tier, preference group or persona may hold;
    /// customers of a smaller cluster are reported as outliers and placed in the nearest
    /// remaining one.
    public var minShare: Double = 0.01
    public var seed: UInt64 = 0
    public var tags: [TagRule]?
    /// The file the config was read from, which messages name. Not a setting: two configs
    /// with the same settings are equal wherever they were read from.
    public var file: String? {
        get { origin.file }
        set { origin.file = newValue }
    }
    private var origin = Origin()

    private struct Origin: Sendable, Equatable {
        var file: String?
        static func == (a: Origin, b: Origin) -> Bool { true }
    }

    /// A section of this config as messages name it: `pii in persona.yaml`.
    public func section(_ name: String) -> String {
        file.map { "\(name) in \($0)" } ?? "the segment config (\(name))"
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case value, behavior, lifecycle, preference, persona, derived, attributes, pii, seed, tags
        case minShare = "min_share"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self, section: nil)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        value = try c.decodeIfPresent(Value.self, forKey: .value) ?? Value()
        behavior = try c.decodeIfPresent(Behavior.self, forKey: .behavior) ?? Behavior()
        lifecycle = try c.decodeIfPresent(Lifecycle.self, forKey: .lifecycle) ?? Lifecycle()
        preference = try c.decodeIfPresent(Preference.self, forKey: .preference) ?? Preference()
        persona = try c.decodeIfPresent(Persona.self, forKey: .persona) ?? Persona()
        derived = try c.decodeIfPresent(DerivedList.self, forKey: .derived)?.items ?? []
        attributes = try c.decodeIfPresent([String].self, forKey: .attributes) ?? []
        pii = try c.decodeIfPresent([String].self, forKey: .pii) ?? []
        minShare = try c.decodeIfPresent(Double.self, forKey: .minShare) ?? 0.01
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        tags = try c.decodeIfPresent([TagRule].self, forKey: .tags)
    }

    /// Reads and checks a config file. Every problem names the file, and the line and column
    /// of the key at fault when the file has the key (`persona.yaml:12:5: ...`).
    public static func read(path: String) throws -> SegmentConfig {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TagRuleError.file(file: name, problem: "cannot read it (no such file, or no permission)")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: name)
    }

    /// `read` on the text of a file named `file`.
    public static func parse(_ yaml: String, file: String) throws(TagRuleError) -> SegmentConfig {
        let source = try YAMLSource(yaml, file: file, empty: "the config holds no settings (it is empty or all comments); leave it out to use the defaults")
        var config = try source.decode(SegmentConfig.self)
        config.file = file
        for k in config.tags?.indices ?? 0..<0 {
            config.tags?[k].place = source.place(at: [ConfigKey(stringValue: "tags"), ConfigKey(intValue: k), ConfigKey(stringValue: "when")])
        }
        try config.check(file: file, source: source)
        return config
    }

    /// Checks what decoding cannot: non-empty roles, tier names the lifecycle refers to, k
    /// ranges, thresholds, tag rules (parsed now, so a bad rule fails before any clustering).
    public func validate(file: String) throws {
        try check(file: file, source: nil)
    }

    /// `validate`, with each problem placed at its key in `source` when given.
    private func check(file: String, source: YAMLSource?) throws(TagRuleError) {
        func fail(_ key: String, _ problem: String) -> TagRuleError {
            source?.error(at: ConfigKey.path(key), problem) ?? .file(file: file, problem: problem)
        }
        if let columns = value.columns, columns.isEmpty { throw fail("value.columns", "value: needs at least one column") }
        guard !value.tiers.isEmpty else { throw fail("value.tiers", "value.tiers: need at least one name") }
        guard behavior.tiers.count == 4, Set(behavior.tiers).count == 4 else {
            throw fail("behavior.tiers", "behavior.tiers: need four different names, for active, potential, at risk and churned in that order; got \(behavior.tiers.joined(separator: ", "))")
        }
        guard Set(value.tiers).count == value.tiers.count else { throw fail("value.tiers", "value.tiers: a name appears twice") }
        if let (key, problem) = behavior.rule.problem() { throw fail("behavior.\(key)", "behavior.\(problem)") }
        // Checked even with `lifecycle: off`: the numbers are saved in the model all the same.
        for (key, number) in [("new_days", lifecycle.newDays), ("growing_days", lifecycle.growingDays), ("churn_days", lifecycle.churnDays),
                              ("growth_trend", lifecycle.growthTrend), ("decline_trend", lifecycle.declineTrend)] where !number.isFinite {
            throw fail("lifecycle.\(key)", "lifecycle.\(key) must be a finite number; got \(number)")
        }
        if lifecycle.enabled {
            guard value.tiers.contains(lifecycle.vipTier) else {
                throw fail("lifecycle.vip_tier", "lifecycle.vip_tier '\(lifecycle.vipTier)' is not one of the value tiers \(value.tiers.joined(separator: ", "))")
            }
            for tier in lifecycle.decliningTiers where !behavior.tiers.contains(tier) {
                throw fail("lifecycle.declining_tiers", "lifecycle.declining_tiers names '\(tier)', which is not one of the behaviour tiers \(behavior.tiers.joined(separator: ", "))")
            }
        }
        guard (1...50).contains(preference.k) else { throw fail("preference.k", "preference.k must be between 1 and 50; got \(preference.k)") }
        if let k = persona.k, !(1...50).contains(k) { throw fail("persona.k", "persona.k must be between 1 and 50; got \(k)") }
        guard persona.kRange.count == 2, persona.kRange[0] >= 2, persona.kRange[0] <= persona.kRange[1], persona.kRange[1] <= 50 else {
            throw fail("persona.k_range", "persona.k_range must be [MIN, MAX] with 2 <= MIN <= MAX <= 50; got \(persona.kRange)")
        }
        guard minShare.isFinite, minShare >= 0, minShare < 0.5 else {
            throw fail("min_share", "min_share must be a share of customers in [0, 0.5), e.g. 0.01 for 1 %; got \(minShare)")
        }
        var names = Set<String>()
        for d in derived where !names.insert(d.name).inserted { throw fail("derived.\(d.name)", "derived: '\(d.name)' is defined twice") }
        if let tags, !tags.isEmpty {
            _ = try TagRules(tags, file: file, source: source, at: [ConfigKey(stringValue: "tags")])
        }
    }

    /// The tag rules, parsed.
    func tagRules(file: String) throws -> TagRules? {
        guard let tags, !tags.isEmpty else { return nil }
        return try TagRules(tags, file: self.file ?? file, source: nil, at: [])
    }
}

/// `derived:` as an ordered mapping (`name: expression`) or a list of `{name, expression}`.
private struct DerivedList: Decodable {
    let items: [SegmentConfig.Derived]

    init(from decoder: Decoder) throws {
        if let list = try? decoder.singleValueContainer().decode([SegmentConfig.Derived].self) {
            items = list
            return
        }
        let c = try decoder.container(keyedBy: AnyKey.self)
        // Yams keeps a mapping's keys in document order.
        items = try c.allKeys.map { .init(name: $0.stringValue, expression: try c.decode(String.self, forKey: $0)) }
    }
}

/// A key the section does not know is most likely a typo: say so rather than ignore it.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ decoder: Decoder, _: Keys.Type, section: String?, what: String? = nil) throws {
    try rejectUnknownKeys(decoder, known: Keys.allCases.map(\.stringValue), section: section, what: what)
}

/// Throws at the first key of the decoder's mapping that is not in `known`, naming it as
/// `section.key`, with a "did you mean" when one known key is a likely typo of it.
/// - Parameter what: who owns the keys when that is not a section (`rule 'x'`, `a rules file`).
func rejectUnknownKeys(_ decoder: Decoder, known names: [String], section: String?, what: String? = nil) throws {
    let known = Set(names)
    guard let container = try? decoder.container(keyedBy: AnyKey.self) else { return }
    guard let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) else { return }
    let name = section.map { "\($0).\(unknown.stringValue)" } ?? unknown.stringValue
    let hint = closest(to: unknown.stringValue, among: names).map { " (did you mean '\($0)'?)" } ?? ""
    let message: String
    if let what {
        message = "\(what): unknown key '\(name)'\(hint); \(known.count == 1 ? "its only key is" : "its keys are") \(known.sorted().joined(separator: ", "))"
    } else {
        message = "unknown key '\(name)'\(hint); known keys\(section.map { " in \($0)" } ?? "") are \(known.sorted().joined(separator: ", "))"
    }
    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [unknown], debugDescription: message))
}
