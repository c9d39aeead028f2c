import Foundation

/// Builds CSV text as bytes, quoting fields only when RFC 4180 requires it.
///
/// Fields are formatted straight into a buffer that is kept longer than the text (`storage`
/// beyond `used` is scratch), so a number is written in place in one pass, with no
/// intermediate copy and no per-byte append.
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

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        write(maximumCount: 1) { p in
            p.pointee = byte
            return 1
        }
    }

    private mutating func append(contentsOf raw: UnsafeRawBufferPointer) {
        write(maximumCount: raw.count) { p in
            if let base = raw.baseAddress { p.update(from: base.assumingMemoryBound(to: UInt8.self), count: raw.count) }
            return raw.count
        }
    }

    private mutating func append(contentsOf raw: UnsafeBufferPointer<UInt8>) {
        append(contentsOf: UnsafeRawBufferPointer(raw))
    }

    private mutating func append(text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    private mutating func separate() {
        if fieldsInRow > 0 { append(delimiter) }
        fieldsInRow += 1
    }

    /// A text field, quoted when it holds the delimiter, a quote, a newline or edge spaces.
    public mutating func field(_ text: String) {
        separate()
        var text = text
        text.withUTF8 { appendQuotedIfNeeded($0) }
    }

    /// A field copied byte for byte (ids), quoted when needed.
    public mutating func field(bytes raw: UnsafeBufferPointer<UInt8>) {
        separate()
        appendQuotedIfNeeded(raw)
    }

    public mutating func field(_ value: Int) {
        separate()
        appendInteger(value)
    }

    /// The id of `row` as it was read (quoted when needed), or without an id column
    /// (`ids` nil) the row's number: the first field of every per-customer output.
    public mutating func idField(_ ids: IdentifierColumn.BytesView?, row: Int) {
        if let ids { field(bytes: ids[row]) } else { field(row) }
    }

    private mutating func appendInteger(_ value: Int) {
        write(maximumCount: 21) { out in
            var p = out
            if value < 0 { p = DecimalText.put(UInt8(ascii: "-"), at: p) }
            let magnitude = UInt64(value.magnitude)
            let count = DecimalText.digitCount(magnitude)
            DecimalText.writeDigits(magnitude, count: count, to: p)
            return p + count - out
        }
    }

    /// A number in the shortest form that reads back to the same double; empty for NaN.
    public mutating func field(_ value: Double) {
        separate()
        if value.isNaN { return }
        if value == value.rounded(), abs(value) < 1e15 {
            appendInteger(Int(value))
        } else {
            append(text: value.description)
        }
    }

    /// A number rounded to `significant` (≤ 15) significant digits, written without an exponent
    /// for magnitudes in [1e-4, 1e15) and trailing zeros dropped (`0.5`, `12.25`, `3`); other
    /// magnitudes fall back to the shortest round-trip form. Several times faster than
    /// `description`, for columns such as distances where 12 digits say everything.
    public mutating func field(_ value: Double, significant: Int) {
        let magnitude = abs(value)
        guard value.isFinite, magnitude >= 1e-4, magnitude < 1e15, significant <= 15 else {
            field(value)
            return
        }
        separate()
        let exponent = DecimalText.exponent(magnitude)
        let decimals = max(0, min(18, significant - 1 - exponent))
        let scaled = DecimalText.roundedHalfAway(magnitude * DecimalText.doublePowers[decimals + 5])
        guard scaled < 9.2e18 else {
            append(text: value.description)
            return
        }
        // The scaled integer's digits, at least one before the point: the integer part, then
        // the fraction without its trailing zeros (and no point when nothing is left of it).
        write(maximumCount: 22) { out in
            var p = out
            if value < 0 { p = DecimalText.put(UInt8(ascii: "-"), at: p) }
            let units = UInt64(scaled)
            let integerDigits = max(1, DecimalText.digitCount(units) - decimals)
            let scale = DecimalText.powers[decimals]
            DecimalText.writeDigits(units / scale, count: integerDigits, to: p)
            p += integerDigits
            var fraction = units % scale
            guard fraction != 0 else { return p - out }
            var digits = decimals
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            p = DecimalText.put(UInt8(ascii: "."), at: p)
            DecimalText.writeDigits(fraction, count: digits, to: p)
            return p + digits - out
        }
    }

    /// An empty (missing) field.
    public mutating func emptyField() {
        separate()
    }

    public mutating func endRow() {
        append(0x0A)
        fieldsInRow = 0
    }

    public mutating func row(_ fields: [String]) {
        for f in fields { field(f) }
        endRow()
    }

    private mutating func appendQuotedIfNeeded(_ raw: UnsafeBufferPointer<UInt8>) {
        // Copied as it is while looking for what needs quotes, which is rare; then redone.
        let start = used
        let delimiter = self.delimiter
        var needs = raw.first == 0x20 || raw.last == 0x20
        write(maximumCount: raw.count) { p in
            for (i, b) in raw.enumerated() {
                needs = needs || b == delimiter || b == 0x22 || b == 0x0A || b == 0x0D
                p[i] = b
            }
            return raw.count
        }
        guard needs else { return }
        used = start
        append(0x22)
        for b in raw {
            if b == 0x22 { append(0x22) }
            append(b)
        }
        append(0x22)
    }
}

/// Decimal digits written straight into CSVWriter's buffer.
enum DecimalText {
    /// 10⁰ … 10¹⁹.
    static let powers: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ]

    /// 10⁻⁵ … 10¹⁸ as doubles (index e + 5 holds 10ᵉ; exact from 10⁰ up).
    static let doublePowers: [Double] = [
        1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        1e16, 1e17, 1e18,
    ]

    /// "00" "01" … "99".
    private static let pairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    @inline(__always)
    static func put(_ byte: UInt8, at p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        p.pointee = byte
        return p + 1
    }

    /// Decimal digits of `value` (1 for 0).
    @inline(__always)
    static func digitCount(_ value: UInt64) -> Int {
        // bits · 1233 / 4096 (⌊bits · log₁₀ 2⌋, near enough) is the count or one less.
        let estimate = ((64 - value.leadingZeroBitCount) &* 1233) >> 12
        return max(1, estimate + (value >= powers[estimate] ? 1 : 0))
    }

    /// `value`'s last `count` digits, with leading zeros, at `p ..< p + count`, two at a time.
    @inline(__always)
    static func writeDigits(_ value: UInt64, count: Int, to p: UnsafeMutablePointer<UInt8>) {
        let pairs = Self.pairs.utf8Start
        var value = value
        var i = count
        while i >= 2 {
            let pair = Int(truncatingIfNeeded: value % 100) &* 2
            value /= 100
            i -= 2
            p[i] = pairs[pair]
            p[i + 1] = pairs[pair + 1]
        }
        if i == 1 { p[0] = UInt8(truncatingIfNeeded: value % 10) &+ 0x30 }
    }

    /// ⌊log₁₀ magnitude⌋ for magnitudes in [1e-4, 1e15): from the binary exponent and the
    /// powers of ten; within 1e-13 of a power of ten, where the table's rounding or log10's
    /// could decide, from `log10` itself, so the result is always `log10`'s.
    @inline(__always)
    static func exponent(_ magnitude: Double) -> Int {
        // ⌊binary exponent · 1233 / 4096⌋ is within one of ⌊log₁₀⌋; the loops settle it.
        var e = min(15, max(-5, (Int(magnitude.exponent) &* 1233) >> 12))
        while e < 15, magnitude >= doublePowers[e + 1 + 5] { e += 1 }
        while e > -5, magnitude < doublePowers[e + 5] { e -= 1 }
        if magnitude < doublePowers[e + 5] * (1 + 1e-13) || magnitude > doublePowers[e + 1 + 5] * (1 - 1e-13) {
            return Int(log10(magnitude).rounded(.down))
        }
        return e
    }

    /// `x.rounded()` (to nearest, halves away from zero) for 0 ≤ x < 2⁶³, without a libm
    /// call: x − ⌊x⌋ is exact below 2⁵³, and above it x is a whole number already.
    @inline(__always)
    static func roundedHalfAway(_ x: Double) -> Double {
        guard x < 9.2e18 else { return x.rounded() }
        let whole = UInt64(x)
        return Double(whole) + (x - Double(whole) >= 0.5 ? 1 : 0)
    }
}
