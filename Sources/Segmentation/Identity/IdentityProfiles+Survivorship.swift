/// The config's survivorship rules, prepared once for `profiles()`: which of a customer's
/// values of a field goes into PROFILES.csv.
struct Survivorship {
    let records: IdentityRecords
    let rules: [IdentityField: SurvivorshipRule]
    /// Each source's rank for `source_priority`, by source index (0 is the highest).
    let rank: [Int]

    init(_ records: IdentityRecords) {
        self.records = records
        rules = records.config.survivorship
        rank = records.config.priorityRank
    }

    /// The surviving value of `field` among the records `group` (in record order); `value(r)` is
    /// record r's normalised value, "" when it is blank or malformed.
    /// - Complexity: O(g) expected for g records.
    func choose(_ field: IdentityField, _ group: ArraySlice<Int>, value: (Int) -> String) -> String {
        let rule = rules[field] ?? .mostFrequent
        guard rule != .mostFrequent else { return IdentityResolution.survivor(group.map(value)) }
        var candidates = group.filter { !value($0).isEmpty }
        switch rule {
        case .mostFrequent:
            break
        case .mostRecent:
            if let latest = candidates.map(records.updatedTime).max() {
                candidates = candidates.filter { records.updatedTime($0) == latest }
            }
        case .sourcePriority:
            if let best = candidates.map({ rank[Int(records.source[$0])] }).min() {
                candidates = candidates.filter { rank[Int(records.source[$0])] == best }
            }
        }
        return IdentityResolution.survivor(candidates.map(value))
    }
}
