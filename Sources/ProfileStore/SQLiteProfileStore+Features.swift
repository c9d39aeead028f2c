import CustomerData
import Foundation
import NumericCore

extension SQLiteProfileStore {
    public func features(asOf requested: Int64?, topCategories: Int?) throws -> StoreFeatures {
        try db.readTransaction {
            guard let settings = try settings(), let maxTime = try metaInt("max_time") else {
                throw StoreError.empty(store: path, what: "order lines yet: ingest a batch first")
            }
            let idName = try meta("id_name") ?? "customer_id"
            let top = topCategories ?? 20
            let batches = Int(try Self.pragmaCount(db, "SELECT count(*) FROM batches"))
            let lines = Int(try metaInt("next_seq") ?? 0)
            let asOf = requested ?? Self.midnightAfter(maxTime)
            let features: CustomerFeatures
            let incremental = asOf > maxTime
            if incremental {
                features = try keptFeatures(settings: settings, idName: idName, asOf: asOf, topCategories: top)
            } else {
                features = try replayedFeatures(settings: settings, idName: idName, asOf: asOf, topCategories: top)
            }
            guard !features.ids.isEmpty else {
                throw StoreError.empty(store: path, what: "customer with a line before \(TimestampFormat.text(asOf))")
            }
            return StoreFeatures(features: features, incremental: incremental, batches: batches, lines: lines)
        }
    }

    public func batches() throws -> [BatchInfo] {
        let rows = try db.prepare("SELECT id, file, sha256, ingested_at, lines, stored_lines, late_lines, first_time, last_time FROM batches ORDER BY id")
        var batches = [BatchInfo]()
        while try rows.step() {
            batches.append(BatchInfo(id: Int(rows.int(0)), file: rows.text(1) ?? "", sha256: rows.text(2) ?? "", ingestedAt: rows.text(3) ?? "",
                                     lines: Int(rows.int(4)), storedLines: Int(rows.int(5)), lateLines: Int(rows.int(6)),
                                     firstTime: rows.int(7), lastTime: rows.int(8)))
        }
        return batches
    }

    /// From the kept totals: every line is before `asOf`.
    private func keptFeatures(settings: Settings, idName: String, asOf: Int64, topCategories: Int) throws -> CustomerFeatures {
        let count = Int(try metaInt("customers") ?? 0)
        let names = try categoryNames(), totals = try categoryTotals()
        var aggregates = CustomerAggregates(categories: settings.category ? Array(zip(names, totals)).map { (name: $0.0, total: $0.1) } : nil,
                                            shareCategories: topCategories, expectedCustomers: count)
        let rows = try db.prepare("""
            SELECT key, first_purchase, last_purchase, monetary, frequency, purchase_days, return_count, returns_value,
                   latest_day, previous_day, days, categories FROM customers
            """)
        while try rows.step() {
            var t = CustomerAggregates.Totals()
            t.firstPurchase = rows.int(1)
            t.lastPurchase = rows.int(2)
            t.monetary = rows.double(3)
            t.frequency = Int32(truncatingIfNeeded: rows.int(4))
            t.purchaseDays = Int32(truncatingIfNeeded: rows.int(5))
            t.returnCount = Int32(truncatingIfNeeded: rows.int(6))
            t.returnsValue = rows.double(7)
            t.latestDay = Int32(truncatingIfNeeded: rows.int(8))
            t.previousDay = Int32(truncatingIfNeeded: rows.int(9))
            aggregates.append(id: rows.text(0) ?? "", totals: t)
            SpendBlobs.forEach(rows.bytes(10)) { aggregates.addDay($0, spend: $1) }
            SpendBlobs.forEach(rows.bytes(11)) { aggregates.addCategory($0, spend: $1) }
        }
        return aggregates.features(idName: idName, asOf: asOf)
    }

    /// Every line replayed in arrival order, with those at or after `asOf` left out.
    private func replayedFeatures(settings: Settings, idName: String, asOf: Int64, topCategories: Int) throws -> CustomerFeatures {
        var options = replayOptions(settings, topCategories: topCategories)
        options.asOf = asOf
        var keys = [Int64: [UInt8]]()
        let customers = try db.prepare("SELECT id, key FROM customers")
        while try customers.step() { keys[customers.int(0)] = Array(customers.textBytes(1) ?? UnsafeBufferPointer(start: nil, count: 0)) }
        // Lines come clustered by customer; put them back in arrival order (category totals
        // over all customers are sums in that order).
        var stored = OrderLineBatch(), seq = [Int64]()
        let rows = try db.prepare("SELECT customer, data FROM line_packs")
        while try rows.step() {
            guard let key = keys[rows.int(0)] else {
                throw StoreError.storage(file: path, reason: "lines of customer \(rows.int(0)), who is not in the customers table")
            }
            key.withUnsafeBufferPointer { key in
                LinePack.forEach(rows.bytes(1)) { line in
                    seq.append(line.seq)
                    stored.append(time: line.time, amount: line.amount, negativePrice: line.negativePrice, fingerprint: line.fingerprint,
                                  customer: key, order: line.order, category: line.category)
                }
            }
        }
        var feed = ReplayFeed(options: options)
        for i in seq.indices.sorted(by: { seq[$0] < seq[$1] }) {
            stored.withLine(at: i) { line in
                feed.add(time: line.time, amount: line.amount, negativePrice: line.negativePrice, fingerprint: line.fingerprint,
                         customer: line.customer, order: line.order, category: line.category)
            }
        }
        feed.flush()
        let replay = feed.replay
        return replay.aggregates().features(idName: idName, asOf: asOf, report: replay.report)
    }
}
