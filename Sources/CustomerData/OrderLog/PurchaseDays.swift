import NumericCore

/// Purchase spend per customer and calendar day, read from an order log: the input of
/// buy-till-you-die models (BG/NBD, Pareto/NBD, Gamma-Gamma), which count purchase periods.
///
/// Every line with a customer id is a purchase, zero amounts included (as lifetimes counts
/// them); a negative amount is an error (`CustomerDataError.negativeAmount`). Ids are kept as
/// the file has them, surrounding blanks trimmed, so leading zeros survive.
public struct PurchaseDays: Sendable {
    /// The file's name and its customer column's name.
    public let file: String
    public let idName: String
    /// Ids in order of first appearance.
    public let ids: [String]
    /// Customer `c`'s days are `days[offsets[c]..<offsets[c + 1]]`, ascending.
    public let offsets: [Int]
    /// Days since 1970-01-01 (UTC).
    public let days: [Int32]
    /// Spend on that day, summed over its lines.
    public let spend: [Double]
    /// Order lines on that day.
    public let lineCounts: [Int32]
    /// Lines read, and lines dropped because their customer id is blank.
    public let lines: Int
    public let withoutCustomer: Int
    /// First and last day of any line.
    public let firstDay: Int32
    public let lastDay: Int32

    public var customerCount: Int { ids.count }
}

/// Adds order lines up by (customer, day).
struct PurchaseDayAccumulator {
    var ids = ByteInterner(expectedCount: 1 << 14)
    var spend = KeySums(expectedCount: 1 << 16)
    var counts = KeySums(expectedCount: 1 << 16)
    var lines = 0, withoutCustomer = 0, badRows = 0
    var firstBadRow: String?
    var firstDay = Int32.max, lastDay = Int32.min

    mutating func add(_ batch: OrderLineBatch) {
        badRows += batch.badRows
        if firstBadRow == nil { firstBadRow = batch.firstBadRow }
        batch.forEach { line in
            lines += 1
            let day = Int32(truncatingIfNeeded: line.time.floorDiv(86_400))
            firstDay = min(firstDay, day)
            lastDay = max(lastDay, day)
            guard let (start, end) = OrderAccumulator.trimmed(line.customer) else {
                withoutCustomer += 1
                return
            }
            let key = pairKey(ids.intern(start, end - start), day)
            spend.add(line.amount, to: key)
            counts.add(1, to: key)
        }
    }

    /// The days grouped by customer (a counting sort on the customer code), each customer's
    /// days in ascending order.
    func result(file: String, idName: String) -> PurchaseDays {
        let n = ids.count
        var offsets = [Int](repeating: 0, count: n + 1)
        spend.forEach { key, _ in offsets[Int(key >> 32) + 1] += 1 }
        for c in 0..<n { offsets[c + 1] += offsets[c] }
        var next = offsets
        var keys = [UInt64](repeating: 0, count: spend.count)
        spend.forEach { key, _ in
            let c = Int(key >> 32)
            keys[next[c]] = key
            next[c] += 1
        }
        for c in 0..<n { keys[offsets[c]..<offsets[c + 1]].sort() }
        var sums = SumsLookup(spend), lineCounts = SumsLookup(counts)
        return PurchaseDays(
            file: file, idName: idName, ids: ids.values, offsets: offsets,
            days: keys.map { Int32(bitPattern: UInt32(truncatingIfNeeded: $0)) },
            spend: keys.map { sums.value($0) }, lineCounts: keys.map { Int32(lineCounts.value($0)) },
            lines: lines, withoutCustomer: withoutCustomer, firstDay: firstDay, lastDay: lastDay)
    }
}

/// Looks sums up by key (one pass to build, then O(1) per key).
private struct SumsLookup {
    private var table: [UInt64: Double]
    init(_ sums: KeySums) {
        table = [:]
        table.reserveCapacity(sums.count)
        sums.forEach { table[$0] = $1 }
    }
    mutating func value(_ key: UInt64) -> Double { table[key] ?? 0 }
}

extension OrderLogReader {
    /// Reads the order log at `path` into purchase spend per customer and day.
    ///
    /// - Throws: `CustomerDataError` for unreadable files, unknown columns, bad dates or
    ///   amounts (with file, line, column and value), negative amounts, and logs without lines.
    /// - Complexity: O(lines + customer-days · log(days per customer)).
    public static func purchaseDays(path: String, options given: OrderLogOptions,
                                    progress: (WorkProgress) -> Void = { _ in }) throws -> PurchaseDays {
        var options = given
        options.rejectNegativeAmounts = true
        var accumulator = PurchaseDayAccumulator()
        let (name, idName, _) = try stream(path: path, options: options, progress: progress) { accumulator.add($0) }
        guard accumulator.lines + accumulator.badRows > 0 else { throw CustomerDataError.headerOnly(file: name) }
        if accumulator.lines == 0 {
            throw CustomerDataError.allLinesBad(file: name, count: accumulator.badRows, first: accumulator.firstBadRow ?? "")
        }
        guard accumulator.ids.count > 0 else {
            throw CustomerDataError.noCustomers(file: name, column: idName, lines: accumulator.lines)
        }
        return accumulator.result(file: name, idName: idName)
    }
}
