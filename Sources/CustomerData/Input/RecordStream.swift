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
    /// Bytes [origin, filled) hold data not yet consumed; [origin, handedOut) were in the last
    /// block. Consuming moves `origin`; the data is moved to the front only when the room
    /// behind it runs short, so a block read ahead is not copied every time.
    private var origin = 0
    private var filled = 0
    private var handedOut = 0
    private var atEnd = false
    private var finished = false
    private var first = true
    /// Bytes before `checked` are known to hold no NUL byte; `nul` is where one is.
    private var checked = 0
    private var nul: Int?
    /// Bytes [handedOut, searched) are known to hold no line end (so a long line is searched
    /// once, not once per read).
    private var searched = 0
    private(set) var bytesRead = 0
    /// An error met while reading ahead.
    private var deferred: Error?

    static let blockSize = 4 << 20

    /// - Parameter readAhead: blocks of room beyond the current one, for `readAhead()` to
    ///   fill while the current block is parsed.
    init(source: ByteSource, name: String, limits: InputLimits, blockSize: Int = RecordStream.blockSize, readAhead: Int = 0) {
        self.name = name
        self.source = source
        maxRecordBytes = max(1, limits.maxRecordBytes)
        self.blockSize = max(16, blockSize)
        capacity = self.blockSize * (1 + max(0, readAhead))
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
    /// (having consumed nothing), and the record limit applies only to the line after the
    /// previous block. The bytes stay valid until the next call to `next`.
    func next(consumed: Int, line: Int, more: Bool = false) throws -> Block? {
        guard !finished else { return nil }
        if consumed == 0, !more, handedOut - origin >= maxRecordBytes {
            throw CustomerDataError.recordTooLong(file: name, line: line, limit: maxRecordBytes)
        }
        origin += consumed
        while true {
            if let deferred, lineEnd(after: max(handedOut, origin), before: filled) == nil {
                finished = true
                throw deferred
            }
            if let nul {
                // Nothing after a NUL byte is parsed: the caller reports it and stops.
                finished = true
                return Block(bytes: UnsafeBufferPointer(start: base + origin, count: filled - origin), final: atEnd, nul: nul - origin)
            }
            if atEnd {
                finished = true
                return filled > origin ? Block(bytes: UnsafeBufferPointer(start: base + origin, count: filled - origin), final: true, nul: nil) : nil
            }
            // A \r just before `searched` may be followed by \n now: look again from there.
            if !first, let end = lineEnd(after: max(handedOut, searched - 1, origin), before: filled) {
                handedOut = end
                searched = end
                if capacity - filled < blockSize { compact() }  // room for `readAhead` while this block is parsed
                return Block(bytes: UnsafeBufferPointer(start: base + origin, count: handedOut - origin), final: false, nul: nil)
            }
            searched = max(searched, filled)
            if capacity - filled < blockSize / 2 || filled == capacity {
                if origin > 0 {
                    compact()
                } else if filled == capacity {
                    // The buffer starts with the record the caller is in: it is this long
                    // already. Asked for more, the caller is past the records it has seen
                    // whole: what follows the last block's end is one unfinished line.
                    if filled - (more ? handedOut : 0) >= maxRecordBytes {
                        throw CustomerDataError.recordTooLong(file: name, line: line, limit: maxRecordBytes)
                    }
                    grow()
                }
            }
            try readMore()
        }
    }

    /// Reads the next bytes into the room behind the current block, if there is room: called
    /// on another thread while the current block is being parsed (which only reads the bytes
    /// before `handedOut`; this only writes after `filled`). Never moves or grows the buffer.
    /// A read error is kept and thrown by the next `next`, so errors still come in file order.
    func readAhead() {
        guard !finished, !atEnd, nul == nil, !first, deferred == nil, capacity - filled >= blockSize / 2 else { return }
        do { try readMore() } catch { deferred = error }
    }

    /// Where the source is, for a progress display: bytes of the file read (compressed bytes
    /// for a `.gz` file) and its size when known.
    var position: (done: Int, total: Int?) { source.position }

    private func readMore() throws {
        let n = try source.read(into: base + filled, count: min(capacity - filled, blockSize))
        if n == 0 { atEnd = true }
        filled += n
        bytesRead += n
        if first {
            if filled - origin < 3, !atEnd { return }
            first = false
            if filled - origin >= 3, base[origin] == 0xEF, base[origin + 1] == 0xBB, base[origin + 2] == 0xBF {
                memmove(base + origin, base + origin + 3, filled - origin - 3)
                filled -= 3
            }
        }
        if checked < filled, let found = memchr(base + checked, 0, filled - checked) {
            nul = found.assumingMemoryBound(to: UInt8.self) - base
        }
        checked = filled
    }

    /// Moves the unconsumed bytes to the front of the buffer.
    private func compact() {
        guard origin > 0 else { return }
        memmove(base, base + origin, filled - origin)
        filled -= origin
        handedOut -= origin
        checked -= origin
        searched = max(0, searched - origin)
        nul = nul.map { $0 - origin }
        origin = 0
    }

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
