#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One output of an `OutputSet`: a temporary file beside its target that the set renames into
/// place when it commits, or standard output (`-`), written straight through.
///
/// The temporary file is `.NAME.persona-tmp-XXXXXXXXXXXX` in the target's directory, created
/// the way `mkstemp` creates files (a random name from the system's secure generator, opened
/// with `O_CREAT | O_EXCL`), but with mode 0666 less the umask, as any new file, or with the
/// mode (and, where allowed, owner and group) of the file it replaces. While it is being
/// written it holds a `flock`, which tells other runs it is not a leftover.
public final class StagedFile {
    static let temporaryMarker = ".persona-tmp-"
    static let backupMarker = ".persona-old-"

    /// The path as the caller gave it, for messages.
    public let path: String
    /// Absolute path of the target, its directory's links resolved.
    let target: String
    /// The target's directory, absolute with links resolved.
    let directory: String
    /// Nil for standard output.
    let temporary: String?
    /// The temporary file's identity, which the target has once it is renamed into place.
    let identity: FileIdentity
    private(set) var descriptor: Int32

    private init(path: String, target: String, directory: String, temporary: String?, identity: FileIdentity, descriptor: Int32) {
        self.path = path
        self.target = target
        self.directory = directory
        self.temporary = temporary
        self.identity = identity
        self.descriptor = descriptor
    }

    static func standardOutput() -> StagedFile {
        StagedFile(path: "standard output", target: "-", directory: "", temporary: nil,
                   identity: FileIdentity(device: 0, inode: 0), descriptor: STDOUT_FILENO)
    }

    /// Creates the temporary file for `path`, after checking that the directory exists and
    /// that nothing but a regular file is in the way.
    static func create(_ path: String) throws(OutputError) -> StagedFile {
        let (directory, name) = splitPath(path)
        guard !name.isEmpty, name != ".", name != ".." else { throw .notRegularFile(file: path, kind: .directory) }
        var info = stat()
        guard stat(directory, &info) == 0, FileKind(mode: info.st_mode) == .directory,
              let canonical = canonicalDirectory(directory) else {
            throw .writeFailed(file: path, reason: "the directory \(directory) does not exist")
        }
        let target = joinPath(canonical, name)
        let existing = linkStatus(target)
        if let existing {
            let kind = FileKind(mode: existing.st_mode)
            guard kind == .regularFile else { throw .notRegularFile(file: path, kind: kind) }
        }
        // Shared: a commit sweeping leftovers in this directory must not see the new file
        // between its creation and its lock.
        let lock = try LockedDirectory(path: canonical, exclusive: false)
        let (temporary, descriptor) = try PendingFiles.shared.exclusive { (state) throws(OutputError) -> (String, Int32) in
            guard !state.abandoned else { throw .interrupted }
            for _ in 0..<8 {
                let temporary = joinPath(canonical, "." + stem(name) + temporaryMarker + randomSuffix())
                let descriptor = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
                if descriptor < 0 {
                    if errno == EEXIST { continue }
                    throw .writeFailed(file: path, reason: reason(errno))
                }
                _ = flock(descriptor, LOCK_EX | LOCK_NB)  // a new file: nobody else can hold it
                state.temporaries.insert(temporary)
                return (temporary, descriptor)
            }
            throw .writeFailed(file: path, reason: reason(EEXIST))
        }
        withExtendedLifetime(lock) {}
        if let existing {
            // Keep what the replaced file had (owner and group only where allowed; the mode
            // last, as a change of owner clears the set-id bits).
            _ = fchown(descriptor, existing.st_uid, existing.st_gid)
            _ = fchmod(descriptor, existing.st_mode & 0o7777)
        }
        _ = fstat(descriptor, &info)
        return StagedFile(path: path, target: target, directory: canonical, temporary: temporary,
                          identity: FileIdentity(info), descriptor: descriptor)
    }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws(OutputError) {
        let failure = bytes.withUnsafeBytes { writeAll(descriptor, $0) }
        if let failure { throw .writeFailed(file: path, reason: reason(failure)) }
    }

    /// Appends the bytes of `buffer`.
    public func write(_ buffer: UnsafeRawBufferPointer) throws(OutputError) {
        if let failure = writeAll(descriptor, buffer) { throw .writeFailed(file: path, reason: reason(failure)) }
    }

    /// Forces the contents to disk, so that a crash after the rename cannot leave an empty
    /// or partial file under the target's name.
    func sync() throws(OutputError) {
        guard temporary != nil else { return }
        if fsync(descriptor) != 0 { throw .writeFailed(file: path, reason: reason(errno)) }
    }

    /// Closes the temporary file (never standard output); its lock goes with it.
    func close() {
        guard temporary != nil, descriptor >= 0 else { return }
        systemClose(descriptor)
        descriptor = -1
    }

    /// Closes and deletes the temporary file, and takes it off the process's list.
    func delete(from state: inout PendingFiles.State) {
        close()
        guard let temporary else { return }
        removeFile(temporary)
        state.temporaries.remove(temporary)
    }

    /// The name part of temporary and backup names: long names are cut so that the whole
    /// name stays within the usual 255-byte limit.
    static func stem(_ name: String) -> String {
        var stem = Substring(name)
        while stem.utf8.count > 200 { stem = stem.dropLast() }
        return String(stem)
    }

    /// True for a temporary or backup name this type makes: `.NAME` + marker + 12 characters.
    static func isLeftover(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.utf8.count > 25 else { return false }
        let suffix = name.suffix(12)
        let marker = name.dropLast(12).suffix(temporaryMarker.count)
        return (marker == temporaryMarker || marker == backupMarker)
            && suffix.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}
