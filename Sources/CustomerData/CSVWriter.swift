import Foundation

/// Builds CSV text as bytes, quoting fields only when RFC 4180 requires it.
public struct CSVWriter {
    public private(set) var bytes: [UInt8] = []
    private var fieldsInRow = 0
    let delimiter: UInt8

    public init(delimiter: UInt8 = UInt8(ascii: ","), reserve: Int = 0) {
        self.delimiter = delimiter
        bytes.reserveCapacity(reserve)
    }

    private mutating func separate() {
        if fieldsInRow > 0 { bytes.append(delimiter) }
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

    private mutating func appendInteger(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(truncatingIfNeeded: magnitude % 10) + 0x30
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[i]) }
        }
    }

    /// A number in the shortest form that reads back to the same double; empty for NaN.
    public mutating func field(_ value: Double) {
        separate()
        if value.isNaN { return }
        if value == value.rounded(), abs(value) < 1e15 {
            appendInteger(Int(value))
        } else {
            bytes.append(contentsOf: value.description.utf8)
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
        let exponent = Int(log10(magnitude).rounded(.down))
        let decimals = max(0, min(18, significant - 1 - exponent))
        let scaled = (magnitude * Self.powersOfTen[decimals]).rounded()
        guard scaled < 9.2e18 else {
            bytes.append(contentsOf: value.description.utf8)
            return
        }
        // The digits of the scaled integer, right to left, at least one before the point;
        // then the integer part, and the fraction without its trailing zeros.
        var units = UInt64(scaled)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(truncatingIfNeeded: units % 10) + 0x30
                units /= 10
            } while units > 0
            while buffer.count - start < decimals + 1 {
                start -= 1
                buffer[start] = 0x30
            }
            let point = buffer.count - decimals
            var end = buffer.count
            while end > point, buffer[end - 1] == 0x30 { end -= 1 }
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start..<point]))
            if end > point {
                bytes.append(UInt8(ascii: "."))
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[point..<end]))
            }
        }
    }

    /// 10⁰ … 10¹⁸, exact as doubles (as the products of integers they replace).
    private static let powersOfTen: [Double] = (0...18).map { e in Double((0..<e).reduce(UInt64(1)) { r, _ in r * 10 }) }

    /// An empty (missing) field.
    public mutating func emptyField() {
        separate()
    }

    public mutating func endRow() {
        bytes.append(0x0A)
        fieldsInRow = 0
    }

    public mutating func row(_ fields: [String]) {
        for f in fields { field(f) }
        endRow()
    }

    private mutating func appendQuotedIfNeeded(_ raw: UnsafeBufferPointer<UInt8>) {
        let needs = raw.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            || raw.first == 0x20 || raw.last == 0x20
        guard needs else {
            bytes.append(contentsOf: raw)
            return
        }
        bytes.append(0x22)
        for b in raw {
            if b == 0x22 { bytes.append(0x22) }
            bytes.append(b)
        }
        bytes.append(0x22)
    }
}
