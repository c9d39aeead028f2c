/// The lines of one customer from one batch, packed into one BLOB (one row of `line_packs`):
/// per line, little-endian, its sequence number (arrival order over the whole store), time,
/// amount, fingerprint (8 bytes each), a flags byte (1: negative price, 2: has an order,
/// 4: has a category), then the order and the category as a 4-byte length and UTF-8 bytes.
/// One row per customer and batch instead of one per line keeps the B-tree small and the
/// writes few; a customer's replay reads its packs in batch order.
struct LinePack {
    private(set) var bytes: [UInt8] = []

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    mutating func append(seq: Int64, time: Int64, amount: Double, fingerprint: UInt64, negativePrice: Bool,
                         order: UnsafeBufferPointer<UInt8>?, category: UnsafeBufferPointer<UInt8>?) {
        word(UInt64(bitPattern: seq))
        word(UInt64(bitPattern: time))
        word(amount.bitPattern)
        word(fingerprint)
        bytes.append((negativePrice ? 1 : 0) | (order != nil ? 2 : 0) | (category != nil ? 4 : 0))
        for text in [order, category] {
            withUnsafeBytes(of: UInt32(text?.count ?? 0).littleEndian) { bytes.append(contentsOf: $0) }
            if let text { bytes.append(contentsOf: text) }
        }
    }

    private mutating func word(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    struct Line {
        var seq: Int64
        var time: Int64
        var amount: Double
        var fingerprint: UInt64
        var negativePrice: Bool
        var order: UnsafeBufferPointer<UInt8>?
        var category: UnsafeBufferPointer<UInt8>?
    }

    /// Calls `body` with each line of a pack; the text pointers live only during the call.
    static func forEach(_ pack: UnsafeRawBufferPointer, _ body: (Line) throws -> Void) rethrows {
        guard let base = pack.baseAddress else { return }
        var p = 0
        func word() -> UInt64 {
            defer { p += 8 }
            return UInt64(littleEndian: pack.loadUnaligned(fromByteOffset: p, as: UInt64.self))
        }
        func text() -> UnsafeBufferPointer<UInt8> {
            let n = Int(UInt32(littleEndian: pack.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
            defer { p += 4 + n }
            return UnsafeBufferPointer(start: (base + p + 4).assumingMemoryBound(to: UInt8.self), count: n)
        }
        while p < pack.count {
            let seq = Int64(bitPattern: word()), time = Int64(bitPattern: word())
            let amount = Double(bitPattern: word()), fingerprint = word()
            let flags = pack[p]
            p += 1
            let order = text(), category = text()
            try body(Line(seq: seq, time: time, amount: amount, fingerprint: fingerprint, negativePrice: flags & 1 != 0,
                          order: flags & 2 != 0 ? order : nil, category: flags & 4 != 0 ? category : nil))
        }
    }
}
