import Foundation

/// Limits that stop broken or hostile input before it takes all the memory: a decompression
/// bomb, a header with a million columns, a "line" that never ends (`/dev/zero`, a binary
/// file). The defaults are far above what real exports need, and each can be raised.
///
/// What is *not* limited: the size of a plain file or a pipe. A large input is not an attack,
/// and reading it holds only the parsed columns in memory, never the file.
public struct InputLimits: Sendable, Equatable {
    /// Columns a header may have. 16,384 is the width of a spreadsheet (Excel's last column
    /// is XFD); exports from a database can be wider, hence the limit can be raised.
    public var maxColumns: Int
    /// Bytes one record may take (a record is a line, or several when a quoted field holds
    /// line breaks): a longer one is rejected instead of buffered.
    public var maxRecordBytes: Int
    /// A `.gz` input may inflate to at most this many times its compressed size. Real CSV
    /// exports compress 3–20 times; a decompression bomb, 1,000 times and more.
    public var maxInflation: Int

    public static let defaultMaxColumns = 16_384
    public static let defaultMaxRecordBytes = 16 << 20
    public static let defaultMaxInflation = 100
    /// Inflated sizes up to this are always allowed, whatever the ratio, so a small file that
    /// compresses unusually well (a few repeated rows) is never refused.
    public static let inflationFloor = 64 << 20
    /// `inflationFloor`, smaller in tests so a bomb need not be large to trip the limit.
    var floor = InputLimits.inflationFloor

    public init(maxColumns: Int = InputLimits.defaultMaxColumns,
                maxRecordBytes: Int = InputLimits.defaultMaxRecordBytes,
                maxInflation: Int = InputLimits.defaultMaxInflation) {
        self.maxColumns = maxColumns
        self.maxRecordBytes = maxRecordBytes
        self.maxInflation = maxInflation
    }

    /// The most bytes a `.gz` file of `compressed` bytes may inflate to.
    func inflatedLimit(compressed: Int) -> Int {
        let (product, overflow) = compressed.multipliedReportingOverflow(by: max(1, maxInflation))
        return max(floor, overflow ? .max : product)
    }
}

/// `16 MiB`, `64 KiB`, `1.5 GiB`, `512 bytes`: a byte count for messages.
func byteSize(_ bytes: Int) -> String {
    let units = ["KiB", "MiB", "GiB", "TiB"]
    guard bytes >= 1024 else { return "\(bytes) bytes" }
    var value = Double(bytes) / 1024
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    let text = value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    return "\(text) \(units[unit])"
}
