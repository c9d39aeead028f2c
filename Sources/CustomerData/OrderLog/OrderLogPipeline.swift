import Foundation

/// The first stage of `OrderLogReader`: scans blocks into batches of parsed lines.
final class BlockReader: @unchecked Sendable {
    private let stream: RecordStream
    private var block: RecordStream.Block
    private var offset: Int
    private var line: Int
    private let header: [String]
    private let columns: [OrderLineSink.Role: Int]
    private let options: OrderLogOptions
    private let lock = NSLock()
    private var readPosition: (done: Int, total: Int?) = (0, nil)
    private var bytes = 0

    init(stream: RecordStream, first: RecordStream.Block, offset: Int, line: Int, header: [String],
         columns: [OrderLineSink.Role: Int], options: OrderLogOptions) {
        self.stream = stream
        block = first
        self.offset = offset
        self.line = line
        self.header = header
        self.columns = columns
        self.options = options
    }

    /// How far into the file the reader is (see `RecordStream.position`).
    var position: (done: Int, total: Int?) { lock.withLock { readPosition } }
    /// Bytes of data read so far (inflated, for a `.gz` file).
    var bytesRead: Int { lock.withLock { bytes } }

    func run(into queue: BatchQueue) {
        var sink = OrderLineSink(file: stream.name, header: header, columns: columns, options: options)
        do {
            while true {
                if let nul = block.nul {
                    // Lines before the NUL byte's come first: their errors are met in file order.
                    sink.block = UnsafeBufferPointer(rebasing: block.bytes[offset...])
                    do {
                        _ = try OrderLogReader.scan(UnsafeBufferPointer(rebasing: block.bytes[offset..<max(offset, BinaryData.lineStart(before: nul, in: block.bytes))]), file: stream.name,
                                                    header: header, options: options, firstLine: line, rowLimit: .max,
                                                    expectedFields: header.count, final: false, into: &sink)
                    } catch {
                        if let failure = sink.failure { throw failure }
                        throw error
                    }
                    if let failure = sink.failure { throw failure }
                    throw BinaryData.error(at: nul - offset, in: UnsafeBufferPointer(rebasing: block.bytes[offset...]),
                                           firstLine: line, separator: options.separator, file: stream.name,
                                           header: header, blockStartsWithHeader: false)
                }
                let data = UnsafeBufferPointer(rebasing: block.bytes[offset...])
                sink.block = data
                sink.batch = OrderLineBatch()
                let scanned: CSVScanner.Outcome
                do {
                    scanned = try OrderLogReader.scan(data, file: stream.name, header: header, options: options,
                                                      firstLine: line, rowLimit: .max, expectedFields: header.count,
                                                      final: block.final, into: &sink)
                } catch {
                    // A bad value met earlier in the block comes first.
                    if let failure = sink.failure { throw failure }
                    throw error
                }
                if let failure = sink.failure { throw failure }
                line += scanned.lines
                let (read, position) = (stream.bytesRead, stream.position)
                lock.withLock { (bytes, readPosition) = (read, position) }
                guard queue.push(sink.batch) else { return }
                guard let next = try stream.next(consumed: offset + scanned.endOffset, line: line) else { break }
                block = next
                offset = 0
            }
            queue.finish(failure: nil)
        } catch let error as CustomerDataError {
            queue.finish(failure: error)
        } catch {
            queue.finish(failure: .unreadable(file: stream.name, reason: "\(error)"))
        }
    }
}

/// A bounded first-in first-out hand-over of batches between two threads.
final class BatchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [OrderLineBatch] = []
    private var finished = false
    private var abandoned = false
    private let capacity: Int
    private(set) var failure: CustomerDataError?

    init(capacity: Int) { self.capacity = capacity }

    deinit { abandon() }

    /// Waits for room; false when the consumer has gone away.
    func push(_ batch: OrderLineBatch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity, !abandoned { condition.wait() }
        guard !abandoned else { return false }
        items.append(batch)
        condition.broadcast()
        return true
    }

    func finish(failure: CustomerDataError?) {
        condition.lock()
        self.failure = failure
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, or nil when the producer is done (check `failure`).
    func pop() -> OrderLineBatch? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty, !finished { condition.wait() }
        guard !items.isEmpty else { return nil }
        let batch = items.removeFirst()
        condition.broadcast()
        return batch
    }

    /// Lets a waiting producer stop.
    func abandon() {
        condition.lock()
        abandoned = true
        condition.broadcast()
        condition.unlock()
    }
}
