import CustomerData

/// When each record last changed, from its source's `updated` column: what `most_recent`
/// survivorship compares.
extension IdentityRecords {
    /// The time of a record whose source has no `updated` column, or whose value is blank or
    /// malformed: older than any real time.
    public static let unknownTime = Int64.min

    /// Seconds since 1970-01-01 in the source's own clock (UTC where the value gives a `Z` or an
    /// offset), or `unknownTime`.
    public func updatedTime(_ r: Int) -> Int64 {
        updated.isEmpty ? Self.unknownTime : updated[r]
    }

    /// `2024/5/1`, `2024/05/01 13:45`, `2024/05/01 13:45:00`: the slash forms ISO leaves out.
    private static let slashFormats: [TimestampFormat] =
        ["%Y/%m/%d", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S"].compactMap { try? TimestampFormat(pattern: $0) }

    /// The time `text` gives: an ISO date or date-time (`2024-05-01`, `2024-05-01 13:45:00`,
    /// `2024-05-01T13:45:00Z`, `…+08:00`) or a slash date (`2024/5/1`, optionally with a time),
    /// after NFKC (full-width digits) and trimming; nil for anything else.
    public static func time(_ text: String) -> Int64? {
        var value = IdentityKeys.trimmed(IdentityKeys.compatibility(text))
        return value.withUTF8 { bytes -> Int64? in
            guard let base = bytes.baseAddress else { return nil }
            if let time = TimestampFormat.iso.parse(base, bytes.count) { return time }
            for format in slashFormats {
                if let time = format.parse(base, bytes.count) { return time }
            }
            return nil
        }
    }
}
