#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open directory holding an advisory `flock` against other runs: shared while a temporary
/// file is created in it, exclusive while an output set is committed into it (journal,
/// backups, renames, clean-up). The lock belongs to the descriptor, so it is released when
/// the handle goes away and when the process dies, even by `kill -9`: a crashed run never
/// leaves a stale lock.
///
/// The lock is taken on the directory itself, so it leaves no file behind. Where a file
/// system cannot lock a directory (some network file systems), a hidden `.persona.lock` file
/// in it is locked instead.
final class LockedDirectory {
    static let lockFileName = ".persona.lock"

    let path: String
    let identity: FileIdentity
    /// The directory, open for reading: also what `sync()` flushes.
    private let descriptor: Int32
    private var lockFile: Int32 = -1

    /// Opens `path` and locks it, waiting as long as another run holds a conflicting lock;
    /// `onWait` is called once when that has lasted a second.
    init(path: String, exclusive: Bool, onWait: () -> Void = {}) throws(OutputError) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .lockFailed(directory: path, reason: reason(errno)) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw .lockFailed(directory: path, reason: reason(code))
        }
        identity = FileIdentity(info)
        let operation = exclusive ? LOCK_EX : LOCK_SH
        var failure = LockedDirectory.acquire(descriptor, operation, onWait: onWait)
        if failure != nil {
            lockFile = open(joinPath(path, LockedDirectory.lockFileName), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            failure = lockFile >= 0 ? LockedDirectory.acquire(lockFile, operation, onWait: onWait) : errno
        }
        if let failure {
            if lockFile >= 0 { close(lockFile) }
            close(descriptor)
            throw .lockFailed(directory: path, reason: reason(failure))
        }
    }

    deinit {
        if lockFile >= 0 { close(lockFile) }
        close(descriptor)
    }

    /// Flushes the directory's entries to disk (see `syncDirectory`).
    func sync() { syncDirectory(descriptor) }

    /// Polls for the lock (so a signal handler is never stuck behind a blocking call);
    /// nil once it is held, else the `errno` that is not "someone else holds it".
    private static func acquire(_ descriptor: Int32, _ operation: Int32, onWait: () -> Void) -> Int32? {
        var waited = 0
        while true {
            if flock(descriptor, operation | LOCK_NB) == 0 { return nil }
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else { return code }
            if waited == 50 { onWait() }
            waited += 1
            usleep(20_000)
        }
    }
}
