/// What `persona features` knows about each customer before it picks an as-of moment: totals,
/// first and last purchase, spend by day and by category. `features(idName:asOf:report:)`
/// turns them into the table; the order-log reader fills them from a file, and a profile store
/// keeps them per customer (`Totals` plus the `DaySpend` and `CategorySpend` lists) so that a
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

    /// Purchase spend of one customer on one day (days since 1970-01-01).
    public struct DaySpend: Sendable, Equatable {
        public var day: Int32
        public var spend: Double
        public init(day: Int32, spend: Double) { (self.day, self.spend) = (day, spend) }
    }

    /// Purchase spend of one customer in one category (an index into `categoryNames`).
    public struct CategorySpend: Sendable, Equatable {
        public var category: Int32
        public var spend: Double
        public init(category: Int32, spend: Double) { (self.category, self.spend) = (category, spend) }
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
    /// Spend by (customer, day). `spend_trend` reads only the 180 days before the as-of day.
    var daySpend = KeySums()
    /// Spend by (customer, category); nil without a category column.
    var categorySpend: KeySums?
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
            categorySpend = KeySums(expectedCount: expectedCustomers)
        }
        self.shareCategories = shareCategories
        daySpend = KeySums(expectedCount: expectedCustomers)
        ids.reserveCapacity(expectedCustomers)
    }

    public var count: Int { ids.count }

    /// Adds a customer who has at least one line before the as-of moment.
    public mutating func append(id: String, totals t: Totals, days: [DaySpend], categories: [CategorySpend]) {
        let c = Int32(ids.count)
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
        for d in days { daySpend.add(d.spend, to: pairKey(c, d.day)) }
        if categorySpend != nil {
            for s in categories { categorySpend!.add(s.spend, to: pairKey(c, s.category)) }
        }
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

    /// Each customer's purchase days (ascending) and category spends (by category code).
    public func spendLists() -> (days: [[DaySpend]], categories: [[CategorySpend]]) {
        var days = [[DaySpend]](repeating: [], count: ids.count)
        daySpend.forEach { key, spend in
            days[Int(key >> 32)].append(DaySpend(day: Int32(bitPattern: UInt32(truncatingIfNeeded: key)), spend: spend))
        }
        for c in days.indices where days[c].count > 1 { days[c].sort { $0.day < $1.day } }
        var categories = [[CategorySpend]](repeating: [], count: ids.count)
        categorySpend?.forEach { key, spend in
            categories[Int(key >> 32)].append(CategorySpend(category: Int32(bitPattern: UInt32(truncatingIfNeeded: key)), spend: spend))
        }
        for c in categories.indices where categories[c].count > 1 { categories[c].sort { $0.category < $1.category } }
        return (days, categories)
    }
}
