import Foundation

/// The language of every label in a report and notebook (`--lang`).
public enum Language: String, Sendable, CaseIterable {
    case en, zh

    var htmlCode: String { self == .zh ? "zh-CN" : "en" }
}

/// Looks labels up by their English text; `{0}`, `{1}` … are replaced by the arguments.
/// A label without a Chinese entry falls back to English (a test reads the sources and
/// insists that none is missing).
public struct Localizer: Sendable {
    public let language: Language

    public init(_ language: Language) { self.language = language }

    public func callAsFunction(_ english: String, _ arguments: String...) -> String {
        var template = english
        if language == .zh, let translated = Strings.zh[english] { template = translated }
        return Localizer.substitute(template, arguments)
    }

    /// `{0}`, `{1}` … replaced by the arguments in one pass over the template, so an argument
    /// that itself reads `{1}` (a column or file name) is kept as it is.
    static func substitute(_ template: String, _ arguments: [String]) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let afterOpen = rest.index(after: open)
            if let close = rest[afterOpen...].firstIndex(of: "}"), let i = Int(rest[afterOpen..<close]), arguments.indices.contains(i) {
                out += arguments[i]
                rest = rest[rest.index(after: close)...]
            } else {
                out.append("{")
                rest = rest[afterOpen...]
            }
        }
        return out + rest
    }

    /// The tooltip of a box in `Charts.boxes`: group, median, first and third quartile.
    var boxHover: String {
        let t = self
        return t("{0}: median {1}, quartiles {2}–{3}")
    }

    /// A tier, lifecycle stage or risk name: translated when it is one of Persona's defaults,
    /// kept as configured otherwise.
    public func name(_ name: String) -> String {
        language == .zh ? (Strings.zhNames[name] ?? name) : name
    }

    /// A persona name built from default parts ("high value · active · prefers: Toys").
    public func personaName(_ persona: String) -> String {
        guard language == .zh else { return persona }
        return persona.components(separatedBy: " · ").map { part in
            if part.hasSuffix(" value") { return name(String(part.dropLast(" value".count))) + "价值" }
            if part.hasPrefix("prefers: ") { return "偏好: " + part.dropFirst("prefers: ".count) }
            if part.hasPrefix("high ") { return "高 " + part.dropFirst("high ".count) }
            if part == "price: discount-seeker" { return "价格: 折扣敏感" }
            if part == "price: premium" { return "价格: 高端" }
            return name(part)
        }.joined(separator: " · ")
    }
}

/// Number formatting for reports: thousands separators, fixed decimals, percentages.
public enum ReportFormat {
    public static func count(_ n: Int) -> String { grouped(String(n.magnitude), negative: n < 0) }

    /// Digits with a comma every three from the right.
    static func grouped(_ digits: String, negative: Bool) -> String {
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (negative ? "-" : "") + out
    }

    public static func decimal(_ x: Double, _ places: Int) -> String {
        guard x.isFinite else { return "–" }
        let text = String(format: "%.\(places)f", x)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    public static func percent(_ fraction: Double, _ places: Int = 1) -> String {
        fraction.isFinite ? decimal(fraction * 100, places) + "%" : "–"
    }

    /// Three significant digits, with thousands separators above 1,000 (for original units).
    public static func magnitude(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        if abs(x) >= 1e15 { return String(format: "%.3g", x) }  // beyond what grouped digits help with
        if abs(x) >= 1_000 { return grouped(String(format: "%.0f", abs(x)), negative: x < 0) }
        if abs(x) >= 100 { return decimal(x, 0) }
        if abs(x) >= 10 { return decimal(x, 1) }
        return decimal(x, 2)
    }
}
