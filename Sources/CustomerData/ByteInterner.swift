/// Assigns dense codes (0, 1, 2, …) to distinct byte strings, in order of first appearance,
/// without making a `String` per cell: an open-addressing hash table over an arena of the
/// distinct values. Text columns of customer exports have few distinct values repeated over
/// millions of rows; this makes each repeat a hash and a short compare.
public struct ByteInterner: Sendable {
    private(set) var arena: [UInt8] = []
    private(set) var offsets: [Int] = [0]
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var lastCode: Int32 = -1

    public var count: Int { offsets.count - 1 }

    /// - Parameter expectedCount: distinct values expected; sizing the table up front avoids
    ///   rehashing a million ids several times over.
    public init(expectedCount: Int = 32) {
        var size = 16
        while size < expectedCount * 2 { size *= 2 }
        slots = [Int32](repeating: -1, count: size)
        arena.reserveCapacity(expectedCount * 8)
        offsets.reserveCapacity(expectedCount + 1)
        hashes.reserveCapacity(expectedCount)
    }

    @inline(__always)
    private func equals(_ code: Int32, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let start = offsets[Int(code)]
        guard offsets[Int(code) + 1] - start == n else { return false }
        return arena.withUnsafeBufferPointer { a in
            guard let base = a.baseAddress else { return n == 0 }
            return memcmp(base + start, p, n) == 0
        }
    }

    /// The hash of these bytes, and their code or the empty slot where they would go.
    @inline(__always)
    private func find(_ p: UnsafePointer<UInt8>, _ n: Int) -> (hash: UInt64, code: Int32?, slot: Int) {
        let h = BytesHash.hash(p, n, seed: 0xCBF2_9CE4_8422_2325)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let code = slots[slot]
            if code < 0 { return (h, nil, slot) }
            if hashes[Int(code)] == h, equals(code, p, n) { return (h, code, slot) }
            slot = (slot + 1) & mask
        }
    }

    /// The code of these bytes, adding them if new.
    public mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
        if lastCode >= 0, equals(lastCode, p, n) { return lastCode }
        let (h, found, slot) = find(p, n)
        if let found {
            lastCode = found
            return found
        }
        let code = Int32(count)
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        offsets.append(arena.count)
        hashes.append(h)
        slots[slot] = code
        if count * 2 > slots.count { grow() }
        lastCode = code
        return code
    }

    /// The code of these bytes (an empty buffer may have no address).
    public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard let base = bytes.baseAddress else {
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { intern($0, 0) }
        }
        return intern(base, bytes.count)
    }

    /// The code of these bytes, or nil when they were never interned.
    public func code(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard let base = bytes.baseAddress else {
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { find($0, 0).code }
        }
        return find(base, bytes.count).code
    }

    /// Calls `body` with the bytes of the value numbered `code`.
    public func withValue<R>(_ code: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        arena.withUnsafeBufferPointer { a in body(UnsafeBufferPointer(rebasing: a[offsets[Int(code)]..<offsets[Int(code) + 1]])) }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: slots.count * 2)
        let mask = bigger.count - 1
        for code in 0..<count {
            var slot = Int(truncatingIfNeeded: hashes[code]) & mask
            while bigger[slot] >= 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(code)
        }
        slots = bigger
    }

    /// Forgets every value, keeping the buffers.
    mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        hashes.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = -1 }
        lastCode = -1
    }

    /// Interns every value of this interner into `other`: the code there of each code here.
    func remapped(into other: inout ByteInterner) -> [Int32] {
        arena.withUnsafeBufferPointer { a in
            (0..<count).map { v in
                let start = offsets[v]
                return other.intern(UnsafeBufferPointer(rebasing: a[start..<offsets[v + 1]]))
            }
        }
    }

    /// The distinct values as strings (invalid UTF-8 repaired with U+FFFD).
    public var values: [String] {
        (0..<count).map { String(decoding: arena[offsets[$0]..<offsets[$0 + 1]], as: UTF8.self) }
    }
}

import Foundation
