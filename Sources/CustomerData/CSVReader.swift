import Foundation
import NumericCore

/// How to read a customer export.
public struct CSVReadOptions: Sendable {
    /// Field separator (one ASCII byte). Not guessed here unless `detectDelimiter` is set:
    /// `DelimiterSniffer.detect` does that, and the CLI calls it for `--delimiter auto` so it
    /// can say what it found.
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// Detect the separator from the first lines as they are read, by `DelimiterSniffer`'s
    /// rule, instead of using `delimiter`: for inputs that can be read only once (pipes), which
    /// the sniffer cannot look at first. `delimiterDetected` hears what was found.
    public var detectDelimiter = false
    public var delimiterDetected: (@Sendable (UInt8) -> Void)?
    /// The id column, kept verbatim and checked for blanks and duplicates.
    public var idColumn: String?
    /// Columns to read besides the id (nil: all). Unknown names are an error.
    public var columns: [String]?
    /// Who asked for `columns`, for the message when one is missing.
    public var columnsSource = "--features"
    /// Columns that must be numeric: a non-number there is an error, not a reason to treat the
    /// column as text.
    public var numericColumns: [String] = []
    /// Columns read as text even when every cell is a number (a partition of a file must read
    /// a column as the whole file does).
    public var textColumns: [String] = []
    /// Threads for parsing (blocks without quotes are split at line ends).
    public var threads: Int = 1
    /// Keep numeric cells as floats (`NumericColumn.Storage.float`), each rounded to the
    /// nearest float, ±∞ beyond its range: half the memory, for a matrix of floats. Parsing and
    /// the checks of each cell are the same; only what is kept is narrower.
    public var numbersAsFloats = false
    /// Column count, record length and inflation limits.
    public var limits = InputLimits()
    /// A file with a header and no data rows reads as a table without rows (its columns
    /// numeric, unless named as text) instead of `CustomerDataError.headerOnly`: one
    /// partition of a file split for Spark may hold no rows.
    public var allowsNoRows = false
    /// Hears how far reading has got, on the calling thread, after every block.
    public var progress: (@Sendable (WorkProgress) -> Void)?
    /// Bytes read and parsed per block (tests make it small to cross many blocks).
    var blockBytes = 4 << 20
    /// Called once the input is open, before any byte is read (tests change the file there).
    var afterOpen: (@Sendable () -> Void)?

    public init() {}
}

/// Reads a CSV customer export into typed columns.
///
/// Column types are inferred: a column whose every non-empty cell is a number is numeric
/// (missing cells NaN), anything else is text. The file is streamed block by block (`.gz`
/// inflated on the fly) and never held whole in memory; blocks without quotes are parsed on
/// `threads` threads. A column that looks numeric in the first rows and holds text further on
/// is read a second time as text, which a pipe cannot do (an error says so).
public enum CSVReader {
    /// Rows scanned first to guess which columns are text.
    static let sampleRows = 1_000
    /// The sample may make the first block grow to this many bytes to hold `sampleRows` rows.
    static let sampleBytes = 64 << 20

    public static func read(path: String, options: CSVReadOptions = CSVReadOptions()) throws -> CustomerTable {
        let file = try InputFile(path: path, limits: options.limits)
        return try read(name: file.name, rereadable: file.rereadable, options: options) { try file.open() }
    }

    public static func read(bytes: [UInt8], name: String, options: CSVReadOptions = CSVReadOptions()) throws -> CustomerTable {
        try read(name: name, rereadable: true, options: options) { MemorySource(bytes) }
    }

    private static func read(name: String, rereadable: Bool, options: CSVReadOptions,
                             open: () throws -> ByteSource) throws -> CustomerTable {
        let stream = RecordStream(source: try open(), name: name, limits: options.limits, blockSize: options.blockBytes, readAhead: 3)
        options.afterOpen?()
        var read = options
        guard var first = try stream.next(consumed: 0, line: 1) else { throw CustomerDataError.emptyFile(file: name) }
        if options.detectDelimiter {
            let sample = Array(first.bytes.prefix(DelimiterSniffer.sampleBytes))
            read.delimiter = DelimiterSniffer.detect(bytes: sample, complete: first.final && sample.count == first.bytes.count)
            options.delimiterDetected?(read.delimiter)
        }
        let head = try readHeader(stream, block: &first, delimiter: read.delimiter, limits: read.limits)
        let header = head.names
        let kinds = try initialKinds(header: header, name: name, options: read)
        let scanner = CSVScanner(file: name, delimiter: read.delimiter, header: header, maxRecordBytes: read.limits.maxRecordBytes)

        // A sample decides which columns are text before the full pass. The first block grows
        // (up to `sampleBytes`) until it holds `sampleRows` rows or the whole file.
        var sample: ColumnBuilders
        var sampled: CSVScanner.Outcome
        repeat {
            if let nul = first.nul {
                // Records before the NUL byte's come first: their errors are met in file order.
                var discard = DiscardSink()
                _ = try scanner.scan(UnsafeBufferPointer(rebasing: first.bytes[head.end..<max(head.end, BinaryData.lineStart(before: nul, in: first.bytes))]), firstLine: head.dataLine,
                                     expectedFields: header.count, final: false, into: &discard)
                throw BinaryData.error(at: nul, in: first.bytes, firstLine: 1, separator: .byte(read.delimiter),
                                       file: name, header: header, blockStartsWithHeader: true)
            }
            sample = ColumnBuilders(kinds: kinds, expectedRows: 16)
            sampled = try scanner.scan(UnsafeBufferPointer(rebasing: first.bytes[head.end...]), firstLine: head.dataLine,
                                       rowLimit: sampleRows, expectedFields: header.count, final: first.final, into: &sample)
            if sampled.rows >= sampleRows || first.final || first.bytes.count >= sampleBytes { break }
            // The scan stopped at a record it has not seen the end of (a quoted field goes on).
            let line = head.dataLine + sampled.lines
            if first.bytes.count - head.end - sampled.endOffset >= read.limits.maxRecordBytes {
                throw CustomerDataError.recordTooLong(file: name, line: line, limit: read.limits.maxRecordBytes)
            }
            guard let longer = try stream.next(consumed: 0, line: line, more: sampled.rows > 0) else { break }
            first = longer
        } while true
        guard sampled.rows > 0 || read.allowsNoRows else { throw CustomerDataError.headerOnly(file: name) }
        let forced = Set(read.numericColumns)
        var passKinds = kinds
        for (j, kind) in kinds.enumerated() where kind == .numeric && !forced.contains(header[j]) {
            if sample.firstNotANumber[sample.numericSlot(j)] != nil { passKinds[j] = .text }
        }
        sample = ColumnBuilders(kinds: [], expectedRows: 0)  // a wide file's sample buffers go before the pass
        let pass = CSVPass(scanner: scanner, options: read, rowBytes: max(1, sampled.endOffset / max(1, sampled.rows)))
        var builders = try pass.run(stream, first: first, offset: head.end, line: head.dataLine, kinds: passKinds,
                                    step: "reading \(name)")

        // Numeric columns that met a non-number after the sample: an error when forced,
        // otherwise read again as text.
        var demoted = [(column: Int, problem: CellProblem)]()
        for (j, kind) in passKinds.enumerated() where kind == .numeric {
            let s = builders.numericSlot(j)
            if let problem = builders.firstNotANumber[s] {
                if forced.contains(header[j]) {
                    throw CustomerDataError.notANumber(file: name, line: problem.line, column: j + 1, name: header[j], value: problem.value)
                }
                demoted.append((j, problem))
            } else if let problem = builders.firstNonFinite[s] {
                throw CustomerDataError.nonFinite(file: name, line: problem.line, column: j + 1, name: header[j], value: problem.value)
            }
        }
        if let line = builders.firstEmptyID, let id = read.idColumn, let j = header.firstIndex(of: id) {
            throw CustomerDataError.missingID(file: name, line: line, column: j + 1, name: id)
        }
        if !rereadable, let (j, problem) = demoted.min(by: { $0.problem.line < $1.problem.line }) {
            throw CustomerDataError.textAfterSample(file: name, line: problem.line, column: j + 1, name: header[j],
                                                    value: problem.value, sampleRows: sampleRows)
        }
        let rows = builders.rows, rowLines = builders.rowLines
        var columns = builders.columns()
        builders = ColumnBuilders(kinds: [], expectedRows: 0)  // frees the cells before a second pass
        if !demoted.isEmpty {
            let textKinds = passKinds.indices.map { j in demoted.contains { $0.column == j } ? ColumnKind.text : .skip }
            let again = RecordStream(source: try open(), name: name, limits: read.limits, blockSize: read.blockBytes, readAhead: 3)
            guard var block = try again.next(consumed: 0, line: 1) else { throw CustomerDataError.changedWhileRead(file: name, difference: 0) }
            let secondHead = try readHeader(again, block: &block, delimiter: read.delimiter, limits: read.limits)
            let text = try pass.run(again, first: block, offset: secondHead.end, line: secondHead.dataLine, kinds: textKinds,
                                    step: "reading \(name) again for its text columns")
            guard secondHead.names == header, text.rows == rows else {
                throw CustomerDataError.changedWhileRead(file: name, difference: 0)
            }
            let textColumns = text.columns()
            for (j, _) in demoted { columns[j] = textColumns[j] }
        }
        let table = CustomerTable(source: name, columnNames: header, columns: columns, rowCount: rows, rowLines: rowLines)
        try checkUniqueIDs(table, threads: read.threads)
        return table
    }

    /// The header names (trimmed), where data starts in `block`, and the line it starts on.
    /// The block grows until it holds the whole header record.
    private static func readHeader(_ stream: RecordStream, block: inout RecordStream.Block, delimiter: UInt8,
                                   limits: InputLimits) throws -> (names: [String], end: Int, dataLine: Int) {
        let name = stream.name
        let raw = try CSVHeader.read(stream, block: &block, delimiter: delimiter, limits: limits)
        let header = raw.names.map { $0.trimmingCharacters(in: .whitespaces) }
        if !block.bytes[..<raw.end].contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) {
            // Blanks only, so far: read on (the block need not be the last one) to tell an
            // empty file from a header with one unnamed column (up to `sampleBytes` of blanks).
            let blank = { (block: RecordStream.Block) in
                !block.bytes[raw.end...].contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 })
            }
            while blank(block), !block.final, block.nul == nil, block.bytes.count < sampleBytes, let longer = try stream.next(consumed: 0, line: 1, more: true) {
                block = longer
            }
            if blank(block), block.final { throw CustomerDataError.emptyFile(file: name) }
        }
        var seen = [String: Int]()
        for (j, column) in header.enumerated() {
            if column.isEmpty { throw CustomerDataError.emptyHeaderName(file: name, column: j + 1) }
            if let first = seen[column] {
                throw CustomerDataError.duplicateHeader(file: name, name: column, columns: [first + 1, j + 1])
            }
            seen[column] = j
        }
        return (header, raw.end, 1 + raw.lines)
    }

    private static func initialKinds(header: [String], name: String, options: CSVReadOptions) throws -> [ColumnKind] {
        let known = Set(header)
        func check(_ column: String, option: String) throws {
            guard known.contains(column) else {
                throw CustomerDataError.unknownColumn(file: name, option: option, name: column, available: header)
            }
        }
        if let id = options.idColumn { try check(id, option: "--id") }
        for column in options.columns ?? [] { try check(column, option: options.columnsSource) }
        for column in options.numericColumns { try check(column, option: "--numeric") }
        let wanted = options.columns.map { Set($0).union(options.numericColumns) }
        let text = Set(options.textColumns)
        return header.map { column in
            if column == options.idColumn { return .identifier }
            if let wanted, !wanted.contains(column) { return .skip }
            return text.contains(column) ? .text : .numeric
        }
    }

    private static func checkUniqueIDs(_ table: CustomerTable, threads: Int) throws {
        guard let j = table.columns.firstIndex(where: { if case .identifier = $0 { return true } else { return false } }),
              case .identifier(let ids) = table.columns[j] else { return }
        if let (row, firstRow) = DuplicateFinder.firstRepeat(ids, threads: threads) {
            throw CustomerDataError.duplicateID(
                file: table.source, line: table.line(ofRow: row), column: j + 1, name: table.columnNames[j],
                value: ids[row], firstLine: table.line(ofRow: firstRow))
        }
    }
}
