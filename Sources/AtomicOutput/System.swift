#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system's words for an `errno` value ("Permission denied").
func reason(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

/// Writes all of `buffer` to `descriptor`, retrying short writes and interrupted calls.
/// Returns nil, or the `errno` of the write that failed.
func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
    guard let base = buffer.baseAddress else { return nil }
    var offset = 0
    while offset < buffer.count {
        let written = write(descriptor, base + offset, buffer.count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += written
    }
    return nil
}

/// `lstat`: what is at `path` itself (a symbolic link is not followed); nil when nothing is.
func linkStatus(_ path: String) -> stat? {
    var info = stat()
    return lstat(path, &info) == 0 ? info : nil
}

/// `unlink` that ignores a file already gone; true when nothing is left at `path`.
@discardableResult
func removeFile(_ path: String) -> Bool {
    unlink(path) == 0 || errno == ENOENT
}

/// `path` split into its directory ("." when there is none) and its last component.
func splitPath(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
}

/// The absolute path of an existing directory with symbolic links resolved, so that files
/// named in a journal are found again from any working directory.
func canonicalDirectory(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

/// `directory/name`, without doubling the slash of the root directory.
func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// Twelve random lowercase letters and digits from the system's secure generator: the
/// unpredictable part of temporary and backup names (as `mkstemp` makes them).
func randomSuffix() -> String {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    var generator = SystemRandomNumberGenerator()
    return String((0..<12).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
}

/// Flushes a directory's entries (creations, renames, removals) to disk. Best effort, as
/// SQLite does: some file systems refuse `fsync` on a directory, and the files themselves
/// were already synced.
func syncDirectory(_ descriptor: Int32) {
    _ = fsync(descriptor)
}

// At file scope these names reach the C library, not methods named `open` or `close`.
func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 { open(path, flags, mode) }

func systemClose(_ descriptor: Int32) { _ = close(descriptor) }
