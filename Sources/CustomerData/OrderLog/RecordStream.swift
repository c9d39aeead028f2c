import CZlib
import Foundation

/// Reads a delimited file block by block, so that files larger than memory can be streamed:
/// each block handed out ends at a record boundary (a line end outside quotes), and the
/// partial record at its end is carried into the next block. `.gz` files are inflated on the
/// fly. A UTF-8 byte-order mark at the start is dropped.
final class RecordStream {
    let name: String
    private let source: ByteSource
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes [0, filled) hold data; [0, boundary) is the block handed out last.
    private var filled = 0
    private var boundary = 0
    private var atEnd = false
    private var first = true
    /// Whether blocks must be checked for quotes when looking for a boundary.
    private let quotes: Bool
    private(set) var bytesRead = 0

    static let blockSize = 4 << 20

    init(path: String, quotes: Bool = true, blockSize: Int = RecordStream.blockSize) throws {
        name = (path as NSString).lastPathComponent
        source = try path.hasSuffix(".gz") ? GzipSource(path: path, name: name) : FileSource(path: path, name: name)
        capacity = max(16, blockSize)
        base = .allocate(capacity: capacity)
        self.quotes = quotes
    }

    deinit { base.deallocate() }

    /// The next block of whole records, or nil at the end of the file. The bytes stay valid
    /// until the next call.
    func next() throws -> UnsafeBufferPointer<UInt8>? {
        // Move the carried partial record to the front.
        let carried = filled - boundary
        if carried > 0, boundary > 0 {
            memmove(base, base + boundary, carried)
        }
        filled = carried
        boundary = 0
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
                boundary = filled
                return filled > 0 ? UnsafeBufferPointer(start: base, count: filled) : nil
            }
            if let end = lastRecordEnd(), end > 0 {
                boundary = end
                return UnsafeBufferPointer(start: base, count: end)
            }
        }
    }

    /// One past the last `\n` outside quotes, or nil when the buffer holds no complete record
    /// yet. Only `\n` counts, so a `\r\n` pair is never split between blocks (files with bare
    /// `\r` line ends are read as one block).
    private func lastRecordEnd() -> Int? {
        let base = UnsafePointer(self.base)
        guard var end = RecordStream.lastNewline(base, before: filled) else { return nil }
        guard quotes else { return end + 1 }
        // A line end is outside quotes when an even number of quotes comes before it (the
        // block starts outside quotes). Walk back over line ends until the count is even.
        var quotesBefore = RecordStream.countQuotes(base, end)
        while quotesBefore % 2 != 0 {
            guard let at = RecordStream.lastNewline(base, before: end) else { return nil }
            quotesBefore -= RecordStream.countQuotes(base + at, end - at)
            end = at
        }
        return end + 1
    }

    private static func lastNewline(_ p: UnsafePointer<UInt8>, before end: Int) -> Int? {
        var i = end
        while i > 0 {
            i -= 1
            if p[i] == 0x0A { return i }
        }
        return nil
    }

    /// Quote characters among `count` bytes, found with `memchr` (quotes are rare in order
    /// logs, so this runs at memory speed).
    private static func countQuotes(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var total = 0
        var at = UnsafeRawPointer(p)
        let end = at + count
        while at < end, let hit = memchr(at, 0x22, end - at) {
            total += 1
            at = UnsafeRawPointer(hit) + 1
        }
        return total
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
        guard n >= 0 else {
            var code: Int32 = 0
            let message = gzerror(file, &code).map { String(cString: $0) } ?? "gzip error"
            throw CustomerDataError.unreadable(file: name, reason: "not a valid gzip file (\(message))")
        }
        return Int(n)
    }
}
