/// The store's tables, versioned with SQLite's `user_version`: migration `i` takes a store
/// from version `i` to `i + 1`, inside the same transaction that records the new version, so
/// an interrupted upgrade leaves the old version intact.
enum StoreSchema {
    static let migrations: [String] = [
        // 0 → 1
        """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE batches(
            id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, file TEXT NOT NULL, ingested_at TEXT NOT NULL,
            lines INTEGER NOT NULL, without_customer INTEGER NOT NULL, bad_rows_skipped INTEGER NOT NULL,
            late_lines INTEGER NOT NULL, earliest_late INTEGER, first_time INTEGER, last_time INTEGER,
            new_customers INTEGER NOT NULL, first_seq INTEGER NOT NULL, stored_lines INTEGER NOT NULL);
        CREATE TABLE customers(
            key TEXT PRIMARY KEY, id INTEGER NOT NULL UNIQUE,
            first_purchase INTEGER, last_purchase INTEGER, monetary REAL, frequency INTEGER, purchase_days INTEGER,
            return_count INTEGER, returns_value REAL, latest_day INTEGER, previous_day INTEGER,
            days BLOB, categories BLOB, updated_batch INTEGER) WITHOUT ROWID;
        CREATE TABLE line_packs(
            customer INTEGER NOT NULL, batch INTEGER NOT NULL, lines INTEGER NOT NULL, data BLOB NOT NULL,
            PRIMARY KEY(customer, batch)) WITHOUT ROWID;
        CREATE TABLE categories(code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, total REAL NOT NULL);
        CREATE TABLE snapshots(
            id INTEGER PRIMARY KEY, as_of INTEGER NOT NULL UNIQUE, created_at TEXT NOT NULL, batches INTEGER NOT NULL,
            segment_model TEXT, tag_rules TEXT, churn_model TEXT,
            inactive_after INTEGER NOT NULL, churned_after INTEGER NOT NULL, customers INTEGER NOT NULL);
        CREATE TABLE customer_snapshots(
            snapshot INTEGER NOT NULL, customer INTEGER NOT NULL, status TEXT NOT NULL,
            value_tier TEXT, behavior_tier TEXT, persona TEXT, lifecycle TEXT, churn_probability REAL, tags TEXT NOT NULL,
            PRIMARY KEY(snapshot, customer)) WITHOUT ROWID;
        CREATE INDEX customer_snapshots_by_customer ON customer_snapshots(customer, snapshot);
        """,
    ]

    static var version: Int { migrations.count }
    static let application = "persona.store"
}
