import CKernels

/// The RFC 4180 record loop: splits a byte range into records and fields and hands each field
/// (unquoted, `""` turned into `"`) to a `FieldSink`.
///
/// Records end at `\n`, `\r\n` or `\r`; blank lines are skipped; a quoted field may hold
/// delimiters, quotes and newlines. Bytes after a closing quote up to the next delimiter are
/// kept (lenient, like pandas). Line numbers count physical lines, so messages point at the
/// line an editor shows.
struct CSVScanner {
    let file: String
    let delimiter: UInt8
    let header: [String]
    /// A longer record is `CustomerDataError.recordTooLong` (the stream enforces the same
    /// limit on what it buffers; this catches records that happen to fit in one block).
    var maxRecordBytes = Int.max

    struct Outcome {
        var rows: Int
        /// Physical lines consumed.
        var lines: Int
        /// Where scanning stopped (end, or after `rowLimit` rows).
        var endOffset: Int
    }

    private static let quote: UInt8 = 0x22, newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D

    /// Scans `bytes`, numbering lines from `firstLine`. With `expectedFields` nil (the
    /// header), any field count is accepted. With `final` false the bytes are one block of a
    /// longer stream: a quoted field still open at the end is not an error but the end of the
    /// scan, and `endOffset` points at the start of that unfinished record (its fields may
    /// already have gone to the sink, but not its `endRow`). A record with more than
    /// `fieldLimit` fields (a header with a million columns) stops the scan with
    /// `CustomerDataError.tooManyColumns` as soon as the field after the limit starts.
    func scan<Sink: FieldSink>(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, rowLimit: Int = .max,
                               expectedFields: Int?, final: Bool = true, fieldLimit: Int = .max,
                               into builders: inout Sink) throws -> Outcome {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return Outcome(rows: 0, lines: 0, endOffset: 0) }
        let end = base + bytes.count
        let expected = expectedFields ?? .max
        let delimiter = self.delimiter
        // Fields from this one on go nowhere: they are passed over eight bytes at a time.
        let skipFrom = delimiter == CSVScanner.quote || delimiter == CSVScanner.newline || delimiter == CSVScanner.carriageReturn
            ? Int.max : builders.wantedFields
        var scratch = [UInt8]()
        var p = base
        var line = firstLine
        var row = 0
        while p < end, row < rowLimit {
            let b0 = p.pointee
            if b0 == CSVScanner.newline { p += 1; line += 1; continue }
            if b0 == CSVScanner.carriageReturn {
                p += 1
                if p < end, p.pointee == CSVScanner.newline { p += 1 }
                line += 1
                continue
            }
            let recordLine = line
            let recordStart = p
            var field = 0
            while true {
                if field >= skipFrom, p < end, p.pointee != CSVScanner.quote {
                    var stop: UnsafePointer<UInt8>?
                    // (No `fieldLimit` check here: only the header has one, and its sink keeps every field.)
                    field += Int(persona_skip_plain_fields(p, end, delimiter, &stop))
                    p = stop ?? end
                    // A quoted field: read it as any other (its closing quote may come lines later).
                    if p < end, p.pointee == CSVScanner.quote { continue }
                } else if p < end, p.pointee == CSVScanner.quote {
                    scratch.removeAll(keepingCapacity: true)
                    p += 1
                    var closed = false
                    while p < end {
                        let b = p.pointee
                        if b == CSVScanner.quote {
                            if p + 1 < end, (p + 1).pointee == CSVScanner.quote {
                                scratch.append(CSVScanner.quote)
                                p += 2
                                continue
                            }
                            p += 1
                            closed = true
                            break
                        }
                        // A line end inside the quotes is a physical line too: `\n`, and a
                        // `\r` not followed by `\n` (the `\r\n` pair counts at its `\n`).
                        if b == CSVScanner.newline
                            || (b == CSVScanner.carriageReturn && !(p + 1 < end && (p + 1).pointee == CSVScanner.newline)) {
                            line += 1
                        }
                        scratch.append(b)
                        p += 1
                    }
                    guard closed else {
                        if !final {
                            return Outcome(rows: row, lines: recordLine - firstLine, endOffset: recordStart - base)
                        }
                        let column = min(field, header.count - 1)
                        throw CustomerDataError.unterminatedQuote(
                            file: file, line: recordLine, column: column + 1,
                            name: column >= 0 ? header[column] : "(header)")
                    }
                    while p < end {
                        let b = p.pointee
                        if b == delimiter || b == CSVScanner.newline || b == CSVScanner.carriageReturn { break }
                        scratch.append(b)
                        p += 1
                    }
                    if field < expected {
                        scratch.withUnsafeBufferPointer { s in
                            if let sb = s.baseAddress {
                                builders.add(column: field, sb, s.count, row: row, line: recordLine)
                            } else {
                                builders.add(column: field, p, 0, row: row, line: recordLine)
                            }
                        }
                    }
                } else {
                    // The common case fused: plain decimals parsed while finding where the
                    // fields end, as many numeric columns in a row as the sink takes at once.
                    var taken = 0
                    if field < expected, builders.isNumeric(column: field) {
                        (taken, p) = builders.addNumbers(from: field, limit: min(expected, fieldLimit) - field, p, end,
                                                         delimiter: delimiter)
                    }
                    if taken > 0 {
                        field += taken - 1
                    } else {
                        let start = p
                        while p < end {
                            let b = p.pointee
                            if b == delimiter || b == CSVScanner.newline || b == CSVScanner.carriageReturn { break }
                            p += 1
                        }
                        if field < expected { builders.add(column: field, start, p - start, row: row, line: recordLine) }
                    }
                }
                field += 1
                if p >= end { break }
                let b = p.pointee
                if b == delimiter {
                    if field >= fieldLimit { throw CustomerDataError.tooManyColumns(file: file, limit: fieldLimit) }
                    p += 1
                    continue
                }
                p += 1
                if b == CSVScanner.carriageReturn, p < end, p.pointee == CSVScanner.newline { p += 1 }
                line += 1
                break
            }
            if p - recordStart > maxRecordBytes {
                throw CustomerDataError.recordTooLong(file: file, line: recordLine, limit: maxRecordBytes)
            }
            if let expectedFields, field != expectedFields {
                throw CustomerDataError.raggedRow(file: file, line: recordLine, expected: expectedFields, got: field)
            }
            builders.endRow(line: recordLine)
            row += 1
        }
        return Outcome(rows: row, lines: line - firstLine, endOffset: p - base)
    }
}

/// Receives the fields of each record, in order.
protocol FieldSink {
    mutating func add(column: Int, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, line: Int)
    /// Fields from this index on are dropped (`add` does nothing with them), so the scanner
    /// need not hand them over; `Int.max` when any field may be kept.
    var wantedFields: Int { get }
    /// Whether plain decimals in this column may be handed over already parsed.
    func isNumeric(column: Int) -> Bool
    mutating func addNumber(column: Int, _ value: Double)
    /// Takes the plain decimals from `p` on for this column and up to `limit − 1` columns after
    /// it: how many fields were taken and where the last ends, or `(0, p)` when the field at `p`
    /// is not a plain decimal (it then goes to `add`). Only called where `isNumeric` is true.
    mutating func addNumbers(from column: Int, limit: Int, _ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>,
                             delimiter: UInt8) -> (fields: Int, stop: UnsafePointer<UInt8>)
    mutating func endRow(line: Int)
}

extension FieldSink {
    var wantedFields: Int { .max }

    /// One field at a time, through `addNumber`.
    mutating func addNumbers(from column: Int, limit: Int, _ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>,
                             delimiter: UInt8) -> (fields: Int, stop: UnsafePointer<UInt8>) {
        guard let (value, stop) = NumberParser.parsePlainField(p, end, delimiter: delimiter) else { return (0, p) }
        addNumber(column: column, value)
        return (1, stop)
    }
}

/// Drops every field: for scanning records only to meet the errors they hold (before a NUL
/// byte, so that errors come in file order whatever the block size).
struct DiscardSink: FieldSink {
    mutating func add(column: Int, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, line: Int) {}
    mutating func endRow(line: Int) {}
    func isNumeric(column: Int) -> Bool { false }
    mutating func addNumber(column: Int, _ value: Double) {}
}

/// Collects the header's names.
struct HeaderSink: FieldSink {
    var names: [String] = []
    mutating func add(column: Int, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, line: Int) {
        names.append(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
    }
    mutating func endRow(line: Int) {}
    func isNumeric(column: Int) -> Bool { false }
    mutating func addNumber(column: Int, _ value: Double) {}
}
