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
        return isEmail(Array(value.utf8)) && !hasSpaceOrControl(value) ? value : nil
    }

    /// `email`'s rules on the UTF-8 bytes of a normalised value (spaces and controls beyond
    /// ASCII are `hasSpaceOrControl`'s to find).
    static func isEmail<C: BidirectionalCollection>(_ value: C) -> Bool where C.Element == UInt8 {
        let at = UInt8(ascii: "@"), dot = UInt8(ascii: ".")
        guard let i = value.firstIndex(of: at), i != value.startIndex else { return false }
        let domain = value[value.index(after: i)...]
        guard !domain.contains(at), domain.contains(dot), domain.first != dot, domain.last != dot,
              !zip(domain, domain.dropFirst()).contains(where: { $0 == dot && $1 == dot })
        else { return false }
        return !value.contains(where: isASCIISpaceOrControl)
    }

    static func isASCIISpaceOrControl(_ b: UInt8) -> Bool { b <= 0x20 || b == 0x7F }

    /// What to do with a member id's leading zeros (`member_id: {leading_zeros: keep|strip}`).
    public enum LeadingZeros: String, Sendable, Codable, CaseIterable {
        case keep, strip
    }

    /// Trimmed and upper-cased (NFKC first, so full-width characters match); leading zeros
    /// kept or stripped (an id of zeros only keeps one). Nil when it holds a space or a control.
    public static func memberID(_ text: String, leadingZeros: LeadingZeros) -> String? {
        let value = trimmed(compatibility(text)).uppercased()
        guard !value.isEmpty, !hasSpaceOrControl(value) else { return nil }
        return String(value.utf8.dropFirst(zerosToDrop(value.utf8, leadingZeros))) ?? value
    }

    /// How many leading zeros `rule` drops from an id: all of them, but one of an id of zeros only.
    static func zerosToDrop<C: Collection>(_ value: C, _ rule: LeadingZeros) -> Int where C.Element == UInt8 {
        guard rule == .strip else { return 0 }
        return min(value.prefix { $0 == UInt8(ascii: "0") }.count, value.count - 1)
    }

    /// NFKC (full-width letters to ASCII), runs of white space to one space, trimmed, lower-cased.
    public static func name(_ text: String) -> String {
        compatibility(text).lowercased()
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The ASCII white space of `Character.isWhitespace` (and of Foundation's
    /// `whitespacesAndNewlines`): tab, line feed, vertical tab, form feed, carriage return, space.
    static func isASCIISpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

    /// What a CSV field holds for one key, once normalised.
    enum Outcome { case blank, malformed, value }

    /// The ASCII text that NFKC makes of `raw` when it holds only ASCII, full-width forms
    /// (U+FF01-U+FF5E, NFKC `!`-`~`) and the ideographic space (U+3000, NFKC a space), as
    /// exports from Chinese and Japanese systems often do; nil for other text.
    static func widthFolded(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            let b = raw[i]
            if b < 0x80 {
                out.append(b)
                i += 1
                continue
            }
            guard i + 2 < raw.count else { return nil }
            let (b1, b2) = (raw[i + 1], raw[i + 2])
            if b == 0xE3, b1 == 0x80, b2 == 0x80 {
                out.append(0x20)
            } else if b == 0xEF, b1 == 0xBC, (0x81...0xBF).contains(b2) {
                out.append(b2 - 0x81 + 0x21)  // U+FF01-U+FF3F
            } else if b == 0xEF, b1 == 0xBD, (0x80...0x9E).contains(b2) {
                out.append(b2 - 0x80 + 0x60)  // U+FF40-U+FF5E
            } else {
                return nil
            }
            i += 3
        }
        return out
    }

    /// Normalises the raw field `raw` of `field` into `out` (cleared first): ASCII fields on
    /// their bytes, others through the `String` normalisers above, which define the rules (a
    /// test checks that both agree on ASCII text). Birthdays come out as yyyymmdd in `date`.
    static func normalise(_ field: IdentityField, _ raw: UnsafeBufferPointer<UInt8>, leadingZeros: LeadingZeros,
                          into out: inout [UInt8], date: inout Int32) -> Outcome {
        out.removeAll(keepingCapacity: true)
        if field != .email, !raw.allSatisfy({ $0 < 0x80 }), let folded = widthFolded(raw) {
            // NFKC comes first for every field but e-mail (NFC), and makes this text ASCII.
            return folded.withUnsafeBufferPointer { normalise(field, $0, leadingZeros: leadingZeros, into: &out, date: &date) }
        }
        guard raw.allSatisfy({ $0 < 0x80 }) else {
            let text = String(decoding: raw, as: UTF8.self)
            guard !trimmed(text).isEmpty else { return .blank }
            let value: String?
            switch field {
            case .email: value = email(text)
            case .memberID: value = memberID(text, leadingZeros: leadingZeros)
            case .fullName: value = name(text)
            case .birthday:
                value = birthday(text)
                if let value { date = birthdayNumber(Array(value.utf8)) ?? 0 }
            case .phone: value = nil  // `PhoneNumber.number` reads phones
            }
            guard let value else { return .malformed }
            out.append(contentsOf: value.utf8)
            return .value
        }
        var start = 0, end = raw.count
        while start < end, isASCIISpace(raw[start]) { start += 1 }
        while end > start, isASCIISpace(raw[end - 1]) { end -= 1 }
        guard start < end else { return .blank }
        let value = UnsafeBufferPointer(rebasing: raw[start..<end])
        switch field {
        case .email:
            for b in value { out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
            return isEmail(out) ? .value : .malformed
        case .memberID:
            guard !value.contains(where: isASCIISpaceOrControl) else { return .malformed }
            for b in value.dropFirst(zerosToDrop(value, leadingZeros)) { out.append(b >= 0x61 && b <= 0x7A ? b & ~0x20 : b) }
            return .value
        case .fullName:
            var space = false
            for b in value {
                if isASCIISpace(b) {
                    space = true
                    continue
                }
                if space, !out.isEmpty { out.append(0x20) }
                space = false
                out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
            }
            return .value
        case .birthday:
            guard let number = birthdayNumber(Array(value)) else { return .malformed }
            date = number
            return .value
        case .phone:
            return .malformed  // `PhoneNumber.number` reads phones
        }
    }

    /// `1990-05-17` from `1990-05-17`, `1990/5/17`, `1990.05.17` or `19900517` (NFKC first);
    /// nil for anything else or an impossible date.
    public static func birthday(_ text: String) -> String? {
        let value = trimmed(compatibility(text))
        guard value.utf8.allSatisfy({ $0 < 0x80 }), let date = birthdayNumber(Array(value.utf8)) else { return nil }
        return birthdayText(date)
    }

    /// `1990-05-17` from `birthdayNumber`'s 19900517.
    static func birthdayText(_ date: Int32) -> String {
        let (y, m, d) = (Int(date) / 10_000, Int(date) / 100 % 100, Int(date) % 100)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return String(y) + "-" + two(m) + "-" + two(d)
    }

    /// The date of a trimmed ASCII birthday as yyyymmdd, or nil: fields split at `-`, `/`
    /// and `.` (empty ones dropped), or eight digits; each field an integer as Swift's `Int`
    /// reads one (a sign allowed); the year four characters, 1900-2100.
    static func birthdayNumber(_ value: [UInt8]) -> Int32? {
        let separators: [UInt8] = [UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: ".")]
        var fields = value.split(whereSeparator: separators.contains)
        if fields.count == 1, value.count == 8 {
            fields = [value[0..<4], value[4..<6], value[6..<8]]
        }
        guard fields.count == 3, fields[0].count == 4, let y = integer(fields[0]), let m = integer(fields[1]),
              let d = integer(fields[2]), (1900...2100).contains(y), (1...12).contains(m), d >= 1, d <= days(inMonth: m, year: y)
        else { return nil }
        return Int32(y * 10_000 + m * 100 + d)
    }

    /// `Int(text)` for ASCII text: an optional sign, then one or more digits, no overflow.
    private static func integer(_ text: ArraySlice<UInt8>) -> Int? {
        var digits = text[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var n = 0
        for b in digits {
            guard b >= 0x30, b <= 0x39 else { return nil }
            let (times, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(b - 0x30))
            guard !o1, !o2 else { return nil }
            n = sum
        }
        return negative ? -n : n
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
