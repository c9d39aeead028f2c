import Crypto
import CustomerData
import Foundation
import NumericCore
import Segmentation

extension SQLiteProfileStore {
    /// SHA-256 of the file's bytes, in hex.
    static func sha256(path: String) throws -> String {
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            throw StoreError.notAFile(file: path)
        }
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
                guard k == 4 else {
                    throw StoreError.optionMismatch(store: path, file: file, what: Settings.names[k], stored: stored, given: now)
                }
                let problem = stored == "none" ? "a pseudonym key was given, but the store keeps ids as they are"
                    : now == "none" ? "the store keeps ids as keyed pseudonyms: give its pseudonym key"
                    : "this pseudonym key is not the one the store's ids were made with"
                throw StoreError.pseudonymKey(store: path, file: file, problem: problem)
            }
            let previousMax = try metaInt("max_time")
            let storeAsOf = previousMax.map(Self.midnightAfter)
            let firstSeq = try metaInt("next_seq") ?? 0

            // 1. Read the file (its parsed batches are kept: they hold the lines' text); give
            //    every customer a store id.
            var batches = [OrderLineBatch]()
            var lineCustomer = [Int32]()  // per line read: index into `touched`, or -1 without an id
            var touched = [Int64](), touchedKeys = [String](), isNew = [Bool]()
            var index = [String: Int32]()
            let find = try db.prepare("SELECT id FROM customers WHERE key = ?")
            var nextCustomer = try Self.pragmaCount(db, "SELECT coalesce(max(id), 0) + 1 FROM customers")
            var storedLines = 0
            let read = try OrderLogReader.lines(path: file, options: options, progress: progress) { batch in
                report.badRowsSkipped += batch.badRows
                batches.append(batch)
                try batch.forEach { line in
                    report.firstTime = min(report.firstTime ?? line.time, line.time)
                    report.lastTime = max(report.lastTime ?? line.time, line.time)
                    if let storeAsOf, line.time < storeAsOf {
                        report.lateLines += 1
                        report.earliestLate = min(report.earliestLate ?? line.time, line.time)
                    }
                    guard var key = OrderLogReader.customerKey(line.customer, normalize: options.normalizeIDs) else {
                        report.withoutCustomer += 1
                        lineCustomer.append(-1)
                        return
                    }
                    if let pseudonyms { key = pseudonyms.pseudonym(key) }
                    storedLines += 1
                    if let known = index[key] {
                        lineCustomer.append(known)
                        return
                    }
                    find.bind(1, key)
                    let found = try find.step()
                    touched.append(found ? find.int(0) : nextCustomer)  // a new one's row is written with its totals, below
                    isNew.append(!found)
                    if !found { nextCustomer += 1 }
                    find.reset()
                    touchedKeys.append(key)
                    index[key] = Int32(touched.count - 1)
                    lineCustomer.append(Int32(touched.count - 1))
                }
            }
            report.lines = lineCustomer.count
            guard report.lines + report.badRowsSkipped > 0 else { throw CustomerDataError.headerOnly(file: read.name) }
            if report.lines == 0 {
                throw CustomerDataError.allLinesBad(file: read.name, count: report.badRowsSkipped, first: "")
            }
            guard storedLines > 0 else {
                throw CustomerDataError.noCustomers(file: read.name, column: read.idName, lines: report.lines)
            }
            lap("read")

            // 2. Replay every line of the touched customers: earlier lines first (read before this
            //    batch's are stored), then this batch's, on a second thread while they are stored.
            let maxTime = max(previousMax ?? .min, report.lastTime ?? .min)
            var replayOptions = replayOptions(settings, topCategories: 0)
            replayOptions.normalizeIDs = settings.normalizeIDs  // this batch's lines come with their ids as read
            var feed = ReplayFeed(options: replayOptions)
            let old = try db.prepare("SELECT data FROM line_packs WHERE customer = ? ORDER BY batch")
            for t in touched.indices.sorted(by: { touched[$0] < touched[$1] }) where !isNew[t] {
                old.bind(1, touched[t])
                try touchedKeys[t].withUTF8 { customer in
                    while try old.step() {
                        LinePack.forEach(old.bytes(0)) { line in
                            feed.add(time: line.time, amount: line.amount, negativePrice: line.negativePrice,
                                     fingerprint: line.fingerprint, customer: customer, order: line.order, category: line.category)
                        }
                    }
                }
                old.reset()
            }
            feed.flush()
            feed.replay.recordCategorySpend()
            // `box` is handed to the thread and read back only after `done.wait()`: never shared.
            let box = ReplayBox(feed: feed)
            let done = DispatchSemaphore(value: 0)
            let replayThread = Thread { [batches, lineCustomer, touchedKeys] in
                defer { done.signal() }
                var g = 0
                if pseudonyms == nil {
                    // The accumulator trims and normalises ids as the store's keys were made.
                    for parsed in batches { box.feed.replay.add(parsed) }
                } else {
                    for parsed in batches {
                        parsed.forEach { line in
                            let t = Int(lineCustomer[g])
                            g += 1
                            guard t >= 0 else { return }
                            var key = touchedKeys[t]
                            key.withUTF8 { customer in
                                box.feed.add(time: line.time, amount: line.amount, negativePrice: line.negativePrice, fingerprint: line.fingerprint,
                                         customer: customer, order: line.order, category: line.category)
                            }
                        }
                    }
                    box.feed.flush()
                }
            }
            replayThread.stackSize = 1 << 22
            replayThread.start()
            var joined = false
            defer { if !joined { done.wait() } }
            // 3. The batch, and its lines packed per customer (a counting sort on the customer).
            let batchInsert = try db.prepare("""
                INSERT INTO batches(sha256, file, ingested_at, lines, without_customer, bad_rows_skipped, late_lines, earliest_late,
                                    first_time, last_time, new_customers, first_seq, stored_lines) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)
                """)
            batchInsert.bind(1, report.sha256)
            batchInsert.bind(2, URL(fileURLWithPath: file).lastPathComponent)
            batchInsert.bind(3, Self.now())
            batchInsert.bind(4, report.lines)
            batchInsert.bind(5, report.withoutCustomer)
            batchInsert.bind(6, report.badRowsSkipped)
            batchInsert.bind(7, report.lateLines)
            if let late = report.earliestLate { batchInsert.bind(8, late) } else { batchInsert.bindNull(8) }
            batchInsert.bind(9, report.firstTime ?? 0)
            batchInsert.bind(10, report.lastTime ?? 0)
            batchInsert.bind(11, isNew.filter { $0 }.count)
            batchInsert.bind(12, firstSeq)
            batchInsert.bind(13, storedLines)
            try batchInsert.run()
            let batch = db.lastInsertRowID
            report.batch = Int(batch)
            // Where each kept line is: (batch index, line index), grouped by customer in line order.
            var starts = [Int](repeating: 0, count: touched.count + 1)
            for t in lineCustomer where t >= 0 { starts[Int(t) + 1] += 1 }
            for t in 0..<touched.count { starts[t + 1] += starts[t] }
            var places = [(batch: Int32, line: Int32, seq: Int64)](repeating: (0, 0, 0), count: storedLines)
            var next = starts
            var g = 0
            var seq = firstSeq
            for (b, parsed) in batches.enumerated() {
                for i in 0..<parsed.count {
                    let t = Int(lineCustomer[g])
                    g += 1
                    guard t >= 0 else { continue }
                    places[next[t]] = (Int32(b), Int32(i), seq)
                    next[t] += 1
                    seq += 1
                }
            }
            let insert = try db.prepare("INSERT INTO line_packs(customer, batch, lines, data) VALUES(?,?,?,?)")
            var pack = LinePack()
            for t in touched.indices.sorted(by: { touched[$0] < touched[$1] }) {
                pack.removeAll()
                for k in starts[t]..<starts[t + 1] {
                    let place = places[k]
                    batches[Int(place.batch)].withLine(at: Int(place.line)) { line in
                        pack.append(seq: place.seq, time: line.time, amount: line.amount, fingerprint: line.fingerprint,
                                    negativePrice: line.negativePrice, order: line.order, category: line.category)
                    }
                }
                insert.bind(1, touched[t])
                insert.bind(2, batch)
                insert.bind(3, starts[t + 1] - starts[t])
                insert.bind(4, blob: pack.bytes)
                try insert.run()
            }

            done.wait()
            joined = true
            let replay = box.feed.replay
            lap("store lines, replay")

            // 4. Category totals over all customers, then the touched customers' rows.
            var codes = try categoryCodes()
            var totals = try categoryTotals()
            var storeCodeOf = [Int32]()  // the replay's category codes → the store's
            for name in replay.categoryNames {
                if let code = codes[name] {
                    storeCodeOf.append(code)
                    continue
                }
                let code = Int32(codes.count)
                codes[name] = code
                storeCodeOf.append(code)
                totals.append(0)
                let insertCategory = try db.prepare("INSERT INTO categories(code, name, total) VALUES(?, ?, 0)")
                insertCategory.bind(1, Int64(code))
                insertCategory.bind(2, name)
                try insertCategory.run()
            }
            for (code, amount) in replay.categorySpendLog { totals[Int(storeCodeOf[Int(code)])] += amount }
            let updateTotal = try db.prepare("UPDATE categories SET total = ? WHERE code = ?")
            for (code, total) in totals.enumerated() {
                updateTotal.bind(1, total)
                updateTotal.bind(2, code)
                try updateTotal.run()
            }
            let aggregates = replay.aggregates()
            let storeCode = storeCodeOf  // aggregates.categoryNames are the replay's
            let recentFrom = Int32(truncatingIfNeeded: maxTime.floorDiv(86_400)) - Self.recentDays
            // In key order: the rows sit in the table's order, so the writes walk it once.
            let update = try db.prepare("""
                INSERT INTO customers(first_purchase, last_purchase, monetary, frequency, purchase_days, return_count, returns_value,
                                      latest_day, previous_day, days, categories, updated_batch, key, id)
                VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(key) DO UPDATE SET first_purchase = excluded.first_purchase, last_purchase = excluded.last_purchase,
                    monetary = excluded.monetary, frequency = excluded.frequency, purchase_days = excluded.purchase_days,
                    return_count = excluded.return_count, returns_value = excluded.returns_value, latest_day = excluded.latest_day,
                    previous_day = excluded.previous_day, days = excluded.days, categories = excluded.categories,
                    updated_batch = excluded.updated_batch
                """)
            var dayBlob = [UInt8](), categoryBlob = [UInt8]()
            for c in aggregates.keyOrder() {
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
                dayBlob.removeAll(keepingCapacity: true)
                categoryBlob.removeAll(keepingCapacity: true)
                aggregates.forEachDay(of: c) { day, spend in if day >= recentFrom { SpendBlobs.append(day, spend, to: &dayBlob) } }
                aggregates.forEachCategory(of: c) { code, spend in SpendBlobs.append(storeCode[Int(code)], spend, to: &categoryBlob) }
                update.bind(10, blob: dayBlob)
                update.bind(11, blob: categoryBlob)
                update.bind(12, batch)
                update.bind(13, aggregates.ids[c])
                guard let t = index[aggregates.ids[c]] else { throw StoreError.storage(file: path, reason: "customer '\(aggregates.ids[c])' was not read") }
                update.bind(14, touched[Int(t)])
                try update.run()
            }
            if try self.settings() == nil {
                for (key, value) in zip(Settings.keys, settings.values) { try setMeta(key, value) }
                try setMeta("id_name", read.idName)
            }
            try setMeta("max_time", String(maxTime))
            try setMeta("next_seq", String(firstSeq + Int64(storedLines)))
            lap("update customers")
            report.newCustomers = isNew.filter { $0 }.count
            report.touchedCustomers = aggregates.count
            report.customers = Int(try metaInt("customers") ?? 0) + report.newCustomers
            try setMeta("customers", String(report.customers))  // counting the rows takes a scan
            report.storeLines = Int(firstSeq) + storedLines
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

/// The replay a second thread finishes while the main one stores the batch's lines.
/// `@unchecked Sendable`: the creating thread does not touch it between starting that thread and
/// waiting for it to end, so only one thread uses it at a time.
private final class ReplayBox: @unchecked Sendable {
    var feed: ReplayFeed
    init(feed: ReplayFeed) { self.feed = feed }
}
