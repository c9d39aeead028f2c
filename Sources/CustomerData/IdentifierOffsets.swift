/// Where each id starts in the id column's bytes, in 4 bytes per row instead of 8: the low 32
/// bits of every offset, plus the rows where the offsets pass each further 4 GiB (there are
/// none below 4 GiB of ids, so a lookup is then one load). Offsets only grow.
public struct IdentifierOffsets: Sendable, Equatable {
    private(set) var low: [UInt32] = [0]
    /// `wraps[w]`: the first entry whose offset is at least (w + 1) · 2³².
    private(set) var wraps: [Int] = []

    init() {}

    /// Entries (one more than the ids).
    var count: Int { low.count }

    /// Appends the next offset, not below the last one.
    @inline(__always)
    mutating func append(_ offset: Int) {
        if offset >> 32 != wraps.count { while wraps.count < offset >> 32 { wraps.append(low.count) } }
        low.append(UInt32(truncatingIfNeeded: offset))
    }

    /// Empties to the single offset 0, keeping capacity.
    mutating func reset() {
        low.removeAll(keepingCapacity: true)
        low.append(0)
        wraps.removeAll()
    }

    subscript(i: Int) -> Int { Self.offset(i, low: low, wraps: wraps) }

    @inline(__always)
    static func offset<Low: RandomAccessCollection>(_ i: Int, low: Low, wraps: [Int]) -> Int where Low.Element == UInt32, Low.Index == Int {
        guard !wraps.isEmpty else { return Int(low[i]) }
        var high = 0
        while high < wraps.count, wraps[high] <= i { high += 1 }
        return high << 32 | Int(low[i])
    }

    /// Calls `body` with a view that workers on other threads may read.
    func withView<R>(_ body: (View) -> R) -> R {
        low.withUnsafeBufferPointer { body(View(low: $0, wraps: wraps)) }
    }

    /// Read-only offsets for parallel workers, valid inside `withView`.
    struct View: @unchecked Sendable {
        // @unchecked: only read, while `withView` keeps the array alive.
        let low: UnsafeBufferPointer<UInt32>
        let wraps: [Int]
        @inline(__always)
        subscript(i: Int) -> Int { IdentifierOffsets.offset(i, low: low, wraps: wraps) }
    }
}
