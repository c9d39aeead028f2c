import Foundation
import Testing
@testable import CustomerData

/// Counters shared with the formatting threads.
private final class ChunkLog: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var written = 0
    private var formatted = Set<Int>()
    private(set) var mostAhead = 0

    func formatting(_ chunk: Int) {
        lock.lock()
        formatted.insert(chunk)
        mostAhead = max(mostAhead, chunk - written)
        lock.unlock()
    }

    func wrote() {
        lock.lock()
        written += 1
        lock.unlock()
    }

    var formattedCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return formatted.count
    }
}

private struct WriteFailed: Error {}

@Suite("Chunks formatted ahead of writing")
struct FormattedChunksTests {
    /// Chunk i is rows "i,r" for r in 0..<(i % 7 + 1) · 1,000 (chunks of different sizes, so
    /// that recycled buffers are sometimes too small).
    static func format(_ chunk: Int, _ out: inout CSVWriter) {
        for r in 0..<((chunk % 7 + 1) * 1_000) {
            out.field(chunk)
            out.field(r)
            out.endRow()
        }
    }

    @Test("the bytes of one thread, in order, with at most two groups of 2 · threads chunks formatted ahead")
    func orderAndWindow() {
        var expected = [UInt8]()
        for chunk in 0..<40 {
            var out = CSVWriter()
            FormattedChunksTests.format(chunk, &out)
            expected += out.finished()
        }
        for threads in [1, 2, 3] {
            let log = ChunkLog()
            var got = [UInt8]()
            FormattedChunks.write(count: 40, threads: threads, format: { chunk, out in
                log.formatting(chunk)
                FormattedChunksTests.format(chunk, &out)
            }) { bytes in
                usleep(500)  // a slow disk: formatting would run ahead if it could
                got += bytes
                log.wrote()
            }
            #expect(got == expected, "\(threads) threads")
            #expect(log.mostAhead < 4 * threads, "\(threads) threads: \(log.mostAhead) chunks ahead")
        }
    }

    @Test("a failed write stops the formatting: no chunk long after it is formatted, no thread left waiting")
    func failedWrite() async throws {
        let log = ChunkLog()
        var writes = 0
        #expect(throws: WriteFailed.self) {
            try FormattedChunks.write(count: 200, threads: 2, format: { chunk, out in
                log.formatting(chunk)
                FormattedChunksTests.format(chunk, &out)
            }) { _ in
                writes += 1
                if writes == 5 { throw WriteFailed() }
            }
        }
        // The formatting threads finish the chunks they hold and skip the rest.
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(log.formattedCount <= 12, "\(log.formattedCount) chunks formatted")
    }
}
