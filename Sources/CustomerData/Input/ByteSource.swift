import Foundation

/// Where a `RecordStream` gets its bytes: `read` fills up to `count` bytes and returns how
/// many it wrote, 0 at the end.
protocol ByteSource: AnyObject {
    func read(into: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int
    /// Bytes of the file read so far, and its size when known (for a progress display).
    var position: (done: Int, total: Int?) { get }
}

/// An input named by a path, which can be opened as a byte source (inflated when it ends in
/// `.gz`), once or — when it is a regular file — again for a second pass.
struct InputFile: Sendable {
    let path: String
    /// The file name used in messages.
    let name: String
    let limits: InputLimits
    /// Whether a second `open` gives the same bytes: false for pipes, FIFOs and devices,
    /// which hand out their bytes once.
    let rereadable: Bool

    init(path: String, limits: InputLimits) throws {
        self.path = path
        name = (path as NSString).lastPathComponent
        self.limits = limits
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CustomerDataError.unreadable(file: name, reason: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw CustomerDataError.unreadable(file: name, reason: "it is a directory") }
        rereadable = (info.st_mode & S_IFMT) == S_IFREG
    }

    func open() throws -> ByteSource {
        let file = try FileSource(path: path, name: name)
        return path.hasSuffix(".gz") ? try GzipSource(file: file, name: name, limits: limits) : file
    }
}

/// A file read with `read(2)` into the caller's buffer: never mapped into memory, so a file
/// that is truncated while it is read gives an error, not a bus error. A regular file must
/// end where `fstat` said it would when it was opened; one that is shorter or longer by then
/// was changed under the reader, and that is an error too. Pipes, FIFOs and devices are read
/// to their end, however long.
final class FileSource: ByteSource {
    private let fd: Int32
    let name: String
    /// The size at open, for a regular file.
    let expectedSize: Int?
    private(set) var bytesRead = 0

    init(path: String, name: String) throws {
        self.name = name
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CustomerDataError.unreadable(file: name, reason: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw CustomerDataError.unreadable(file: name, reason: reason)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw CustomerDataError.unreadable(file: name, reason: "it is a directory")
        }
        expectedSize = (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : nil
    }

    deinit { close(fd) }

    var position: (done: Int, total: Int?) { (bytesRead, expectedSize) }

    /// Reads no further than the size at open: a file that grows while it is read (a log being
    /// appended to) would otherwise never end.
    func read(into p: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        guard count > 0 else { return 0 }
        var wanted = min(count, 1 << 30)
        if let expectedSize {
            wanted = min(wanted, expectedSize - bytesRead)
            if wanted == 0 { try checkEnded(expectedSize, probe: p, count: count); return 0 }
        }
        while true {
            let n = Foundation.read(fd, p, wanted)
            if n > 0 {
                bytesRead += n
                return n
            }
            if n == 0 {
                if let expectedSize, bytesRead < expectedSize {
                    throw CustomerDataError.changedWhileRead(file: name, difference: bytesRead - expectedSize)
                }
                return 0
            }
            if errno != EINTR { throw CustomerDataError.unreadable(file: name, reason: String(cString: strerror(errno))) }
        }
    }

    /// At the size the file had when it was opened: it must end here.
    private func checkEnded(_ expectedSize: Int, probe p: UnsafeMutablePointer<UInt8>, count: Int) throws {
        var n: Int
        repeat { n = Foundation.read(fd, p, max(1, min(count, 1 << 16))) } while n < 0 && errno == EINTR
        guard n > 0 else { return }
        var info = stat()
        let now = fstat(fd, &info) == 0 ? Int(info.st_size) : expectedSize + n
        throw CustomerDataError.changedWhileRead(file: name, difference: max(n, now - expectedSize))
    }
}

/// Bytes already in memory (`CSVReader.read(bytes:)`).
final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var position: (done: Int, total: Int?) { (offset, bytes.count) }

    func read(into p: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        let n = min(count, bytes.count - offset)
        bytes.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress, n > 0 { p.update(from: base + offset, count: n) }
        }
        offset += n
        return n
    }
}
