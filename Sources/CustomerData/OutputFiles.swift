import Foundation

/// Writes a run's output files all or nothing: each file goes to a temporary file in the same
/// directory, and only when every one is written are they renamed into place. If anything
/// fails before that, the temporary files are removed and no output exists.
public final class OutputFiles {
    private var staged: [(temporary: String, final: String)] = []
    private var committed = false

    public init() {}

    deinit { if !committed { discard() } }

    /// Writes `bytes` to a temporary file beside `path`.
    public func stage(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        // A directory in the way would only fail at the rename, after other outputs are in place.
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CustomerDataError.writeFailed(file: path, reason: "it is a directory; give a file name")
        }
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CustomerDataError.writeFailed(file: path, reason: "the directory \(directory) does not exist")
        }
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(staged.count)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CustomerDataError.writeFailed(file: path, reason: String(cString: strerror(errno))) }
        staged.append((temporary, path))
        var written = 0
        let failure: String? = bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return nil }
            while written < buffer.count {
                let n = write(fd, base + written, buffer.count - written)
                if n < 0 { return String(cString: strerror(errno)) }
                written += n
            }
            return nil
        }
        close(fd)
        if let failure { throw CustomerDataError.writeFailed(file: path, reason: failure) }
    }

    /// Renames every staged file into place.
    public func commit() throws {
        for (temporary, final) in staged {
            guard rename(temporary, final) == 0 else {
                throw CustomerDataError.writeFailed(file: final, reason: String(cString: strerror(errno)))
            }
        }
        committed = true
    }

    /// Removes the temporary files.
    public func discard() {
        for (temporary, _) in staged { unlink(temporary) }
        staged.removeAll()
    }
}
