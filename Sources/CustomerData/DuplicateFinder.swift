import NumericCore

/// Finds repeated ids among a million or more without copying them. Every id is hashed (in
/// parallel); the rows are sorted by the top 8 bits of their hash into 256 partitions (a
/// stable counting sort, each row stored with its hash; half of the partitions at a time, so
/// the sorted rows take 4 bytes a row), and the partitions are searched independently, each with an open-addressing table small enough to stay in cache; equal
/// hashes are confirmed by comparing bytes. The answer — the earliest row that repeats an
/// earlier one — does not depend on the thread count.
enum DuplicateFinder {
    static let partitionBits = 8
    static let partitions = 1 << partitionBits
    static let chunkRows = 65_536

    /// The first row whose id appeared before, and the row where it first appeared.
    /// - Complexity: O(n) time (the ids hashed three times); 4 bytes per row.
    static func firstRepeat(_ ids: IdentifierColumn, threads: Int) -> (row: Int, firstRow: Int)? {
        let n = ids.count
        guard n > 1 else { return nil }
        return ids.bytes.withUnsafeBufferPointer { bytes in
            ids.offsets.withView { offsets in
                let view = IDView(bytes: bytes, offsets: offsets)
                guard n <= Int(UInt32.max) else { return searchSlowly(view: view, count: n) }
                let partitions = DuplicateFinder.partitions, chunkRows = DuplicateFinder.chunkRows
                let chunks = (n + chunkRows - 1) / chunkRows
                @Sendable func rows(_ c: Int) -> Range<Int> { (c * chunkRows)..<min(n, (c + 1) * chunkRows) }
                // How many rows of each chunk fall in each partition.
                let counts = RowBuffer<Int>(count: chunks * partitions)
                _ = Parallel.map(count: chunks, threads: threads) { c in
                    let count = counts.pointer + c * partitions
                    count.initialize(repeating: 0, count: partitions)
                    for row in rows(c) { count[partition(view.hash32(row))] += 1 }
                }
                // The partitions in two rounds, each with the entries of half of them (4 bytes a
                // row in all): where each chunk's rows of each partition of the round go,
                // partition after partition, and within one in chunk order, so that every
                // partition holds its rows in order.
                let rounds = 2, perRound = partitions / rounds
                func roundSize(_ r: Int) -> Int {
                    var size = 0
                    for p in (r * perRound)..<((r + 1) * perRound) { for c in 0..<chunks { size += counts.pointer[c * partitions + p] } }
                    return size
                }
                let entries = RowBuffer<UInt64>(count: (0..<rounds).map(roundSize).max() ?? 0)
                var found = [(row: Int, firstRow: Int)]()
                for round in 0..<rounds {
                    let (low, high) = (round * perRound, (round + 1) * perRound)
                    var starts = [Int](repeating: 0, count: chunks * partitions)
                    var bounds = [Int](repeating: 0, count: partitions + 1)
                    var at = 0
                    for p in low..<high {
                        bounds[p] = at
                        for c in 0..<chunks {
                            starts[c * partitions + p] = at
                            at += counts.pointer[c * partitions + p]
                        }
                    }
                    bounds[high] = at
                    let firstSlots = starts
                    _ = Parallel.map(count: chunks, threads: threads) { c in
                        var next = Array(firstSlots[(c * partitions)..<((c + 1) * partitions)])
                        next.withUnsafeMutableBufferPointer { next in
                            for row in rows(c) {
                                let h = view.hash32(row)
                                let p = partition(h)
                                guard p >= low, p < high else { continue }
                                entries.pointer[next[p]] = UInt64(h) << 32 | UInt64(row)
                                next[p] += 1
                            }
                        }
                    }
                    let ranges = bounds
                    let results = Parallel.map(count: perRound, threads: threads) { k -> (row: Int, firstRow: Int)? in
                        search(entries.pointer + ranges[low + k], count: ranges[low + k + 1] - ranges[low + k], view: view)
                    }
                    found += results.compactMap { try? $0.get() }.compactMap { $0 }
                }
                return found.min { $0.row < $1.row }
            }
        }
    }

    @inline(__always)
    private static func partition(_ hash: UInt32) -> Int { Int(hash >> UInt32(32 - partitionBits)) }

    /// The first repeat among `count` entries (hash in the high half, row in the low half) in
    /// row order; the table holds entry indices, at most half full.
    private static func search(_ entries: UnsafePointer<UInt64>, count m: Int, view: IDView) -> (row: Int, firstRow: Int)? {
        var size = 16
        while size < 2 * m { size *= 2 }
        var slots = [Int32](repeating: -1, count: size)
        let mask = size - 1
        return slots.withUnsafeMutableBufferPointer { table -> (row: Int, firstRow: Int)? in
            for k in 0..<m {
                let entry = entries[k]
                let row = Int(UInt32(truncatingIfNeeded: entry))
                // The partition took the hash's top bits; the slot takes its low ones.
                var slot = Int(truncatingIfNeeded: entry >> 32) & mask
                while true {
                    let other = table[slot]
                    if other < 0 { break }
                    let earlier = entries[Int(other)]
                    let otherRow = Int(UInt32(truncatingIfNeeded: earlier))
                    if earlier >> 32 == entry >> 32, view.equal(otherRow, row) { return (row, otherRow) }
                    slot = (slot + 1) & mask
                }
                table[slot] = Int32(truncatingIfNeeded: k)
            }
            return nil
        }
    }

    /// The same search with Swift's dictionary, for more rows than 32 bits can number.
    private static func searchSlowly(view: IDView, count n: Int) -> (row: Int, firstRow: Int)? {
        var seen = [UInt32: [Int]]()
        for row in 0..<n {
            let h = view.hash32(row)
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

    /// The hash's low half (already folded with its high half).
    @inline(__always)
    func hash32(_ row: Int) -> UInt32 { UInt32(truncatingIfNeeded: hash(row)) }

    func equal(_ a: Int, _ b: Int) -> Bool {
        let (sa, ea, sb, eb) = (offsets[a], offsets[a + 1], offsets[b], offsets[b + 1])
        guard ea - sa == eb - sb else { return false }
        for k in 0..<(ea - sa) where bytes[sa + k] != bytes[sb + k] { return false }
        return true
    }
}

/// A buffer of one value per row (or per chunk and partition), written by the workers at
/// disjoint places.
private final class RowBuffer<Element>: @unchecked Sendable {
    // @unchecked: workers write disjoint indices (their own chunk's), and read only after
    // the `Parallel.map` that wrote them has returned.
    let pointer: UnsafeMutablePointer<Element>

    init(count: Int) {
        pointer = .allocate(capacity: max(count, 1))
    }

    deinit { pointer.deallocate() }
}
