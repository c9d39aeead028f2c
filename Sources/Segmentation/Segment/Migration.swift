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
    public static func compare(oldPath: String, run: SegmentRun, hashing: KeyedHash? = nil) throws -> Migration {
        let tierColumns = ["value_tier", "behavior_tier"]
        // Only the id and tier columns: an earlier SEGMENTS.csv can have millions of rows.
        let old = try CSVRecords.read(path: oldPath, keeping: Set([run.idColumn] + tierColumns))
        guard let idIndex = old.header.firstIndex(of: run.idColumn) else {
            throw CustomerDataError.unknownColumn(file: old.file, option: "--compare (the id column)", name: run.idColumn, available: old.header)
        }
        // This run's row of each id, then of each old record (nil: not in this run).
        let count = run.ids?.count ?? 0
        var rowOf = [String: Int](minimumCapacity: count)
        if let ids = run.ids {
            for i in 0..<count { rowOf[hashing.map { $0.pseudonym(ids[i]) } ?? ids[i]] = i }
        }
        var seen = [Bool](repeating: false, count: count)
        var onlyOld = Set<String>()
        let now: [Int?] = old.rows.map { record in
            let id = record.fields[idIndex]
            guard let i = rowOf[id] else {
                onlyOld.insert(id)
                return nil
            }
            seen[i] = true
            return i
        }
        var tables = [Table]()
        for (k, column) in tierColumns.enumerated() {
            guard let j = old.header.firstIndex(of: column) else { continue }
            let newNames = k == 0 ? run.value.tiers.map(\.name) : run.behavior.tiers.map(\.name)
            let newTier = k == 0 ? run.valueTier : run.behaviorTier
            var oldNames = [String]()
            var oldIndex = [String: Int]()
            var counts = [[Int]]()
            for (record, row) in zip(old.rows, now) {
                guard let row else { continue }
                let before = record.fields[j]
                let r: Int
                if let known = oldIndex[before] {
                    r = known
                } else {
                    r = oldNames.count
                    oldIndex[before] = r
                    oldNames.append(before)
                    counts.append([Int](repeating: 0, count: newNames.count))
                }
                counts[r][newTier[row]] += 1
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
        return Migration(tables: tables, matched: now.count { $0 != nil }, onlyOld: onlyOld.count,
                         onlyNew: seen.count { !$0 })
    }
}
