/// How PROFILES.csv chooses a customer's value of one field among their records' values
/// (`survivorship: {phone: most_recent}`). Blank and malformed values never survive.
public enum SurvivorshipRule: String, Sendable, CaseIterable {
    /// The most frequent value; among equally frequent ones the first seen (sources in config
    /// order, records in file order).
    case mostFrequent = "most_frequent"
    /// The value of the record updated last (its source's `updated` column); records without
    /// a usable `updated` value count as oldest; ties go to `mostFrequent` among the tied records.
    case mostRecent = "most_recent"
    /// The value from the highest-priority source (`priority:`); within it, `mostFrequent`.
    case sourcePriority = "source_priority"

    static let choices = "most_frequent, most_recent or source_priority"
}

/// Records sharing a key value are joined only when their names agree
/// (`confirm: {phone: {name_similarity: 0.8}}`).
public struct ConfirmationRule: Sendable, Equatable {
    /// The least Jaro-Winkler similarity of two normalised full names that confirms a match, in (0, 1].
    public var nameSimilarity: Double

    public init(nameSimilarity: Double) { self.nameSimilarity = nameSimilarity }
}

extension IdentityConfig {
    /// Checks `survivorship`, `priority` and `confirm` against the sources already read into
    /// `self`, and stores them; each problem is placed at its config line.
    mutating func applyRules(survivorship: RawSurvivorship?, priority: [String]?, confirm: RawConfirm?,
                             source: YAMLSource) throws(TagRuleError) {
        let names = sources.map(\.name)
        var order = [Int]()
        for (i, name) in (priority ?? []).enumerated() {
            let at = [ConfigKey(stringValue: "priority"), ConfigKey(intValue: i)]
            guard let s = names.firstIndex(of: name) else {
                throw source.error(at: at, "priority names '\(name)', which is not a source; sources are \(names.joined(separator: ", "))")
            }
            guard !order.contains(s) else { throw source.error(at: at, "priority lists '\(name)' twice; list each source once") }
            order.append(s)
        }
        self.priority = order + sources.indices.filter { !order.contains($0) }
        for field in IdentityField.allCases {
            guard let rule = survivorship?.rules[field] else { continue }
            if rule == .mostRecent, !sources.contains(where: { $0.updated != nil }) {
                throw source.error(at: [ConfigKey(stringValue: "survivorship"), ConfigKey(stringValue: field.rawValue)],
                                   "survivorship.\(field.rawValue) is most_recent, but no source names an 'updated' column; add updated: COLUMN to the sources that record when a row last changed")
            }
            self.survivorship[field] = rule
        }
        for field in IdentityField.strong {
            guard let rule = confirm?.rules[field] else { continue }
            guard sources.contains(where: { $0.columns[.fullName] != nil }) else {
                throw source.error(at: [ConfigKey(stringValue: "confirm"), ConfigKey(stringValue: field.rawValue)],
                                   "confirm.\(field.rawValue) compares names, but no source names a full_name column")
            }
            self.confirm[field] = rule
        }
    }

    /// The rank of each source for `source_priority` (0 is the highest), by source index.
    public var priorityRank: [Int] {
        var rank = Array(0..<sources.count)
        for (position, s) in priority.enumerated() where rank.indices.contains(s) { rank[s] = position }
        return rank
    }
}

/// `survivorship:`: a rule for any of the five fields.
struct RawSurvivorship: Decodable {
    var rules: [IdentityField: SurvivorshipRule] = [:]

    init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, known: IdentityField.allCases.map(\.rawValue), section: "survivorship")
        let c = try decoder.container(keyedBy: ConfigKey.self)
        for field in IdentityField.allCases {
            let key = ConfigKey(stringValue: field.rawValue)
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { continue }
            guard let rule = SurvivorshipRule(rawValue: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key],
                                                        debugDescription: "survivorship.\(field.rawValue) must be \(SurvivorshipRule.choices); got \(text)"))
            }
            rules[field] = rule
        }
    }
}

/// `confirm:`: a rule for any of the strong keys.
struct RawConfirm: Decodable {
    var rules: [IdentityField: ConfirmationRule] = [:]

    init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, known: IdentityField.strong.map(\.rawValue), section: "confirm")
        let c = try decoder.container(keyedBy: ConfigKey.self)
        for field in IdentityField.strong {
            if let rule = try c.decodeIfPresent(RawConfirmRule.self, forKey: ConfigKey(stringValue: field.rawValue)) {
                rules[field] = ConfirmationRule(nameSimilarity: rule.nameSimilarity)
            }
        }
    }
}

/// `confirm.phone: {name_similarity: 0.8}`.
private struct RawConfirmRule: Decodable {
    var nameSimilarity: Double

    enum CodingKeys: String, CodingKey, CaseIterable { case name_similarity }

    init(from decoder: Decoder) throws {
        let section = "confirm.\(decoder.codingPath.last?.stringValue ?? "")"
        try rejectUnknownKeys(decoder, CodingKeys.self, section: section)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nameSimilarity = try c.decode(Double.self, forKey: .name_similarity)
        guard nameSimilarity > 0, nameSimilarity <= 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [CodingKeys.name_similarity],
                                                    debugDescription: "\(section).name_similarity must be a number in (0, 1]; got \(nameSimilarity)"))
        }
    }
}
