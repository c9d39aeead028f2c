import CustomerData
import Foundation
import NumericCore
import Segmentation

extension SQLiteProfileStore {
    public func snapshot(_ request: SnapshotRequest) throws -> SnapshotReport {
        // The features are read in their own transaction; the snapshot is written in one that
        // first checks no batch arrived meanwhile (then it starts over).
        // Refused before the work when the date is taken (checked again when writing).
        if !request.replace, try snapshotDates().contains(request.asOf) {
            throw StoreError.snapshotExists(store: path, date: TimestampFormat.text(request.asOf))
        }
        while true {
            let batchesBefore = try Self.pragmaCount(db, "SELECT count(*) FROM batches")
            let computed = try features(asOf: request.asOf, topCategories: nil)
            let features = computed.features
            let table = try CSVReader.read(bytes: features.csv(), name: "the store's features", options: {
                var options = CSVReadOptions()
                options.idColumn = features.idName
                return options
            }())
            let recency = features.column("recency_days").map(Self.numbers) ?? []
            let gap = features.column("last_gap_days").map(Self.numbers) ?? []
            let status = features.ids.indices.map { request.status.status(recencyDays: recency[$0], lastGapDays: gap[$0]) }
            var valueTier: [String]?, behaviorTier: [String]?, persona: [String]?, lifecycle: [String]?
            var tags = [[String]](repeating: [], count: features.ids.count)
            if let (_, model) = request.segmentModel {
                let a = try model.apply(table: table, threads: request.threads)
                valueTier = a.valueTier.map { model.value.tiers[$0].name }
                behaviorTier = a.behaviorTier.map { model.behavior.tiers[$0].name }
                persona = a.personaCluster.map { model.persona.clusters[$0].name }
                lifecycle = a.lifecycle
                if let segmentTags = a.tags { for i in tags.indices { tags[i] += segmentTags[i] } }
            }
            if let (_, rules) = request.tagRules {
                let ruleTags = try rules.apply(to: table)
                for i in tags.indices { tags[i] += ruleTags[i] }
            }
            var churn: [Double]?
            if let (_, model) = request.churnModel {
                churn = try ChurnScoring.score(table, model: model, threads: request.threads).0
            }
            var report = SnapshotReport()
            report.asOf = request.asOf
            report.customers = features.ids.count
            report.incremental = computed.incremental
            for s in status { report.statusCounts[s, default: 0] += 1 }
            let written: Bool = try db.writeTransaction {
                guard try Self.pragmaCount(db, "SELECT count(*) FROM batches") == batchesBefore else { return false }
                let existing = try db.prepare("SELECT id FROM snapshots WHERE as_of = ?")
                existing.bind(1, request.asOf)
                if try existing.step() {
                    guard request.replace else { throw StoreError.snapshotExists(store: path, date: TimestampFormat.text(request.asOf)) }
                    let old = existing.int(0)
                    try db.execute("DELETE FROM customer_snapshots WHERE snapshot = \(old); DELETE FROM snapshots WHERE id = \(old)")
                    report.replaced = true
                }
                let insert = try db.prepare("""
                    INSERT INTO snapshots(as_of, created_at, batches, segment_model, tag_rules, churn_model, inactive_after, churned_after, customers)
                    VALUES(?,?,?,?,?,?,?,?,?)
                    """)
                insert.bind(1, request.asOf)
                insert.bind(2, Self.now())
                insert.bind(3, batchesBefore)
                insert.bind(4, request.segmentModel?.path)
                insert.bind(5, request.tagRules?.path)
                insert.bind(6, request.churnModel?.path)
                insert.bind(7, request.status.inactiveAfterDays)
                insert.bind(8, request.status.churnedAfterDays)
                insert.bind(9, features.ids.count)
                try insert.run()
                let snapshot = db.lastInsertRowID
                let ids = try customerIDs()
                let row = try db.prepare("""
                    INSERT INTO customer_snapshots(snapshot, customer, status, value_tier, behavior_tier, persona, lifecycle, churn_probability, tags)
                    VALUES(?,?,?,?,?,?,?,?,?)
                    """)
                for (i, key) in features.ids.enumerated() {
                    row.bind(1, snapshot)
                    guard let id = ids[key] else { throw StoreError.storage(file: path, reason: "customer '\(key)' is not in the customers table") }
                    row.bind(2, id)
                    row.bind(3, status[i])
                    row.bind(4, valueTier?[i])
                    row.bind(5, behaviorTier?[i])
                    row.bind(6, persona?[i])
                    row.bind(7, lifecycle?[i])
                    if let churn { row.bind(8, churn[i]) } else { row.bindNull(8) }
                    row.bind(9, Array(Set(tags[i])).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined(separator: ";"))
                    try row.run()
                }
                return true
            }
            if written { return report }
        }
    }

    private static func numbers(_ column: CustomerFeatures.Column) -> [Double] {
        if case .numbers(let values) = column.values { return values }
        return []
    }

    func customerIDs() throws(StoreError) -> [String: Int64] {
        var ids = [String: Int64]()
        let statement = try db.prepare("SELECT id, key FROM customers")
        while try statement.step() { ids[statement.text(1) ?? ""] = statement.int(0) }
        return ids
    }

    /// Snapshot dates, oldest first.
    public func snapshotDates() throws -> [Int64] {
        var dates = [Int64]()
        let statement = try db.prepare("SELECT as_of FROM snapshots ORDER BY as_of")
        while try statement.step() { dates.append(statement.int(0)) }
        return dates
    }

    public func snapshot(asOf: Int64) throws -> [(customer: String, state: CustomerState)] {
        try db.readTransaction {
            let find = try db.prepare("SELECT id FROM snapshots WHERE as_of = ?")
            find.bind(1, asOf)
            guard try find.step() else {
                throw StoreError.noSnapshot(store: path, date: TimestampFormat.text(asOf), available: try snapshotDates().map(TimestampFormat.text))
            }
            let rows = try db.prepare("""
                SELECT k.key, c.status, c.value_tier, c.behavior_tier, c.persona, c.lifecycle, c.churn_probability, c.tags
                FROM customer_snapshots c JOIN customers k ON k.id = c.customer WHERE c.snapshot = ? ORDER BY k.key
                """)
            rows.bind(1, find.int(0))
            var result = [(customer: String, state: CustomerState)]()
            while try rows.step() { result.append((rows.text(0) ?? "", state(rows, from: 1))) }
            return result
        }
    }

    static let stateFields = ["status", "value_tier", "behavior_tier", "persona", "lifecycle"]

    private func state(_ s: SQLiteStatement, from column: Int32) -> CustomerState {
        CustomerState(status: s.text(column) ?? "", valueTier: s.text(column + 1), behaviorTier: s.text(column + 2),
                      persona: s.text(column + 3), lifecycle: s.text(column + 4),
                      churnProbability: s.isNull(column + 5) ? nil : s.double(column + 5),
                      tags: (s.text(column + 6) ?? "").split(separator: ";").map(String.init))
    }

    private static func fields(_ state: CustomerState) -> [String] {
        [state.status, state.valueTier ?? "", state.behaviorTier ?? "", state.persona ?? "", state.lifecycle ?? ""]
    }

    /// `store history`: the first snapshot's values, then every change, snapshot by snapshot.
    public func history(customer: String) throws -> [HistoryEvent] {
        try db.readTransaction {
            let find = try db.prepare("SELECT id FROM customers WHERE key = ?")
            find.bind(1, customer)
            guard try find.step() else { throw StoreError.unknownCustomer(store: path, id: customer) }
            let rows = try db.prepare("""
                SELECT s.as_of, c.status, c.value_tier, c.behavior_tier, c.persona, c.lifecycle, c.churn_probability, c.tags
                FROM customer_snapshots c JOIN snapshots s ON s.id = c.snapshot WHERE c.customer = ? ORDER BY s.as_of
                """)
            rows.bind(1, find.int(0))
            var events = [HistoryEvent]()
            var previous: CustomerState?
            while try rows.step() {
                let now = state(rows, from: 1)
                events += Self.events(asOf: rows.int(0), before: previous, after: now).map { HistoryEvent(asOf: rows.int(0), field: $0.field, before: $0.before, after: $0.after) }
                previous = now
            }
            return events
        }
    }

    /// The field changes from `before` (nil: not in that snapshot) to `after`.
    static func events(asOf: Int64, before: CustomerState?, after: CustomerState) -> [(field: String, before: String, after: String)] {
        var events = [(field: String, before: String, after: String)]()
        let old = before.map(fields) ?? Array(repeating: "", count: stateFields.count)
        for (k, (a, b)) in zip(old, fields(after)).enumerated() where a != b && !(before != nil && a.isEmpty && b.isEmpty) {
            events.append((stateFields[k], a, b))
        }
        let oldTags = Set(before?.tags ?? [])
        let newTags = Set(after.tags)
        for tag in newTags.subtracting(oldTags).sorted() { events.append(("tag_added", "", tag)) }
        for tag in oldTags.subtracting(newTags).sorted() { events.append(("tag_removed", tag, "")) }
        return events
    }

    public func changes(from: Int64, to: Int64) throws -> StoreChanges {
        try db.readTransaction {
            let dates = try snapshotDates()
            func snapshotID(_ date: Int64) throws -> Int64 {
                let find = try db.prepare("SELECT id FROM snapshots WHERE as_of = ?")
                find.bind(1, date)
                guard try find.step() else {
                    throw StoreError.noSnapshot(store: path, date: TimestampFormat.text(date), available: dates.map(TimestampFormat.text))
                }
                return find.int(0)
            }
            let (a, b) = (try snapshotID(from), try snapshotID(to))
            func states(_ snapshot: Int64) throws -> [String: CustomerState] {
                var states = [String: CustomerState]()
                let rows = try db.prepare("""
                    SELECT k.key, c.status, c.value_tier, c.behavior_tier, c.persona, c.lifecycle, c.churn_probability, c.tags
                    FROM customer_snapshots c JOIN customers k ON k.id = c.customer WHERE c.snapshot = ?
                    """)
                rows.bind(1, snapshot)
                while try rows.step() { states[rows.text(0) ?? ""] = state(rows, from: 1) }
                return states
            }
            let (before, after) = (try states(a), try states(b))
            var result = StoreChanges(from: from, to: to, changes: [], matrix: [])
            var matrix = [String: Int]()
            let customers = Set(before.keys).union(after.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for customer in customers {
                guard let now = after[customer] else {
                    result.onlyBefore += 1
                    continue
                }
                let then = before[customer]
                if then == nil { result.onlyAfter += 1 }
                for event in Self.events(asOf: to, before: then, after: now) {
                    result.changes.append(.init(customer: customer, field: event.field, before: event.before, after: event.after))
                }
                let old = then.map(Self.fields) ?? Array(repeating: "", count: Self.stateFields.count)
                for (k, (x, y)) in zip(old, Self.fields(now)).enumerated() where !(x.isEmpty && y.isEmpty) {
                    matrix[[Self.stateFields[k], x, y].joined(separator: "\u{1F}"), default: 0] += 1
                }
                let oldTags = Set(then?.tags ?? []), newTags = Set(now.tags)
                for tag in oldTags.union(newTags) {
                    let key = ["tag:" + tag, oldTags.contains(tag) ? "present" : "absent", newTags.contains(tag) ? "present" : "absent"]
                    matrix[key.joined(separator: "\u{1F}"), default: 0] += 1
                }
            }
            result.matrix = matrix.map { key, count in
                let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
                return (parts[0], parts[1], parts[2], count)
            }.sorted { ($0.field, $0.before, $0.after) < ($1.field, $1.before, $1.after) }
            return result
        }
    }
}
