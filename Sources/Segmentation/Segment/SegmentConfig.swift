import Foundation
import Yams

/// persona.yaml: which columns play which role, the tier names, lifecycle thresholds, tag
/// rules and personal data. Every field has a default that fits `persona features` output;
/// `persona segment --print-config` writes the effective config to start from.
public struct SegmentConfig: Codable, Sendable, Equatable {
    public struct Value: Codable, Sendable, Equatable {
        /// Spend-like columns: higher is more valuable.
        public var columns: [String] = ["monetary", "frequency", "avg_order_value"]
        /// Columns log1p-transformed before standardizing (skewed spend); nil: every listed
        /// column without negative values.
        public var log1p: [String]? = ["monetary", "frequency", "avg_order_value"]
        /// Tier names, best first (the number of names is k).
        public var tiers: [String] = ["high", "mid", "low"]

        enum CodingKeys: String, CodingKey, CaseIterable { case columns, log1p, tiers }

        public init() {}

        /// `value: [monetary, frequency]` (log1p on those without negative values) or the full form.
        public init(from decoder: Decoder) throws {
            let d = Value()
            if let list = try? decoder.singleValueContainer().decode([String].self) {
                columns = list
                log1p = nil
                return
            }
            try rejectUnknownKeys(decoder, CodingKeys.self, section: "value")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            columns = try c.decodeIfPresent([String].self, forKey: .columns) ?? d.columns
            log1p = try c.decodeIfPresent([String].self, forKey: .log1p) ?? d.log1p
            tiers = try c.decodeIfPresent([String].self, forKey: .tiers) ?? d.tiers
        }
    }

    public struct Behavior: Codable, Sendable, Equatable {
        /// Days since the last purchase: higher is worse.
        public var recency: String = "recency_days"
        public var frequency: String = "frequency"
        /// Further engagement columns: higher is better.
        public var engagement: [String] = ["active_days"]
        public var log1p: [String] = ["recency_days", "frequency", "active_days"]
        public var tiers: [String] = ["active", "potential", "at_risk", "churned"]

        enum CodingKeys: String, CodingKey, CaseIterable { case recency, frequency, engagement, log1p, tiers }

        public init() {}

        public init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, CodingKeys.self, section: "behavior")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Behavior()
            recency = try c.decodeIfPresent(String.self, forKey: .recency) ?? d.recency
            frequency = try c.decodeIfPresent(String.self, forKey: .frequency) ?? d.frequency
            engagement = try c.decodeIfPresent([String].self, forKey: .engagement) ?? d.engagement
            log1p = try c.decodeIfPresent([String].self, forKey: .log1p) ?? d.log1p
            tiers = try c.decodeIfPresent([String].self, forKey: .tiers) ?? d.tiers
        }
    }

    public struct Lifecycle: Codable, Sendable, Equatable {
        public var tenure: String = "tenure_days"
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
            case tenure, gap
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
            try rejectUnknownKeys(decoder, CodingKeys.self, section: "lifecycle")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Lifecycle()
            tenure = try c.decodeIfPresent(String.self, forKey: .tenure) ?? d.tenure
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
        /// Columns whose mix describes what a customer prefers; nil: every `share:` column.
        public var columns: [String]?
        public var k: Int = 4

        enum CodingKeys: String, CodingKey, CaseIterable { case columns, k }

        public init() {}

        /// `preference: [share:Toys, discount_share]` or the full form.
        public init(from decoder: Decoder) throws {
            if let list = try? decoder.singleValueContainer().decode([String].self) {
                columns = list
                return
            }
            try rejectUnknownKeys(decoder, CodingKeys.self, section: "preference")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            columns = try c.decodeIfPresent([String].self, forKey: .columns)
            k = try c.decodeIfPresent(Int.self, forKey: .k) ?? 4
        }
    }

    public struct Persona: Codable, Sendable, Equatable {
        /// Fixed k, or nil to choose by silhouette in `kRange` (on a sample of 20,000 rows).
        public var k: Int?
        public var kRange: [Int] = [2, 8]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case k
            case kRange = "k_range"
        }

        public init() {}

        public init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, CodingKeys.self, section: "persona")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            k = try c.decodeIfPresent(Int.self, forKey: .k)
            kRange = try c.decodeIfPresent([Int].self, forKey: .kRange) ?? [2, 8]
        }
    }

    public struct TagRule: Codable, Sendable, Equatable {
        public var name: String
        public var when: String
    }

    public var value = Value()
    public var behavior = Behavior()
    public var lifecycle = Lifecycle()
    public var preference = Preference()
    public var persona = Persona()
    /// Base attributes (age, gender, region …): not clustered on, but described per persona
    /// (mean of a number column, most common value of a text column).
    public var attributes: [String] = []
    /// Columns holding personal data (names, phones, e-mails): never written to any output.
    public var pii: [String] = []
    public var seed: UInt64 = 0
    public var tags: [TagRule]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case value, behavior, lifecycle, preference, persona, attributes, pii, seed, tags
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        value = try c.decodeIfPresent(Value.self, forKey: .value) ?? Value()
        behavior = try c.decodeIfPresent(Behavior.self, forKey: .behavior) ?? Behavior()
        lifecycle = try c.decodeIfPresent(Lifecycle.self, forKey: .lifecycle) ?? Lifecycle()
        preference = try c.decodeIfPresent(Preference.self, forKey: .preference) ?? Preference()
        persona = try c.decodeIfPresent(Persona.self, forKey: .persona) ?? Persona()
        attributes = try c.decodeIfPresent([String].self, forKey: .attributes) ?? []
        try rejectUnknownKeys(decoder, CodingKeys.self, section: nil)
        pii = try c.decodeIfPresent([String].self, forKey: .pii) ?? []
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        tags = try c.decodeIfPresent([TagRule].self, forKey: .tags)
    }

    public static func read(path: String) throws -> SegmentConfig {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TagRuleError.file(file: name, problem: "cannot read it (no such file, or no permission)")
        }
        let config: SegmentConfig
        do {
            config = try YAMLDecoder().decode(SegmentConfig.self, from: String(decoding: data, as: UTF8.self))
        } catch let DecodingError.dataCorrupted(context) {
            throw TagRuleError.file(file: name, problem: context.debugDescription)
        } catch let DecodingError.typeMismatch(_, context) {
            throw TagRuleError.file(file: name, problem: "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw TagRuleError.file(file: name, problem: "not a valid persona config: \(error)")
        }
        try config.validate(file: name)
        return config
    }

    /// Checks what decoding cannot: non-empty roles, tier names the lifecycle refers to, k
    /// ranges, tag rules (parsed now, so a bad rule fails before any clustering).
    public func validate(file: String) throws {
        func fail(_ problem: String) -> TagRuleError { .file(file: file, problem: problem) }
        guard !value.columns.isEmpty else { throw fail("value: needs at least one column") }
        guard !value.tiers.isEmpty, !behavior.tiers.isEmpty else { throw fail("tiers: need at least one name") }
        guard value.tiers.contains(lifecycle.vipTier) else {
            throw fail("lifecycle.vip_tier '\(lifecycle.vipTier)' is not one of the value tiers \(value.tiers.joined(separator: ", "))")
        }
        for tier in lifecycle.decliningTiers where !behavior.tiers.contains(tier) {
            throw fail("lifecycle.declining_tiers names '\(tier)', which is not one of the behaviour tiers \(behavior.tiers.joined(separator: ", "))")
        }
        guard preference.k >= 1 else { throw fail("preference.k must be at least 1") }
        if let k = persona.k, k < 1 { throw fail("persona.k must be at least 1") }
        guard persona.kRange.count == 2, persona.kRange[0] >= 2, persona.kRange[0] <= persona.kRange[1] else {
            throw fail("persona.k_range must be [MIN, MAX] with 2 <= MIN <= MAX")
        }
        _ = try tagRules(file: file)
    }

    public func yaml() throws -> String {
        try YAMLEncoder().encode(self)
    }

    /// The tag rules, parsed.
    func tagRules(file: String) throws -> TagRules? {
        guard let tags, !tags.isEmpty else { return nil }
        let yaml = try YAMLEncoder().encode(["tags": tags.map { ["name": $0.name, "when": $0.when] }])
        return try TagRules.parse(yaml, file: file)
    }
}

/// A key the section does not know is most likely a typo: say so rather than ignore it.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ decoder: Decoder, _: Keys.Type, section: String?) throws {
    let known = Set(Keys.allCases.map(\.stringValue))
    guard let container = try? decoder.container(keyedBy: AnyKey.self) else { return }
    if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
        let name = section.map { "\($0).\(unknown.stringValue)" } ?? unknown.stringValue
        throw DecodingError.dataCorrupted(.init(codingPath: [unknown], debugDescription:
            "unknown key '\(name)'; known keys\(section.map { " in \($0)" } ?? "") are \(known.sorted().joined(separator: ", "))"))
    }
}
