/// The order log's customers and their invoices in time order, before any line is drawn.
///
/// Every invoice carries the seed its lines are drawn from, so a later return can draw the
/// very same lines again instead of keeping them in memory.
struct OrderSchedule {
    struct Customer {
        var segment: CustomerSegment
        var category: Int
        var country: Int
        /// First and last day (0-based from the period start) the customer may buy.
        var firstDay: Int
        var lastDay: Int
    }

    struct Invoice {
        /// Minutes since the period's first midnight.
        var minute: Int32
        /// Index into `customers`, or -1 for a guest checkout without a customer id.
        var customer: Int32
        /// Creation order: breaks ties between invoices of the same minute.
        var sequence: UInt32
        var isReturn: Bool
        /// Seed of the purchase's lines (for a return: of the purchase it returns).
        var seed: UInt64
        /// For a return: seed of the choice of returned lines.
        var returnSeed: UInt64
    }

    private(set) var customers: [Customer] = []
    /// All invoices, sorted by (minute, sequence) once the schedule is built.
    private(set) var invoices: [Invoice] = []
    private var rng: SeededGenerator
    private let days: Int

    /// Draws customers, their purchases and returns, and the guest checkouts.
    /// - Complexity: O(invoices · log invoices) for the final sort.
    init(customerCount: Int, days: Int, guestShare: Double, seed: UInt64) {
        rng = SeededGenerator(seed: seed, stream: 1)
        self.days = days
        customers.reserveCapacity(customerCount)
        var purchases = 0
        for index in 0..<customerCount {
            let customer = drawCustomer()
            customers.append(customer)
            purchases += schedulePurchases(of: customer, index: index)
        }
        let guests = Int((Double(purchases) * guestShare / (1 - guestShare)).rounded())
        for _ in 0..<guests {
            let minute = rng.integer(below: days) * 1440 + minuteOfDay()
            add(minute: minute, customer: -1, isReturn: false, seed: rng.nextSeed())
        }
        invoices.sort { ($0.minute, $0.sequence) < ($1.minute, $1.sequence) }
    }

    private mutating func drawCustomer() -> Customer {
        let segment = CustomerSegment.at(rng.pick(CustomerSegment.table))
        let behaviour = OrderBehaviour.of(segment)
        let category = rng.pick(CustomerProfile.of(segment).categories)
        let country = rng.pick(Vocabulary.countryWeights)
        let lastIndex = Double(days - 1)
        var firstDay = 0
        var lastDay = days - 1
        if let fraction = behaviour.startFraction {
            firstDay = Int(rng.uniform(in: fraction) * lastIndex)
        }
        if let fraction = behaviour.stopFraction {
            lastDay = Int(rng.uniform(in: fraction) * lastIndex)
        }
        return Customer(
            segment: segment, category: category, country: country, firstDay: firstDay,
            lastDay: max(firstDay, lastDay))
    }

    /// Adds a customer's purchases (a Poisson process over the active days, at least one)
    /// and their returns; returns the number of purchases.
    private mutating func schedulePurchases(of customer: Customer, index: Int) -> Int {
        let behaviour = OrderBehaviour.of(customer.segment)
        let meanGap = 30 / behaviour.ordersPer30Days
        let end = Double(customer.lastDay + 1)
        var day = Double(customer.firstDay) + rng.exponential(mean: meanGap)
        var purchases = 0
        while day < end || purchases == 0 {
            if day >= end {
                // Everyone in the log buys at least once: one day somewhere in the window.
                day = Double(rng.integer(in: customer.firstDay...customer.lastDay))
            }
            let minute = Int(day) * 1440 + minuteOfDay()
            let purchaseSeed = rng.nextSeed()
            add(minute: minute, customer: index, isReturn: false, seed: purchaseSeed)
            purchases += 1
            if rng.bernoulli(behaviour.returnProbability) {
                // Returned 1–30 days later, in opening hours, if still inside the period.
                let returnMinute = (Int(day) + 1 + rng.integer(below: 30)) * 1440 + minuteOfDay()
                let returnSeed = rng.nextSeed()
                if returnMinute < days * 1440 {
                    add(
                        minute: returnMinute, customer: index, isReturn: true, seed: purchaseSeed,
                        returnSeed: returnSeed)
                }
            }
            day += rng.exponential(mean: meanGap)
        }
        return purchases
    }

    private mutating func add(
        minute: Int, customer: Int, isReturn: Bool, seed: UInt64, returnSeed: UInt64 = 0
    ) {
        invoices.append(
            Invoice(
                minute: Int32(minute), customer: Int32(customer),
                sequence: UInt32(truncatingIfNeeded: invoices.count), isReturn: isReturn,
                seed: seed, returnSeed: returnSeed))
    }

    /// Opening hours 07:00–20:59, busiest around midday.
    private static let hours = WeightedIndex([
        0.02, 0.06, 0.08, 0.11, 0.12, 0.13, 0.12, 0.11, 0.09, 0.07, 0.04, 0.025, 0.02, 0.015,
    ])

    private mutating func minuteOfDay() -> Int {
        (7 + rng.pick(OrderSchedule.hours)) * 60 + rng.integer(below: 60)
    }
}
