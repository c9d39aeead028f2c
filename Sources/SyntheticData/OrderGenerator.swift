/// A synthetic order log in the style of UCI Online Retail: one line per invoice line.
///
/// Columns: `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,
/// Country,Category`, in time order, dates as `YYYY-MM-DD HH:MM:SS`. Customers follow the five
/// segments (`OrderBehaviour`): `lapsed` customers stop buying partway through the period,
/// `new` ones start in its second half. Real-log blemishes are planted on purpose:
/// returns (invoice `C…`, negative quantity, 1–30 days after the purchase), guest
/// checkouts without a `CustomerID` (`guestShare` of the purchase invoices), exact duplicate
/// lines (`duplicateRate`), blank descriptions (0.2 %), postage lines (`POST`) on foreign
/// orders, and descriptions that need CSV quoting. With `includeTruth` the truth file is
/// `CustomerID,segment,active_from,active_until`.
///
/// About 39 lines per customer per year (26,000 customers ≈ 1M lines).
/// Complexity: O(lines) time; O(invoices) memory (32 bytes each) for the time-ordered schedule.
public struct OrderGenerator: SyntheticDataset {
    /// The number of registered customers.
    public let customers: Int
    /// The first day of the log.
    public let start: CivilDate
    /// The last day of the log (inclusive).
    public let end: CivilDate
    /// The share of purchase invoices made by guests (no `CustomerID`).
    public let guestShare: Double
    /// The probability that a line is written twice.
    public let duplicateRate: Double
    /// The seed; the same seed gives byte-identical files.
    public let seed: UInt64
    /// Whether to emit the per-customer truth file.
    public let includeTruth: Bool

    /// The header of the data file, in order.
    public static let columns = [
        "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
        "CustomerID", "Country", "Category",
    ]

    /// The default first day: 2023-01-01.
    public static let defaultStart = CivilDate(unchecked: 2023, 1, 1)
    /// The default last day: 2023-12-31.
    public static let defaultEnd = CivilDate(unchecked: 2023, 12, 31)

    /// The `CustomerID` of the customer with index `index` (0-based).
    public static func customerID(index: Int) -> Int { 12_346 + index }

    /// Creates the configuration.
    /// - Throws: `SyntheticDataError` for `customers` outside 1...50,000,000, an empty date
    ///   range, `guestShare` outside 0...0.9 or `duplicateRate` outside 0...0.5.
    public init(
        customers: Int, start: CivilDate = OrderGenerator.defaultStart,
        end: CivilDate = OrderGenerator.defaultEnd, guestShare: Double = 0.1,
        duplicateRate: Double = 0.002, seed: UInt64 = 42, includeTruth: Bool = false
    ) throws(SyntheticDataError) {
        try SyntheticDataError.check("customers", customers, in: 1...50_000_000)
        guard start <= end else { throw .emptyDateRange(start: start, end: end) }
        try SyntheticDataError.check("guestShare", guestShare, in: 0...0.9)
        try SyntheticDataError.check("duplicateRate", duplicateRate, in: 0...0.5)
        self.customers = customers
        self.start = start
        self.end = end
        self.guestShare = guestShare
        self.duplicateRate = duplicateRate
        self.seed = seed
        self.includeTruth = includeTruth
    }

    /// The number of days in the log.
    public var days: Int { end.daysSinceEpoch - start.daysSinceEpoch + 1 }

    /// Generates the data set; see `SyntheticDataset.generate(chunkBytes:emit:)`.
    public func generate(chunkBytes: Int, emit: (OutputFile, [UInt8]) throws -> Void) rethrows {
        let schedule = OrderSchedule(
            customerCount: customers, days: days, guestShare: guestShare, seed: seed)
        let catalog = ProductCatalog(seed: seed)
        var writer = OrderLineWriter(
            catalog: catalog, start: start, duplicateRate: duplicateRate, chunkBytes: chunkBytes)
        var lines: [OrderLine] = []
        lines.reserveCapacity(64)

        for (number, invoice) in schedule.invoices.enumerated() {
            let customer = invoice.customer >= 0 ? schedule.customers[Int(invoice.customer)] : nil
            var rng = SeededGenerator(seed: invoice.seed)
            let country = customer?.country ?? rng.pick(Vocabulary.countryWeights)
            let category = customer?.category ?? rng.integer(below: Vocabulary.categories.count)
            let behaviour = OrderBehaviour.of(customer?.segment ?? .regular)
            OrderLine.draw(
                into: &lines, behaviour: behaviour, category: category, foreign: country != 0,
                catalog: catalog, using: &rng)
            let header = OrderLineWriter.InvoiceHeader(
                number: 536_365 + number, minute: Int(invoice.minute),
                customerID: invoice.customer >= 0
                    ? OrderGenerator.customerID(index: Int(invoice.customer)) : nil,
                country: country)
            if invoice.isReturn {
                var choice = SeededGenerator(seed: invoice.returnSeed)
                writer.writeReturn(of: lines, header: header, using: &choice)
            } else {
                var noise = SeededGenerator(seed: invoice.seed, stream: 7)
                writer.writePurchase(lines, header: header, using: &noise)
            }
            try writer.data.flushIfFull(emit)
        }
        try writer.data.flush(emit)
        if includeTruth { try writeTruth(schedule, chunkBytes: chunkBytes, emit: emit) }
    }

    /// `CustomerID,segment,active_from,active_until`: the days each customer may buy.
    private func writeTruth(
        _ schedule: OrderSchedule, chunkBytes: Int, emit: (OutputFile, [UInt8]) throws -> Void
    ) rethrows {
        var truth = CSVBuffer(file: .truth, chunkBytes: chunkBytes)
        truth.appendHeader(["CustomerID", "segment", "active_from", "active_until"])
        let startDay = start.daysSinceEpoch
        for (index, customer) in schedule.customers.enumerated() {
            truth.appendInteger(OrderGenerator.customerID(index: index))
            truth.comma()
            truth.append(Array(customer.segment.name.utf8))
            truth.comma()
            truth.appendDate(CivilDate(daysSinceEpoch: startDay + customer.firstDay))
            truth.comma()
            truth.appendDate(CivilDate(daysSinceEpoch: startDay + customer.lastDay))
            truth.newline()
            try truth.flushIfFull(emit)
        }
        try truth.flush(emit)
    }
}
