import CZlib
import Foundation

/// Reads a whole input file into memory: plain files with one `read` per chunk into a buffer
/// sized from `fstat`, `.gz` files through zlib. A UTF-8 byte-order mark is left in place for
/// the CSV reader to skip.
enum FileLoader {
    /// Calls `body` with the whole file. A regular file is mapped into memory (its pages come
    /// straight from the page cache: no copy and no zero-filled buffer); `.gz` files and
    /// anything that cannot be mapped are read into an array instead.
    static func withContents<R>(path: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        try withContents(path: path) { bytes, _ in try body(bytes) }
    }

    /// The same, with a `PageRelease` that lets a reader give back the parts of a mapped file
    /// it is done with, so the file does not stay in the process's memory next to what was
    /// parsed from it.
    static func withContents<R>(path: String, _ body: (UnsafeBufferPointer<UInt8>, PageRelease) throws -> R) throws -> R {
        let name = (path as NSString).lastPathComponent
        if !path.hasSuffix(".gz") {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw CustomerDataError.unreadable(file: name, reason: String(cString: strerror(errno))) }
            defer { close(fd) }
            var info = stat()
            if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 {
                let size = Int(info.st_size)
                // No MAP_POPULATE: pages are mapped as they are read (the kernel maps 16 at a
                // time), so released ranges are not all resident at once.
                if let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED {
                    defer { munmap(mapped, size) }
                    let bytes = UnsafeBufferPointer(start: mapped.assumingMemoryBound(to: UInt8.self), count: size)
                    return try body(bytes, PageRelease(mapping: bytes))
                }
            }
        }
        let bytes = try load(path: path)
        return try bytes.withUnsafeBufferPointer { try body($0, PageRelease(mapping: nil)) }
    }

    static func load(path: String) throws -> [UInt8] {
        let name = (path as NSString).lastPathComponent
        if path.hasSuffix(".gz") { return try loadGzip(path: path, name: name) }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CustomerDataError.unreadable(file: name, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw CustomerDataError.unreadable(file: name, reason: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw CustomerDataError.unreadable(file: name, reason: "it is a directory")
        }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        let failure: String? = bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return nil }
            while filled < size {
                let n = read(fd, base + filled, min(size - filled, 1 << 30))
                if n < 0 { return String(cString: strerror(errno)) }
                if n == 0 { break }
                filled += n
            }
            return nil
        }
        if let failure { throw CustomerDataError.unreadable(file: name, reason: failure) }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    private static func loadGzip(path: String, name: String) throws -> [UInt8] {
        guard let file = gzopen(path, "rb") else {
            throw CustomerDataError.unreadable(file: name, reason: String(cString: strerror(errno)))
        }
        defer { gzclose(file) }
        gzbuffer(file, 1 << 20)
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "gzip error"
                throw CustomerDataError.unreadable(file: name, reason: "not a valid gzip file (\(message))")
            }
            if n == 0 {
                var code: Int32 = 0
                _ = gzerror(file, &code)
                if code == Z_BUF_ERROR {
                    throw CustomerDataError.unreadable(file: name, reason: "the gzip file is truncated (it ends in the middle of the compressed data)")
                }
                break
            }
            bytes.append(contentsOf: chunk[0..<Int(n)])
        }
        return bytes
    }
}

/// Gives pages of a read-only file mapping back to the kernel once they have been read
/// (`madvise(MADV_DONTNEED)`). The pages are clean copies of the file, so reading the range
/// again later is still correct: it is mapped again from the page cache. Does nothing for
/// files read into an array.
struct PageRelease: @unchecked Sendable {
    // @unchecked: the pointer is only used for madvise on whole pages inside the mapping.
    let mapping: UnsafeBufferPointer<UInt8>?

    /// How much a reader works through before it releases what is behind it.
    static let step = 8 << 20

    /// Releases the whole pages of the mapping that lie inside `bytes` (a slice of it).
    func release(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard mapping != nil, let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let address = Int(bitPattern: base)
        let first = (address + page - 1) / page * page
        let last = (address + bytes.count) / page * page
        guard last > first, let start = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(start, last - first, MADV_DONTNEED)
    }
}
