import Foundation

/// Reads a delimited file block by block, so that files larger than memory can be streamed and
/// nothing is ever memory-mapped.
///
/// Each block ends just after a line end — `\n`, or a `\r` not followed by `\n`, so a `\r\n`
/// pair is never split. Where the last whole record ends is the scanner's call (only it knows
/// whether that line end sits inside a quoted field), so the caller says how many bytes it
/// consumed, and the rest is carried to the front of the next block. A UTF-8 byte-order mark at
/// the start is dropped.
///
/// Two things stop the stream early, each with the caller's line number:
/// - a record longer than `InputLimits.maxRecordBytes` (no line end in sight, or a quoted field
///   that never closes): `CustomerDataError.recordTooLong`;
/// - a NUL byte, which no text file holds: the block is handed out at once with `nul` set
///   (possibly ending mid-record), for the caller to say where it is (`BinaryData.error`).
final class RecordStream {
    struct Block {
        let bytes: UnsafeBufferPointer<UInt8>
        /// The end of the file: everything left is in this block.
        let final: Bool
        /// The offset of the first NUL byte in the block, if there is one.
        let nul: Int?
    }

    let name: String
    private let source: ByteSource
    private let maxRecordBytes: Int
    private let blockSize: Int
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes [0, filled) hold data; [0, handedOut) were in the last block.
    private var filled = 0
    private var handedOut = 0
    private var atEnd = false
    private var finished = false
    private var first = true
    /// Bytes [0, checked) are known to hold no NUL byte.
    private var checked = 0
    /// Bytes [handedOut, searched) are known to hold no line end (so a long line is searched
    /// once, not once per read).
    private var searched = 0
    private(set) var bytesRead = 0

    static let blockSize = 4 << 20

    init(source: ByteSource, name: String, limits: InputLimits, blockSize: Int = RecordStream.blockSize) {
        self.name = name
        self.source = source
        maxRecordBytes = max(1, limits.maxRecordBytes)
        self.blockSize = max(16, blockSize)
        capacity = self.blockSize
        base = .allocate(capacity: capacity)
    }

    convenience init(path: String, limits: InputLimits, blockSize: Int = RecordStream.blockSize) throws {
        let file = try InputFile(path: path, limits: limits)
        self.init(source: try file.open(), name: file.name, limits: limits, blockSize: blockSize)
    }

    deinit { base.deallocate() }

    /// The next block, or nil after the final one. `consumed` bytes of the previous block are
    /// done with; `line` is the line the first byte after them is on (for messages). A block
    /// always reaches further than the previous one did, so a record longer than a block is
    /// eventually seen whole. With `more`, the caller asks for a longer block on purpose
    /// (having consumed nothing), and the record limit does not apply. The bytes stay valid
    /// until the next call.
    func next(consumed: Int, line: Int, more: Bool = false) throws -> Block? {
        guard !finished else { return nil }
        if consumed == 0, !more, handedOut >= maxRecordBytes {
            throw CustomerDataError.recordTooLong(file: name, line: line, limit: maxRecordBytes)
        }
        if consumed > 0 {
            memmove(base, base + consumed, filled - consumed)
            filled -= consumed
        }
        handedOut -= consumed
        checked = max(0, checked - consumed)
        searched = max(0, searched - consumed)
        while true {
            if !atEnd {
                if filled == capacity {
                    // The buffer starts with the record the caller is in: it is this long
                    // already. Asked for more, the caller is past the records it has seen
                    // whole: what follows the last block's end is one unfinished line.
                    if filled - (more ? handedOut : 0) >= maxRecordBytes {
                        throw CustomerDataError.recordTooLong(file: name, line: line, limit: maxRecordBytes)
                    }
                    grow()
                }
                let n = try source.read(into: base + filled, count: min(capacity - filled, blockSize))
                if n == 0 { atEnd = true }
                filled += n
                bytesRead += n
            }
            if first {
                if filled < 3, !atEnd { continue }
                first = false
                if filled >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF {
                    memmove(base, base + 3, filled - 3)
                    filled -= 3
                }
            }
            if checked < filled {
                if let nul = memchr(base + checked, 0, filled - checked) {
                    // Nothing after a NUL byte is parsed: the caller reports it and stops.
                    finished = true
                    return Block(bytes: UnsafeBufferPointer(start: base, count: filled), final: atEnd,
                                 nul: nul.assumingMemoryBound(to: UInt8.self) - base)
                }
                checked = filled
            }
            if atEnd {
                finished = true
                return filled > 0 ? Block(bytes: UnsafeBufferPointer(start: base, count: filled), final: true, nul: nil) : nil
            }
            // A \r just before `searched` may be followed by \n now: look again from there.
            if let end = lineEnd(after: max(handedOut, searched - 1), before: filled) {
                handedOut = end
                searched = end
                return Block(bytes: UnsafeBufferPointer(start: base, count: handedOut), final: false, nul: nil)
            }
            searched = filled
        }
    }

    /// Where the source is, for a progress display: bytes of the file read (compressed bytes
    /// for a `.gz` file) and its size when known.
    var position: (done: Int, total: Int?) { source.position }

    /// Just after the last line end in (start, end), if there is one. A `\r` as the last byte
    /// does not count: a `\n` may follow it in the next read.
    private func lineEnd(after start: Int, before end: Int) -> Int? {
        var i = end
        while i > start {
            i -= 1
            let b = base[i]
            if b == 0x0A || (b == 0x0D && i + 1 < end) { return i + 1 }
        }
        return nil
    }

    /// A record longer than the buffer: double it.
    private func grow() {
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
        bigger.update(from: base, count: filled)
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}
