import CZlib
import Foundation

/// Reads a delimited file block by block, so that files larger than memory can be streamed.
/// Each block ends after a `\n` (only `\n` counts, so a `\r\n` pair is never split; files with
/// bare `\r` line ends come as one block). Where the last whole record ends is the scanner's
/// call — only it knows whether that `\n` sits inside a quoted field — so the caller says how
/// many bytes it consumed, and the rest is carried to the front of the next block. `.gz` files
/// are inflated on the fly; a UTF-8 byte-order mark at the start is dropped.
final class RecordStream {
    struct Block {
        let bytes: UnsafeBufferPointer<UInt8>
        /// The end of the file: everything left is in this block.
        let final: Bool
    }

    let name: String
    private let source: ByteSource
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes [0, filled) hold data; [0, handedOut) were in the last block.
    private var filled = 0
    private var handedOut = 0
    private var atEnd = false
    private var finished = false
    private var first = true
    private(set) var bytesRead = 0

    static let blockSize = 4 << 20

    init(path: String, blockSize: Int = RecordStream.blockSize) throws {
        name = (path as NSString).lastPathComponent
        source = try path.hasSuffix(".gz") ? GzipSource(path: path, name: name) : FileSource(path: path, name: name)
        capacity = max(16, blockSize)
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// The next block, or nil after the final one. `consumed` bytes of the previous block are
    /// done with; a block always reaches further than the previous one did, so a record
    /// longer than a block is eventually seen whole. The bytes stay valid until the next call.
    func next(consumed: Int) throws -> Block? {
        guard !finished else { return nil }
        if consumed > 0 {
            memmove(base, base + consumed, filled - consumed)
            filled -= consumed
        }
        handedOut -= consumed
        while true {
            if !atEnd {
                if filled == capacity { grow() }
                let n = try source.read(into: base + filled, count: capacity - filled)
                if n == 0 { atEnd = true } else { filled += n; bytesRead += n }
            }
            if first, filled >= 3 || atEnd {
                first = false
                if filled >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF {
                    memmove(base, base + 3, filled - 3)
                    filled -= 3
                }
            }
            if atEnd {
                finished = true
                return filled > 0 ? Block(bytes: UnsafeBufferPointer(start: base, count: filled), final: true) : nil
            }
            if let newline = RecordStream.lastNewline(base, before: filled), newline + 1 > handedOut {
                handedOut = newline + 1
                return Block(bytes: UnsafeBufferPointer(start: base, count: handedOut), final: false)
            }
        }
    }

    private static func lastNewline(_ p: UnsafePointer<UInt8>, before end: Int) -> Int? {
        var i = end
        while i > 0 {
            i -= 1
            if p[i] == 0x0A { return i }
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

/// Where a `RecordStream` gets its bytes.
protocol ByteSource {
    func read(into: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int
}

final class FileSource: ByteSource {
    private let fd: Int32
    private let name: String

    init(path: String, name: String) throws {
        self.name = name
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CustomerDataError.unreadable(file: name, reason: String(cString: strerror(errno))) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw CustomerDataError.unreadable(file: name, reason: "it is a directory")
        }
    }

    deinit { close(fd) }

    func read(into p: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        while true {
            let n = Foundation.read(fd, p, count)
            if n >= 0 { return n }
            if errno != EINTR { throw CustomerDataError.unreadable(file: name, reason: String(cString: strerror(errno))) }
        }
    }
}

final class GzipSource: ByteSource {
    private let file: gzFile
    private let name: String

    init(path: String, name: String) throws {
        self.name = name
        guard let file = gzopen(path, "rb") else {
            throw CustomerDataError.unreadable(file: name, reason: String(cString: strerror(errno)))
        }
        gzbuffer(file, 1 << 20)
        self.file = file
    }

    deinit { gzclose(file) }

    func read(into p: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        let n = gzread(file, p, UInt32(min(count, 1 << 30)))
        var code: Int32 = 0
        let message = gzerror(file, &code).map { String(cString: $0) } ?? "gzip error"
        guard n >= 0 else {
            throw CustomerDataError.unreadable(file: name, reason: "not a valid gzip file (\(message))")
        }
        // A stream that stops early reads as a short end of file, flagged only by Z_BUF_ERROR.
        if n == 0, code == Z_BUF_ERROR {
            throw CustomerDataError.unreadable(file: name, reason: "the gzip file is truncated (it ends in the middle of the compressed data)")
        }
        return Int(n)
    }
}
