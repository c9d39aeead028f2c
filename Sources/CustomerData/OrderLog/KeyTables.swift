/// Open-addressing hash containers keyed by 64-bit integers, for the per-line bookkeeping of
/// an order log (which (customer, order) pairs and (customer, day) pairs were seen, spend per
/// (customer, category)). Swift's `Set`/`Dictionary` cost several times more per lookup on
/// tens of millions of lines; these are a flat array probed linearly, sized to stay at most
/// 5/8 full. `UInt64.max` marks an empty slot, so it cannot be used as a key.

@inline(__always)
private func mix(_ key: UInt64) -> Int {
    // The finaliser of MurmurHash3: spreads keys that differ in a few low bits.
    var h = key
    h ^= h >> 33
    h = h &* 0xFF51_AFD7_ED55_8CCD
    h ^= h >> 33
    h = h &* 0xC4CE_B9FE_1A85_EC53
    h ^= h >> 33
    return Int(truncatingIfNeeded: h)
}

private func capacity(for count: Int) -> Int {
    var size = 64
    while size * 5 < count * 8 { size *= 2 }
    return size
}

/// A set of keys.
struct KeySet {
    private(set) var keys: [UInt64]
    private(set) var count = 0

    init(expectedCount: Int = 0) {
        keys = [UInt64](repeating: .max, count: capacity(for: expectedCount))
    }

    /// Adds `key`; true when it was not there yet.
    @inline(__always)
    mutating func insert(_ key: UInt64) -> Bool {
        let mask = keys.count - 1
        var slot = mix(key) & mask
        let inserted: Bool = keys.withUnsafeMutableBufferPointer { k in
            while true {
                let present = k[slot]
                if present == key { return false }
                if present == .max {
                    k[slot] = key
                    return true
                }
                slot = (slot + 1) & mask
            }
        }
        if inserted {
            count += 1
            if count * 8 > keys.count * 5 { grow() }
        }
        return inserted
    }

    private mutating func grow() {
        let old = keys
        keys = [UInt64](repeating: .max, count: old.count * 2)
        count = 0
        for key in old where key != .max { _ = insert(key) }
    }
}

/// Sums of doubles by key, each sum in the order its values arrived.
struct KeySums {
    private(set) var keys: [UInt64]
    private(set) var sums: [Double]
    private(set) var count = 0

    init(expectedCount: Int = 0) {
        let size = capacity(for: expectedCount)
        keys = [UInt64](repeating: .max, count: size)
        sums = [Double](repeating: 0, count: size)
    }

    /// Adds `value` to the key's sum; true when the key is new.
    @inline(__always)
    @discardableResult
    mutating func add(_ value: Double, to key: UInt64) -> Bool {
        let mask = keys.count - 1
        var slot = mix(key) & mask
        while true {
            let present = keys[slot]
            if present == key {
                sums[slot] += value
                return false
            }
            if present == .max { break }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        sums[slot] = value
        count += 1
        if count * 8 > keys.count * 5 { grow() }
        return true
    }

    private mutating func grow() {
        let oldKeys = keys, oldSums = sums
        keys = [UInt64](repeating: .max, count: oldKeys.count * 2)
        sums = [Double](repeating: 0, count: oldKeys.count * 2)
        count = 0
        for (key, sum) in zip(oldKeys, oldSums) where key != .max { add(sum, to: key) }
    }

    /// Every (key, sum), in no particular order.
    func forEach(_ body: (UInt64, Double) -> Void) {
        for (key, sum) in zip(keys, sums) where key != .max { body(key, sum) }
    }
}

/// The key of a (customer, other) pair: both dense codes below 2³².
@inline(__always)
func pairKey(_ customer: Int32, _ other: Int32) -> UInt64 {
    UInt64(UInt32(bitPattern: customer)) << 32 | UInt64(UInt32(bitPattern: other))
}
