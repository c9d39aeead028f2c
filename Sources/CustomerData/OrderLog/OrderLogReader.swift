import Foundation
import NumericCore

/// Streams an order log once and returns one row of features per customer
/// (`persona features`). See `OrderLogOptions` for the choices and `CustomerFeatures` for
/// what comes out; the README documents every feature.
public enum OrderLogReader {
    /// - Parameter progress: called after each block with the bytes of the file read so far.
    public static func features(path: String, options given: OrderLogOptions,
                                progress: (WorkProgress) -> Void = { _ in }) throws -> CustomerFeatures {
        try features(logs: [OrderLogFile(path: path)], options: given, progress: progress)
    }

    /// Several order logs read as one, line by line in the order given (log 1, then log 2, …,
    /// so sums come out the same on every run); the options apply to every log, and every
    /// log must have the columns they name. The as-of moment defaults to midnight after the
    /// latest date in any log.
    ///
    /// Without `customerKeys` the logs are one log cut in pieces: the same id, order id or
    /// line in two logs is the same customer, order or line. With it, each log's customer
    /// column holds record ids of its `source`, each line counts for its record's customer
    /// key, and the id column is `customer_key`.
    /// - Throws: `CustomerDataError.logWithoutSource` or `.unknownSource` before any log is
    ///   read; otherwise what reading a single log throws, naming the log.
    public static func features(logs: [OrderLogFile], options given: OrderLogOptions,
                                progress: (WorkProgress) -> Void = { _ in }) throws -> CustomerFeatures {
        guard !logs.isEmpty else { throw CustomerDataError.unreadable(file: "order logs", reason: "none given") }
        var keySources = [Int](repeating: -1, count: logs.count)
        if let keys = given.customerKeys {
            for (k, log) in logs.enumerated() {
                let name = (log.path as NSString).lastPathComponent
                guard let source = log.source else { throw CustomerDataError.logWithoutSource(file: name) }
                guard let s = keys.source(named: source) else {
                    throw CustomerDataError.unknownSource(file: keys.file, source: source, log: name, known: keys.sources)
                }
                keySources[k] = s
            }
        }
        var accumulator = OrderAccumulator(options: given)
        var names = [String](), idName = "customer_key"
        for (k, log) in logs.enumerated() {
            var options = given
            if let separator = log.separator { options.separator = separator }
            if let detected = log.detectSeparator {
                options.detectSeparator = true
                options.separatorDetected = detected
            }
            options.keySource = keySources[k]
            let before = accumulator.report
            var firstBadRow: String?
            let (name, column, bytesRead) = try stream(path: log.path, options: options, progress: progress) { batch in
                accumulator.add(batch)
                accumulator.report.countUnmatched(in: batch)
                if firstBadRow == nil { firstBadRow = batch.firstBadRow }
            }
            accumulator.report.bytes += bytesRead
            let report = accumulator.report
            let (lines, bad) = (report.lines - before.lines, report.badRowsSkipped - before.badRowsSkipped)
            guard lines + bad > 0 else { throw CustomerDataError.headerOnly(file: name) }
            if lines == 0 {
                throw CustomerDataError.allLinesBad(file: name, count: bad, first: firstBadRow ?? "")
            }
            accumulator.report.logs.append(.init(name: name, source: log.source, lines: lines))
            names.append(name)
            if k == 0, given.customerKeys == nil { idName = column }
        }
        let options = accumulator.options
        let report = accumulator.report
        let name = names.joined(separator: ", ")
        guard accumulator.customerCount > 0 else {
            throw CustomerDataError.noCustomers(file: name, column: given.customer, lines: report.lines)
        }
        let asOf = options.cutoff ?? options.asOf
            ?? ((report.lastDate ?? 0).floorDiv(86_400) + 1) * 86_400
        let features = accumulator.aggregates().features(idName: idName, asOf: asOf, report: report)
        guard !features.ids.isEmpty else {
            throw CustomerDataError.noLinesBefore(file: name, moment: TimestampFormat.text(asOf),
                                                  option: options.cutoff != nil ? "--cutoff" : "--as-of",
                                                  firstDate: report.firstDate.map(TimestampFormat.text) ?? "")
        }
        return features
    }

    /// Reads the header of the order log at `path`, finds the columns the options name, and
    /// hands `consume` every batch of parsed lines in file order (a reader thread scans the
    /// next blocks meanwhile). Returns the file's name, the customer column's name and the
    /// bytes read.
    static func stream(path: String, options given: OrderLogOptions, progress: (WorkProgress) -> Void,
                       consume: (OrderLineBatch) -> Void) throws -> (name: String, idName: String, bytes: Int) {
        var options = given
        let stream = try RecordStream(path: path, limits: options.limits, blockSize: options.blockSize)
        let name = stream.name
        // With an identities file a log's ids mean nothing without its source (see features(logs:)).
        if options.customerKeys != nil, options.keySource < 0 { throw CustomerDataError.logWithoutSource(file: name) }
        guard var block = try stream.next(consumed: 0, line: 1) else { throw CustomerDataError.emptyFile(file: name) }
        if options.detectSeparator {
            let sample = Array(block.bytes.prefix(DelimiterSniffer.sampleBytes))
            let detected = DelimiterSniffer.detect(bytes: sample, complete: block.final && sample.count == block.bytes.count)
            options.separator = .byte(detected)
            options.separatorDetected?(detected)
        }

        // The header is the first record (up to a NUL byte, which the data rows report by
        // column name when the header ends before it). A block may end before the header does
        // (blank lines first, or a quoted name holding line breaks): then ask for a longer
        // block, so the header reads the same whatever the block size.
        var headerSink = HeaderSink()
        var headerScan: CSVScanner.Outcome
        while true {
            headerSink = HeaderSink()
            let whole = block.final || block.nul != nil
            headerScan = try scan(UnsafeBufferPointer(rebasing: block.bytes[..<(block.nul ?? block.bytes.count)]), file: name,
                                  header: [], options: options, firstLine: 1, rowLimit: 1, expectedFields: nil, final: whole,
                                  fieldLimit: options.limits.maxColumns, into: &headerSink)
            guard headerScan.rows == 0, !whole, let longer = try stream.next(consumed: 0, line: 1, more: true) else { break }
            block = longer
        }
        let closed = headerScan.rows == 1 && headerScan.endOffset > 0
            && (block.bytes[headerScan.endOffset - 1] == 0x0A || block.bytes[headerScan.endOffset - 1] == 0x0D)
        if let nul = block.nul, !closed {
            throw BinaryData.error(at: nul, in: block.bytes, firstLine: 1, separator: options.separator, file: name,
                                   header: nil, blockStartsWithHeader: true)
        }
        let header = headerSink.names
        guard !header.isEmpty, header.contains(where: { !$0.isEmpty }) else { throw CustomerDataError.emptyFile(file: name) }
        var seen = [String: Int]()
        for (j, column) in header.enumerated() {
            if let first = seen[column] {
                throw CustomerDataError.duplicateHeader(file: name, name: column, columns: [first + 1, j + 1])
            }
            seen[column] = j
        }
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
        let step = "reading \(name)"
        while let batch = queue.pop() {
            consume(batch)
            let position = reader.position
            progress(WorkProgress(step: step, done: position.done, total: position.total, unit: .bytes))
        }
        if let failure = queue.failure { throw failure }
        return (name, idName, reader.bytesRead)
    }

    static func scan<Sink: FieldSink>(_ bytes: UnsafeBufferPointer<UInt8>, file: String, header: [String],
                                      options: OrderLogOptions, firstLine: Int, rowLimit: Int,
                                      expectedFields: Int?, final: Bool, fieldLimit: Int = .max,
                                      into sink: inout Sink) throws -> CSVScanner.Outcome {
        switch options.separator {
        case .byte(let delimiter):
            return try CSVScanner(file: file, delimiter: delimiter, header: header, maxRecordBytes: options.limits.maxRecordBytes)
                .scan(bytes, firstLine: firstLine, rowLimit: rowLimit, expectedFields: expectedFields, final: final,
                      fieldLimit: fieldLimit, into: &sink)
        case .whitespace:
            return try WhitespaceScanner(file: file, maxRecordBytes: options.limits.maxRecordBytes)
                .scan(bytes, firstLine: firstLine, rowLimit: rowLimit, expectedFields: expectedFields,
                      fieldLimit: fieldLimit, into: &sink)
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
        var usedBy = [Int: String]()
        for (role, name, option) in named {
            guard let j = header.firstIndex(of: name) else {
                throw CustomerDataError.unknownColumn(file: file, option: option, name: name, available: header)
            }
            if let other = usedBy[j] {
                throw CustomerDataError.sameColumnTwice(file: file, name: name, options: [other, option])
            }
            usedBy[j] = option
            columns[role] = j
        }
        return columns
    }
}
