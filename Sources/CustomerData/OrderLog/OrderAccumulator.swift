/// Per-customer running totals over an order log, one line at a time. Memory grows with the
/// number of customers, distinct orders and distinct (customer, day) pairs, never with the
/// text of the lines; the duplicate-line check keeps one 8-byte fingerprint per distinct line.
struct OrderAccumulator {
    let options: OrderLogOptions
    var report = OrderLogReport()

    private(set) var ids = ByteInterner(expectedCount: 1 << 14)
    private(set) var orders = ByteInterner(expectedCount: 1 << 14)
    private(set) var categories = ByteInterner(expectedCount: 64)
    private var lineFingerprints = KeySet(expectedCount: 1 << 16)
    private var purchaseOrders = KeySet(expectedCount: 1 << 14)
    private var returnOrders = KeySet(expectedCount: 1 << 12)
    /// Purchase spend per (customer, day): distinct purchase days, and spend by period.
    private(set) var daySpend = KeySums(expectedCount: 1 << 14)
    private var returnDays = KeySet(expectedCount: 1 << 12)
    private(set) var categorySpend = KeySums(expectedCount: 1 << 12)
    private(set) var categoryTotals: [Double] = []

    // Per customer, indexed by the id's code.
    private(set) var firstPurchase: [Int64] = []
    private(set) var lastPurchase: [Int64] = []
    private(set) var monetary: [Double] = []
    private(set) var orderCount: [Int32] = []
    private(set) var purchaseDayCount: [Int32] = []
    private(set) var returnCount: [Int32] = []
    private(set) var returnsValue: [Double] = []
    /// Seen before the cutoff or the as-of moment: only these customers get a row.
    private(set) var seenBefore: [Bool] = []
    private(set) var boughtInHorizon: [Bool] = []
    private var lastOrder: [Int32] = []
    private var lastReturnOrder: [Int32] = []
    /// The two latest distinct purchase days (Int32.min when none).
    private(set) var latestDay: [Int32] = []
    private(set) var previousDay: [Int32] = []
    private var lastReturnDay: [Int32] = []

    /// When not nil, every purchase line's (category code, amount) that goes into
    /// `categoryTotals`, in line order: a store adds them to its own running totals.
    var categoryLog: [(code: Int32, amount: Double)]?

    init(options: OrderLogOptions) {
        self.options = options
    }

    /// The per-customer totals, before an as-of moment is applied.
    func aggregates() -> CustomerAggregates {
        var a = CustomerAggregates()
        a.ids = ids.values
        a.included = seenBefore
        a.firstPurchase = firstPurchase
        a.lastPurchase = lastPurchase
        a.monetary = monetary
        a.frequency = options.order == nil ? purchaseDayCount : orderCount
        a.purchaseDays = purchaseDayCount
        a.returnCount = returnCount
        a.returnsValue = returnsValue
        a.latestDay = latestDay
        a.previousDay = previousDay
        a.boughtInHorizon = options.cutoff != nil ? boughtInHorizon : nil
        (a.dayOffsets, a.days, a.daySpends) = CustomerAggregates.lists(daySpend, customers: customerCount)
        if options.category != nil {
            let categories = CustomerAggregates.lists(categorySpend, customers: customerCount)
            a.categoryOffsets = categories.offsets
            (a.categoryCodes, a.categorySpends) = (categories.keys, categories.values)
        }
        a.categoryNames = categories.values
        a.categoryTotals = categoryTotals
        a.shareCategories = options.shareCategories
        a.shareCategoryNames = options.shareCategoryNames
        return a
    }

    var customerCount: Int { ids.count }

    @inline(__always)
    private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    mutating func add(_ batch: OrderLineBatch) {
        report.badRowsSkipped += batch.badRows
        if report.firstBadRow == nil { report.firstBadRow = batch.firstBadRow }
        batch.forEach { add($0) }
    }

    private mutating func add(_ line: OrderLine) {
        report.lines += 1
        if report.firstDate.map({ line.time < $0 }) ?? true { report.firstDate = line.time }
        if report.lastDate.map({ line.time > $0 }) ?? true { report.lastDate = line.time }

        guard let customer = intern(line.customer) else {
            report.withoutCustomer += 1
            return
        }
        if !lineFingerprints.insert(line.fingerprint) {
            report.duplicateLines += 1
            if options.dedupe { return }
        }
        let c = Int(customer)
        if let cutoff = options.cutoff, let horizonEnd = options.horizonEnd {
            if line.time >= horizonEnd {
                report.linesAfterWindow += 1
                return
            }
            if line.time >= cutoff {
                report.horizonLines += 1
                if line.amount > 0, !line.negativePrice { boughtInHorizon[c] = true }
                return
            }
        } else if let asOf = options.asOf, line.time >= asOf {
            report.linesAfterWindow += 1
            return
        }
        seenBefore[c] = true
        if line.negativePrice {
            report.negativePriceLines += 1
            return
        }
        if line.amount == 0 {
            report.zeroAmountLines += 1
            return
        }
        let day = Int32(truncatingIfNeeded: line.time.floorDiv(86_400))
        if line.amount > 0 {
            report.purchaseLines += 1
            monetary[c] += line.amount
            if line.time < firstPurchase[c] { firstPurchase[c] = line.time }
            if line.time > lastPurchase[c] { lastPurchase[c] = line.time }
            if daySpend.add(line.amount, to: pairKey(customer, day)) { purchaseDayCount[c] += 1 }
            if day > latestDay[c] {
                previousDay[c] = latestDay[c]
                latestDay[c] = day
            } else if day < latestDay[c], day > previousDay[c] {
                previousDay[c] = day
            }
            if let order = line.order {
                let code = orders.intern(order)
                if code != lastOrder[c] {
                    lastOrder[c] = code
                    if purchaseOrders.insert(pairKey(customer, code)) { orderCount[c] += 1 }
                }
            }
            if let category = line.category, category.count > 0 {
                let code = categories.intern(category)
                if Int(code) == categoryTotals.count { categoryTotals.append(0) }
                categoryTotals[Int(code)] += line.amount
                categoryLog?.append((code, line.amount))
                categorySpend.add(line.amount, to: pairKey(customer, code))
            }
        } else {
            report.returnLines += 1
            returnsValue[c] -= line.amount
            if let order = line.order {
                let code = orders.intern(order)
                if code != lastReturnOrder[c] {
                    lastReturnOrder[c] = code
                    if returnOrders.insert(pairKey(customer, code)) { returnCount[c] += 1 }
                }
            } else if day != lastReturnDay[c] {
                lastReturnDay[c] = day
                if returnDays.insert(pairKey(customer, day)) { returnCount[c] += 1 }
            }
        }
    }

    /// The customer's code (new customers get fresh totals), or nil for a blank id. Surrounding
    /// blanks are trimmed; with `normalizeIDs`, `17850.0` becomes `17850`.
    private mutating func intern(_ raw: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard let (start, trimmedEnd) = OrderAccumulator.trimmed(raw) else { return nil }
        var end = trimmedEnd
        if end - start != raw.count { report.idsTrimmed += 1 }
        if let cut = OrderAccumulator.decimalZeroStart(start, end) {
            if options.normalizeIDs {
                end = cut
                report.idsNormalized += 1
            } else {
                report.idsWithDecimalZero += 1
            }
        }
        let code = ids.intern(start, end - start)
        if Int(code) == firstPurchase.count { appendCustomer() }
        return code
    }

    /// The id's bytes without surrounding blanks, or nil when nothing is left.
    static func trimmed(_ raw: UnsafeBufferPointer<UInt8>) -> (UnsafePointer<UInt8>, UnsafePointer<UInt8>)? {
        guard var start = raw.baseAddress else { return nil }
        var end = start + raw.count
        while start < end, isBlank(start.pointee) { start += 1 }
        while end > start, isBlank((end - 1).pointee) { end -= 1 }
        return end > start ? (start, end) : nil
    }

    /// Where `.0…` starts in an id made of digits, a point and only zeros (`17850.0`).
    static func decimalZeroStart(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8>? {
        var p = end - 1
        guard p > start, p.pointee == UInt8(ascii: "0") else { return nil }
        while p > start, p.pointee == UInt8(ascii: "0") { p -= 1 }
        guard p > start, p.pointee == UInt8(ascii: ".") else { return nil }
        var q = start
        while q < p {
            guard q.pointee &- 0x30 < 10 else { return nil }
            q += 1
        }
        return p
    }

    private mutating func appendCustomer() {
        firstPurchase.append(.max)
        lastPurchase.append(.min)
        monetary.append(0)
        orderCount.append(0)
        purchaseDayCount.append(0)
        returnCount.append(0)
        returnsValue.append(0)
        seenBefore.append(false)
        boughtInHorizon.append(false)
        lastOrder.append(-1)
        lastReturnOrder.append(-1)
        latestDay.append(.min)
        previousDay.append(.min)
        lastReturnDay.append(.min)
    }
}
