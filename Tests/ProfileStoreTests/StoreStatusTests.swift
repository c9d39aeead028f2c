import CustomerData
import Foundation
import Segmentation
import Testing
@testable import ProfileStore

/// Status, history and changes on a planted history, worked out by hand from the rule:
/// churned after more than 180 days without a purchase, inactive after more than 90, won_back
/// while the last purchase came more than 180 days after the one before.
@Suite struct StoreStatusTests {
    /// Purchases (one line each, at midnight) per customer.
    static let purchases: [(customer: String, dates: [String])] = [
        ("a", ["2023-01-01", "2023-02-01", "2023-10-01", "2023-11-20"]),
        ("b", ["2023-01-01"]),
        ("c", ["2023-05-01"]),
        ("d", ["2023-03-03"]),  // 90 days before 2023-06-01: still active
        ("e", ["2023-03-02"]),  // 91 days: inactive
    ]
    static let snapshots = ["2023-03-01", "2023-06-01", "2023-09-01", "2023-10-15", "2023-11-15", "2023-12-01"]
    /// Expected status per customer and snapshot ("-": not yet a customer).
    static let expected: [String: [String]] = [
        // a: 28 days; 120; 212; 14 after a 242-day gap; 45 after it; 11 after a 50-day gap.
        "a": ["active", "inactive", "churned", "won_back", "won_back", "active"],
        // b: 59, 151, 243, … days.
        "b": ["active", "inactive", "churned", "churned", "churned", "churned"],
        // c: 31, 123, 167, 198, 214 days.
        "c": ["-", "active", "inactive", "inactive", "churned", "churned"],
        // d: 90, 182, … days.
        "d": ["-", "active", "churned", "churned", "churned", "churned"],
        // e: 91, 183, … days.
        "e": ["-", "inactive", "churned", "churned", "churned", "churned"],
        // f: only a return on 2023-02-10: no purchase, inactive.
        "f": ["inactive", "inactive", "inactive", "inactive", "inactive", "inactive"],
    ]

    static func day(_ text: String) -> Int64 {
        Array(text.utf8).withUnsafeBufferPointer { TimestampFormat.iso.parse($0.baseAddress!, $0.count)! }
    }

    func plantedStore(_ scratch: Scratch) throws -> SQLiteProfileStore {
        var lines = [(String, String)]()
        var order = 1
        for (customer, dates) in Self.purchases {
            for date in dates {
                lines.append((date, "\(order),\(customer),\(date),10,1,Books"))
                order += 1
            }
        }
        lines.append(("2023-02-10", "C9,f,2023-02-10,10,-1,Books"))
        lines.sort { $0.0 < $1.0 }
        // Two batches, split in time, so snapshots straddle them.
        let (batches, _) = try scratch.batches([lines.filter { $0.0 < "2023-06-01" }.map(\.1), lines.filter { $0.0 >= "2023-06-01" }.map(\.1)])
        let store = try SQLiteProfileStore.create(path: scratch.path("s.db"))
        for batch in batches { _ = try store.ingest(path: batch, options: MessyOrderLog.options(), pseudonyms: nil, progress: { _ in }) }
        return store
    }

    @Test("statuses follow their definition, snapshot by snapshot")
    func statuses() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let store = try plantedStore(scratch)
        let rules = try TagRules.parse("tags:\n  - name: repeat\n    when: frequency >= 2\n", file: "rules.yaml")
        for date in Self.snapshots {
            var request = SnapshotRequest(asOf: Self.day(date), status: try StatusRules())
            request.tagRules = ("rules.yaml", rules)
            let report = try store.snapshot(request)
            var expectedCounts = [String: Int]()
            for (_, statuses) in Self.expected {
                let s = statuses[Self.snapshots.firstIndex(of: date)!]
                if s != "-" { expectedCounts[s, default: 0] += 1 }
            }
            #expect(report.statusCounts == expectedCounts, "\(date)")
        }
        for (customer, statuses) in Self.expected {
            var now = ""
            var seen = [String]()
            for event in try store.history(customer: customer) where event.field == "status" {
                #expect(event.before == now, "\(customer) at \(TimestampFormat.text(event.asOf))")
                now = event.after
                seen.append("\(TimestampFormat.text(event.asOf)) \(event.after)")
            }
            // Only the changes appear, each once.
            var wanted = [String]()
            var last = "-"
            for (i, status) in statuses.enumerated() where status != last && status != "-" {
                wanted.append("\(Self.snapshots[i]) \(status)")
                last = status
            }
            #expect(seen == wanted, "\(customer)")
        }
        // a: tagged repeat from the first snapshot on (two purchases by 2023-03-01).
        let tags = try store.history(customer: "a").filter { $0.field.hasPrefix("tag") }
        #expect(tags == [HistoryEvent(asOf: Self.day("2023-03-01"), field: "tag_added", before: "", after: "repeat")])
        #expect(throws: StoreError.unknownCustomer(store: scratch.path("s.db"), id: "zz")) { try store.history(customer: "zz") }
    }

    @Test("changes between two snapshots: the customers who moved, and the migration matrix")
    func changes() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let store = try plantedStore(scratch)
        for date in ["2023-03-01", "2023-09-01", "2023-10-15"] {
            _ = try store.snapshot(SnapshotRequest(asOf: Self.day(date), status: try StatusRules()))
        }
        let late = try store.changes(from: Self.day("2023-09-01"), to: Self.day("2023-10-15"))
        #expect(late.changes == [.init(customer: "a", field: "status", before: "churned", after: "won_back")])
        let statusMatrix = late.matrix.filter { $0.field == "status" }.map { "\($0.before)→\($0.after) \($0.customers)" }
        #expect(statusMatrix == ["churned→churned 3", "churned→won_back 1", "inactive→inactive 2"])

        let early = try store.changes(from: Self.day("2023-03-01"), to: Self.day("2023-09-01"))
        #expect(early.onlyAfter == 3)  // c, d and e bought first after 2023-03-01
        #expect(early.changes.map { "\($0.customer) \($0.before)→\($0.after)" }
                == ["a active→churned", "b active→churned", "c →inactive", "d →churned", "e →churned"])
        #expect(throws: StoreError.noSnapshot(store: scratch.path("s.db"), date: "2023-07-01", available: ["2023-03-01", "2023-09-01", "2023-10-15"])) {
            try store.changes(from: Self.day("2023-03-01"), to: Self.day("2023-07-01"))
        }
        // A snapshot date is taken once unless replaced.
        #expect(throws: StoreError.snapshotExists(store: scratch.path("s.db"), date: "2023-09-01")) {
            try store.snapshot(SnapshotRequest(asOf: Self.day("2023-09-01"), status: try StatusRules()))
        }
        var replace = SnapshotRequest(asOf: Self.day("2023-09-01"), status: try StatusRules(inactiveAfterDays: 30, churnedAfterDays: 400))
        replace.replace = true
        let replaced = try store.snapshot(replace)
        #expect(replaced.replaced && replaced.statusCounts == ["inactive": 6])
    }

    @Test("status thresholds are checked")
    func thresholds() {
        #expect(throws: StoreError.badStatusRule(reason: "the churned threshold (90 days) must be longer than the inactive one (90 days)")) {
            try StatusRules(inactiveAfterDays: 90, churnedAfterDays: 90)
        }
        #expect(throws: StoreError.badStatusRule(reason: "the inactive threshold must be at least 1 day; got 0")) {
            try StatusRules(inactiveAfterDays: 0)
        }
    }

    @Test("a pseudonymous store keeps no raw id and refuses another key")
    func pseudonyms() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let lines = MessyOrderLog.lines(seed: 21, count: 500)
        let (batches, all) = try scratch.batches([Array(lines[..<250]), Array(lines[250...])])
        let key = try KeyedHash(key: Array("a secret of sixteen bytes or more".utf8))
        let store = try SQLiteProfileStore.create(path: scratch.path("s.db"))
        _ = try store.ingest(path: batches[0], options: MessyOrderLog.options(), pseudonyms: key, progress: { _ in })
        let error = #expect(throws: StoreError.self) {
            try store.ingest(path: batches[1], options: MessyOrderLog.options(), pseudonyms: nil, progress: { _ in })
        }
        #expect(error?.description == "\(batches[1]): the store keeps ids as keyed pseudonyms: give its pseudonym key (\(scratch.path("s.db")))")
        let other = try KeyedHash(key: Array("another secret of sixteen bytes".utf8))
        #expect(throws: StoreError.pseudonymKey(store: scratch.path("s.db"), file: batches[1], problem: "this pseudonym key is not the one the store's ids were made with")) {
            try store.ingest(path: batches[1], options: MessyOrderLog.options(), pseudonyms: other, progress: { _ in })
        }
        _ = try store.ingest(path: batches[1], options: MessyOrderLog.options(), pseudonyms: key, progress: { _ in })
        let stored = try store.features(asOf: nil, topCategories: nil).features
        let plain = try OrderLogReader.features(path: all, options: MessyOrderLog.options())
        // The same rows, keyed by pseudonyms.
        var byPseudonym = [String: Int]()
        for (i, id) in plain.ids.enumerated() { byPseudonym[key.pseudonym(id)] = i }
        #expect(Set(stored.ids) == Set(byPseudonym.keys))
        guard case .numbers(let storedMonetary) = stored.column("monetary")!.values,
              case .numbers(let plainMonetary) = plain.column("monetary")!.values else { return }
        for (i, id) in stored.ids.enumerated() { #expect(storedMonetary[i] == plainMonetary[byPseudonym[id]!]) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: scratch.path("s.db")))
        for id in plain.ids.prefix(20) where id.count >= 3 {
            #expect(bytes.range(of: Data(",\(id),".utf8)) == nil)
        }
    }
}
