import Foundation
import NumericCore

/// How to read a customer export.
public struct CSVReadOptions: Sendable {
    /// Field separator (one ASCII byte). Not guessed here: `DelimiterSniffer.detect` does
    /// that, and the CLI calls it for `--delimiter auto` so it can say what it found.
    public var delimiter: UInt8 = UInt8(ascii: ",")
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
    /// Threads for parsing (the file is split at line boundaries when it holds no quotes).
    public var threads: Int = 1
    /// Bytes parsed per step before they are released (tests make it small to cross many steps).
    var stepBytes = PageRelease.step

    public init() {}
}

/// Reads a CSV customer export into typed columns.
///
/// Column types are inferred: a column whose every non-empty cell is a number is numeric
/// (missing cells NaN), anything else is text. The file is read into memory once (`.gz`
/// decompressed); parsing runs on `threads` threads when the file has no quoted fields.
public enum CSVReader {
    /// Rows scanned first to guess which columns are text.
    static let sampleRows = 1_000

    public static func read(path: String, options: CSVReadOptions = CSVReadOptions()) throws -> CustomerTable {
        let name = (path as NSString).lastPathComponent
        return try FileLoader.withContents(path: path) { bytes, release in
            try read(buffer: bytes, name: name, options: options, release: release)
        }
    }

    public static func read(bytes: [UInt8], name: String, options: CSVReadOptions = CSVReadOptions()) throws -> CustomerTable {
        try bytes.withUnsafeBufferPointer { try read(buffer: $0, name: name, options: options, release: PageRelease(mapping: nil)) }
    }

    /// The table keeps copies of everything it needs, so `all` may go away afterwards.
    private static func read(buffer all: UnsafeBufferPointer<UInt8>, name: String, options: CSVReadOptions,
                             release: PageRelease) throws -> CustomerTable {
        do {
            var start = 0
            if all.count >= 3, all[0] == 0xEF, all[1] == 0xBB, all[2] == 0xBF { start = 3 }
            let buffer = UnsafeBufferPointer(rebasing: all[start...])
            guard buffer.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
                throw CustomerDataError.emptyFile(file: name)
            }
            return try parse(buffer, name: name, options: options, release: release)
        }
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>, name: String, options: CSVReadOptions,
                              release: PageRelease) throws -> CustomerTable {
        let (header, dataStart, dataLine) = try readHeader(buffer, name: name, delimiter: options.delimiter)
        let kinds = try initialKinds(header: header, name: name, options: options)
        let data = UnsafeBufferPointer(rebasing: buffer[dataStart...])
        let scanner = CSVScanner(file: name, delimiter: options.delimiter, header: header)

        // A sample decides which columns are text before the full pass.
        var sampleKinds = kinds
        var sample = ColumnBuilders(kinds: kinds, expectedRows: sampleRows)
        let sampled = try scanner.scan(data, firstLine: dataLine, rowLimit: sampleRows,
                                       expectedFields: header.count, into: &sample)
        guard sampled.rows > 0 else { throw CustomerDataError.headerOnly(file: name) }
        let forced = Set(options.numericColumns)
        for (j, kind) in kinds.enumerated() where kind == .numeric && !forced.contains(header[j]) {
            if sample.firstNotANumber[sample.numericSlot(j)] != nil { sampleKinds[j] = .text }
        }
        let bytesPerRow = max(1, sampled.endOffset / sampled.rows)
        let expectedRows = data.count / bytesPerRow + 16

        let quoted = containsQuote(data, step: options.stepBytes, release: release)
        var parts = try scanParts(data, scanner: scanner, kinds: sampleKinds, firstLine: dataLine,
                                  expectedRows: expectedRows, threads: options.threads, quoted: quoted,
                                  step: options.stepBytes, release: release)
        var merged = MergedColumns(parts: parts, kinds: sampleKinds)
        parts.removeAll()

        // Numeric columns that met a non-number after the sample: an error when forced,
        // otherwise read again as text.
        var demoted = [Int]()
        for (j, kind) in sampleKinds.enumerated() where kind == .numeric {
            if let problem = merged.firstNotANumber[j] {
                if forced.contains(header[j]) {
                    throw CustomerDataError.notANumber(file: name, line: problem.line, column: j + 1,
                                                       name: header[j], value: problem.value)
                }
                demoted.append(j)
            } else if let problem = merged.firstNonFinite[j] {
                throw CustomerDataError.nonFinite(file: name, line: problem.line, column: j + 1,
                                                  name: header[j], value: problem.value)
            }
        }
        if !demoted.isEmpty {
            let textKinds = sampleKinds.indices.map { demoted.contains($0) ? ColumnKind.text : .skip }
            let again = try scanParts(data, scanner: scanner, kinds: textKinds, firstLine: dataLine,
                                      expectedRows: expectedRows, threads: options.threads, quoted: quoted,
                                      step: options.stepBytes, release: release)
            let text = MergedColumns(parts: again, kinds: textKinds)
            for j in demoted { merged.columns[j] = text.columns[j] }
        }
        if let line = merged.firstEmptyID, let id = options.idColumn, let j = header.firstIndex(of: id) {
            throw CustomerDataError.missingID(file: name, line: line, column: j + 1, name: id)
        }
        let table = CustomerTable(source: name, columnNames: header, columns: merged.columns,
                                  rowCount: merged.rowLines.count, rowLines: merged.rowLines)
        try checkUniqueIDs(table, threads: options.threads)
        return table
    }

    /// The header names (trimmed), where data starts, and the line it starts on.
    private static func readHeader(_ buffer: UnsafeBufferPointer<UInt8>, name: String, delimiter: UInt8)
        throws -> ([String], Int, Int) {
        var sink = HeaderSink()
        let scanner = CSVScanner(file: name, delimiter: delimiter, header: ["(header)"])
        let outcome = try scanner.scan(buffer, firstLine: 1, rowLimit: 1, expectedFields: nil, into: &sink)
        let header = sink.names.map { $0.trimmingCharacters(in: .whitespaces) }
        var seen = [String: Int]()
        for (j, column) in header.enumerated() {
            if column.isEmpty { throw CustomerDataError.emptyHeaderName(file: name, column: j + 1) }
            if let first = seen[column] {
                throw CustomerDataError.duplicateHeader(file: name, name: column, columns: [first + 1, j + 1])
            }
            seen[column] = j
        }
        return (header, outcome.endOffset, 1 + outcome.lines)
    }

    private static func initialKinds(header: [String], name: String, options: CSVReadOptions) throws -> [ColumnKind] {
        func check(_ column: String, option: String) throws {
            guard header.contains(column) else {
                throw CustomerDataError.unknownColumn(file: name, option: option, name: column, available: header)
            }
        }
        if let id = options.idColumn { try check(id, option: "--id") }
        for column in options.columns ?? [] { try check(column, option: options.columnsSource) }
        for column in options.numericColumns { try check(column, option: "--numeric") }
        let wanted = options.columns.map { Set($0).union(options.numericColumns) }
        return header.map { column in
            if column == options.idColumn { return .identifier }
            if let wanted, !wanted.contains(column) { return .skip }
            return options.textColumns.contains(column) ? .text : .numeric
        }
    }

    /// Whether any byte is a quote, looked for `step` bytes at a time; each step is released
    /// once searched (the parse maps it again as it goes).
    static func containsQuote(_ data: UnsafeBufferPointer<UInt8>, step: Int, release: PageRelease) -> Bool {
        guard let base = data.baseAddress else { return false }
        var offset = 0
        while offset < data.count {
            let count = min(step, data.count - offset)
            if memchr(base + offset, 0x22, count) != nil { return true }
            release.release(UnsafeBufferPointer(start: base + offset, count: count))
            offset += count
        }
        return false
    }

    /// Scans the data in parts on several threads when no field is quoted (then every newline
    /// ends a record); otherwise in one part. Without quotes, each part is also scanned in
    /// steps of about `step` bytes cut at newlines, and each step is released once parsed, so
    /// the mapped file never sits whole in memory next to the parsed columns.
    private static func scanParts(_ data: UnsafeBufferPointer<UInt8>, scanner: CSVScanner, kinds: [ColumnKind],
                                  firstLine: Int, expectedRows: Int, threads: Int, quoted: Bool,
                                  step: Int, release: PageRelease) throws -> [ColumnBuilders] {
        let bounds = partBounds(data, threads: threads, quoted: quoted)
        let shared = SendableBytes(buffer: data)
        let results = Parallel.map(count: bounds.count - 1, threads: threads) { part in
            var builders = ColumnBuilders(kinds: kinds, expectedRows: expectedRows / (bounds.count - 1) + 16)
            let steps = quoted ? [bounds[part], bounds[part + 1]]
                               : newlineCuts(shared.buffer, from: bounds[part], to: bounds[part + 1], every: step)
            var lines = 0
            for s in 0..<(steps.count - 1) {
                let slice = UnsafeBufferPointer(rebasing: shared.buffer[steps[s]..<steps[s + 1]])
                let outcome = try scanner.scan(slice, firstLine: lines, expectedFields: scanner.header.count, into: &builders)
                lines += outcome.lines
                if !quoted { release.release(slice) }
            }
            return (builders, lines)
        }
        var parts = [ColumnBuilders]()
        var line = firstLine
        for result in results {
            // Parts are in file order, so the first failing part holds the earliest error;
            // its line numbers are still relative to the part.
            switch result {
            case .success(let (parsed, lines)):
                var builders = parsed
                builders.shiftLines(by: line)
                line += lines
                parts.append(builders)
            case .failure(let error):
                throw shiftedError(error, by: line)
            }
        }
        return parts
    }

    private static func shiftedError(_ error: Error, by offset: Int) -> Error {
        switch error {
        case CustomerDataError.raggedRow(let file, let line, let expected, let got):
            return CustomerDataError.raggedRow(file: file, line: line + offset, expected: expected, got: got)
        case CustomerDataError.unterminatedQuote(let file, let line, let column, let name):
            return CustomerDataError.unterminatedQuote(file: file, line: line + offset, column: column, name: name)
        default:
            return error
        }
    }

    static func partBounds(_ data: UnsafeBufferPointer<UInt8>, threads: Int, quoted: Bool) -> [Int] {
        let minimumPart = 1 << 20
        guard threads > 1, data.count >= 2 * minimumPart, !quoted else { return [0, data.count] }
        let parts = min(threads, data.count / minimumPart)
        return newlineCuts(data, from: 0, to: data.count, every: (data.count + parts - 1) / parts)
    }

    /// Offsets from `start` to `end` about `every` bytes apart, each moved forward to just after
    /// a newline (records of an unquoted file never span one), with `start` and `end` included.
    static func newlineCuts(_ data: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, every: Int) -> [Int] {
        var cuts = [start]
        var cut = start + every
        while cut < end {
            while cut < end, data[cut - 1] != 0x0A { cut += 1 }
            if cut < end { cuts.append(cut) }
            cut += every
        }
        cuts.append(end)
        return cuts
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

/// A read-only byte buffer handed to parsing threads; the caller keeps it alive.
struct SendableBytes: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
}
