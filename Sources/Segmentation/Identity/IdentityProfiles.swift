import CustomerData
import Foundation
import NumericCore

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

/// Every customer's profile as value numbers (text is made only when a row is written or a
/// profile asked for): 10M records' profiles fit in tens of megabytes.
public struct IdentityProfiles: Sendable {
    let resolution: IdentityResolution
    /// Record numbers grouped by customer (`matching.members()`).
    let start: [Int]
    let members: [Int32]
    /// Per customer: the surviving value number of each strong field and the name (-1: none),
    /// the surviving birthday (yyyymmdd, 0: none) and how many distinct birthdays the records give.
    let keys: [[Int32]]
    let name: [Int32]
    let birthday: [Int32]
    let birthdayCount: [Int32]

    public var count: Int { name.count }

    /// Customers whose records give more than one birthday, in customer order.
    public var conflicts: [Int] { birthdayCount.indices.filter { birthdayCount[$0] > 1 } }

    /// - Complexity: O(n) for n records (O(g²) for a customer of g records, who are few).
    init(_ resolution: IdentityResolution, threads: Int) {
        self.resolution = resolution
        let records = resolution.records
        (start, members) = resolution.matching.members()
        let customers = resolution.matching.customerCount
        let chunk = 1 << 16
        let parts = Parallel.map(count: (customers + chunk - 1) / chunk, threads: threads) { [start, members] part in
            // The record tables taken out of `records` once: reaching into it per value would
            // retain and release the arrays, shared with the other threads, every time.
            let (phone, email, member) = (records.keys[0], records.keys[1], records.keys[2])
            let (names, dates) = (records.nameCode, records.birthdayDate)
            let range = part * chunk..<min(customers, (part + 1) * chunk)
            var keys: [[Int32]] = Array(repeating: [], count: 3)
            var name = [Int32](), birthday = [Int32](), birthdayCount = [Int32]()
            for k in 0..<3 { keys[k].reserveCapacity(range.count) }
            name.reserveCapacity(range.count)
            birthday.reserveCapacity(range.count)
            birthdayCount.reserveCapacity(range.count)
            let survivorship = Survivorship(records)
            var scratch = [Int32]()
            members.withUnsafeBufferPointer { all in
                for c in range {
                    let group = UnsafeBufferPointer(rebasing: all[start[c]..<start[c + 1]])
                    keys[0].append(survivorship.choose(.phone, group, phone, absent: -1, scratch: &scratch))
                    keys[1].append(survivorship.choose(.email, group, email, absent: -1, scratch: &scratch))
                    keys[2].append(survivorship.choose(.memberID, group, member, absent: -1, scratch: &scratch))
                    name.append(survivorship.choose(.fullName, group, names, absent: -1, scratch: &scratch))
                    birthday.append(survivorship.choose(.birthday, group, dates, absent: 0, scratch: &scratch))
                    birthdayCount.append(Int32(Self.distinctCount(group, dates, absent: 0)))
                }
            }
            return (keys, name, birthday, birthdayCount)
        }
        var keys: [[Int32]] = Array(repeating: [], count: 3)
        var name = [Int32](), birthday = [Int32](), birthdayCount = [Int32]()
        for part in parts {
            guard case .success(let p) = part else { continue }  // the closure does not throw
            for k in 0..<3 { keys[k] += p.0[k] }
            name += p.1
            birthday += p.2
            birthdayCount += p.3
        }
        self.keys = keys
        self.name = name
        self.birthday = birthday
        self.birthdayCount = birthdayCount
    }

    /// The most frequent of the group's values other than `absent`; the first seen among
    /// equally frequent ones. O(g²) for g records, without allocating: groups are small.
    static func survivor(_ group: UnsafeBufferPointer<Int32>, _ values: [Int32], absent: Int32) -> Int32 {
        var best = absent, bestCount = 0
        for (i, r) in group.enumerated() {
            let value = values[Int(r)]
            guard value != absent, !group[..<i].contains(where: { values[Int($0)] == value }) else { continue }
            var count = 1
            for q in group[(i + 1)...] where values[Int(q)] == value { count += 1 }
            if count > bestCount { (best, bestCount) = (value, count) }
        }
        return best
    }

    /// How many distinct values other than `absent` the group has.
    static func distinctCount(_ group: UnsafeBufferPointer<Int32>, _ values: [Int32], absent: Int32) -> Int {
        var count = 0
        forEachDistinct(group, values, absent: absent) { _ in count += 1 }
        return count
    }

    /// Calls `body` with each distinct value other than `absent`, in order of first appearance
    /// (O(g²), without allocating).
    static func forEachDistinct(_ group: UnsafeBufferPointer<Int32>, _ values: [Int32], absent: Int32, _ body: (Int32) -> Void) {
        for (i, r) in group.enumerated() {
            let value = values[Int(r)]
            if value != absent, !group[..<i].contains(where: { values[Int($0)] == value }) { body(value) }
        }
    }

    /// Customer `c`'s profile as text.
    public subscript(c: Int) -> IdentityProfile {
        let records = resolution.records
        let names = records.config.sources.map(\.name)
        var birthdays = [String]()
        members.withUnsafeBufferPointer { all in
            Self.forEachDistinct(UnsafeBufferPointer(rebasing: all[start[c]..<start[c + 1]]), records.birthdayDate, absent: 0) {
                birthdays.append(IdentityKeys.birthdayText($0))
            }
        }
        return IdentityProfile(
            customerKey: resolution.customerKeys[c], records: start[c + 1] - start[c],
            sources: sourceIndices(c).map { names[$0] },
            phone: text(0, c), email: text(1, c), memberID: text(2, c), name: records.nameText(name[c]),
            birthday: birthday[c] == 0 ? "" : IdentityKeys.birthdayText(birthday[c]),
            birthdays: birthdays)
    }

    private func text(_ k: Int, _ c: Int) -> String {
        keys[k][c] < 0 ? "" : resolution.records.value(k, keys[k][c])
    }

    /// The sources customer `c` appears in, in config order.
    func sourceIndices(_ c: Int) -> [Int] {
        var seen = [Bool](repeating: false, count: resolution.records.config.sources.count)
        for r in members[start[c]..<start[c + 1]] { seen[Int(resolution.records.source[Int(r)])] = true }
        return seen.indices.filter { seen[$0] }
    }

    /// PROFILES.csv: `customer_key,records,sources` (`crm|shop`), then `phone,email,member_id`
    /// unless the keys are pseudonymous, then `full_name,birthday,birthday_conflict` (the
    /// number of distinct birthdays when more than one, else empty). Handed to `write` in
    /// chunks formatted on `threads` threads.
    public func writeCSV(threads: Int, _ write: ([UInt8]) throws -> Void) rethrows {
        let pseudonymous = resolution.pseudonymous
        var header = CSVWriter()
        header.row(["customer_key", "records", "sources"] + (pseudonymous ? [] : ["phone", "email", "member_id"])
                   + ["full_name", "birthday", "birthday_conflict"])
        try write(header.bytes)
        let chunk = 1 << 16
        try FormattedChunks.write(count: (count + chunk - 1) / chunk, threads: threads, format: { [self] part, out in
            // The tables taken out of `self` once (see `IdentityResolution.writeIdentitiesCSV`).
            let records = resolution.records
            let names = records.config.sources.map(\.name)
            let (start, members, source, customerKeys) = (start, members, records.source, resolution.customerKeys)
            let (keys, name, birthday, birthdayCount) = (keys, name, birthday, birthdayCount)
            var seen = [Bool](repeating: false, count: names.count)
            out.reserve(min(chunk, count - part * chunk) * 80)
            for c in part * chunk..<min(count, (part + 1) * chunk) {
                customerKeys.withKey(c) { out.field(bytes: $0) }
                out.field(start[c + 1] - start[c])
                for i in seen.indices { seen[i] = false }
                for r in members[start[c]..<start[c + 1]] { seen[Int(source[Int(r)])] = true }
                out.field(seen.indices.filter { seen[$0] }.map { names[$0] }.joined(separator: "|"))
                if !pseudonymous {
                    for k in 0..<3 { if keys[k][c] < 0 { out.emptyField() } else { records.withValue(k, keys[k][c]) { out.field(bytes: $0) } } }
                }
                if name[c] < 0 { out.emptyField() } else { records.withName(name[c]) { out.field(bytes: $0) } }
                if birthday[c] == 0 { out.emptyField() } else { out.field(IdentityKeys.birthdayText(birthday[c])) }
                if birthdayCount[c] > 1 { out.field(Int(birthdayCount[c])) } else { out.emptyField() }
                out.endRow()
            }
        }, write)
    }
}

extension IdentityProfiles {
    /// `writeCSV` into one buffer.
    public func csv(threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [UInt8] {
        var bytes = [UInt8]()
        writeCSV(threads: threads) { bytes += $0 }
        return bytes
    }
}

extension IdentityResolution {
    /// Every customer's profile, computed on `threads` threads (the result does not depend on it).
    public func profiles(threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> IdentityProfiles {
        IdentityProfiles(self, threads: threads)
    }
}
