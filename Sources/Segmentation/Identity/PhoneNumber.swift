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

    /// Regions whose national numbers are dialled with a leading trunk `0`.
    private static let trunkZero: Set<String> = ["86", "44", "49", "33", "81", "61"]

    /// The number in E.164, or nil when it cannot be a phone number (letters, too short or
    /// too long for its region, one digit repeated, an unknown calling code of impossible length).
    /// Blank text is nil too; callers tell "missing" from "malformed" by trimming first.
    /// - Parameter country: ISO region (`CN`) for numbers written without a calling code.
    public static func e164(_ text: String, country: String) -> String? {
        guard let (international, digits) = scan(text), !digits.isEmpty else { return nil }
        guard let home = callingCodes[country.uppercased()] else { return nil }
        var number: (code: String, national: String)?
        if international {
            number = split(digits)
        } else if digits.hasPrefix("00") {
            number = split(String(digits.dropFirst(2)))
        } else if home != "1", digits.hasPrefix(home), plausible(String(digits.dropFirst(home.count)), code: home) {
            // 8613800138000: the calling code written without '+'.
            number = (home, String(digits.dropFirst(home.count)))
        } else if home == "1", digits.count == 11, digits.hasPrefix("1") {
            number = ("1", String(digits.dropFirst()))
        } else {
            number = (home, digits)
        }
        guard let code = number?.code, var national = number?.national else { return nil }
        if trunkZero.contains(code), national.hasPrefix("0") { national.removeFirst() }  // +44 (0)20…, 0138…
        guard plausible(national, code: code) else { return nil }
        return "+" + code + national
    }

    /// `+` seen before the first digit, and the digits up to an extension; nil for a character
    /// that does not belong in a phone number.
    static func scan(_ text: String) -> (international: Bool, digits: String)? {
        let folded = IdentityKeys.compatibility(text).lowercased()
        var digits = ""
        var plus = false
        for scalar in folded.unicodeScalars {
            switch scalar {
            case "0"..."9": digits.unicodeScalars.append(scalar)
            case "+":
                guard digits.isEmpty, !plus else { return nil }
                plus = true
            case " ", "-", ".", "(", ")", "/", "\u{A0}", "\t", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2212}":
                continue
            case "x", "e", "#", "转", "分", ",", ";", "w", "p":
                // An extension or a pause: what follows is dialled after the call connects.
                return digits.isEmpty ? nil : (plus, digits)
            default:
                return nil
            }
        }
        return (plus, digits)
    }

    /// The calling code (longest known prefix first) and national part of international digits.
    private static func split(_ digits: String) -> (code: String, national: String)? {
        for length in [3, 2, 1] where digits.count > length {
            let code = String(digits.prefix(length))
            if Set(callingCodes.values).contains(code) { return (code, String(digits.dropFirst(length))) }
        }
        // Another calling code: kept whole when its length is possible in E.164.
        guard (8...15).contains(digits.count), let first = digits.first, first != "0" else { return nil }
        return ("", digits)
    }

    /// Whether `national` can be a number under `code`'s length and leading-digit rules.
    static func plausible(_ national: String, code: String) -> Bool {
        let d = Array(national.utf8).map { Int($0) - 48 }
        guard let first = d.first, first != 0 else { return code.isEmpty && (8...15).contains(d.count) }
        if Set(d).count == 1 { return false }  // 1111111111: a placeholder, not a number
        let n = d.count
        switch code {
        case "86":
            if first == 1 { return (n == 11 && (3...9).contains(d[1])) || (n == 10 && d[1] == 0) }  // mobile, or Beijing 010
            return (9...11).contains(n)
        case "1": return n == 10 && first >= 2 && d[3] >= 2
        case "44": return (9...10).contains(n)
        case "49": return (6...13).contains(n)
        case "33": return n == 9
        case "81": return (9...10).contains(n)
        case "65": return n == 8 && [3, 6, 8, 9].contains(first)
        case "852": return n == 8 && [2, 3, 5, 6, 7, 8, 9].contains(first)
        case "61": return n == 9 && [2, 3, 4, 7, 8].contains(first)
        default: return (8...15).contains(n + code.count)
        }
    }
}
