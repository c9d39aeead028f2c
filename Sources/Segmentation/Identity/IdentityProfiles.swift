import CustomerData

/// One customer as its records describe them, each field chosen by the config's survivorship
/// rule (`SurvivorshipRule`; by default the most frequent non-blank normalised value, ties going
/// to the value seen first: sources in config order, then records in file order).
public struct IdentityProfile: Sendable, Equatable {
    public var customerKey: String
    public var records: Int
    /// The sources the customer appears in, in config order.
    public var sources: [String]
    public var phone: String
    public var email: String
    public var memberID: String
    public var name: String
    public var birthday: String
    /// Every distinct birthday the records give, in order of first appearance: more than one
    /// is a conflict to report.
    public var birthdays: [String]
}

extension IdentityResolution {
    /// One profile per customer, by customer number.
    /// - Complexity: O(n) expected for n records.
    public func profiles() -> [IdentityProfile] {
        let (start, members) = matching.members()
        let names = records.config.sources.map(\.name)
        let survivorship = Survivorship(records)
        var profiles = [IdentityProfile]()
        profiles.reserveCapacity(matching.customerCount)
        for c in 0..<matching.customerCount {
            let group = members[start[c]..<start[c + 1]]
            var seenSources = Set<Int32>()
            for r in group { seenSources.insert(records.source[r]) }
            let key = { (k: Int) in
                survivorship.choose(IdentityField.strong[k], group) { r in records.keys[k][r] < 0 ? "" : records.values[k][Int(records.keys[k][r])] }
            }
            var birthdays = [String]()
            for r in group where !records.birthday[r].isEmpty && !birthdays.contains(records.birthday[r]) { birthdays.append(records.birthday[r]) }
            profiles.append(IdentityProfile(
                customerKey: customerKeys[c], records: group.count,
                sources: seenSources.sorted().map { names[Int($0)] },
                phone: key(0), email: key(1), memberID: key(2),
                name: survivorship.choose(.fullName, group) { records.name[$0] },
                birthday: survivorship.choose(.birthday, group) { records.birthday[$0] }, birthdays: birthdays))
        }
        return profiles
    }

    /// The most frequent non-blank value; the first seen among equally frequent ones.
    static func survivor(_ values: [String]) -> String {
        var counts = [String: (count: Int, first: Int)]()
        for (i, value) in values.enumerated() where !value.isEmpty {
            counts[value] = ((counts[value]?.count ?? 0) + 1, counts[value]?.first ?? i)
        }
        return counts.max { ($0.value.count, -$0.value.first) < ($1.value.count, -$1.value.first) }?.key ?? ""
    }

    /// PROFILES.csv: `customer_key,records,sources` (`crm|shop`), then `phone,email,member_id`
    /// unless the keys are pseudonymous, then `full_name,birthday,birthday_conflict` (the
    /// number of distinct birthdays when more than one, else empty).
    public func profilesCSV(_ profiles: [IdentityProfile]) -> [UInt8] {
        var out = CSVWriter(reserve: profiles.count * 80)
        out.row(["customer_key", "records", "sources"] + (pseudonymous ? [] : ["phone", "email", "member_id"])
                + ["full_name", "birthday", "birthday_conflict"])
        for p in profiles {
            out.field(p.customerKey)
            out.field(p.records)
            out.field(p.sources.joined(separator: "|"))
            if !pseudonymous {
                out.field(p.phone)
                out.field(p.email)
                out.field(p.memberID)
            }
            out.field(p.name)
            out.field(p.birthday)
            if p.birthdays.count > 1 { out.field(p.birthdays.count) } else { out.emptyField() }
            out.endRow()
        }
        return out.bytes
    }
}
