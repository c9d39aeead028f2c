import CustomerData
import Foundation
import NumericCore

/// The outcome of `persona identity`: a customer key for every record, a profile per
/// customer, and what the summary reports.
public struct IdentityResolution: Sendable {
    public let records: IdentityRecords
    public let matching: IdentityMatching
    /// One key per customer, by customer number.
    public let customerKeys: CustomerKeyTable
    /// Whether the keys are HMAC pseudonyms (then no phone, e-mail or member id is written).
    public let pseudonymous: Bool

    /// Customer keys: with `hash`, the pseudonym of the customer's smallest `source`, `record_id`
    /// pair (UTF-8 byte order; the message is source, U+001F, record id), so a key is stable
    /// for the same data and key and gives nothing away; without it `C00000001`, `C00000002`, …
    /// by order of first appearance (sources in config order, records in file order).
    public init(records: IdentityRecords, hash: KeyedHash?, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.records = records
        let matching = IdentityMatching(records)
        self.matching = matching
        pseudonymous = hash != nil
        let customers = matching.customerCount
        guard let hash else {
            let width = max(8, String(customers).count)
            var bytes = [UInt8](repeating: UInt8(ascii: "0"), count: customers * (width + 1))
            for c in 0..<customers {
                bytes[c * (width + 1)] = UInt8(ascii: "C")
                var n = c + 1, i = (c + 1) * (width + 1) - 1
                while n > 0 {
                    bytes[i] = UInt8(ascii: "0") + UInt8(n % 10)
                    n /= 10
                    i -= 1
                }
            }
            customerKeys = CustomerKeyTable(width: width + 1, bytes: bytes)
            return
        }
        var smallest = Array(repeating: -1, count: customers)
        let names = records.config.sources.map(\.name)
        // Sources ranked by their names' bytes; within a source, record ids by their bytes.
        let order = names.indices.sorted { names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8) }
        var rank = [Int](repeating: 0, count: names.count)
        for (i, s) in order.enumerated() { rank[s] = i }
        func precedes(_ r: Int, _ s: Int) -> Bool {
            let (a, b) = (rank[Int(records.source[r])], rank[Int(records.source[s])])
            if a != b { return a < b }
            return records.withRecordID(r) { x in records.withRecordID(s) { y in x.lexicographicallyPrecedes(y) } }
        }
        for (r, c) in matching.customer.enumerated() {
            let best = smallest[Int(c)]
            if best < 0 || precedes(r, best) { smallest[Int(c)] = r }
        }
        // The MACs on every core, chunk by chunk, joined in customer order.
        let chunk = 1 << 15
        let first = smallest
        let parts = Parallel.map(count: (customers + chunk - 1) / chunk, threads: threads) { part in
            let (source, recordCode, ids) = (records.source, records.recordCode, records.recordIDs)
            var bytes = [UInt8]()
            bytes.reserveCapacity(chunk * KeyedHash.pseudonymLength)
            var message = [UInt8]()
            let pseudonymizer = KeyedHash.Pseudonymizer(hash)
            for c in part * chunk..<min(customers, (part + 1) * chunk) {
                let r = first[c]
                message.removeAll(keepingCapacity: true)
                message += names[Int(source[r])].utf8
                message.append(0x1F)
                ids[Int(source[r])].withValue(recordCode[r]) { message += $0 }
                pseudonymizer.append(message, to: &bytes)
            }
            return bytes
        }
        customerKeys = CustomerKeyTable(width: KeyedHash.pseudonymLength, bytes: parts.flatMap { (try? $0.get()) ?? [] })
    }

    /// `source,record_id,customer_key` for every record, in input order, handed to `write` in
    /// chunks formatted on `threads` threads.
    public func writeIdentitiesCSV(threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                                   _ write: ([UInt8]) throws -> Void) rethrows {
        var header = CSVWriter()
        header.row(["source", "record_id", "customer_key"])
        try write(header.bytes)
        let chunk = 1 << 17
        try FormattedChunks.write(count: (records.count + chunk - 1) / chunk, threads: threads, format: { [self] part, out in
            // The tables taken out of `self` once: reaching into it per record would retain and
            // release arrays shared with the other formatting thread every time.
            let names = records.config.sources.map(\.name)
            let (source, recordCode, ids) = (records.source, records.recordCode, records.recordIDs)
            let (customer, keys) = (matching.customer, customerKeys)
            let range = part * chunk..<min(records.count, (part + 1) * chunk)
            out.reserve(range.count * 40)
            for r in range {
                let s = Int(source[r])
                out.field(names[s])
                ids[s].withValue(recordCode[r]) { out.field(bytes: $0) }
                keys.withKey(Int(customer[r])) { out.field(bytes: $0) }
                out.endRow()
            }
        }, write)
    }

    /// `writeIdentitiesCSV` into one buffer.
    public func identitiesCSV() -> [UInt8] {
        var bytes = [UInt8]()
        writeIdentitiesCSV { bytes += $0 }
        return bytes
    }
}

/// Customer keys of one width, one after the other: 4M keys are one buffer, not 4M strings.
public struct CustomerKeyTable: Sendable, RandomAccessCollection {
    let width: Int
    let bytes: [UInt8]

    public var startIndex: Int { 0 }
    public var endIndex: Int { width == 0 ? 0 : bytes.count / width }

    public subscript(c: Int) -> String { withKey(c) { String(decoding: $0, as: UTF8.self) } }

    /// Calls `body` with the bytes of customer `c`'s key.
    public func withKey<R>(_ c: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[c * width..<(c + 1) * width])) }
    }
}
