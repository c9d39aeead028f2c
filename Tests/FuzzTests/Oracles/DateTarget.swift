@testable import CustomerData

/// Order-log dates (`TimestampFormat`): one input is lines of text. Every line is parsed as
/// an ISO date; when the first line is a valid `--date-format` pattern, the other lines are
/// parsed with it too.
///
/// Properties:
/// - ISO parsing agrees with `referenceISO`, written from the documented forms with its own
///   day count (so Hinnant's algorithm is checked against a second formula). Zone offsets
///   beyond ±23:59 are left out of the comparison: whether they are refused is being decided
///   elsewhere;
/// - a pattern either fails with `TimestampFormatError` (the type system sees to that) or
///   reads back a date written in it (`formatted`), and whatever it accepts lies between
///   year 0 and year 9999 and prints (`TimestampFormat.text`) without trapping;
/// - `civil(days:)` inverts `days(year:month:day:)` for day numbers from the input's hash.
enum DateTarget: FuzzTarget {
    static let name = "dates"
    static let maxLength = 1024

    static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let lines = input.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        for line in lines {
            let got = withPointer(line) { TimestampFormat.iso.parse($0, line.count) }
            switch referenceISO(line[...]) {
            case .value(let want):
                try require(got == want, "ISO \(shown(line)) parses to \(got.map(String.init) ?? "nil"), the reference says \(want.map(String.init) ?? "nil")")
            case .eitherOr(let want):
                try require(got == nil || got == want, "ISO \(shown(line)) parses to \(got.map(String.init) ?? "nil"), expected nil or \(want)")
            }
            if let got {
                try checkRange(got, line)
                FuzzStats.accepted(name, "ISO dates")
            }
        }
        if let first = lines.first, let pattern = try? TimestampFormat(pattern: String(decoding: first, as: UTF8.self)) {
            for line in lines.dropFirst() {
                if let got = withPointer(line, { pattern.parse($0, line.count) }) { try checkRange(got, line) }
            }
            try checkFormatted(pattern, seed: stableHash(input))
            FuzzStats.accepted(name, "patterns")
        }
        var h = stableHash(input)
        for _ in 0..<4 {
            h = h &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let day = Int(h >> 40) - (1 << 23)  // about ±23,000 years around 1970
            let (y, m, d) = TimestampFormat.civil(days: day)
            try require(TimestampFormat.days(year: y, month: m, day: d) == day && (1...12).contains(m) && (1...31).contains(d),
                        "civil(days: \(day)) is \(y)-\(m)-\(d), which is day \(TimestampFormat.days(year: y, month: m, day: d))")
        }
    }

    private static let earliest = Int64(referenceDays(year: 0, month: 1, day: 1) - 1) * 86_400
    private static let latest = Int64(referenceDays(year: 9999, month: 12, day: 31) + 2) * 86_400

    private static func checkRange(_ seconds: Int64, _ line: [UInt8]) throws(PropertyViolation) {
        try require(seconds >= earliest && seconds <= latest, "\(shown(line)) parses to \(seconds), outside years 0…9999")
        _ = TimestampFormat.text(seconds)
    }

    // MARK: - ISO reference

    enum Expected { case value(Int64?), eitherOr(Int64) }

    static func referenceISO(_ text: ArraySlice<UInt8>) -> Expected {
        var t = text
        while t.first == 0x20 { t.removeFirst() }
        while t.last == 0x20 { t.removeLast() }
        let s = Array(t)
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at >= 0, at + count <= s.count else { return nil }
            var v = 0
            for b in s[at..<(at + count)] {
                guard (0x30...0x39).contains(b) else { return nil }
                v = v * 10 + Int(b - 0x30)
            }
            return v
        }
        func byte(_ at: Int) -> UInt8? { at < s.count ? s[at] : nil }
        guard let y = digits(0, 4), byte(4) == 0x2D, let m = digits(5, 2), byte(7) == 0x2D, let d = digits(8, 2) else { return .value(nil) }
        var h = 0, mi = 0, sec = 0, offset = 0, saneOffset = true
        var i = 10
        if i < s.count {
            guard byte(i) == 0x20 || byte(i) == 0x54, let hh = digits(i + 1, 2), byte(i + 3) == 0x3A, let mm = digits(i + 4, 2) else { return .value(nil) }
            (h, mi) = (hh, mm)
            i += 6
            if byte(i) == 0x3A {
                guard let ss = digits(i + 1, 2) else { return .value(nil) }
                sec = ss
                i += 3
                if byte(i) == 0x2E {
                    i += 1
                    let start = i
                    while let b = byte(i), (0x30...0x39).contains(b) { i += 1 }
                    guard i > start else { return .value(nil) }
                }
            }
            if byte(i) == 0x5A {
                i += 1
            } else if let sign = byte(i), sign == 0x2B || sign == 0x2D {
                guard let oh = digits(i + 1, 2), byte(i + 3) == 0x3A, let om = digits(i + 4, 2) else { return .value(nil) }
                offset = (sign == 0x2B ? 1 : -1) * (oh * 3600 + om * 60)
                // Offsets in use run from -12:00 to +14:00 (minutes below 60); others are refused.
                guard om <= 59, (-12 * 3600...14 * 3600).contains(offset) else { return .value(nil) }
                i += 6
            }
            guard i == s.count else { return .value(nil) }
        }
        guard (1...12).contains(m), d >= 1, d <= monthLength(year: y, month: m), h <= 23, mi <= 59, sec <= 60 else { return .value(nil) }
        let value = Int64(referenceDays(year: y, month: m, day: d)) * 86_400 + Int64(h * 3600 + mi * 60 + sec) - Int64(offset)
        return saneOffset ? .value(value) : .eitherOr(value)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func monthLength(year: Int, month: Int) -> Int {
        [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// Days from 1970-01-01, counted as whole years from year 0 (a leap year) plus months.
    static func referenceDays(year: Int, month: Int, day: Int) -> Int {
        func daysBefore(_ y: Int) -> Int {  // days from 0000-01-01 to y-01-01, for y >= 0
            y == 0 ? 0 : 365 * y + (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400 + 1
        }
        let months = (1..<month).reduce(0) { $0 + monthLength(year: year, month: $1) }
        return daysBefore(year) + months + day - 1 - daysBefore(1970)
    }

    // MARK: - Patterns

    /// Writes a date from `seed` in `pattern` and reads it back. Skipped for patterns where
    /// the written text is ambiguous by the documented rules: a month name followed by a
    /// letter or another month name (the name may be spelled out), or blanks at either end (values are trimmed).
    static func checkFormatted(_ format: TimestampFormat, seed: UInt64) throws(PropertyViolation) {
        // Blanks compared as bytes: `hasPrefix(" ")` compares characters, and a space followed
        // by a combining mark is one character that is not " ".
        guard let pieces = format.pieces, let pattern = format.pattern,
              pieces.first != .literal(0x20), pieces.last != .literal(0x20) else { return }
        for (k, piece) in pieces.enumerated() where piece == .monthName && k + 1 < pieces.count {
            if pieces[k + 1] == .monthName { return }
            if case .literal(let b) = pieces[k + 1], (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) { return }
        }
        var r = seed
        func next(_ bound: Int) -> Int {
            r = r &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(r >> 33) % bound
        }
        let twoDigitYear = pieces.contains(.year2)
        let y = twoDigitYear ? 1969 + next(100) : 1000 + next(9000)
        let m = 1 + next(12)
        let d = 1 + next(monthLength(year: y, month: m))
        let hasTime = (hour: pieces.contains(.hour), minute: pieces.contains(.minute), second: pieces.contains(.second))
        let h = hasTime.hour ? next(24) : 0, mi = hasTime.minute ? next(60) : 0, s = hasTime.second ? next(60) : 0
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var text = [UInt8]()
        for piece in pieces {
            switch piece {
            case .year4: text += Array(String(y).utf8)
            case .year2: text += Array(two(y % 100).utf8)
            case .month: text += Array(two(m).utf8)
            case .monthName: text += Array(names[m - 1].utf8)
            case .day: text += Array(two(d).utf8)
            case .hour: text += Array(two(h).utf8)
            case .minute: text += Array(two(mi).utf8)
            case .second: text += Array(two(s).utf8)
            case .literal(let b): text.append(b)
            }
        }
        let want = Int64(referenceDays(year: y, month: m, day: d)) * 86_400 + Int64(h * 3600 + mi * 60 + s)
        let got = withPointer(text) { format.parse($0, text.count) }
        try require(got == want, "pattern \"\(pattern)\" reads \(shown(text)) as \(got.map(String.init) ?? "nil"), not \(want)")
    }
}
