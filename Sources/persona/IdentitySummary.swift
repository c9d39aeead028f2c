import Foundation
import Segmentation

/// What `persona identity` prints on stderr: records per source, merges by key, joins refused
/// by confirmation rules, hub keys left out, malformed keys and dates, birthday conflicts. Key
/// values are masked when customer keys are pseudonymous; birthdays are then counted, not shown.
struct IdentitySummary {
    let resolution: IdentityResolution
    let profiles: IdentityProfiles
    let outputs: [String]
    let seconds: Double

    /// Conflicts listed one per line, up to this many.
    static let listed = 10

    var text: String {
        let records = resolution.records
        let matching = resolution.matching
        let sources = records.config.sources
        var lines = [String]()
        lines.append("identity: \(Format.count(records.count)) records from \(sources.count) source\(sources.count == 1 ? "" : "s") → \(Format.count(matching.customerCount)) customers"
                     + " (\(resolution.pseudonymous ? "HMAC pseudonyms" : "sequential keys"); hub guard \(records.config.hubGuard))")
        for (s, source) in sources.enumerated() {
            lines.append("  \(source.name): \(Format.count(records.recordsPerSource[s])) records (\(source.file))")
        }
        let merged = ["phone", "email", "member_id", "record_id"].map { "\($0) \(Format.count(matching.merges[$0] ?? 0))" }
        lines.append("merges by key: " + merged.joined(separator: ", "))
        let unconfirmed = IdentityField.strong.compactMap { field in matching.unconfirmed[field].map { "\(field.rawValue) \(Format.count($0))" } }
        if !unconfirmed.isEmpty {
            lines.append("unconfirmed: " + unconfirmed.joined(separator: ", ") + " (key shared, names not similar enough; not joined)")
        }
        if matching.hubs.isEmpty {
            lines.append("hub keys dropped: none")
        } else {
            lines.append("hub keys dropped: \(matching.hubs.count) (shared by more than \(records.config.hubGuard) different identities; not used)")
            for hub in matching.hubs.prefix(Self.listed) {
                let value = resolution.pseudonymous ? IdentityKeys.masked(hub.value) : hub.value
                lines.append("  \(hub.field.rawValue) \(value): \(Format.count(hub.records)) records, \(Format.count(hub.identities)) identities")
            }
            if matching.hubs.count > Self.listed { lines.append("  … and \(matching.hubs.count - Self.listed) more") }
        }
        var malformed = [String]()
        for (s, source) in sources.enumerated() {
            for field in IdentityField.allCases {
                guard let bad = records.malformed[s][field] else { continue }
                malformed.append("  \(source.name) \(field.rawValue): \(Format.count(bad.count)) (first at \(source.file):\(bad.firstLine))")
            }
            if let bad = records.malformedUpdated[s] {
                malformed.append("  \(source.name) updated: \(Format.count(bad.count)) (first at \(source.file):\(bad.firstLine); counted as oldest)")
            }
        }
        lines.append("malformed keys (not matched)" + (malformed.isEmpty ? ": none" : ":"))
        lines.append(contentsOf: malformed)
        let conflicts = profiles.conflicts
        lines.append("birthday conflicts: " + (conflicts.isEmpty ? "none" : "\(Format.count(conflicts.count)) customers"))
        for profile in conflicts.prefix(Self.listed).map({ profiles[$0] }) {
            let shown = resolution.pseudonymous ? "\(profile.birthdays.count) birthdays" : profile.birthdays.joined(separator: " vs ")
            lines.append("  \(profile.customerKey): \(shown)")
        }
        if conflicts.count > Self.listed { lines.append("  … and \(conflicts.count - Self.listed) more (PROFILES.csv birthday_conflict)") }
        lines.append("wrote \(outputs.joined(separator: ", ")) in \(Format.decimal(seconds, 2)) s")
        return lines.joined(separator: "\n")
    }
}
