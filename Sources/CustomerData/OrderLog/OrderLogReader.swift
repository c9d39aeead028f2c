import Foundation

/// Streams an order log once and returns one row of features per customer
/// (`persona features`). See `OrderLogOptions` for the choices and `CustomerFeatures` for
/// what comes out; the README documents every feature.
public enum OrderLogReader {
    /// - Parameter progress: called after each block with the bytes read so far.
    public static func features(path: String, options: OrderLogOptions,
                                progress: (Int) -> Void = { _ in }) throws -> CustomerFeatures {
        let stream = try RecordStream(path: path, quotes: options.separator != .whitespace, blockSize: options.blockSize)
        let name = stream.name
        guard var block = try stream.next() else { throw CustomerDataError.emptyFile(file: name) }

        // The header is the first record of the first block.
        var headerSink = HeaderSink()
        let headerScan = try scan(block, file: name, header: [], options: options, firstLine: 1,
                                  rowLimit: 1, expectedFields: nil, into: &headerSink)
        let header = headerSink.names
        guard !header.isEmpty, header.contains(where: { !$0.isEmpty }) else { throw CustomerDataError.emptyFile(file: name) }
        let columns = try roleColumns(header: header, file: name, options: options)
        let idName = header[columns[.customer] ?? 0]

        // Two stages on two threads: this one adds lines up while a reader thread scans and
        // parses the next blocks. Batches arrive in file order, so the result is the same as
        // doing both in turn.
        let queue = BatchQueue(capacity: 3)
        let reader = BlockReader(stream: stream, first: block, offset: headerScan.endOffset,
                                 line: 1 + headerScan.lines, header: header, columns: columns, options: options)
        let thread = Thread { reader.run(into: queue) }
        thread.stackSize = 1 << 22
        thread.start()
        var accumulator = OrderAccumulator(options: options)
        while let batch = queue.pop() {
            accumulator.add(batch)
            progress(reader.bytesRead)
        }
        if let failure = queue.failure { throw failure }
        accumulator.report.bytes = reader.bytesRead
        guard accumulator.report.lines + accumulator.report.badRowsSkipped > 0 else {
            throw CustomerDataError.headerOnly(file: name)
        }
        guard accumulator.customerCount > 0 else {
            throw CustomerDataError.noCustomers(file: name, column: idName, lines: accumulator.report.lines)
        }
        let asOf = options.cutoff ?? options.asOf
            ?? ((accumulator.report.lastDate ?? 0).floorDiv(86_400) + 1) * 86_400
        return accumulator.features(idName: idName, asOf: asOf)
    }

    static func scan<Sink: FieldSink>(_ bytes: UnsafeBufferPointer<UInt8>, file: String, header: [String],
                                              options: OrderLogOptions, firstLine: Int, rowLimit: Int,
                                              expectedFields: Int?, into sink: inout Sink) throws -> CSVScanner.Outcome {
        switch options.separator {
        case .byte(let delimiter):
            return try CSVScanner(file: file, delimiter: delimiter, header: header)
                .scan(bytes, firstLine: firstLine, rowLimit: rowLimit, expectedFields: expectedFields, into: &sink)
        case .whitespace:
            return try WhitespaceScanner(file: file)
                .scan(bytes, firstLine: firstLine, rowLimit: rowLimit, expectedFields: expectedFields, into: &sink)
        }
    }

    /// The column of each role the options name; an unknown name is an error that lists the header.
    private static func roleColumns(header: [String], file: String,
                                    options: OrderLogOptions) throws -> [OrderLineSink.Role: Int] {
        var named: [(OrderLineSink.Role, String, String)] = [
            (.customer, options.customer, "--customer"), (.date, options.date, "--date"),
        ]
        switch options.amount {
        case .column(let amount): named.append((.amount, amount, "--amount"))
        case let .priceTimesQuantity(price, quantity):
            named.append((.price, price, "--price"))
            named.append((.quantity, quantity, "--quantity"))
        }
        if let order = options.order { named.append((.order, order, "--order")) }
        if let category = options.category { named.append((.category, category, "--category")) }
        var columns = [OrderLineSink.Role: Int]()
        for (role, name, option) in named {
            guard let j = header.firstIndex(of: name) else {
                throw CustomerDataError.unknownColumn(file: file, option: option, name: name, available: header)
            }
            columns[role] = j
        }
        return columns
    }
}

/// The first stage of `OrderLogReader`: scans blocks into batches of parsed lines.
private final class BlockReader: @unchecked Sendable {
    private let stream: RecordStream
    private var block: UnsafeBufferPointer<UInt8>
    private var offset: Int
    private var line: Int
    private let header: [String]
    private let columns: [OrderLineSink.Role: Int]
    private let options: OrderLogOptions
    private let lock = NSLock()
    private var bytes = 0

    init(stream: RecordStream, first: UnsafeBufferPointer<UInt8>, offset: Int, line: Int, header: [String],
         columns: [OrderLineSink.Role: Int], options: OrderLogOptions) {
        self.stream = stream
        block = first
        self.offset = offset
        self.line = line
        self.header = header
        self.columns = columns
        self.options = options
    }

    var bytesRead: Int { lock.withLock { bytes } }

    func run(into queue: BatchQueue) {
        var sink = OrderLineSink(file: stream.name, header: header, columns: columns, options: options)
        do {
            while true {
                let data = UnsafeBufferPointer(rebasing: block[offset...])
                sink.block = data
                sink.batch = OrderLineBatch()
                let scanned = try OrderLogReader.scan(data, file: stream.name, header: header, options: options,
                                                      firstLine: line, rowLimit: .max, expectedFields: header.count,
                                                      into: &sink)
                if let failure = sink.failure { throw failure }
                line += scanned.lines
                let read = stream.bytesRead
                lock.withLock { bytes = read }
                guard queue.push(sink.batch) else { return }
                guard let next = try stream.next() else { break }
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
