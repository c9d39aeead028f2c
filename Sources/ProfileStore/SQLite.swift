import CSQLite

/// A thin, throwing layer over the SQLite C API: one connection, prepared statements with
/// positional bindings, transactions. Only what the profile store needs.
final class SQLiteConnection {
    private(set) var handle: OpaquePointer?
    let path: String

    /// Opens (or with `create`, creates) the database at `path`. Writers wait up to
    /// `busyTimeout` milliseconds for another writer's transaction to end.
    init(path: String, create: Bool, busyTimeout: Int32 = 600_000) throws(StoreError) {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        var db: OpaquePointer?
        let code = sqlite3_open_v2(path, &db, flags, nil)
        handle = db
        guard code == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            handle = nil
            throw .cannotOpen(file: path, reason: message)
        }
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeout)
    }

    deinit { sqlite3_close_v2(handle) }

    func fail(_ code: Int32, _ what: String) -> StoreError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "no connection"
        if code & 0xFF == SQLITE_NOTADB {
            return .notAStore(file: path, reason: "it is not an SQLite database")
        }
        if code & 0xFF == SQLITE_FULL { return .storage(file: path, reason: "the disk is full (\(what))") }
        return .storage(file: path, reason: "\(what): \(message)")
    }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws(StoreError) {
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &error)
        if code != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? ""
            sqlite3_free(error)
            if code & 0xFF == SQLITE_NOTADB { throw .notAStore(file: path, reason: "it is not an SQLite database") }
            throw .storage(file: path, reason: "\(message) (in \(sql.prefix(60)))")
        }
    }

    func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw fail(code, "preparing \(sql.prefix(60))") }
        return SQLiteStatement(statement, connection: self)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT` (the write lock is taken at the start, so
    /// two writers serialise instead of failing mid-way); any error rolls back.
    func writeTransaction<R>(_ body: () throws -> R) throws -> R {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a read transaction: one consistent view of the store.
    func readTransaction<R>(_ body: () throws -> R) throws -> R {
        try execute("BEGIN")
        defer { try? execute("COMMIT") }
        return try body()
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int { Int(sqlite3_changes(handle)) }
}

/// A prepared statement. Bindings are 1-based as in SQLite; `step()` is true while rows come.
final class SQLiteStatement {
    private let statement: OpaquePointer
    private unowned let connection: SQLiteConnection
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ statement: OpaquePointer, connection: SQLiteConnection) {
        self.statement = statement
        self.connection = connection
    }

    deinit { sqlite3_finalize(statement) }

    func reset() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    func bind(_ i: Int32, _ value: Int64) { sqlite3_bind_int64(statement, i, value) }
    func bind(_ i: Int32, _ value: Int) { sqlite3_bind_int64(statement, i, Int64(value)) }
    func bind(_ i: Int32, _ value: Double) {
        if value.isNaN { sqlite3_bind_null(statement, i) } else { sqlite3_bind_double(statement, i, value) }
    }
    func bind(_ i: Int32, _ value: String?) {
        guard var text = value else { sqlite3_bind_null(statement, i); return }
        text.withUTF8 { bind(i, text: $0) }
    }
    func bind(_ i: Int32, text bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            sqlite3_bind_text(statement, i, "", 0, nil)
            return
        }
        base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            _ = sqlite3_bind_text(statement, i, $0, Int32(bytes.count), Self.transient)
        }
    }
    func bind(_ i: Int32, blob bytes: [UInt8]) {
        bytes.withUnsafeBytes { p in _ = sqlite3_bind_blob(statement, i, p.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(p.count), Self.transient) }
    }
    func bindNull(_ i: Int32) { sqlite3_bind_null(statement, i) }

    /// True when a row is ready; false when done.
    @discardableResult
    func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(statement)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw connection.fail(code, "running \(String(cString: sqlite3_sql(statement)).prefix(60))")
    }

    /// Runs a statement without results and resets it.
    func run() throws(StoreError) {
        defer { reset() }
        try step()
    }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func double(_ column: Int32) -> Double {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? .nan : sqlite3_column_double(statement, column)
    }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(statement, column) else { return nil }
        let n = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }
    /// The column's text as bytes (nil for NULL), valid until the next step or reset.
    func textBytes(_ column: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard let p = sqlite3_column_text(statement, column) else { return nil }
        return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, column)))
    }
    /// The column's bytes, valid until the next step or reset.
    func bytes(_ column: Int32) -> UnsafeRawBufferPointer {
        let p = sqlite3_column_blob(statement, column)
        let n = Int(sqlite3_column_bytes(statement, column))
        return UnsafeRawBufferPointer(start: p, count: p == nil ? 0 : n)
    }
}
