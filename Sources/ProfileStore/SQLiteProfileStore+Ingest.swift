import Crypto
import CustomerData
import Foundation
import NumericCore
import Segmentation

extension SQLiteProfileStore {
    /// The lines of one batch, in file order, each with its customer's store id.
    private struct BatchLines {
        var customer: [Int64] = []
        var time: [Int64] = []
        var amount: [Double] = []
        var negativePrice: [Bool] = []
        var fingerprint: [UInt64] = []
        var order: [String?] = []
        var category: [String?] = []
        var count: Int { customer.count }
    }

    /// SHA-256 of the file's bytes, in hex.
    static func sha256(path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CustomerDataError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    public func ingest(path file: String, options requested: OrderLogOptions, pseudonyms: KeyedHash?,
                       progress: (WorkProgress) -> Void) throws -> IngestReport {
        var report = IngestReport()
        var clock = Date()
        func lap(_ name: String) {
            report.seconds.append((name, Date().timeIntervalSince(clock)))
            clock = Date()
        }
        report.file = file
        report.sha256 = try Self.sha256(path: file)
        lap("hash")
        var options = requested
        options.asOf = nil
        options.cutoff = nil
        options.horizonDays = nil
        let given = Settings(order: options.order != nil, category: options.category != nil, dedupe: options.dedupe,
                             normalizeIDs: options.normalizeIDs,
                             hashCheck: pseudonyms?.pseudonym("persona.store key check") ?? "none")
        return try db.writeTransaction {
            let earlier = try db.prepare("SELECT id, file, ingested_at FROM batches WHERE sha256 = ?")
            earlier.bind(1, report.sha256)
            if try earlier.step() {
                throw StoreError.duplicateBatch(file: file, store: path, batch: Int(earlier.int(0)), firstFile: earlier.text(1) ?? "",
                                                ingestedAt: earlier.text(2) ?? "")
            }
            let settings = try self.settings() ?? given
            for (k, (stored, now)) in zip(settings.values, given.values).enumerated() where stored != now {
                let shown = { (v: String) in k == 4 ? (v == "none" ? "not set" : "a different key") : v }
                throw StoreError.optionMismatch(store: path, file: file, what: Settings.names[k], stored: shown(stored),
                                                given: k == 4 && now != "none" && stored != "none" ? "another key" : shown(now))
            }
            let previousMax = try metaInt("max_time")
            let storeAsOf = previousMax.map(Self.midnightAfter)
            let firstSeq = try metaInt("next_seq") ?? 0

            // 1. Read the file; give every customer a store id.
            var lines = BatchLines()
            var ids = [String: Int64]()
            var newCustomers = Set<Int64>()
            let find = try db.prepare("SELECT id FROM customers WHERE key = ?")
            let add = try db.prepare("INSERT INTO customers(key) VALUES(?)")
            var readLines = 0
            let read = try OrderLogReader.lines(path: file, options: options, progress: progress) { batch in
                report.badRowsSkipped += batch.badRows
                try batch.forEach { line in
                    readLines += 1
                    report.firstTime = min(report.firstTime ?? line.time, line.time)
                    report.lastTime = max(report.lastTime ?? line.time, line.time)
                    if let storeAsOf, line.time < storeAsOf {
                        report.lateLines += 1
                        report.earliestLate = min(report.earliestLate ?? line.time, line.time)
                    }
                    guard var key = OrderLogReader.customerKey(line.customer, normalize: options.normalizeIDs) else {
                        report.withoutCustomer += 1
                        return
                    }
                    if let pseudonyms { key = pseudonyms.pseudonym(key) }
                    let id: Int64
                    if let known = ids[key] {
                        id = known
                    } else {
                        find.bind(1, key)
                        if try find.step() {
                            id = find.int(0)
                        } else {
                            add.bind(1, key)
                            try add.run()
                            id = db.lastInsertRowID
                            newCustomers.insert(id)
                        }
                        find.reset()
                        ids[key] = id
                    }
                    lines.customer.append(id)
                    lines.time.append(line.time)
                    lines.amount.append(line.amount)
                    lines.negativePrice.append(line.negativePrice)
                    lines.fingerprint.append(line.fingerprint)
                    lines.order.append(line.order.map { String(decoding: $0, as: UTF8.self) })
                    lines.category.append(line.category.map { String(decoding: $0, as: UTF8.self) })
                }
            }
            report.lines = readLines
            guard readLines + report.badRowsSkipped > 0 else { throw CustomerDataError.headerOnly(file: read.name) }
            if readLines == 0 {
                throw CustomerDataError.allLinesBad(file: read.name, count: report.badRowsSkipped, first: "")
            }
            guard lines.count > 0 else {
                throw CustomerDataError.noCustomers(file: read.name, column: read.idName, lines: readLines)
            }
            lap("read")

            // 2. The batch and its lines, clustered by customer.
            let batchInsert = try db.prepare("""
                INSERT INTO batches(sha256, file, ingested_at, lines, without_customer, bad_rows_skipped, late_lines, earliest_late,
                                    first_time, last_time, new_customers, first_seq, stored_lines) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)
                """)
            batchInsert.bind(1, report.sha256)
            batchInsert.bind(2, URL(fileURLWithPath: file).lastPathComponent)
            batchInsert.bind(3, Self.now())
            batchInsert.bind(4, readLines)
            batchInsert.bind(5, report.withoutCustomer)
            batchInsert.bind(6, report.badRowsSkipped)
            batchInsert.bind(7, report.lateLines)
            if let late = report.earliestLate { batchInsert.bind(8, late) } else { batchInsert.bindNull(8) }
            batchInsert.bind(9, report.firstTime ?? 0)
            batchInsert.bind(10, report.lastTime ?? 0)
            batchInsert.bind(11, newCustomers.count)
            batchInsert.bind(12, firstSeq)
            batchInsert.bind(13, lines.count)
            try batchInsert.run()
            let batch = db.lastInsertRowID
            report.batch = Int(batch)
            let order = (0..<lines.count).sorted { lines.customer[$0] != lines.customer[$1] ? lines.customer[$0] < lines.customer[$1] : $0 < $1 }
            let insert = try db.prepare("""
                INSERT INTO lines(customer, seq, batch, time, amount, negative_price, fingerprint, order_ref, category)
                VALUES(?,?,?,?,?,?,?,?,?)
                """)
            for i in order {
                insert.bind(1, lines.customer[i])
                insert.bind(2, firstSeq + Int64(i))
                insert.bind(3, batch)
                insert.bind(4, lines.time[i])
                insert.bind(5, lines.amount[i])
                insert.bind(6, lines.negativePrice[i] ? 1 : 0)
                insert.bind(7, Int64(bitPattern: lines.fingerprint[i]))
                insert.bind(8, lines.order[i])
                insert.bind(9, lines.category[i])
                try insert.run()
            }
            lap("store lines")

            // 3. Replay every line of the touched customers: earlier lines first, then this batch's.
            let maxTime = max(previousMax ?? .min, report.lastTime ?? .min)
            var feed = ReplayFeed(options: replayOptions(settings, topCategories: 0))
            var keyOf = [Int64: String]()
            for (key, id) in ids { keyOf[id] = key }
            let old = try db.prepare("""
                SELECT time, amount, negative_price, fingerprint, order_ref, category FROM lines
                WHERE customer = ? AND seq < ? ORDER BY seq
                """)
            for id in keyOf.keys.sorted() where !newCustomers.contains(id) {
                old.bind(1, id)
                old.bind(2, firstSeq)
                var key = keyOf[id]!
                try key.withUTF8 { customer in
                    while try old.step() {
                        feed.add(time: old.int(0), amount: old.double(1), negativePrice: old.int(2) != 0,
                                 fingerprint: UInt64(bitPattern: old.int(3)), customer: customer,
                                 order: settings.order ? old.textBytes(4) : nil, category: settings.category ? old.textBytes(5) : nil)
                    }
                }
                old.reset()
            }
            feed.flush()
            feed.replay.recordCategorySpend()
            for i in 0..<lines.count {
                var key = keyOf[lines.customer[i]]!
                key.withUTF8 { customer in
                    feed.add(time: lines.time[i], amount: lines.amount[i], negativePrice: lines.negativePrice[i],
                             fingerprint: lines.fingerprint[i], customer: customer, order: lines.order[i], category: lines.category[i])
                }
            }
            feed.flush()
            let replay = feed.replay
            lap("replay")

            // 4. Category totals over all customers, then the touched customers' rows.
            var codes = try categoryCodes()
            var totals = try categoryTotals()
            for (name, amount) in replay.categorySpendLog {
                if codes[name] == nil {
                    let code = Int32(codes.count)
                    codes[name] = code
                    totals.append(0)
                    let insertCategory = try db.prepare("INSERT INTO categories(code, name, total) VALUES(?, ?, 0)")
                    insertCategory.bind(1, Int64(code))
                    insertCategory.bind(2, name)
                    try insertCategory.run()
                }
                totals[Int(codes[name]!)] += amount
            }
            let updateTotal = try db.prepare("UPDATE categories SET total = ? WHERE code = ?")
            for (code, total) in totals.enumerated() {
                updateTotal.bind(1, total)
                updateTotal.bind(2, code)
                try updateTotal.run()
            }
            let aggregates = replay.aggregates()
            let (days, categories) = aggregates.spendLists()
            let recentFrom = Int32(truncatingIfNeeded: Self.day(maxTime)) - Self.recentDays
            let update = try db.prepare("""
                UPDATE customers SET first_purchase = ?, last_purchase = ?, monetary = ?, frequency = ?, purchase_days = ?,
                    return_count = ?, returns_value = ?, latest_day = ?, previous_day = ?, days = ?, categories = ?, updated_batch = ?
                WHERE id = ?
                """)
            for c in 0..<aggregates.count {
                let t = aggregates.totals(c)
                update.bind(1, t.firstPurchase)
                update.bind(2, t.lastPurchase)
                update.bind(3, t.monetary)
                update.bind(4, Int64(t.frequency))
                update.bind(5, Int64(t.purchaseDays))
                update.bind(6, Int64(t.returnCount))
                update.bind(7, t.returnsValue)
                update.bind(8, Int64(t.latestDay))
                update.bind(9, Int64(t.previousDay))
                update.bind(10, blob: SpendBlobs.encode(days[c].filter { $0.day >= recentFrom }.map { ($0.day, $0.spend) }))
                let names = aggregates.categoryNames
                update.bind(11, blob: SpendBlobs.encode(categories[c].map { (codes[names[Int($0.category)]]!, $0.spend) }))
                update.bind(12, batch)
                update.bind(13, ids[aggregates.ids[c]]!)
                try update.run()
            }
            if try self.settings() == nil {
                for (key, value) in zip(Settings.keys, settings.values) { try setMeta(key, value) }
                try setMeta("id_name", read.idName)
            }
            try setMeta("max_time", String(maxTime))
            try setMeta("next_seq", String(firstSeq + Int64(lines.count)))
            lap("update customers")
            report.newCustomers = newCustomers.count
            report.touchedCustomers = aggregates.count
            report.customers = Int(try Self.pragmaCount(db, "SELECT count(*) FROM customers"))
            report.storeLines = Int(firstSeq) + lines.count
            return report
        }
    }

    static func pragmaCount(_ db: SQLiteConnection, _ sql: String) throws(StoreError) -> Int64 {
        let statement = try db.prepare(sql)
        guard try statement.step() else { return 0 }
        return statement.int(0)
    }

    func categoryCodes() throws(StoreError) -> [String: Int32] {
        var codes = [String: Int32]()
        let statement = try db.prepare("SELECT code, name FROM categories ORDER BY code")
        while try statement.step() { codes[statement.text(1) ?? ""] = Int32(statement.int(0)) }
        return codes
    }

    func categoryTotals() throws(StoreError) -> [Double] {
        var totals = [Double]()
        let statement = try db.prepare("SELECT total FROM categories ORDER BY code")
        while try statement.step() { totals.append(statement.double(0)) }
        return totals
    }

    func categoryNames() throws(StoreError) -> [String] {
        var names = [String]()
        let statement = try db.prepare("SELECT name FROM categories ORDER BY code")
        while try statement.step() { names.append(statement.text(0) ?? "") }
        return names
    }
}
