/// Number formatting written by hand: `String(describing:)` and `String(format:)` allocate a
/// string per number and are several times slower than writing digits straight into the
/// chunk. The formats are plain: no exponent unless the magnitude calls for it.
extension CSVBuffer {
    private static let zero = UInt8(ascii: "0")
    private static let powersOfTen: [UInt64] = (0...19).map { power in
        var value: UInt64 = 1
        for _ in 0..<power { value &*= 10 }
        return value
    }

    /// The number of decimal digits of `value` (1 for 0).
    @inline(__always)
    static func digitCount(_ value: UInt64) -> Int {
        var count = 1
        while count < 20 && value >= powersOfTen[count] { count += 1 }
        return count
    }

    /// Appends `value` in decimal, left-padded with zeros to `width` digits.
    @inline(__always)
    mutating func appendDigits(_ value: UInt64, width: Int = 1) {
        let count = max(CSVBuffer.digitCount(value), width)
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(CSVBuffer.zero, count: count))
        var rest = value
        var index = start + count - 1
        while rest > 0 {
            bytes[index] = CSVBuffer.zero &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            index -= 1
        }
    }

    /// Appends a signed integer.
    @inline(__always)
    mutating func appendInteger(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude.toUInt64)
    }

    /// Appends an amount given in hundredths, as `12.30` or `-0.05`.
    @inline(__always)
    mutating func appendCents(_ cents: Int) {
        if cents < 0 { append(UInt8(ascii: "-")) }
        let magnitude = cents.magnitude.toUInt64
        appendDigits(magnitude / 100)
        append(UInt8(ascii: "."))
        appendDigits(magnitude % 100, width: 2)
    }

    /// Appends `value` rounded to `decimals` places (0...9), trailing zeros kept: `0.250`.
    ///
    /// Exact while |value|·10^decimals < 2⁵³; ties round away from zero.
    mutating func appendFixed(_ value: Double, decimals: Int) {
        let decimals = min(max(decimals, 0), 9)
        let scale = Double(CSVBuffer.powersOfTen[decimals])
        let scaled = (abs(value) * scale).rounded()
        guard value.isFinite, scaled < 9e18 else {
            appendSignificant(value, digits: 17)
            return
        }
        let units = UInt64(scaled)
        if value < 0 && units > 0 { append(UInt8(ascii: "-")) }
        appendDigits(units / CSVBuffer.powersOfTen[decimals])
        if decimals > 0 {
            append(UInt8(ascii: "."))
            appendDigits(units % CSVBuffer.powersOfTen[decimals], width: decimals)
        }
    }

    /// Appends `value` rounded to `digits` significant digits (1...17), trailing zeros
    /// dropped: `-3.14159`, `1250`, `0.000123457`; exponent form (`1.5e-07`, `2.5e+16`)
    /// outside 1e-5 ≤ |value| < 1e15. Non-finite values are written `nan`, `inf`, `-inf`.
    ///
    /// Ties round away from zero (`printf` rounds them to even). The scaling multiplication is
    /// itself rounded, so a value within about 1e-16 (relative) of a rounding boundary may
    /// get a last digit one off the correctly rounded one: in 400,000 random values checked
    /// against `printf("%.*g")` this never happened below 12 digits, and is common at 16–17.
    mutating func appendSignificant(_ value: Double, digits: Int) {
        guard value.isFinite else {
            let text = value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf")
            bytes.append(contentsOf: text.utf8)
            return
        }
        if value == 0 {
            append(CSVBuffer.zero)
            return
        }
        let digits = min(max(digits, 1), 17)
        let magnitude = abs(value)
        var exponent = Int(Libm.log10(magnitude).rounded(.down))
        var significand = CSVBuffer.scaledSignificand(magnitude, digits: digits, exponent: exponent)
        if significand >= CSVBuffer.powersOfTen[digits] {
            exponent += 1
            significand = CSVBuffer.scaledSignificand(magnitude, digits: digits, exponent: exponent)
        } else if significand < CSVBuffer.powersOfTen[digits - 1] {
            exponent -= 1
            significand = CSVBuffer.scaledSignificand(magnitude, digits: digits, exponent: exponent)
        }
        if significand >= CSVBuffer.powersOfTen[digits] {
            // Rounding carried into a new digit (9.999996 → 10.0000).
            significand /= 10
            exponent += 1
        }
        var count = digits
        while count > 1 && significand % 10 == 0 {
            significand /= 10
            count -= 1
        }
        if value < 0 { append(UInt8(ascii: "-")) }
        if exponent < -5 || exponent >= 15 {
            appendScientific(significand, count: count, exponent: exponent)
        } else if exponent >= count - 1 {
            appendDigits(significand)
            bytes.append(contentsOf: repeatElement(CSVBuffer.zero, count: exponent - (count - 1)))
        } else if exponent >= 0 {
            let fractionDigits = count - 1 - exponent
            let divisor = CSVBuffer.powersOfTen[fractionDigits]
            appendDigits(significand / divisor)
            append(UInt8(ascii: "."))
            appendDigits(significand % divisor, width: fractionDigits)
        } else {
            append(CSVBuffer.zero)
            append(UInt8(ascii: "."))
            bytes.append(contentsOf: repeatElement(CSVBuffer.zero, count: -exponent - 1))
            appendDigits(significand, width: count)
        }
    }

    /// `magnitude` scaled so that `digits` digits stand before the point, then rounded.
    @inline(__always)
    private static func scaledSignificand(_ magnitude: Double, digits: Int, exponent: Int)
        -> UInt64
    {
        let shift = digits - 1 - exponent
        let scaled: Double
        if shift > 300 {
            // Subnormal range: scale in two steps so 10^shift does not overflow.
            scaled = magnitude * 1e300 * pow10(shift - 300)
        } else if shift >= 0 {
            scaled = magnitude * pow10(shift)
        } else {
            scaled = magnitude / pow10(-shift)
        }
        let rounded = scaled.rounded()
        return rounded < 1.8e19 ? UInt64(rounded) : UInt64.max
    }

    /// 10^`power` (≥ 0); exact up to 10^22.
    @inline(__always)
    private static func pow10(_ power: Int) -> Double {
        if power <= 19 { return Double(powersOfTen[power]) }
        var result = 1.0
        for _ in 0..<power { result *= 10 }
        return result
    }

    private mutating func appendScientific(_ significand: UInt64, count: Int, exponent: Int) {
        let divisor = CSVBuffer.powersOfTen[count - 1]
        appendDigits(significand / divisor)
        if count > 1 {
            append(UInt8(ascii: "."))
            appendDigits(significand % divisor, width: count - 1)
        }
        append(UInt8(ascii: "e"))
        append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        appendDigits(UInt64(abs(exponent)), width: 2)
    }
}

extension UInt {
    @inline(__always) var toUInt64: UInt64 { UInt64(truncatingIfNeeded: self) }
}
