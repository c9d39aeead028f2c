/// Which of a generator's files a chunk of bytes belongs to.
public enum OutputFile: Sendable, Hashable {
    /// The data set itself.
    case data
    /// The planted ground truth (segment or blob of each row), written only on request.
    case truth
}

/// A growing chunk of CSV bytes (UTF-8, LF line endings, RFC 4180 quoting), handed to the
/// caller whenever it passes the chunk size.
struct CSVBuffer {
    var bytes: [UInt8] = []
    let file: OutputFile
    let chunkBytes: Int

    init(file: OutputFile, chunkBytes: Int) {
        self.file = file
        self.chunkBytes = max(chunkBytes, 1024)
        bytes.reserveCapacity(self.chunkBytes + 4096)
    }

    @inline(__always) mutating func append(_ byte: UInt8) { bytes.append(byte) }
    @inline(__always) mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }
    @inline(__always) mutating func comma() { bytes.append(UInt8(ascii: ",")) }
    @inline(__always) mutating func newline() { bytes.append(UInt8(ascii: "\n")) }

    /// Appends `YYYY-MM-DD`.
    mutating func appendDate(_ date: CivilDate) {
        appendDigits(UInt64(max(0, date.year)), width: 4)
        append(UInt8(ascii: "-"))
        appendDigits(UInt64(date.month), width: 2)
        append(UInt8(ascii: "-"))
        appendDigits(UInt64(date.day), width: 2)
    }

    /// Appends a header line: the names as CSV fields, then a newline.
    mutating func appendHeader(_ names: [String]) {
        for (index, name) in names.enumerated() {
            if index > 0 { comma() }
            append(CSVBuffer.field(name))
        }
        newline()
    }

    /// Hands the bytes to `emit` if the chunk is full, and starts a new chunk.
    @inline(__always)
    mutating func flushIfFull(_ emit: (OutputFile, [UInt8]) throws -> Void) rethrows {
        if bytes.count >= chunkBytes { try flush(emit) }
    }

    /// Hands whatever is buffered to `emit`.
    mutating func flush(_ emit: (OutputFile, [UInt8]) throws -> Void) rethrows {
        guard !bytes.isEmpty else { return }
        try emit(file, bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    /// `text` as one CSV field: quoted, with quotes doubled, when it holds a comma, a quote,
    /// a line break, or leading/trailing spaces (RFC 4180 §2.6–2.7).
    static func field(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        let special: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "\""), 0x0A, 0x0D]
        let needsQuotes =
            utf8.contains(where: special.contains)
            || utf8.first == UInt8(ascii: " ") || utf8.last == UInt8(ascii: " ")
        guard needsQuotes else { return utf8 }
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { quoted.append(byte) }
            quoted.append(byte)
        }
        quoted.append(UInt8(ascii: "\""))
        return quoted
    }
}
