import CKernels
import Foundation

/// What a cell holds when read as a number.
enum ParsedNumber: Equatable {
    case number(Double)
    /// Empty, blank, or a missing-value marker (`NA`, `N/A`, `NULL`, `None`, `#N/A`).
    case missing
    /// `NaN`, `inf`, `Infinity` or an overflow such as `1e400`: numeric-looking, never valid.
    case nonFinite
    case notANumber
}

/// Parses decimal numbers from bytes: `[+-]digits[.digits][(e|E)[+-]digits]`, surrounding
/// spaces and tabs allowed.
///
/// Correctly rounded: up to 19 significant digits with a power of ten within ±22 go through
/// Clinger's exact fast path (both operands exact doubles, one rounding); anything else goes
/// to `strtod`. Thousands separators and decimal commas are *not* numbers (`12,50` is text),
/// so no locale can change a value silently.
enum NumberParser {
    /// 10^e for 0 ≤ e ≤ 22, all exact doubles (a switch, not a lazily initialised global, so
    /// the hot path has no one-time-initialisation check).
    @inline(__always)
    static func power10(_ e: Int) -> Double {
        switch e {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    @inline(__always)
    static func parse(_ start: UnsafePointer<UInt8>, _ count: Int) -> ParsedNumber {
        var p = start
        var end = start + count
        while p < end, p.pointee == 0x20 || p.pointee == 0x09 { p += 1 }
        while end > p, (end - 1).pointee == 0x20 || (end - 1).pointee == 0x09 { end -= 1 }
        if p == end { return .missing }
        let first = p
        var negative = false
        if p.pointee == 0x2D || p.pointee == 0x2B {  // - +
            negative = p.pointee == 0x2D
            p += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0          // significant digits kept in the mantissa
        var droppedDigits = 0   // integer digits beyond 19 (scale up)
        var sawDigit = false
        var exponent = 0
        var precise = true
        while p < end, p.pointee &- 0x30 < 10 {
            sawDigit = true
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(p.pointee &- 0x30)
                if mantissa != 0 { digits += 1 }
            } else {
                droppedDigits += 1
                precise = false
            }
            p += 1
        }
        if p < end, p.pointee == 0x2E {  // .
            p += 1
            while p < end, p.pointee &- 0x30 < 10 {
                sawDigit = true
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(p.pointee &- 0x30)
                    if mantissa != 0 { digits += 1 }
                    exponent -= 1
                } else {
                    precise = false
                }
                p += 1
            }
        }
        guard sawDigit else { return special(first, end) }
        if p < end, p.pointee | 0x20 == 0x65 {  // e E
            p += 1
            var expNegative = false
            if p < end, p.pointee == 0x2D || p.pointee == 0x2B {
                expNegative = p.pointee == 0x2D
                p += 1
            }
            guard p < end else { return .notANumber }
            var e = 0
            while p < end, p.pointee &- 0x30 < 10 {
                if e < 100_000 { e = e * 10 + Int(p.pointee &- 0x30) }
                p += 1
            }
            exponent += expNegative ? -e : e
        }
        guard p == end else { return .notANumber }
        exponent += droppedDigits
        if precise, mantissa < (1 << 53), exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / power10(-exponent) : value * power10(exponent)
            return .number(negative ? -value : value)
        }
        return slowPath(first, end)
    }

    /// The fast path for the commonest cell: `[-]digits[.digits]` (at most 19 significant
    /// digits, no exponent, no spaces) ending at the delimiter, a line end or the end of the
    /// data. Returns the value and where the field ends, or nil to let the general path decide.
    @inline(__always)
    static func parsePlainField(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, delimiter: UInt8)
        -> (Double, UnsafePointer<UInt8>)? {
        var p = start
        var negative = false
        if p < end, p.pointee == 0x2D {
            negative = true
            p += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        let integerStart = p
        while p < end, p.pointee &- 0x30 < 10 {
            mantissa = mantissa &* 10 &+ UInt64(p.pointee &- 0x30)
            p += 1
        }
        digits = p - integerStart
        var fraction = 0
        if p < end, p.pointee == 0x2E {
            p += 1
            let fractionStart = p
            while p < end, p.pointee &- 0x30 < 10 {
                mantissa = mantissa &* 10 &+ UInt64(p.pointee &- 0x30)
                p += 1
            }
            fraction = p - fractionStart
        }
        // 19 digits always fit in UInt64; at most 15 keeps the mantissa exact (< 2^53).
        guard digits + fraction > 0, digits + fraction <= 15, fraction <= 22 else { return nil }
        if p < end {
            let b = p.pointee
            guard b == delimiter || b == 0x0A || b == 0x0D else { return nil }
        }
        let magnitude = Double(mantissa) / power10(fraction)
        return (negative ? -magnitude : magnitude, p)
    }

    /// Up to `count` plain fields from `start` on, field i's value stored at `columns[i][row]`,
    /// eight bytes at a time in C (`persona_parse_plain_fields`), with the values and the fields
    /// taken exactly as `parsePlainField` would, one after the other: how many fields were
    /// stored, and where the last of them ends (`start` when none was).
    static func parsePlainFields(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, delimiter: UInt8,
                                 into columns: UnsafePointer<UnsafeMutablePointer<Double>?>, row: Int, count: Int)
        -> (fields: Int, stop: UnsafePointer<UInt8>) {
        var stop: UnsafePointer<UInt8>? = start
        let taken = persona_parse_plain_fields(start, end, delimiter, columns, Int64(row), Int64(count), &stop)
        return (Int(taken), stop ?? start)
    }

    private static func slowPath(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> ParsedNumber {
        var text = [CChar](repeating: 0, count: end - start + 1)
        for i in 0..<(end - start) { text[i] = CChar(bitPattern: start[i]) }
        let value = strtod(text, nil)
        return value.isFinite ? .number(value) : .nonFinite
    }

    /// Words that mean "no value" or "not finite".
    private static func special(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> ParsedNumber {
        let count = end - start
        guard count <= 9 else { return .notANumber }
        var word = ""
        // ASCII letters lower-cased, every other byte kept: OR-ing 0x20 into all of them would
        // turn control bytes into punctuation ("n\u{0F}a" into "n/a").
        for i in 0..<count {
            let b = start[i]
            word.unicodeScalars.append(Unicode.Scalar(b >= 0x41 && b <= 0x5A ? b | 0x20 : b))
        }
        switch word {
        case "na", "n/a", "null", "none", "#n/a", "<na>": return .missing
        case "nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity": return .nonFinite
        default: return .notANumber
        }
    }
}
