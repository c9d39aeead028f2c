import Foundation

/// What `persona features` knows about each customer before it picks an as-of moment: totals,
/// first and last purchase, spend by day and by category. `features(idName:asOf:report:)`
/// turns them into the table; the order-log reader fills them from a file, and a profile store
/// keeps them per customer (`Totals` plus the purchase days and category spends) so that a
/// new batch recomputes only the customers it touches.
public struct CustomerAggregates: Sendable {
    /// One customer's scalar totals. Without a purchase, `firstPurchase` is `Int64.max`,
    /// `lastPurchase` `Int64.min` and the days `Int32.min`.
    public struct Totals: Sendable, Equatable {
        public var firstPurchase: Int64 = .max
        public var lastPurchase: Int64 = .min
        public var monetary = 0.0
        /// Distinct purchase orders, or distinct purchase days without an order column.
        public var frequency: Int32 = 0
        public var purchaseDays: Int32 = 0
        public var returnCount: Int32 = 0
        public var returnsValue = 0.0
        /// The two latest distinct purchase days (days since 1970-01-01).
        public var latestDay: Int32 = .min
        public var previousDay: Int32 = .min

        public init() {}
    }

    /// Ids by customer code.
    public internal(set) var ids: [String] = []
    /// Customers with a line before the as-of moment (only these get a row).
    var included: [Bool] = []
    var firstPurchase: [Int64] = []
    var lastPurchase: [Int64] = []
    var monetary: [Double] = []
    var frequency: [Int32] = []
    var purchaseDays: [Int32] = []
    var returnCount: [Int32] = []
    var returnsValue: [Double] = []
    var latestDay: [Int32] = []
    var previousDay: [Int32] = []
    /// With a label horizon: whether the customer bought in it.
    var boughtInHorizon: [Bool]?
    /// Customer `c`'s purchase days are `days[dayOffsets[c]..<dayOffsets[c + 1]]`, ascending, with
    /// their spend in `daySpends`. `spend_trend` reads only the 180 days before the as-of day.
    var dayOffsets: [Int] = [0]
    var days: [Int32] = []
    var daySpends: [Double] = []
    /// Customer `c`'s categories are `categoryCodes[categoryOffsets[c]..<categoryOffsets[c + 1]]`
    /// with their spend in `categorySpends`; nil without a category column.
    var categoryOffsets: [Int]?
    var categoryCodes: [Int32] = []
    var categorySpends: [Double] = []
    /// Categories by code, and each one's purchase spend over all customers.
    public internal(set) var categoryNames: [String] = []
    public internal(set) var categoryTotals: [Double] = []
    var shareCategories = 20
    var shareCategoryNames: [String]?

    init() {}

    /// Empty aggregates for `append`: the categories (with their totals over every customer,
    /// which choose the `share:` columns) when the log has a category column, nil otherwise.
    public init(categories: [(name: String, total: Double)]?, shareCategories: Int, expectedCustomers: Int = 0) {
        if let categories {
            categoryNames = categories.map(\.name)
            categoryTotals = categories.map(\.total)
            var offsets = [0]
            offsets.reserveCapacity(expectedCustomers + 1)
            categoryOffsets = offsets
        }
        self.shareCategories = shareCategories
        ids.reserveCapacity(expectedCustomers)
        dayOffsets.reserveCapacity(expectedCustomers + 1)
        firstPurchase.reserveCapacity(expectedCustomers)
        lastPurchase.reserveCapacity(expectedCustomers)
        monetary.reserveCapacity(expectedCustomers)
    }

    public var count: Int { ids.count }

    /// Adds a customer who has at least one line before the as-of moment; then `addDay` and
    /// `addCategory` give their purchase days (ascending) and category spends.
    public mutating func append(id: String, totals t: Totals) {
        ids.append(id)
        included.append(true)
        firstPurchase.append(t.firstPurchase)
        lastPurchase.append(t.lastPurchase)
        monetary.append(t.monetary)
        frequency.append(t.frequency)
        purchaseDays.append(t.purchaseDays)
        returnCount.append(t.returnCount)
        returnsValue.append(t.returnsValue)
        latestDay.append(t.latestDay)
        previousDay.append(t.previousDay)
        dayOffsets.append(days.count)
        categoryOffsets?.append(categoryCodes.count)
    }

    /// A purchase day of the customer appended last (days in ascending order).
    public mutating func addDay(_ day: Int32, spend: Double) {
        days.append(day)
        daySpends.append(spend)
        dayOffsets[dayOffsets.count - 1] = days.count
    }

    /// A category spend of the customer appended last.
    public mutating func addCategory(_ code: Int32, spend: Double) {
        guard categoryOffsets != nil else { return }
        categoryCodes.append(code)
        categorySpends.append(spend)
        if let last = categoryOffsets?.indices.last { categoryOffsets?[last] = categoryCodes.count }
    }

    public func totals(_ c: Int) -> Totals {
        var t = Totals()
        t.firstPurchase = firstPurchase[c]
        t.lastPurchase = lastPurchase[c]
        t.monetary = monetary[c]
        t.frequency = frequency[c]
        t.purchaseDays = purchaseDays[c]
        t.returnCount = returnCount[c]
        t.returnsValue = returnsValue[c]
        t.latestDay = latestDay[c]
        t.previousDay = previousDay[c]
        return t
    }

    /// Customer codes in UTF-8 byte order of their ids.
    public func keyOrder() -> [Int] { UTF8Order.sorted(Array(ids.indices), by: ids) }

    /// Customer `c`'s purchase days, ascending, with their spend.
    public func forEachDay(of c: Int, _ body: (Int32, Double) -> Void) {
        for k in dayOffsets[c]..<dayOffsets[c + 1] { body(days[k], daySpends[k]) }
    }

    /// Customer `c`'s category codes (indices into `categoryNames`) with their spend.
    public func forEachCategory(of c: Int, _ body: (Int32, Double) -> Void) {
        guard let categoryOffsets else { return }
        for k in categoryOffsets[c]..<categoryOffsets[c + 1] { body(categoryCodes[k], categorySpends[k]) }
    }

    /// Per-customer lists from sums keyed by (customer, other): offsets, others ascending per
    /// customer, and their sums (a counting sort on the customer).
    static func lists(_ sums: KeySums, customers: Int) -> (offsets: [Int], keys: [Int32], values: [Double]) {
        var offsets = [Int](repeating: 0, count: customers + 1)
        sums.forEach { key, _ in offsets[Int(key >> 32) + 1] += 1 }
        for c in 0..<customers { offsets[c + 1] += offsets[c] }
        var next = offsets
        var pairs = [(Int32, Double)](repeating: (0, 0), count: sums.count)
        sums.forEach { key, value in
            let c = Int(key >> 32)
            pairs[next[c]] = (Int32(bitPattern: UInt32(truncatingIfNeeded: key)), value)
            next[c] += 1
        }
        for c in 0..<customers where offsets[c + 1] - offsets[c] > 1 { pairs[offsets[c]..<offsets[c + 1]].sort { $0.0 < $1.0 } }
        return (offsets, pairs.map(\.0), pairs.map(\.1))
    }
}

/// Sorting text in UTF-8 byte order (Unicode code point order) without walking `String`s: the
/// bytes are copied into one buffer once, and compared eight at a time, then with `memcmp`.
enum UTF8Order {
    /// `indices` sorted by `texts[i]` in UTF-8 byte order (ties keep no particular order).
    static func sorted(_ indices: [Int], by texts: [String]) -> [Int] {
        var arena = [UInt8]()
        var offsets = [Int](repeating: 0, count: texts.count + 1)
        var prefixes = [UInt64](repeating: 0, count: texts.count)
        for (i, text) in texts.enumerated() {
            arena.append(contentsOf: text.utf8)
            offsets[i + 1] = arena.count
        }
        arena.withUnsafeBufferPointer { a in
            for i in texts.indices {
                var prefix: UInt64 = 0
                for k in 0..<8 {
                    let j = offsets[i] + k
                    prefix = prefix << 8 | UInt64(j < offsets[i + 1] ? a[j] : 0)
                }
                prefixes[i] = prefix
            }
        }
        return arena.withUnsafeBufferPointer { a in
            offsets.withUnsafeBufferPointer { o in
                prefixes.withUnsafeBufferPointer { p in
                    indices.sorted { x, y in
                        if p[x] != p[y] { return p[x] < p[y] }
                        let (nx, ny) = (o[x + 1] - o[x], o[y + 1] - o[y])
                        let common = min(nx, ny)
                        if common > 0, let base = a.baseAddress {
                            let c = memcmp(base + o[x], base + o[y], common)
                            if c != 0 { return c < 0 }
                        }
                        return nx < ny
                    }
                }
            }
        }
    }
}
