import CKernels
import Foundation

/// Builds CSV text as bytes, quoting fields only when RFC 4180 requires it.
///
/// Fields are formatted straight into a buffer that is kept longer than the text (`storage`
/// beyond `used` is scratch), so a number is written in place in one pass, with no
/// intermediate copy and no per-byte append. Every field is formatted by `CSVRow`; an output
/// of millions of rows writes each row through one (`row(maximumCount:_:)`), which saves the
/// capacity check and call of each field.
public struct CSVWriter {
    private var storage: [UInt8]
    private var used = 0
    private var fieldsInRow = 0
    let delimiter: UInt8

    /// The text so far (a copy).
    public var bytes: [UInt8] { Array(storage[..<used]) }

    /// The text, without a copy, when the writer is done.
    public consuming func finished() -> [UInt8] {
        storage.removeSubrange(used...)
        return storage
    }

    public init(delimiter: UInt8 = UInt8(ascii: ","), reserve: Int = 0) {
        self.delimiter = delimiter
        storage = [UInt8](repeating: 0, count: max(reserve, 256))
    }

    /// A writer that writes into the memory of `buffer` (the text of an earlier writer, no
    /// longer needed): for formatting chunk after chunk without taking fresh memory for each.
    /// (Pass it with `consume`: a copy left with the caller would make this one copy it.)
    public init(delimiter: UInt8 = UInt8(ascii: ","), recycling buffer: consuming [UInt8]) {
        self.delimiter = delimiter
        storage = consume buffer
        storage.removeAll(keepingCapacity: true)
        storage.append(contentsOf: repeatElement(0, count: max(storage.capacity, 256)))
    }

    /// Makes room for at least `bytes` bytes of text in all, so that a writer told its size
    /// grows once.
    public mutating func reserve(_ bytes: Int) {
        if bytes > storage.count { storage.append(contentsOf: repeatElement(0, count: bytes - storage.count)) }
    }

    /// Hands `body` room for `maximumCount` bytes at the end of the text; it returns how many
    /// it wrote.
    @inline(__always)
    private mutating func write(maximumCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        if used + maximumCount > storage.count {
            storage.append(contentsOf: repeatElement(0, count: max(storage.count, used + maximumCount - storage.count)))
        }
        let start = used
        used += storage.withUnsafeMutableBufferPointer { buffer in
            // Never nil: storage holds at least 256 bytes.
            buffer.baseAddress.map { body($0 + start) } ?? 0
        }
    }

    /// Room for one field at the end of the text, with the delimiter before it when the row
    /// has fields already.
    @inline(__always)
    private mutating func field(maximumCount: Int, _ body: (inout CSVRow) -> Void) {
        let (delimiter, first) = (self.delimiter, fieldsInRow == 0)
        write(maximumCount: maximumCount + 1) { p in
            var row = CSVRow(at: p, delimiter: delimiter, first: first)
            body(&row)
            return row.count
        }
        fieldsInRow += 1
    }

    /// One whole row, written by `body` through a `CSVRow` and ended with a newline: a
    /// capacity check for the row, not one per field. `maximumCount` bounds what the fields
    /// take, delimiters included (`CSVRow`'s `maximum…` constants).
    public mutating func row(maximumCount: Int, _ body: (inout CSVRow) -> Void) {
        precondition(fieldsInRow == 0, "row(maximumCount:) starts a row")
        let delimiter = self.delimiter
        write(maximumCount: maximumCount + 1) { p in
            var row = CSVRow(at: p, delimiter: delimiter, first: true)
            body(&row)
            row.end()
            return row.count
        }
    }

    /// A text field, quoted when it holds the delimiter, a quote, a newline or edge spaces.
    public mutating func field(_ text: String) {
        var text = text
        text.withUTF8 { field(bytes: $0) }
    }

    /// A field copied byte for byte (ids), quoted when needed.
    public mutating func field(bytes raw: UnsafeBufferPointer<UInt8>) {
        field(maximumCount: CSVRow.maximumCount(bytes: raw.count)) { $0.field(bytes: raw) }
    }

    public mutating func field(_ value: Int) {
        field(maximumCount: CSVRow.maximumIntegerCount) { $0.field(value) }
    }

    /// The id of `row` as it was read (quoted when needed), or without an id column
    /// (`ids` nil) the row's number: the first field of every per-customer output.
    public mutating func idField(_ ids: IdentifierColumn.BytesView?, row: Int) {
        field(maximumCount: CSVRow.maximumCount(ids, row: row)) { $0.idField(ids, row: row) }
    }

    /// A number in the shortest form that reads back to the same double; empty for NaN.
    public mutating func field(_ value: Double) {
        field(maximumCount: CSVRow.maximumNumberCount) { $0.field(value) }
    }

    /// A number rounded to `significant` (1 … 15) significant digits (`CSVRow.field(_:significant:)`).
    public mutating func field(_ value: Double, significant: Int) {
        field(maximumCount: CSVRow.maximumNumberCount) { $0.field(value, significant: significant) }
    }

    /// An empty (missing) field.
    public mutating func emptyField() {
        field(maximumCount: 0) { $0.emptyField() }
    }

    public mutating func endRow() {
        write(maximumCount: 1) { p in
            p.pointee = 0x0A
            return 1
        }
        fieldsInRow = 0
    }

    public mutating func row(_ fields: [String]) {
        for f in fields { field(f) }
        endRow()
    }
}

/// Fields of one CSV row written straight into a `CSVWriter`'s buffer (`CSVWriter.row`), which
/// has made room for them: each field at most its `maximum…` bytes, its delimiter included.
/// Valid only inside the closure it is handed to.
public struct CSVRow {
    /// Room an integer field needs (`-9223372036854775808` and its delimiter).
    public static let maximumIntegerCount = 21
    /// Room a number field needs, in either form (`-2.2250738585072014e-308` and its
    /// delimiter, with room to spare).
    public static let maximumNumberCount = 32

    /// Most bytes a text field of `count` bytes takes: quoted with every byte a doubled quote.
    public static func maximumCount(bytes count: Int) -> Int { 2 * count + 3 }

    /// Most bytes `idField(ids, row:)` takes.
    public static func maximumCount(_ ids: IdentifierColumn.BytesView?, row: Int) -> Int {
        ids.map { maximumCount(bytes: $0[row].count) } ?? maximumIntegerCount
    }

    private let start: UnsafeMutablePointer<UInt8>
    private var p: UnsafeMutablePointer<UInt8>
    private let delimiter: UInt8
    private var first: Bool

    init(at start: UnsafeMutablePointer<UInt8>, delimiter: UInt8, first: Bool) {
        (self.start, p, self.delimiter, self.first) = (start, start, delimiter, first)
    }

    /// Bytes written so far.
    var count: Int { p - start }

    @inline(__always)
    private mutating func separate() {
        if !first {
            p.pointee = delimiter
            p += 1
        }
        first = false
    }

    mutating func end() {
        p.pointee = 0x0A
        p += 1
    }

    /// A field copied byte for byte (ids), quoted when it holds the delimiter, a quote, a
    /// newline or edge spaces.
    public mutating func field(bytes raw: UnsafeBufferPointer<UInt8>) {
        separate()
        // Copied as it is while looking for what needs quotes, which is rare; then redone.
        let delimiter = self.delimiter
        var needs = raw.first == 0x20 || raw.last == 0x20
        for (i, b) in raw.enumerated() {
            needs = needs || b == delimiter || b == 0x22 || b == 0x0A || b == 0x0D
            p[i] = b
        }
        guard needs else {
            p += raw.count
            return
        }
        p.pointee = 0x22
        p += 1
        for b in raw {
            if b == 0x22 {
                p.pointee = 0x22
                p += 1
            }
            p.pointee = b
            p += 1
        }
        p.pointee = 0x22
        p += 1
    }

    public mutating func field(_ value: Int) {
        separate()
        p += Int(persona_decimal_integer(Int64(value), p))
    }

    /// The id of `row` as it was read, or without an id column (`ids` nil) the row's number
    /// (`CSVWriter.idField`); takes at most `maximumCount(ids, row:)`.
    public mutating func idField(_ ids: IdentifierColumn.BytesView?, row: Int) {
        if let ids { field(bytes: ids[row]) } else { field(row) }
    }

    /// A number in the shortest form that reads back to the same double; empty for NaN.
    public mutating func field(_ value: Double) {
        separate()
        appendShortest(value)
    }

    private mutating func appendShortest(_ value: Double) {
        if value.isNaN { return }
        if value == value.rounded(), abs(value) < 1e15 {
            p += Int(persona_decimal_integer(Int64(value), p))
        } else {
            var text = value.description
            text.withUTF8 { utf8 in
                if let base = utf8.baseAddress { p.update(from: base, count: utf8.count) }
                p += utf8.count
            }
        }
    }

    /// A number rounded to `significant` (1 … 15) significant digits, halves away from zero,
    /// written without an exponent for magnitudes in [1e-4, 1e15) and trailing zeros dropped
    /// (`0.5`, `12.25`, `3`); other magnitudes fall back to the shortest round-trip form.
    /// Several times faster than `description`, for columns such as distances where 12 digits
    /// say everything (`persona_decimal_significant`).
    public mutating func field(_ value: Double, significant: Int) {
        separate()
        let written = Int(persona_decimal_significant(value, Int64(significant), p))
        if written >= 0 { p += written } else { appendShortest(value) }
    }

    /// An empty (missing) field.
    public mutating func emptyField() {
        separate()
    }
}
