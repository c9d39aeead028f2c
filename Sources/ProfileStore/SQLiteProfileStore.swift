import CSQLite
import CustomerData
import Foundation
import NumericCore

/// The profile store in one SQLite file (WAL mode, synchronous commits).
///
/// - `lines` keeps every order line with a customer, clustered by (customer, sequence), so a
///   customer's lines replay in the order they arrived.
/// - `customers`, clustered by id in UTF-8 byte order (the order `persona features` writes),
///   keeps each customer's totals (`CustomerAggregates.Totals`), purchase days of
///   the last 181 days before the store's latest line, and spend per category: enough for
///   `persona features` as of any moment after the latest line without reading a line.
/// - An ingest adds its lines, then replays every line of the customers it touched through
///   the same accumulator `persona features` uses, and rewrites only those customers' rows.
/// - Every write is one `BEGIN IMMEDIATE` transaction: a second writer waits, and a killed
///   process leaves the store as it was before the batch.
public final class SQLiteProfileStore: ProfileStore {
    public let path: String
    let db: SQLiteConnection
    /// PRAGMA application_id of a persona store ("PRSN").
    static let applicationID: Int32 = 0x5052_534E
    /// The schema version this persona writes.
    public static var schemaVersion: Int { StoreSchema.version }
    /// Days of purchases before the latest line kept per customer (for `spend_trend`).
    static let recentDays: Int32 = 181

    /// Creates an empty store at `path` (written beside it and renamed into place, so a killed
    /// `init` leaves nothing behind).
    @discardableResult
    public static func create(path: String) throws -> SQLiteProfileStore {
        if FileManager.default.fileExists(atPath: path) { throw StoreError.alreadyExists(file: path) }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp").path
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) } }
        do {
            let connection = try SQLiteConnection(path: temporary, create: true)
            try connection.execute("PRAGMA application_id = \(applicationID)")
            try migrate(connection, file: path)
            try connection.execute("PRAGMA journal_mode = DELETE")
        }
        guard rename(temporary, path) == 0 else {
            throw StoreError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        return try SQLiteProfileStore(path: path)
    }

    /// Opens an existing store, bringing an older schema up to date.
    public init(path: String) throws {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else { throw StoreError.missing(file: path) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw StoreError.notAStore(file: path, reason: "it is not a regular file") }
        db = try SQLiteConnection(path: path, create: false)
        let application = try Self.pragma(db, "application_id")
        guard application == Int64(Self.applicationID) else {
            throw StoreError.notAStore(file: path, reason: "it is an SQLite database of another application")
        }
        try db.execute("PRAGMA journal_mode = WAL")
        try db.execute("PRAGMA synchronous = FULL")
        try db.execute("PRAGMA foreign_keys = ON")
        try db.execute("PRAGMA cache_size = -262144")  // 256 MiB
        try Self.migrate(db, file: path)
    }

    /// Whether the store keeps customer ids as keyed pseudonyms.
    public var keepsPseudonyms: Bool { ((try? meta("hash_check")) ?? nil).map { $0 != "none" } ?? false }

    /// The customer id column's name, as in the first batch.
    public var idName: String { (try? meta("id_name")) .flatMap { $0 } ?? "customer_id" }

    static func pragma(_ db: SQLiteConnection, _ name: String) throws(StoreError) -> Int64 {
        let statement = try db.prepare("PRAGMA \(name)")
        guard try statement.step() else { return 0 }
        return statement.int(0)
    }

    static func migrate(_ db: SQLiteConnection, file: String) throws {
        // Only an older store takes the write lock (a reader must not wait for an ingest).
        let found = Int(try pragma(db, "user_version"))
        guard found != StoreSchema.version else { return }
        guard found < StoreSchema.version else { throw StoreError.newerSchema(file: file, found: found, known: StoreSchema.version) }
        try db.writeTransaction {
            let version = Int(try pragma(db, "user_version"))
            guard version <= StoreSchema.version else {
                throw StoreError.newerSchema(file: file, found: version, known: StoreSchema.version)
            }
            for step in version..<StoreSchema.version {
                try db.execute(StoreSchema.migrations[step])
                try db.execute("PRAGMA user_version = \(step + 1)")
            }
        }
    }

    // MARK: - Settings

    func meta(_ key: String) throws(StoreError) -> String? {
        let statement = try db.prepare("SELECT value FROM meta WHERE key = ?")
        statement.bind(1, key)
        return try statement.step() ? statement.text(0) : nil
    }

    func setMeta(_ key: String, _ value: String) throws(StoreError) {
        let statement = try db.prepare("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        statement.bind(1, key)
        statement.bind(2, value)
        try statement.run()
    }

    func metaInt(_ key: String) throws(StoreError) -> Int64? { try meta(key).flatMap { Int64($0) } }

    /// The settings every batch must share, as stored with the first one.
    struct Settings: Equatable {
        var order: Bool
        var category: Bool
        var dedupe: Bool
        var normalizeIDs: Bool
        var hashCheck: String

        static let keys = ["order_column", "category_column", "dedupe", "normalize_ids", "hash_check"]
        var values: [String] { [order ? "yes" : "no", category ? "yes" : "no", dedupe ? "yes" : "no", normalizeIDs ? "yes" : "no", hashCheck] }
        static let names = ["an order column", "a category column", "dropping duplicate lines", "id normalisation", "a pseudonym key"]
    }

    func settings() throws(StoreError) -> Settings? {
        guard let order = try meta("order_column") else { return nil }
        return Settings(order: order == "yes", category: try meta("category_column") == "yes", dedupe: try meta("dedupe") == "yes",
                        normalizeIDs: try meta("normalize_ids") == "yes", hashCheck: try meta("hash_check") ?? "none")
    }

    /// Options that replay stored lines as `persona features` read them.
    func replayOptions(_ settings: Settings, topCategories: Int) -> OrderLogOptions {
        var options = OrderLogOptions(customer: "customer", date: "date", amount: .column("amount"))
        options.order = settings.order ? "order" : nil
        options.category = settings.category ? "category" : nil
        options.dedupe = settings.dedupe
        options.shareCategories = topCategories
        return options
    }

    /// Midnight after the day of `time`: the default as-of moment.
    static func midnightAfter(_ time: Int64) -> Int64 { (time.floorDiv(86_400) + 1) * 86_400 }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}
