import Foundation
import NumericCore

/// Formats a large output in chunks on several threads while the calling thread writes the
/// chunks already formatted, in order: writing overlaps with formatting, and the bytes do not
/// depend on the thread count.
///
/// `@unchecked Sendable`: chunk `i` is stored once, by one formatting thread, before its
/// semaphore is signalled, and read once, by the writing thread, after waiting on it.
public final class FormattedChunks: @unchecked Sendable {
    private let chunks: UnsafeMutablePointer<[UInt8]>
    private let ready: [DispatchSemaphore]

    private init(count: Int) {
        chunks = .allocate(capacity: count)
        chunks.initialize(repeating: [], count: count)
        ready = (0..<count).map { _ in DispatchSemaphore(value: 0) }
    }

    deinit {
        chunks.deinitialize(count: ready.count)
        chunks.deallocate()
    }

    private func fill(_ i: Int, _ bytes: [UInt8]) {
        chunks[i] = bytes
        ready[i].signal()
    }

    private func take(_ i: Int) -> [UInt8] {
        ready[i].wait()
        defer { chunks[i] = [] }
        return chunks[i]
    }

    /// Hands `write` the chunks `format(0)`, `format(1)`, … `format(count - 1)` in order, while
    /// `threads` threads format the chunks after it (all on this thread when `threads` is 1).
    public static func write(count: Int, threads: Int, format: @escaping @Sendable (Int) -> [UInt8],
                             _ write: ([UInt8]) throws -> Void) rethrows {
        guard count > 1, threads > 1 else {
            for chunk in 0..<count { try write(format(chunk)) }
            return
        }
        let slots = FormattedChunks(count: count)
        let formatter = Thread {
            _ = Parallel.map(count: count, threads: threads) { chunk in slots.fill(chunk, format(chunk)) }
        }
        formatter.stackSize = 1 << 22
        formatter.start()
        for chunk in 0..<count { try write(slots.take(chunk)) }
    }
}
