import CustomerData
import Foundation
import SyntheticData
import Testing
@testable import ProfileStore

/// `store features` against `persona features` on the concatenated batches: the same bytes.
@Suite struct StoreFeaturesTests {
    static let day: Int64 = 86_400

    /// Store features (default as-of and several explicit ones, before and after the latest
    /// line) against the features of the concatenation.
    func expectSameFeatures(_ store: SQLiteProfileStore, all: String, options: OrderLogOptions,
                            asOfs: [Int64?], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for asOf in asOfs {
            var reference = options
            reference.asOf = asOf
            let expected = try OrderLogReader.features(path: all, options: reference)
            let stored = try store.features(asOf: asOf, topCategories: nil)
            #expect(stored.features.ids == expected.ids, "as of \(asOf.map(TimestampFormat.text) ?? "default")", sourceLocation: sourceLocation)
            let (got, want) = (String(decoding: stored.features.csv(), as: UTF8.self), String(decoding: expected.csv(), as: UTF8.self))
            let firstDifference = zip(got.split(separator: "\n"), want.split(separator: "\n")).first { $0 != $1 }
            #expect(got == want, "as of \(asOf.map(TimestampFormat.text) ?? "default"): first difference \(String(describing: firstDifference))",
                    sourceLocation: sourceLocation)
            #expect(stored.incremental == (asOf == nil || asOf! > expected.report.lastDate!), sourceLocation: sourceLocation)
        }
    }

    @Test("date-ordered batches give persona features of the whole log",
          arguments: [(true, true, false, false), (false, false, false, false), (true, false, true, true), (false, true, true, false)])
    func dateOrderedBatches(_ settings: (order: Bool, category: Bool, dedupe: Bool, normalize: Bool)) throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let lines = MessyOrderLog.lines(seed: 7, count: 4_000)
        let cuts = [0, 900, 2_100, 2_200, 4_000]
        let (batches, all) = try scratch.batches((0..<4).map { Array(lines[cuts[$0]..<min(cuts[$0 + 1], lines.count)]) })
        let options = MessyOrderLog.options(order: settings.order, category: settings.category, dedupe: settings.dedupe, normalize: settings.normalize)
        let store = try SQLiteProfileStore.create(path: scratch.path("s.db"))
        for batch in batches { _ = try store.ingest(path: batch, options: options, pseudonyms: nil, progress: { _ in }) }
        let whole = try OrderLogReader.features(path: all, options: options)
        let last = whole.report.lastDate!
        try expectSameFeatures(store, all: all, options: options,
                               asOfs: [nil, 1_672_531_200, last - 40 * Self.day, last, last + 1, last + 400 * Self.day])
    }

    @Test("batches in any order: late lines are counted and the features still match")
    func lateArrivals() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        var random = SeededGenerator(seed: 99)
        let lines = MessyOrderLog.lines(seed: 11, count: 3_000)
        var parts = [[String]](repeating: [], count: 5)
        for line in lines { parts[random.integer(below: 5)].append(line) }
        let (batches, all) = try scratch.batches(parts)
        let options = MessyOrderLog.options()
        let store = try SQLiteProfileStore.create(path: scratch.path("s.db"))
        var late = 0
        for batch in batches { late += try store.ingest(path: batch, options: options, pseudonyms: nil, progress: { _ in }).lateLines }
        #expect(late > 2_000)  // every later batch reaches back over the whole two years
        let last = try OrderLogReader.features(path: all, options: options).report.lastDate!
        try expectSameFeatures(store, all: all, options: options, asOfs: [nil, last - 100 * Self.day, last + 1])
    }

    @Test("a batch ingested before is refused and nothing changes")
    func repeatedBatch() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let lines = MessyOrderLog.lines(seed: 3, count: 600)
        let (batches, _) = try scratch.batches([Array(lines[..<300]), Array(lines[300...])])
        let copy = scratch.path("copy-of-first.csv")
        try FileManager.default.copyItem(atPath: batches[0], toPath: copy)
        let store = try SQLiteProfileStore.create(path: scratch.path("s.db"))
        for batch in batches { _ = try store.ingest(path: batch, options: MessyOrderLog.options(), pseudonyms: nil, progress: { _ in }) }
        let before = try store.features(asOf: nil, topCategories: nil)
        let error = #expect(throws: StoreError.self) {
            try store.ingest(path: copy, options: MessyOrderLog.options(), pseudonyms: nil, progress: { _ in })
        }
        guard case .duplicateBatch(let file, let path, 1, "batch0.csv", let at) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(file == copy && path == scratch.path("s.db"))
        #expect(error?.description == "\(copy): this batch is already in \(path) (batch 1, ingested from batch0.csv at \(at)); nothing was added")
        let after = try store.features(asOf: nil, topCategories: nil)
        #expect(after.batches == 2 && after.lines == before.lines)
        #expect(after.features.csv() == before.features.csv())
    }

    @Test("a batch read differently from the store's is refused")
    func optionMismatch() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let lines = MessyOrderLog.lines(seed: 5, count: 400)
        let (batches, _) = try scratch.batches([Array(lines[..<200]), Array(lines[200...])])
        let store = try SQLiteProfileStore.create(path: scratch.path("s.db"))
        _ = try store.ingest(path: batches[0], options: MessyOrderLog.options(), pseudonyms: nil, progress: { _ in })
        let error = #expect(throws: StoreError.optionMismatch(store: scratch.path("s.db"), file: batches[1], what: "a category column", stored: "yes", given: "no")) {
            try store.ingest(path: batches[1], options: MessyOrderLog.options(category: false), pseudonyms: nil, progress: { _ in })
        }
        #expect(error?.description == "\(batches[1]): a category column: no here, yes for the batches already in \(scratch.path("s.db")); every batch of a store is read the same way")
    }

    @Test("two writers at once: both batches go in, one after the other")
    func twoWriters() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let lines = MessyOrderLog.lines(seed: 8, count: 6_000)
        let (batches, _) = try scratch.batches([Array(lines[..<3_000]), Array(lines[3_000...])])
        let path = scratch.path("s.db")
        try SQLiteProfileStore.create(path: path)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            do {
                _ = try SQLiteProfileStore(path: path).ingest(path: batches[i], options: MessyOrderLog.options(), pseudonyms: nil, progress: { _ in })
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.all.isEmpty)
        // The store holds both, in the order they committed.
        let store = try SQLiteProfileStore(path: path)
        let order = try store.batches().map(\.file)
        #expect(Set(order) == ["batch0.csv", "batch1.csv"])
        let committed = order == ["batch0.csv", "batch1.csv"] ? [lines[..<3_000], lines[3_000...]] : [lines[3_000...], lines[..<3_000]]
        let all = try scratch.write("committed.csv", ([MessyOrderLog.header] + committed.flatMap { $0 }).joined(separator: "\n") + "\n")
        try expectSameFeatures(store, all: all, options: MessyOrderLog.options(), asOfs: [nil, 1_680_000_000])
    }

    @Test("stores that cannot be opened say why")
    func openErrors() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let missing = scratch.path("none.db")
        #expect(throws: StoreError.missing(file: missing)) { try SQLiteProfileStore(path: missing) }
        let text = try scratch.write("notes.db", String(repeating: "not a database\n", count: 100))
        #expect(throws: StoreError.notAStore(file: text, reason: "it is not an SQLite database")) { try SQLiteProfileStore(path: text) }
        let store = scratch.path("s.db")
        try SQLiteProfileStore.create(path: store)
        #expect(throws: StoreError.alreadyExists(file: store)) { try SQLiteProfileStore.create(path: store) }
        try SQLiteConnection(path: store, create: false).execute("PRAGMA user_version = 99")
        #expect(throws: StoreError.newerSchema(file: store, found: 99, known: SQLiteProfileStore.schemaVersion)) { try SQLiteProfileStore(path: store) }
        let other = scratch.path("other.db")
        try SQLiteConnection(path: other, create: true).execute("CREATE TABLE t(x)")
        #expect(throws: StoreError.notAStore(file: other, reason: "it is an SQLite database of another application")) { try SQLiteProfileStore(path: other) }
        let fresh = try SQLiteProfileStore.create(path: scratch.path("fresh.db"))
        #expect(throws: StoreError.notAFile(file: "/dev/null")) {
            try fresh.ingest(path: "/dev/null", options: MessyOrderLog.options(), pseudonyms: nil, progress: { _ in })
        }
        #expect(throws: StoreError.empty(store: scratch.path("fresh.db"), what: "order lines yet: ingest a batch first")) {
            try fresh.features(asOf: nil, topCategories: nil)
        }
    }
}

/// Errors collected from several threads.
final class Failures: @unchecked Sendable {
    // @unchecked: `list` is only touched with `lock` held.
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ text: String) { lock.withLock { list.append(text) } }
    var all: [String] { lock.withLock { list } }
}
