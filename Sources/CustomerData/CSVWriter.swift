/// Builds CSV text as bytes, quoting fields only when RFC 4180 requires it.
public struct CSVWriter {
    public private(set) var bytes: [UInt8] = []
    private var fieldsInRow = 0
    let delimiter: UInt8

    public init(delimiter: UInt8 = UInt8(ascii: ","), reserve: Int = 0) {
        self.delimiter = delimiter
        bytes.reserveCapacity(reserve)
    }

    private mutating func separate() {
        if fieldsInRow > 0 { bytes.append(delimiter) }
        fieldsInRow += 1
    }

    /// A text field, quoted when it holds the delimiter, a quote, a newline or edge spaces.
    public mutating func field(_ text: String) {
        separate()
        appendQuotedIfNeeded(Array(text.utf8))
    }

    /// A field copied byte for byte (ids), quoted when needed.
    public mutating func field(bytes raw: UnsafeBufferPointer<UInt8>) {
        separate()
        appendQuotedIfNeeded(Array(raw))
    }

    public mutating func field(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A number in the shortest form that reads back to the same double; empty for NaN.
    public mutating func field(_ value: Double) {
        separate()
        if value.isNaN { return }
        if value == value.rounded(), abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    /// An empty (missing) field.
    public mutating func emptyField() {
        separate()
    }

    public mutating func endRow() {
        bytes.append(0x0A)
        fieldsInRow = 0
    }

    public mutating func row(_ fields: [String]) {
        for f in fields { field(f) }
        endRow()
    }

    private mutating func appendQuotedIfNeeded(_ raw: [UInt8]) {
        let needs = raw.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            || raw.first == 0x20 || raw.last == 0x20
        guard needs else {
            bytes.append(contentsOf: raw)
            return
        }
        bytes.append(0x22)
        for b in raw {
            if b == 0x22 { bytes.append(0x22) }
            bytes.append(b)
        }
        bytes.append(0x22)
    }
}
