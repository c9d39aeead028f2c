import CustomerData

/// The outcome of `persona identity`: a customer key for every record, a profile per
/// customer, and what the summary reports.
public struct IdentityResolution: Sendable {
    public let records: IdentityRecords
    public let matching: IdentityMatching
    /// One key per customer, by customer number.
    public let customerKeys: [String]
    /// Whether the keys are HMAC pseudonyms (then no phone, e-mail or member id is written).
    public let pseudonymous: Bool

    /// Customer keys: with `hash`, the pseudonym of the customer's smallest `source`, `record_id`
    /// pair (UTF-8 byte order; the message is source, U+001F, record id), so a key is stable
    /// for the same data and key and gives nothing away; without it `C00000001`, `C00000002`, …
    /// by order of first appearance (sources in config order, records in file order).
    public init(records: IdentityRecords, hash: KeyedHash?) {
        self.records = records
        let matching = IdentityMatching(records)
        self.matching = matching
        pseudonymous = hash != nil
        guard let hash else {
            let width = max(8, String(matching.customerCount).count)
            customerKeys = (0..<matching.customerCount).map { c in
                let digits = String(c + 1)
                return "C" + String(repeating: "0", count: width - digits.count) + digits
            }
            return
        }
        var smallest = Array(repeating: -1, count: matching.customerCount)
        let names = records.config.sources.map(\.name)
        func precedes(_ r: Int, _ s: Int) -> Bool {
            let (a, b) = (names[Int(records.source[r])], names[Int(records.source[s])])
            if a != b { return a.utf8.lexicographicallyPrecedes(b.utf8) }
            return records.recordID[r].utf8.lexicographicallyPrecedes(records.recordID[s].utf8)
        }
        for (r, c) in matching.customer.enumerated() {
            let best = smallest[Int(c)]
            if best < 0 || precedes(r, best) { smallest[Int(c)] = r }
        }
        customerKeys = smallest.map { r in hash.pseudonym(names[Int(records.source[r])] + "\u{1F}" + records.recordID[r]) }
    }

    /// `source,record_id,customer_key` for every record, in input order.
    public func identitiesCSV() -> [UInt8] {
        var out = CSVWriter(reserve: records.count * 40)
        out.row(["source", "record_id", "customer_key"])
        let names = records.config.sources.map(\.name)
        for r in 0..<records.count {
            out.field(names[Int(records.source[r])])
            out.field(records.recordID[r])
            out.field(customerKeys[Int(matching.customer[r])])
            out.endRow()
        }
        return out.bytes
    }
}
