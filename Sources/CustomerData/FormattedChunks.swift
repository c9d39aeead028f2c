import Foundation
import NumericCore

/// Formats a large output in chunks on several threads while the calling thread writes the
/// chunks already formatted, in order: writing overlaps with formatting, and the bytes do not
/// depend on the thread count.
///
/// Chunks are formatted in groups of `2 · threads`, a group only once the group two before it
/// is written, so at most two groups are held at a time; and each chunk is formatted into the
/// buffer of one already written. The output never sits whole in memory, and its chunks do
/// not each take fresh memory from the system (which costs more than formatting into it).
/// The waiting is done between groups, by the thread that hands them out, never inside a
/// formatting task: a task that waited for the writer could hold the only worker the
/// dispatch pool lends while the chunk the writer needs has not started.
///
/// `@unchecked Sendable`: chunk `i` is stored once, by one formatting thread, before its
/// `ready` semaphore is signalled, and read once, by the writing thread, after waiting on it;
/// `spare` and `cancelled` are read and written under `lock`.
public final class FormattedChunks: @unchecked Sendable {
    private let chunks: UnsafeMutablePointer<[UInt8]>
    private let ready: [DispatchSemaphore]
    private let written: [DispatchSemaphore]
    private let lock = NSLock()
    private var spare: [[UInt8]] = []
    private var cancelled = false

    private init(count: Int) {
        chunks = .allocate(capacity: count)
        chunks.initialize(repeating: [], count: count)
        ready = (0..<count).map { _ in DispatchSemaphore(value: 0) }
        written = (0..<count).map { _ in DispatchSemaphore(value: 0) }
    }

    deinit {
        chunks.deinitialize(count: ready.count)
        chunks.deallocate()
    }

    /// Formats chunk `i` into a spare buffer (nothing when writing has failed).
    private func format(_ i: Int, _ body: (Int, inout CSVWriter) -> Void) {
        lock.lock()
        let buffer = spare.popLast() ?? []
        let skip = cancelled
        lock.unlock()
        if !skip {
            var out = CSVWriter(recycling: consume buffer)
            body(i, &out)
            chunks[i] = out.finished()
        }
        ready[i].signal()
    }

    /// Chunk `i` once formatted.
    private func take(_ i: Int) -> [UInt8] {
        ready[i].wait()
        defer { chunks[i] = [] }
        return chunks[i]
    }

    /// Chunk `i` is written: its buffer goes to a later chunk.
    private func recycle(_ i: Int, _ bytes: [UInt8]) {
        lock.lock()
        spare.append(bytes)
        lock.unlock()
        written[i].signal()
    }

    /// Writing failed at chunk `i`: the chunks after it are not formatted, and no formatting
    /// thread is left waiting.
    private func cancel(from i: Int) {
        lock.lock()
        cancelled = true
        lock.unlock()
        for j in i..<written.count { written[j].signal() }
    }

    /// Hands `write` the chunks `format(0, &out)`, `format(1, &out)`, … in order, while
    /// `threads` threads format the chunks after it (all on this thread when `threads` is 1),
    /// each into a writer that recycles the memory of a chunk already written.
    public static func write(count: Int, threads: Int, format: @escaping @Sendable (Int, inout CSVWriter) -> Void,
                             _ write: ([UInt8]) throws -> Void) rethrows {
        guard count > 1, threads > 1 else {
            var buffer = [UInt8]()
            for chunk in 0..<count {
                var out = CSVWriter(recycling: consume buffer)
                format(chunk, &out)
                buffer = out.finished()
                try write(buffer)
            }
            return
        }
        let slots = FormattedChunks(count: count)
        let group = 2 * threads
        let formatter = Thread {
            for first in stride(from: 0, to: count, by: group) {
                // The group two before this one is written (its last chunk is).
                if first >= 2 * group { slots.written[first - group - 1].wait() }
                _ = Parallel.map(count: min(group, count - first), threads: threads) { k in slots.format(first + k, format) }
            }
        }
        formatter.stackSize = 1 << 22
        formatter.start()
        for chunk in 0..<count {
            let bytes = slots.take(chunk)
            do {
                try write(bytes)
            } catch {
                slots.cancel(from: chunk)
                throw error
            }
            slots.recycle(chunk, bytes)
        }
    }
}
