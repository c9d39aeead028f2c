#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

import SyntheticData

/// One output destination: standard output, or a file written under a temporary name in the
/// same directory (`PATH.tmp-XXXXXX`) and renamed into place only when everything succeeded.
private struct OutputSink {
    let path: String
    let temporaryPath: String?
    let descriptor: Int32

    static func open(_ path: String) throws -> OutputSink {
        if path == "-" {
            return OutputSink(path: "standard output", temporaryPath: nil, descriptor: 1)
        }
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard descriptor >= 0 else { throw DatagenError.cannotCreate(path: path, errno: errno) }
        let nameBytes = template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let name = String(decoding: nameBytes, as: UTF8.self)
        _ = fchmod(descriptor, 0o644)
        return OutputSink(path: path, temporaryPath: name, descriptor: descriptor)
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(descriptor, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw DatagenError.cannotWrite(path: path, errno: errno)
                }
                offset += written
            }
        }
    }

    /// Closes the temporary file, reporting a failed final flush.
    func close() throws {
        guard temporaryPath != nil else { return }
        if systemClose(descriptor) != 0 { throw DatagenError.cannotWrite(path: path, errno: errno) }
    }

    /// Renames the closed temporary file to its final path.
    func moveIntoPlace() throws {
        guard let temporaryPath else { return }
        if rename(temporaryPath, path) != 0 {
            throw DatagenError.cannotRename(from: temporaryPath, to: path, errno: errno)
        }
    }

    /// Deletes the temporary file (closing it first unless `isClosed`).
    func discard(isClosed: Bool) {
        guard let temporaryPath else { return }
        if !isClosed { _ = systemClose(descriptor) }
        unlink(temporaryPath)
    }
}

// At file scope these names reach the C library, not `OutputSink`'s methods.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

/// Generates `dataset` into `out` (and its truth into `truth`), all or nothing.
///
/// Both files are complete under temporary names before either is renamed into place; on
/// any error the temporary files are deleted, and a data file already renamed is removed
/// again if the truth file cannot follow it.
func writeAtomically<Dataset: SyntheticDataset>(
    _ dataset: Dataset, out: String, truth: String?
) throws {
    let data = try OutputSink.open(out)
    let truthSink: OutputSink?
    do {
        truthSink = try truth.map(OutputSink.open)
    } catch {
        data.discard(isClosed: false)
        throw error
    }
    var closed = false
    do {
        try dataset.generate { file, chunk in
            switch file {
            case .data: try data.write(chunk)
            case .truth: try truthSink?.write(chunk)
            }
        }
        closed = true
        try data.close()
        try truthSink?.close()
        try data.moveIntoPlace()
    } catch {
        data.discard(isClosed: closed)
        truthSink?.discard(isClosed: closed)
        throw error
    }
    do {
        try truthSink?.moveIntoPlace()
    } catch {
        unlink(out)
        truthSink?.discard(isClosed: true)
        throw error
    }
}
