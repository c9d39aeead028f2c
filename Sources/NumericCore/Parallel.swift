import Dispatch

/// Fixed-size row chunks processed on a given number of threads.
///
/// Chunk boundaries depend only on the row count, never on the thread count, and every
/// reduction is made per chunk and then combined in chunk order. That is what makes results
/// byte-identical whatever `threads` is.
struct RowChunks: Sendable {
    let rows: Int
    let chunkRows: Int
    var count: Int { rows == 0 ? 0 : (rows + chunkRows - 1) / chunkRows }

    init(rows: Int, chunkRows: Int = 4096) {
        self.rows = rows
        self.chunkRows = max(1, chunkRows)
    }

    func range(_ chunk: Int) -> Range<Int> {
        (chunk * chunkRows)..<min(rows, (chunk + 1) * chunkRows)
    }

    /// Calls `body(chunk)` for every chunk; chunks are spread over `threads` workers in a
    /// fixed stride so the work split is also reproducible.
    func forEach(threads: Int, _ body: @Sendable (Int) -> Void) {
        RowChunks.forEach(0..<count, threads: threads, body)
    }

    /// `forEach` over some of the chunks (or any range of task numbers).
    static func forEach(_ range: Range<Int>, threads: Int, _ body: @Sendable (Int) -> Void) {
        let workers = max(1, min(threads, range.count))
        if workers == 1 {
            for c in range { body(c) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var c = range.lowerBound + worker
            while c < range.upperBound {
                body(c)
                c += workers
            }
        }
    }
}

/// A buffer that parallel workers write to at disjoint indices. The caller guarantees that no
/// two workers touch the same element; that is the whole contract.
final class SharedBuffer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    let count: Int
    /// False for a view of an array's elements (`Array.withSharedBuffer`), which the array frees.
    private let owned: Bool

    init(repeating value: Element, count: Int) {
        self.count = count
        pointer = UnsafeMutablePointer<Element>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: count)
        owned = true
    }

    /// A view of memory someone else owns and keeps alive while the view is used.
    fileprivate init(viewing pointer: UnsafeMutablePointer<Element>, count: Int) {
        self.pointer = pointer
        self.count = count
        owned = false
    }

    deinit {
        guard owned else { return }
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }

    subscript(i: Int) -> Element {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }

    var array: [Element] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

extension Array where Element: BitwiseCopyable {
    /// `count` elements, every one of them written by `fill` through a `SharedBuffer` (disjoint
    /// writes); no element is set beforehand, so memory is touched only as it is written.
    static func written(count: Int, _ fill: (SharedBuffer<Element>) -> Void) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { fill(SharedBuffer(viewing: base, count: count)) }
            initialized = count
        }
    }
}

/// A read-only view of an array's elements that can be shared with parallel workers while
/// the array is kept alive by `withReadOnly`.
struct ReadOnlyPointer<Element>: @unchecked Sendable {
    let base: UnsafePointer<Element>
    subscript(i: Int) -> Element { base[i] }
}

extension Array {
    /// Lends the array's elements to parallel workers as a `SharedBuffer` (same contract:
    /// disjoint writes), so a large result is written in place instead of being copied out of
    /// a buffer afterwards. The buffer must not be used after `body` returns.
    mutating func withSharedBuffer<R>(_ body: (SharedBuffer<Element>) throws -> R) rethrows -> R {
        let count = self.count
        return try withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else {
                // An empty array has no storage; nothing will be read or written.
                let dummy = UnsafeMutablePointer<Element>.allocate(capacity: 1)
                defer { dummy.deallocate() }
                return try body(SharedBuffer(viewing: dummy, count: 0))
            }
            return try body(SharedBuffer(viewing: base, count: count))
        }
    }

    func withReadOnly<R>(_ body: (ReadOnlyPointer<Element>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { buffer in
            // An empty array has no base address; nothing will be read from it.
            guard let base = buffer.baseAddress else {
                let dummy = UnsafeMutablePointer<Element>.allocate(capacity: 1)
                defer { dummy.deallocate() }
                return try body(ReadOnlyPointer(base: UnsafePointer(dummy)))
            }
            return try body(ReadOnlyPointer(base: base))
        }
    }
}

/// Runs independent tasks on a fixed number of threads and returns their results in task
/// order, so whatever combines them does so in an order that does not depend on scheduling.
public enum Parallel {
    /// Calls `body(i)` for `i in 0..<count` on up to `threads` threads.
    public static func map<T>(count: Int, threads: Int, _ body: @Sendable (Int) throws -> T) -> [Result<T, Error>] {
        let slots = SharedBuffer<Result<T, Error>?>(repeating: nil, count: count)
        let chunks = RowChunks(rows: count, chunkRows: 1)
        chunks.forEach(threads: threads) { i in
            slots[i] = Result { try body(i) }
        }
        return (0..<count).compactMap { slots[$0] }
    }
}
