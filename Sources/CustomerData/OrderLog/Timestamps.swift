/// Dates and times in an order log, as seconds since 1970-01-01 00:00 in the log's own clock.
///
/// ISO forms are recognised without a format: `2011-12-09`, `2011-12-09 12:50`,
/// `2011-12-09 12:50:00`, `2011-12-09T12:50:00`, with optional fractional seconds and a `Z` or
/// `±HH:MM` suffix (then converted to UTC). Other layouts take a `--date-format` pattern in the
/// strftime style: `%Y %y %m %d %H %M %S %b %%` and literal characters.
public struct TimestampFormat: Sendable, Equatable {
    enum Piece: Equatable, Sendable {
        case year4, year2, month, monthName, day, hour, minute, second
        case literal(UInt8)
    }

    let pieces: [Piece]?
    /// The `--date-format` pattern; nil for ISO.
    public let pattern: String?

    /// ISO 8601 dates and date-times.
    public static let iso = TimestampFormat(pieces: nil, pattern: nil)

    private init(pieces: [Piece]?, pattern: String?) {
        self.pieces = pieces
        self.pattern = pattern
    }

    /// Parses a strftime-style pattern; the error says what is wrong with it.
    public init(pattern: String) throws(TimestampFormatError) {
        var pieces = [Piece]()
        var bytes = Array(pattern.utf8)[...]
        var hasYear = false, hasMonth = false, hasDay = false
        while let b = bytes.popFirst() {
            guard b == UInt8(ascii: "%") else { pieces.append(.literal(b)); continue }
            guard let spec = bytes.popFirst() else { throw TimestampFormatError(pattern: pattern, reason: "it ends with a lone %") }
            switch spec {
            case UInt8(ascii: "Y"): pieces.append(.year4); hasYear = true
            case UInt8(ascii: "y"): pieces.append(.year2); hasYear = true
            case UInt8(ascii: "m"): pieces.append(.month); hasMonth = true
            case UInt8(ascii: "b"): pieces.append(.monthName); hasMonth = true
            case UInt8(ascii: "d"): pieces.append(.day); hasDay = true
            case UInt8(ascii: "H"): pieces.append(.hour)
            case UInt8(ascii: "M"): pieces.append(.minute)
            case UInt8(ascii: "S"): pieces.append(.second)
            case UInt8(ascii: "%"): pieces.append(.literal(UInt8(ascii: "%")))
            default:
                throw TimestampFormatError(pattern: pattern, reason: "%\(Character(Unicode.Scalar(spec))) is not supported (use %Y %y %m %b %d %H %M %S)")
            }
        }
        guard hasYear, hasMonth, hasDay else {
            throw TimestampFormatError(pattern: pattern, reason: "it needs a year (%Y or %y), a month (%m or %b) and a day (%d)")
        }
        self.pieces = pieces
        self.pattern = pattern
    }

    /// Seconds since 1970-01-01 00:00, or nil when the text does not fit.
    public func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        var start = 0, end = n
        while start < end, p[start] == 0x20 { start += 1 }
        while end > start, p[end - 1] == 0x20 { end -= 1 }
        if let pieces { return Self.parse(p + start, end - start, pieces: pieces) }
        return Self.parseISO(p + start, end - start)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The (year, month, day) of a day number.
    public static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `2011-12-10` or `2011-12-10 08:30:00` for a timestamp.
    public static func text(_ seconds: Int64) -> String {
        let day = Int(seconds.floorDiv(86_400))
        let (y, m, d) = civil(days: day)
        let rest = Int(seconds - Int64(day) * 86_400)
        let date = "\(y)-\(pad(m))-\(pad(d))"
        return rest == 0 ? date : date + " \(pad(rest / 3600)):\(pad(rest / 60 % 60)):\(pad(rest % 60))"
    }

    private static func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    @inline(__always)
    private static func digit(_ b: UInt8) -> Int? {
        b &- 0x30 < 10 ? Int(b &- 0x30) : nil
    }

    private static func fixed(_ p: UnsafePointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
        var v = 0
        for i in at..<(at + count) {
            guard let d = digit(p[i]) else { return nil }
            v = v * 10 + d
        }
        return v
    }

    private static func valid(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Bool {
        guard (1...12).contains(m), d >= 1, h < 24, mi < 60, s < 61 else { return false }
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        return d <= lengths[m - 1] + (m == 2 && leap ? 1 : 0)
    }

    private static func seconds(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Int64 {
        Int64(days(year: y, month: m, day: d)) * 86_400 + Int64(h * 3600 + mi * 60 + s)
    }

    static func parseISO(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n >= 10, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"),
              let y = fixed(p, 0, 4), let m = fixed(p, 5, 2), let d = fixed(p, 8, 2) else { return nil }
        var h = 0, mi = 0, s = 0, offset = 0
        var i = 10
        if i < n {
            guard p[i] == UInt8(ascii: " ") || p[i] == UInt8(ascii: "T"), i + 6 <= n,
                  let hh = fixed(p, i + 1, 2), p[i + 3] == UInt8(ascii: ":"), let mm = fixed(p, i + 4, 2) else { return nil }
            h = hh; mi = mm
            i += 6
            if i < n, p[i] == UInt8(ascii: ":") {
                guard i + 3 <= n, let ss = fixed(p, i + 1, 2) else { return nil }
                s = ss
                i += 3
                if i < n, p[i] == UInt8(ascii: ".") {
                    i += 1
                    let digits = i
                    while i < n, digit(p[i]) != nil { i += 1 }
                    guard i > digits else { return nil }
                }
            }
            if i < n {
                if p[i] == UInt8(ascii: "Z") {
                    i += 1
                } else if p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") {
                    let sign = p[i] == UInt8(ascii: "+") ? 1 : -1
                    guard i + 6 <= n, let oh = fixed(p, i + 1, 2), p[i + 3] == UInt8(ascii: ":"),
                          let om = fixed(p, i + 4, 2), validOffset(sign: sign, hours: oh, minutes: om) else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                    i += 6
                }
            }
            guard i == n else { return nil }
        }
        guard valid(y, m, d, h, mi, s) else { return nil }
        return seconds(y, m, d, h, mi, s) - Int64(offset)
    }

    /// Time zones in use run from UTC−12:00 (Baker Island) to UTC+14:00 (Line Islands).
    static let offsetRange = -12 * 60...14 * 60

    private static func validOffset(sign: Int, hours: Int, minutes: Int) -> Bool {
        minutes < 60 && offsetRange.contains(sign * (hours * 60 + minutes))
    }

    /// Why an ISO date-time that `parse` refused was refused, when the reason is its time-zone
    /// suffix (`+25:00`, `+05:99`); nil otherwise. Only called on the error path.
    public func offsetProblem(_ text: String) -> String? {
        var bytes = Array(text.utf8)[...]
        while bytes.first == 0x20 { bytes.removeFirst() }
        while bytes.last == 0x20 { bytes.removeLast() }
        guard pieces == nil, bytes.count >= 22, [UInt8(ascii: "+"), UInt8(ascii: "-")].contains(bytes[bytes.endIndex - 6]) else { return nil }
        let suffix = String(decoding: bytes.suffix(6), as: UTF8.self)
        let inUTC = Array(bytes.dropLast(6)) + [UInt8(ascii: "Z")]
        let rest = inUTC.withUnsafeBufferPointer { buffer in buffer.baseAddress.flatMap { Self.parseISO($0, buffer.count) } }
        guard rest != nil else { return nil }
        return "its time-zone offset \(suffix) is not one in use: offsets run from -12:00 to +14:00, with minutes below 60"
    }

    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func parse(_ p: UnsafePointer<UInt8>, _ n: Int, pieces: [Piece]) -> Int64? {
        var y = 1970, m = 1, d = 1, h = 0, mi = 0, s = 0
        var i = 0
        // Numbers take up to their width but stop at a non-digit, so `%m/%d` reads `1/9` and `01/09`.
        func number(_ width: Int) -> Int? {
            var v = 0, used = 0
            while used < width, i < n, let dg = digit(p[i]) {
                v = v * 10 + dg
                i += 1; used += 1
            }
            return used > 0 ? v : nil
        }
        for piece in pieces {
            switch piece {
            case .year4: guard let v = number(4) else { return nil }; y = v
            case .year2: guard let v = number(2) else { return nil }; y = v < 69 ? 2000 + v : 1900 + v
            case .month: guard let v = number(2) else { return nil }; m = v
            case .day: guard let v = number(2) else { return nil }; d = v
            case .hour: guard let v = number(2) else { return nil }; h = v
            case .minute: guard let v = number(2) else { return nil }; mi = v
            case .second: guard let v = number(2) else { return nil }; s = v
            case .monthName:
                guard i + 3 <= n else { return nil }
                let name = String(decoding: UnsafeBufferPointer(start: p + i, count: 3), as: UTF8.self).lowercased()
                guard let index = monthNames.firstIndex(of: name) else { return nil }
                m = index + 1
                i += 3
                while i < n, (p[i] | 0x20) >= UInt8(ascii: "a"), (p[i] | 0x20) <= UInt8(ascii: "z") { i += 1 }
            case .literal(let b):
                guard i < n, p[i] == b else { return nil }
                i += 1
            }
        }
        guard i == n, valid(y, m, d, h, mi, s) else { return nil }
        return seconds(y, m, d, h, mi, s)
    }
}

public struct TimestampFormatError: Error, Equatable, CustomStringConvertible {
    public let pattern: String
    public let reason: String
    public var description: String { "--date-format \"\(pattern)\" cannot be used: \(reason)" }
}

extension Int64 {
    /// Division rounding towards −∞ (whole days before 1970 stay whole days).
    public func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
