/// Writes invoice lines as CSV rows of the order log.
struct OrderLineWriter {
    struct InvoiceHeader {
        var number: Int
        /// Minutes since the period's first midnight.
        var minute: Int
        var customerID: Int?
        var country: Int
    }

    var data: CSVBuffer
    private let catalog: ProductCatalog
    private let startDay: Int
    private let duplicateRate: Double
    private let countries = Vocabulary.fields(Vocabulary.countries)
    private let categories = Vocabulary.fields(Vocabulary.categories)
    private let postageCode = Array("POST".utf8)
    private let postageName = Array("POSTAGE".utf8)
    private let postageCategory = Array("Fees".utf8)
    /// `YYYY-MM-DD ` of `cachedDay`: invoices come in time order, so one day is reused.
    private var cachedDay = Int.min
    private var cachedDate: [UInt8] = []

    init(catalog: ProductCatalog, start: CivilDate, duplicateRate: Double, chunkBytes: Int) {
        data = CSVBuffer(file: .data, chunkBytes: chunkBytes)
        data.appendHeader(OrderGenerator.columns)
        self.catalog = catalog
        self.startDay = start.daysSinceEpoch
        self.duplicateRate = duplicateRate
    }

    /// A purchase: every line, some written twice, a few without a description.
    mutating func writePurchase(
        _ lines: [OrderLine], header: InvoiceHeader, using noise: inout SeededGenerator
    ) {
        for line in lines {
            let describe = !noise.bernoulli(0.002)
            let copies = noise.bernoulli(duplicateRate) ? 2 : 1
            for _ in 0..<copies {
                write(
                    line, quantity: line.quantity, header: header, isReturn: false,
                    describe: describe)
            }
        }
    }

    /// A return of some lines of a purchase (each with probability ½, at least one), with
    /// negative quantities no larger than those bought. Postage is never returned.
    mutating func writeReturn(
        of lines: [OrderLine], header: InvoiceHeader, using choice: inout SeededGenerator
    ) {
        let products = lines.filter { $0.product >= 0 }
        guard !products.isEmpty else { return }
        let forced = choice.integer(below: products.count)
        for (index, line) in products.enumerated() where index == forced || choice.bernoulli(0.5) {
            let returned = 1 + choice.integer(below: line.quantity)
            write(line, quantity: -returned, header: header, isReturn: true, describe: true)
        }
    }

    private mutating func write(
        _ line: OrderLine, quantity: Int, header: InvoiceHeader, isReturn: Bool, describe: Bool
    ) {
        if isReturn { data.append(UInt8(ascii: "C")) }
        data.appendInteger(header.number)
        data.comma()
        let isPostage = line.product < 0
        let product = isPostage ? nil : catalog.products[line.product]
        data.append(product?.code ?? postageCode)
        data.comma()
        if describe { data.append(product?.description ?? postageName) }
        data.comma()
        data.appendInteger(quantity)
        data.comma()
        appendTimestamp(minute: header.minute)
        data.comma()
        data.appendCents(line.cents)
        data.comma()
        if let id = header.customerID { data.appendInteger(id) }
        data.comma()
        data.append(countries[header.country])
        data.comma()
        data.append(product.map { categories[$0.category] } ?? postageCategory)
        data.newline()
    }

    private mutating func appendTimestamp(minute: Int) {
        let day = minute / 1440
        if day != cachedDay {
            cachedDay = day
            cachedDate = Array((CivilDate(daysSinceEpoch: startDay + day).description + " ").utf8)
        }
        data.append(cachedDate)
        let minuteOfDay = minute % 1440
        data.appendDigits(UInt64(minuteOfDay / 60), width: 2)
        data.append(UInt8(ascii: ":"))
        data.appendDigits(UInt64(minuteOfDay % 60), width: 2)
        data.append(OrderLineWriter.zeroSeconds)
    }

    private static let zeroSeconds = Array(":00".utf8)
}
