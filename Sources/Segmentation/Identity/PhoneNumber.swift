import Foundation

/// Phone numbers brought to E.164 (`+8613800138000`) so that one number written several ways
/// is one key. Formatting is dropped (spaces, dashes, dots, brackets, slashes), full-width
/// digits and `＋` become ASCII (Unicode NFKC), an extension (`ext 12`, `x12`, `#12`, `转12`)
/// is cut off, international prefixes `+`, `00` and a bare calling code are read, and a
/// national trunk `0` is removed.
///
/// Length and leading-digit rules are kept for the regions listed in `callingCodes`; they are
/// plausibility checks (a number that cannot exist is rejected), not a numbering plan: a
/// number that passes may still be unassigned. Numbers of other calling codes are accepted
/// at 8-15 digits, E.164's limits. Not handled: vanity letters (1-800-FLOWERS), and numbers
/// with an international prefix other than `00` (such as `011` from North America).
public enum PhoneNumber {
    /// Calling codes of the regions with length rules; a config's `country` must be one of these.
    public static let callingCodes: [String: String] = [
        "CN": "86", "US": "1", "CA": "1", "GB": "44", "UK": "44", "DE": "49", "FR": "33",
        "JP": "81", "SG": "65", "HK": "852", "AU": "61",
    ]

    /// Calling codes that are dialled with a leading trunk `0` inside their region.
    private static let trunkZero: Set<Int> = [86, 44, 49, 33, 81, 61]
    /// The calling codes of `callingCodes`, as numbers.
    private static let knownCodes: Set<Int> = Set(callingCodes.values.compactMap { Int($0) })

    /// The number in E.164, or nil when it cannot be a phone number (letters, too short or
    /// too long for its region, one digit repeated, an unknown calling code of impossible length).
    /// Blank text is nil too; callers tell "missing" from "malformed" by trimming first.
    /// - Parameter country: ISO region (`CN`) for numbers written without a calling code.
    public static func e164(_ text: String, country: String) -> String? {
        guard let home = callingCodes[country.uppercased()].flatMap({ Int($0) }) else { return nil }
        let folded = IdentityKeys.compatibility(text).lowercased()
        return number(scalars: folded.unicodeScalars.lazy.map(\.value), home: home).map { "+" + String($0) }
    }

    /// `e164` of the UTF-8 bytes of a CSV field, as a number: the digits after E.164's `+`
    /// (never 0: a calling code does not start with 0), nil when malformed. ASCII fields are
    /// read byte by byte; others go through `e164`'s Unicode folding.
    /// - Parameter home: the calling code (86) for numbers written without one.
    static func number(_ raw: UnsafeBufferPointer<UInt8>, home: Int) -> UInt64? {
        guard raw.allSatisfy({ $0 < 0x80 }) else {
            if let ascii = IdentityKeys.widthFolded(raw) { return ascii.withUnsafeBufferPointer { number($0, home: home) } }
            let folded = IdentityKeys.compatibility(String(decoding: raw, as: UTF8.self)).lowercased()
            return number(scalars: folded.unicodeScalars.lazy.map(\.value), home: home)
        }
        // NFKC leaves ASCII as it is, and lower-casing ASCII is this.
        return number(scalars: raw.lazy.map { UInt32($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) }, home: home)
    }

    /// The most digits read: no rule below accepts more (15 for E.164, plus `00` and a trunk `0`).
    private static let maxDigits = 24

    /// Reads folded scalars (`+`, digits, formatting, then maybe an extension) and applies the
    /// rules to the digits.
    private static func number<S: Sequence>(scalars: S, home: Int) -> UInt64? where S.Element == UInt32 {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxDigits) { buffer -> UInt64? in
            var count = 0
            var plus = false
            scanning: for scalar in scalars {
                switch scalar {
                case 0x30...0x39:
                    guard count < maxDigits else { return nil }
                    buffer[count] = UInt8(scalar - 0x30)
                    count += 1
                case 0x2B:  // +
                    guard count == 0, !plus else { return nil }
                    plus = true
                case 0x20, 0x2D, 0x2E, 0x28, 0x29, 0x2F, 0xA0, 0x09, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212:
                    continue  // space - . ( ) / no-break space, tab, hyphens and dashes, minus sign
                case 0x78, 0x65, 0x23, 0x8F6C, 0x5206, 0x2C, 0x3B, 0x77, 0x70:
                    // x e # 转 分 , ; w p: an extension or a pause, dialled after the call connects.
                    guard count > 0 else { return nil }
                    break scanning
                default:
                    return nil
                }
            }
            guard count > 0 else { return nil }
            return resolve(international: plus, digits: UnsafeBufferPointer(rebasing: buffer[..<count]), home: home)
        }
    }

    /// The calling code and national number of the digits read, checked; as E.164 digits.
    private static func resolve(international: Bool, digits: UnsafeBufferPointer<UInt8>, home: Int) -> UInt64? {
        let homeLength = length(home)
        var code: Int, national: UnsafeBufferPointer<UInt8>
        if international {
            guard let parts = split(digits) else { return nil }
            (code, national) = parts
        } else if digits.count >= 2, digits[0] == 0, digits[1] == 0 {
            guard let parts = split(UnsafeBufferPointer(rebasing: digits[2...])) else { return nil }
            (code, national) = parts
        } else if home != 1, digits.count >= homeLength, value(digits[..<homeLength]) == home,
                  plausible(UnsafeBufferPointer(rebasing: digits[homeLength...]), code: home) {
            // 8613800138000: the calling code written without '+'.
            (code, national) = (home, UnsafeBufferPointer(rebasing: digits[homeLength...]))
        } else if home == 1, digits.count == 11, digits[0] == 1 {
            (code, national) = (1, UnsafeBufferPointer(rebasing: digits[1...]))
        } else {
            (code, national) = (home, digits)
        }
        if trunkZero.contains(code), national.first == 0 { national = UnsafeBufferPointer(rebasing: national[1...]) }  // +44 (0)20…, 0138…
        guard plausible(national, code: code) else { return nil }
        return UInt64(code) * pow10(national.count) + value(national[...])
    }

    /// The calling code (longest known prefix first; 0 for another code, kept in the national
    /// part) and national part of international digits.
    private static func split(_ digits: UnsafeBufferPointer<UInt8>) -> (code: Int, national: UnsafeBufferPointer<UInt8>)? {
        for length in [3, 2, 1] where digits.count > length {
            let code = Int(value(digits[..<length]))
            if digits[0] != 0, knownCodes.contains(code) { return (code, UnsafeBufferPointer(rebasing: digits[length...])) }
        }
        // Another calling code: kept whole when its length is possible in E.164.
        guard (8...15).contains(digits.count), let first = digits.first, first != 0 else { return nil }
        return (0, digits)
    }

    /// Whether `national` can be a number under `code`'s length and leading-digit rules (code
    /// 0: another calling code, the digits whole).
    private static func plausible(_ d: UnsafeBufferPointer<UInt8>, code: Int) -> Bool {
        guard let first = d.first, first != 0 else { return code == 0 && (8...15).contains(d.count) }
        if d.allSatisfy({ $0 == first }) { return false }  // 1111111111: a placeholder, not a number
        let n = d.count
        switch code {
        case 86:
            if first == 1 { return (n == 11 && (3...9).contains(d[1])) || (n == 10 && d[1] == 0) }  // mobile, or Beijing 010
            return (9...11).contains(n)
        case 1: return n == 10 && first >= 2 && d[3] >= 2
        case 44: return (9...10).contains(n)
        case 49: return (6...13).contains(n)
        case 33: return n == 9
        case 81: return (9...10).contains(n)
        case 65: return n == 8 && [3, 6, 8, 9].contains(first)
        case 852: return n == 8 && [2, 3, 5, 6, 7, 8, 9].contains(first)
        case 61: return n == 9 && [2, 3, 4, 7, 8].contains(first)
        default: return (8...15).contains(n + (code == 0 ? 0 : length(code)))
        }
    }

    private static func value(_ digits: Slice<UnsafeBufferPointer<UInt8>>) -> UInt64 {
        digits.reduce(0) { $0 * 10 + UInt64($1) }
    }

    private static func length(_ code: Int) -> Int { code >= 100 ? 3 : code >= 10 ? 2 : 1 }

    private static func pow10(_ n: Int) -> UInt64 { (0..<n).reduce(1) { p, _ in p * 10 } }
}
