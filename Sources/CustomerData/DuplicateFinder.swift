import NumericCore

/// Finds repeated ids among a million or more without copying them: every id is hashed (in
/// parallel), the hash space is cut into 16 partitions that are searched independently, each
/// with its own open-addressing table of row numbers, and equal hashes are confirmed by
/// comparing bytes. The answer — the earliest row that repeats an earlier one — does not depend
/// on the thread count.
enum DuplicateFinder {
    static let partitions = 16

    /// The first row whose id appeared before, and the row where it first appeared.
    static func firstRepeat(_ ids: IdentifierColumn, threads: Int) -> (row: Int, firstRow: Int)? {
        let n = ids.count
        guard n > 1 else { return nil }
        return ids.bytes.withUnsafeBufferPointer { bytes in
            ids.offsets.withView { offsets in
                let view = IDView(bytes: bytes, offsets: offsets)
                let chunk = 65_536
                let hashes = HashBuffer(count: n)
                _ = Parallel.map(count: (n + chunk - 1) / chunk, threads: threads) { c in
                    for row in (c * chunk)..<min(n, (c + 1) * chunk) {
                    // The hash's low half is already folded with its high half.
                    hashes.pointer[row] = UInt32(truncatingIfNeeded: view.hash(row))
                }
                }
                let found = Parallel.map(count: partitions, threads: threads) { part -> (row: Int, firstRow: Int)? in
                    search(partition: part, view: view, hashes: hashes, count: n)
                }
                return found.compactMap { try? $0.get() }.compactMap { $0 }.min { $0.row < $1.row }
            }
        }
    }

    private static func search(partition: Int, view: IDView, hashes: HashBuffer, count n: Int) -> (row: Int, firstRow: Int)? {
        var size = 64
        while size < 2 * n / partitions + 64 { size *= 2 }
        var slots = [Int32](repeating: -1, count: size)
        let mask = size - 1
        let h = hashes.pointer
        return slots.withUnsafeMutableBufferPointer { table -> (row: Int, firstRow: Int)? in
            var used = 0
            for row in 0..<n where Int(h[row] >> 28) == partition {
                var slot = Int(truncatingIfNeeded: h[row]) & mask
                while true {
                    let other = table[slot]
                    if other < 0 { break }
                    if h[Int(other)] == h[row], view.equal(Int(other), row) { return (row, Int(other)) }
                    slot = (slot + 1) & mask
                }
                table[slot] = Int32(row)
                used += 1
                // A table more than half full would slow probing down: a partition this
                // lopsided means a terrible hash spread; fall back to a fresh, larger table.
                if used * 2 > size { return searchSlowly(partition: partition, view: view, hashes: hashes, count: n) }
            }
            return nil
        }
    }

    /// The same search with Swift's dictionary, for the pathological case above.
    private static func searchSlowly(partition: Int, view: IDView, hashes: HashBuffer, count n: Int) -> (row: Int, firstRow: Int)? {
        var seen = [UInt32: [Int]]()
        for row in 0..<n where Int(hashes.pointer[row] >> 28) == partition {
            let h = hashes.pointer[row]
            if let earlier = seen[h]?.first(where: { view.equal($0, row) }) { return (row, earlier) }
            seen[h, default: []].append(row)
        }
        return nil
    }
}

/// The ids' bytes, shared read-only with the workers.
private struct IDView: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>
    let offsets: IdentifierOffsets.View

    func hash(_ row: Int) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0 }
        return BytesHash.hash(base + offsets[row], offsets[row + 1] - offsets[row], seed: 0x9E37_79B9_7F4A_7C15)
    }

    func equal(_ a: Int, _ b: Int) -> Bool {
        let (sa, ea, sb, eb) = (offsets[a], offsets[a + 1], offsets[b], offsets[b + 1])
        guard ea - sa == eb - sb else { return false }
        for k in 0..<(ea - sa) where bytes[sa + k] != bytes[sb + k] { return false }
        return true
    }
}

/// One hash per row (its low 32 bits: 4 bytes a row), written by the workers at disjoint rows.
private final class HashBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt32>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: count)
    }

    deinit { pointer.deallocate() }
}
