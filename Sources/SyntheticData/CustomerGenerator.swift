/// The synthetic CRM customer export: one row per customer, five planted segments.
///
/// Columns (see `columns`): an ASCII id `customer_id` (`C000123`), attributes with Unicode
/// headers (`城市`, `会员等级`), RFM and engagement measures, text categoricals (one with
/// commas, one with double quotes), Yes/No booleans, and a `churned` label driven by a
/// logistic model of recency, e-mail opens, returns, frequency, channel and tenure.
/// About 2–5 % of the cells of `age`, `total_spend`, `avg_basket`, `discount_share` and
/// `email_open_rate` are blank, and 6 % of `gender`. The segment is never a column: with
/// `includeTruth` it goes to a separate `customer_id,segment` file.
///
/// Complexity: O(rows) time, O(chunk) memory.
public struct CustomerGenerator: SyntheticDataset {
    /// The number of customers (rows).
    public let rows: Int
    /// The seed; the same seed gives byte-identical files.
    public let seed: UInt64
    /// Whether to emit the `customer_id,segment` truth file.
    public let includeTruth: Bool

    /// The largest `rows` accepted.
    public static let maximumRows = 100_000_000

    /// The header of the data file, in order.
    public static let columns = [
        "customer_id", "gender", "age", "城市", "会员等级", "channel", "tenure_days",
        "recency_days", "frequency", "total_spend", "avg_basket", "return_rate",
        "discount_share", "email_open_rate", "sessions_30d", "referrals",
        "preferred_category", "last_campaign", "newsletter", "churned",
    ]

    /// Creates the configuration.
    /// - Throws: `SyntheticDataError.integerOutOfRange` unless 1 ≤ `rows` ≤ `maximumRows`.
    public init(rows: Int, seed: UInt64 = 42, includeTruth: Bool = false)
        throws(SyntheticDataError)
    {
        try SyntheticDataError.check("rows", rows, in: 1...CustomerGenerator.maximumRows)
        self.rows = rows
        self.seed = seed
        self.includeTruth = includeTruth
    }

    /// The id of the customer in row `row` (0-based): `C` and at least six digits.
    public func customerID(row: Int) -> String {
        let digits = String(row + 1)
        return "C" + String(repeating: "0", count: max(0, idWidth - digits.count)) + digits
    }

    private var idWidth: Int { max(6, String(rows).count) }

    /// Generates the data set; see `SyntheticDataset.generate(chunkBytes:emit:)`.
    public func generate(chunkBytes: Int, emit: (OutputFile, [UInt8]) throws -> Void) rethrows {
        var data = CSVBuffer(file: .data, chunkBytes: chunkBytes)
        var truth = CSVBuffer(file: .truth, chunkBytes: includeTruth ? chunkBytes : 1024)
        data.appendHeader(CustomerGenerator.columns)
        if includeTruth { truth.appendHeader(["customer_id", "segment"]) }
        let segmentNames = CustomerSegment.allCases.map { Array($0.name.utf8) }
        let text = EncodedCustomerText()
        var rng = SeededGenerator(seed: seed, stream: 1)
        let width = idWidth

        for row in 0..<rows {
            let customer = CustomerRecord.draw(using: &rng)
            data.append(UInt8(ascii: "C"))
            data.appendDigits(UInt64(row + 1), width: width)
            data.comma()
            text.write(customer, into: &data)
            try data.flushIfFull(emit)
            if includeTruth {
                truth.append(UInt8(ascii: "C"))
                truth.appendDigits(UInt64(row + 1), width: width)
                truth.comma()
                truth.append(segmentNames[customer.segment.index])
                truth.newline()
                try truth.flushIfFull(emit)
            }
        }
        try data.flush(emit)
        if includeTruth { try truth.flush(emit) }
    }
}

/// The customer export's text values, encoded as CSV fields once per run.
private struct EncodedCustomerText {
    let genders = Vocabulary.fields(Vocabulary.genders)
    let cities = Vocabulary.fields(Vocabulary.cities)
    let membership = Vocabulary.fields(Vocabulary.membershipLevels)
    let channels = Vocabulary.fields(Vocabulary.channels)
    let categories = Vocabulary.fields(Vocabulary.categories)
    let campaigns = Vocabulary.fields(Vocabulary.campaigns)
    let yes = Array("Yes".utf8)
    let no = Array("No".utf8)

    /// Writes every column after `customer_id`, and the newline.
    func write(_ c: CustomerRecord, into out: inout CSVBuffer) {
        out.append(genders[c.gender])
        out.comma()
        if !c.missingAge { out.appendInteger(c.age) }
        out.comma()
        out.append(cities[c.city])
        out.comma()
        out.append(membership[c.membership])
        out.comma()
        out.append(channels[c.channel])
        out.comma()
        out.appendInteger(c.tenureDays)
        out.comma()
        out.appendInteger(c.recencyDays)
        out.comma()
        out.appendInteger(c.frequency)
        out.comma()
        if !c.missingSpend { out.appendFixed(c.totalSpend, decimals: 2) }
        out.comma()
        if !c.missingBasket { out.appendFixed(c.averageBasket, decimals: 2) }
        out.comma()
        out.appendFixed(c.returnRate, decimals: 3)
        out.comma()
        if !c.missingDiscount { out.appendFixed(c.discountShare, decimals: 3) }
        out.comma()
        if !c.missingEmailOpen { out.appendFixed(c.emailOpenRate, decimals: 3) }
        out.comma()
        out.appendInteger(c.sessions30Days)
        out.comma()
        out.appendInteger(c.referrals)
        out.comma()
        out.append(categories[c.category])
        out.comma()
        if c.campaign >= 0 { out.append(campaigns[c.campaign]) }
        out.comma()
        out.append(c.newsletter ? yes : no)
        out.comma()
        out.append(c.churned ? yes : no)
        out.newline()
    }
}
