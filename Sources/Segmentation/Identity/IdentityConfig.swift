import Foundation

/// What `persona identity` reads: the sources and how to match them, from a YAML file such as
///
/// ```yaml
/// sources:
///   - {name: crm, file: crm.csv, id: customer_id, phone: mobile, email: email, country: CN, updated: last_modified}
///   - {name: shop, file: shop/users.csv, id: user_id, email: mail, member_id: card, full_name: name}
/// hub_guard: 50                  # a key value shared by more identities than this is not used
/// member_id: {leading_zeros: strip}
/// survivorship: {phone: most_recent, email: source_priority}   # PROFILES.csv; default most_frequent
/// priority: [shop, crm]          # for source_priority; default the order of `sources`
/// confirm: {phone: {name_similarity: 0.8}}                    # join on a phone only when names agree
/// ```
///
/// Files are relative to the YAML file's folder. Every problem is reported at its line and
/// column (`identity.yaml:4:5: ...`).
public struct IdentityConfig: Sendable, Equatable {
    /// One source file and the columns that hold its keys.
    public struct Source: Sendable, Equatable {
        public var name: String
        /// As written in the config.
        public var file: String
        /// Where it is read from: `file` resolved against the config's folder.
        public var path: String
        public var id: String
        public var columns: [IdentityField: String]
        /// ISO region for phone numbers without a calling code.
        public var country: String
        /// The column that says when a record last changed (for `most_recent` survivorship).
        public var updated: String? = nil
        /// Where each column name is written in the config (`identity.yaml:5:12`), for errors.
        public var places: [String: String]
    }

    public var sources: [Source]
    /// A key value shared by more than this many otherwise different identities is not used.
    public var hubGuard: Int = 50
    public var leadingZeros: IdentityKeys.LeadingZeros = .keep
    /// How PROFILES.csv picks each field; a field not named here is `mostFrequent`.
    public var survivorship: [IdentityField: SurvivorshipRule] = [:]
    /// Source indices from the highest priority down, every source once (`priority:` first,
    /// then the sources it leaves out, in config order).
    public var priority: [Int] = []
    /// Name confirmation per strong key: records sharing the key join only when their names agree.
    public var confirm: [IdentityField: ConfirmationRule] = [:]

    public static let defaultCountry = "CN"

    /// Reads and checks the config at `path` (source files are not opened yet).
    public static func read(path: String) throws -> IdentityConfig {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TagRuleError.file(file: name, problem: "cannot read it (no such file, or no permission)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        return try parse(String(decoding: data, as: UTF8.self), file: name, folder: folder)
    }

    /// `read` on the text of a file named `file` that lives in `folder`.
    public static func parse(_ yaml: String, file: String, folder: String) throws(TagRuleError) -> IdentityConfig {
        let source = try YAMLSource(yaml, file: file, empty: "the config holds no settings (it is empty or all comments); it needs a 'sources:' list")
        let raw = try source.decode(RawConfig.self)
        let sourcesKey = ConfigKey(stringValue: "sources")
        guard !raw.sources.isEmpty else { throw source.error(at: [sourcesKey], "'sources' is empty; list at least one source file") }
        var config = IdentityConfig(sources: [])
        if let guardValue = raw.hub_guard {
            guard guardValue >= 1 else {
                throw source.error(at: [ConfigKey(stringValue: "hub_guard")], "hub_guard must be a whole number >= 1; got \(guardValue)")
            }
            config.hubGuard = guardValue
        }
        config.leadingZeros = raw.member_id?.leading_zeros ?? .keep
        var names = Set<String>()
        for (k, entry) in raw.sources.enumerated() {
            let at = { (key: String?) -> [CodingKey] in [sourcesKey, ConfigKey(intValue: k)] + (key.map { [ConfigKey(stringValue: $0)] } ?? []) }
            let name = entry.name.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw source.error(at: at("name"), "sources[\(k)].name is blank; give the source a label") }
            guard names.insert(name).inserted else {
                throw source.error(at: at("name"), "source '\(name)' is listed twice; source names must differ")
            }
            let country = (entry.country ?? defaultCountry).uppercased()
            guard PhoneNumber.callingCodes[country] != nil else {
                let known = PhoneNumber.callingCodes.keys.sorted().joined(separator: ", ")
                throw source.error(at: at("country"), "source '\(name)': country '\(entry.country ?? "")' has no phone rules; use one of \(known)")
            }
            let columns = entry.columns
            var places = [String: String]()
            guard columns.keys.contains(where: \.isStrong) else {
                throw source.error(at: at(nil), "source '\(name)' names no key column: give phone, email or member_id")
            }
            for key in ["file", "id", "updated"] + IdentityField.allCases.map(\.rawValue) {
                if let place = source.place(at: at(key)) { places[key] = "\(file):\(place.line):\(place.column)" }
            }
            let path = entry.file.hasPrefix("/") || folder.isEmpty ? entry.file : (folder as NSString).appendingPathComponent(entry.file)
            config.sources.append(Source(name: name, file: entry.file, path: path, id: entry.id, columns: columns,
                                         country: country, updated: entry.updated, places: places))
        }
        try config.applyRules(survivorship: raw.survivorship, priority: raw.priority, confirm: raw.confirm, source: source)
        return config
    }
}

/// The columns a source may name, as the config spells them.
public enum IdentityField: String, Sendable, CaseIterable, Hashable {
    case phone, email
    case memberID = "member_id"
    case fullName = "full_name"
    case birthday

    /// Phone, e-mail and member id link records; name and birthday only describe them.
    public var isStrong: Bool { self == .phone || self == .email || self == .memberID }

    /// The strong keys in matching order.
    public static let strong: [IdentityField] = [.phone, .email, .memberID]
}

private struct RawConfig: Decodable {
    var sources: [RawSource]
    var hub_guard: Int?
    var member_id: RawMemberID?
    var survivorship: RawSurvivorship?
    var priority: [String]?
    var confirm: RawConfirm?

    enum CodingKeys: String, CodingKey, CaseIterable { case sources, hub_guard, member_id, survivorship, priority, confirm }

    init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self, section: nil)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sources = try c.decode([RawSource].self, forKey: .sources)
        hub_guard = try c.decodeIfPresent(Int.self, forKey: .hub_guard)
        member_id = try c.decodeIfPresent(RawMemberID.self, forKey: .member_id)
        survivorship = try c.decodeIfPresent(RawSurvivorship.self, forKey: .survivorship)
        priority = try c.decodeIfPresent([String].self, forKey: .priority)
        confirm = try c.decodeIfPresent(RawConfirm.self, forKey: .confirm)
    }
}

private struct RawMemberID: Decodable {
    var leading_zeros: IdentityKeys.LeadingZeros?
    enum CodingKeys: String, CodingKey, CaseIterable { case leading_zeros }

    init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self, section: "member_id")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let text = try c.decodeIfPresent(String.self, forKey: .leading_zeros) else { return }
        guard let value = IdentityKeys.LeadingZeros(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [CodingKeys.leading_zeros],
                                                    debugDescription: "member_id.leading_zeros must be keep or strip; got \(text)"))
        }
        leading_zeros = value
    }
}

private struct RawSource: Decodable {
    var name: String
    var file: String
    var id: String
    var country: String?
    var updated: String?
    /// The key and descriptive columns given, by field.
    var columns: [IdentityField: String] = [:]

    enum CodingKeys: String, CodingKey, CaseIterable { case name, file, id, phone, email, member_id, full_name, birthday, country, updated }

    init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self, section: "sources[\(decoder.codingPath.last?.intValue ?? 0)]")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        file = try c.decode(String.self, forKey: .file)
        id = try c.decode(String.self, forKey: .id)
        country = try c.decodeIfPresent(String.self, forKey: .country)
        updated = try c.decodeIfPresent(String.self, forKey: .updated)
        for field in IdentityField.allCases {
            if let key = CodingKeys(rawValue: field.rawValue), let column = try c.decodeIfPresent(String.self, forKey: key) {
                columns[field] = column
            }
        }
    }
}
