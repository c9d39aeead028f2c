/// The config's survivorship rules, prepared once for `profiles()`: which of a customer's
/// values of a field goes into PROFILES.csv.
struct Survivorship: Sendable {
    /// The rule of each field, by `IdentityField.allCases` index.
    let rules: [SurvivorshipRule]
    /// Each source's rank for `source_priority`, by source index (0 is the highest).
    let rank: [Int]
    /// Each record's source and `updated` time (empty when no source has the column).
    let source: [Int32]
    let updated: [Int64]

    init(_ records: IdentityRecords) {
        rules = IdentityField.allCases.map { records.config.survivorship[$0] ?? .mostFrequent }
        rank = records.config.priorityRank
        source = records.source
        updated = records.updated
    }

    /// The surviving value number of `field` among the records `group` (in record order), whose
    /// values are `values[r]` (`absent` for blank or malformed): the most frequent, among the
    /// latest records for `most_recent` and the highest-ranked source's for `source_priority`.
    /// - Complexity: O(g²) for g records, as `IdentityProfiles.survivor`.
    func choose(_ field: IdentityField, _ group: UnsafeBufferPointer<Int32>, _ values: [Int32], absent: Int32,
                scratch: inout [Int32]) -> Int32 {
        let rule = rules[IdentityField.allCases.firstIndex(of: field) ?? 0]
        guard rule != .mostFrequent else { return IdentityProfiles.survivor(group, values, absent: absent) }
        scratch.removeAll(keepingCapacity: true)
        for r in group where values[Int(r)] != absent { scratch.append(r) }
        switch rule {
        case .mostFrequent:
            break
        case .mostRecent:
            let time = { (r: Int32) in updated.isEmpty ? IdentityRecords.unknownTime : updated[Int(r)] }
            if let latest = scratch.map(time).max() { scratch.removeAll { time($0) != latest } }
        case .sourcePriority:
            if let best = scratch.map({ rank[Int(source[Int($0)])] }).min() { scratch.removeAll { rank[Int(source[Int($0)])] != best } }
        }
        return scratch.withUnsafeBufferPointer { IdentityProfiles.survivor($0, values, absent: absent) }
    }
}
