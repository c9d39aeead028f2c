import CustomerData
import Foundation

/// How customers moved between two segment runs (`persona segment --compare OLD.csv`): for
/// each tier column both files have, a table of old tier × new tier counts over the ids in both.
public struct Migration: Sendable {
    public struct Table: Sendable {
        public let column: String
        public let old: [String]
        public let new: [String]
        /// counts[i][j]: customers in old[i] then new[j].
        public let counts: [[Int]]
    }

    public let tables: [Table]
    public let matched: Int
    public let onlyOld: Int
    public let onlyNew: Int

    /// With `hashing`, the old file holds pseudonyms (a run with --hash-ids): match on those.
    public static func compare(oldPath: String, run: SegmentJob.Run, hashing: KeyedHash? = nil) throws -> Migration {
        let old = try CSVRecords.read(path: oldPath)
        guard let idIndex = old.header.firstIndex(of: run.idColumn) else {
            throw CustomerDataError.unknownColumn(file: old.file, option: "--compare (the id column)", name: run.idColumn, available: old.header)
        }
        var newTier = [String: (String, String)]()
        if let ids = run.ids {
            for i in 0..<ids.count {
                let key = hashing.map { $0.pseudonym(ids[i]) } ?? ids[i]
                newTier[key] = (run.value.tiers[run.valueTier[i]].name, run.behavior.tiers[run.behaviorTier[i]].name)
            }
        }
        var tables = [Table]()
        var matched = 0
        for (k, column) in ["value_tier", "behavior_tier"].enumerated() {
            guard let j = old.header.firstIndex(of: column) else { continue }
            let newNames = (k == 0 ? run.value : run.behavior).tiers.map(\.name)
            var oldNames = [String]()
            var counts = [[Int]]()
            matched = 0
            for record in old.rows {
                guard let now = newTier[record.fields[idIndex]] else { continue }
                matched += 1
                let before = record.fields[j]
                if !oldNames.contains(before) {
                    oldNames.append(before)
                    counts.append([Int](repeating: 0, count: newNames.count))
                }
                let row = oldNames.firstIndex(of: before) ?? 0
                counts[row][newNames.firstIndex(of: k == 0 ? now.0 : now.1) ?? 0] += 1
            }
            // Old tiers in the new run's order where they match, others after.
            let order = oldNames.indices.sorted {
                (newNames.firstIndex(of: oldNames[$0]) ?? Int.max, $0) < (newNames.firstIndex(of: oldNames[$1]) ?? Int.max, $1)
            }
            tables.append(Table(column: column, old: order.map { oldNames[$0] }, new: newNames, counts: order.map { counts[$0] }))
        }
        guard !tables.isEmpty else {
            throw CustomerDataError.unknownColumn(file: old.file, option: "--compare", name: "value_tier", available: old.header)
        }
        let oldIDs = Set(old.rows.map { $0.fields[idIndex] })
        return Migration(tables: tables, matched: matched, onlyOld: oldIDs.subtracting(newTier.keys).count,
                         onlyNew: Set(newTier.keys).subtracting(oldIDs).count)
    }
}
