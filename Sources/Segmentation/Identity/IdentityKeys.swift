import CustomerData
import Foundation

/// The normalisers for e-mail addresses, member ids, names and birthdays. Each returns nil
/// for a value that is present but cannot be a key (callers count those as malformed);
/// blank input is never passed in.
public enum IdentityKeys {
    /// NFKC of `text`; ASCII text is its own NFKC, and most keys are ASCII, so that is skipped
    /// for them (Foundation's normalisation costs about a microsecond a call).
    static func compatibility(_ text: String) -> String {
        text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCompatibilityMapping
    }

    /// `text` without white space at either end: `IdentifierText.trimmed`, the rule
    /// `persona features` also applies to record ids before looking them up.
    static func trimmed(_ text: String) -> String { IdentifierText.trimmed(text) }

    /// Whether `text` holds white space or a control character.
    static func hasSpaceOrControl(_ text: String) -> Bool {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.contains { $0 <= 0x20 || $0 == 0x7F } }
        return text.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 }
    }

    /// NFC of `text`, skipped for ASCII as `compatibility` is.
    static func canonical(_ text: String) -> String {
        text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
    }

    /// Trimmed, lower-cased, Unicode NFC; exactly one `@`, a non-empty local part, and a domain
    /// with a dot that neither starts nor ends it; no spaces. Provider rules (Gmail dots,
    /// `+tags`) are not applied: they are not true of every provider.
    public static func email(_ text: String) -> String? {
        let value = canonical(trimmed(text)).lowercased()
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty,
              domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains(".."),
              !hasSpaceOrControl(value)
        else { return nil }
        return value
    }

    /// What to do with a member id's leading zeros (`member_id: {leading_zeros: keep|strip}`).
    public enum LeadingZeros: String, Sendable, Codable, CaseIterable {
        case keep, strip
    }

    /// Trimmed and upper-cased (NFKC first, so full-width characters match); leading zeros
    /// kept or stripped (an id of zeros only keeps one). Nil when it holds a space or a control.
    public static func memberID(_ text: String, leadingZeros: LeadingZeros) -> String? {
        var value = trimmed(compatibility(text)).uppercased()
        guard !value.isEmpty, !hasSpaceOrControl(value) else { return nil }
        if leadingZeros == .strip {
            let stripped = value.drop { $0 == "0" }
            value = stripped.isEmpty ? "0" : String(stripped)
        }
        return value
    }

    /// NFKC (full-width letters to ASCII), runs of white space to one space, trimmed, lower-cased.
    public static func name(_ text: String) -> String {
        compatibility(text).lowercased()
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// `1990-05-17` from `1990-05-17`, `1990/5/17`, `1990.05.17` or `19900517` (NFKC first);
    /// nil for anything else or an impossible date.
    public static func birthday(_ text: String) -> String? {
        let value = trimmed(compatibility(text))
        var fields = value.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).map(String.init)
        if fields.count == 1, value.count == 8, value.allSatisfy(\.isASCII) {
            fields = [String(value.prefix(4)), String(value.dropFirst(4).prefix(2)), String(value.suffix(2))]
        }
        guard fields.count == 3, fields[0].count == 4, let y = Int(fields[0]), let m = Int(fields[1]), let d = Int(fields[2]),
              (1900...2100).contains(y), (1...12).contains(m), d >= 1, d <= days(inMonth: m, year: y)
        else { return nil }
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    private static func days(inMonth m: Int, year y: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// A key value shown without giving it away: `+86138******00`, `j***@example.com`.
    public static func masked(_ value: String) -> String {
        if let at = value.firstIndex(of: "@") {
            return String(value.prefix(1)) + "***" + value[at...]
        }
        let characters = Array(value)
        guard characters.count > 6 else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(4)) + String(repeating: "*", count: characters.count - 6) + String(characters.suffix(2))
    }
}
