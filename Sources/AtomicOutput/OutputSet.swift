/// A run's output files, written all or nothing.
///
/// Each output is written to a temporary file beside its target (`open` streams chunks,
/// `stage` takes whole byte arrays); `commit` then syncs them and renames them into place as
/// one set. The guarantees, and how they are kept:
///
/// - **All or nothing.** A set of two or more files is committed under a journal
///   (`.persona-journal` in every folder written into), written and synced before the first
///   rename and removed after the last, with a hard link keeping each replaced file. If a
///   rename fails, the files already renamed are put back. If the process dies mid-commit,
///   the next commit into any of those folders finds the journal and rolls the set back to
///   the previous files first, with a notice naming the journal.
/// - **Durable.** Every file is `fsync`ed before the renames; the folders after them.
/// - **One writer at a time.** A commit holds an exclusive `flock` on each folder it writes
///   into (taken in a fixed order, so two runs cannot deadlock), so two runs writing the same
///   outputs commit one after the other, never interleaved: the last one to commit wins as a
///   whole. A run that has to wait more than a second gets a `.waiting` notice; it waits as
///   long as the other commit takes (renames, not computation).
/// - **Nothing but regular files is replaced.** A symbolic link, named pipe, device node,
///   socket or directory at a target is refused when the file is opened and again at commit.
/// - **No litter.** Temporary files are removed on error, by `discard`, on SIGINT/SIGTERM
///   (see `OutputInterrupts`), and — when a run was killed — by the next commit into the folder.
///
/// `-` means standard output: it is written straight through and is not part of the
/// all-or-nothing set.
public final class OutputSet {
    private var files: [StagedFile] = []
    private var finished = false
    let notify: (OutputNotice) -> Void

    /// What tests make happen during a commit: a rename that fails, or a crash (everything
    /// left as a killed process leaves it) after some renames.
    enum SimulatedFailure: Equatable {
        case renameFails(at: Int)
        case crash(afterRenames: Int)
    }

    var simulatedFailure: SimulatedFailure?

    /// - Parameter notify: told when the commit waits for another run, rolls back an
    ///   interrupted one, or removes a killed run's leftovers.
    public init(notify: @escaping (OutputNotice) -> Void = { _ in }) {
        self.notify = notify
    }

    deinit { discard() }

    /// Starts the output `path` (`-` for standard output) and returns it to be written in chunks.
    /// - Throws: `OutputError` when the directory is missing, something other than a
    ///   regular file is at `path`, or the temporary file cannot be created.
    public func open(_ path: String) throws(OutputError) -> StagedFile {
        guard !finished else { throw .writeFailed(file: path, reason: "the run's outputs were already written") }
        let file = path == "-" ? StagedFile.standardOutput() : try StagedFile.create(path)
        if file.temporary != nil, files.contains(where: { $0.target == file.target }) {
            PendingFiles.shared.exclusive { file.delete(from: &$0) }
            throw .writeFailed(file: path, reason: "it is already one of this run's outputs")
        }
        files.append(file)
        return file
    }

    /// Writes `bytes` as the output `path`.
    public func stage(_ bytes: [UInt8], to path: String) throws(OutputError) {
        try open(path).write(bytes)
    }

    /// Puts every output in place, all or nothing (see the type's notes). On error no output
    /// has changed and the temporary files are removed.
    public func commit() throws(OutputError) {
        guard !finished else { return }
        let staged = files.filter { $0.temporary != nil }
        do {
            for file in staged { try file.sync() }
            if !staged.isEmpty, try commitStaged(staged) == .crashed {
                finished = true
                for file in files { file.close() }
                return
            }
        } catch {
            discard()
            throw error
        }
        finished = true
        for file in files { file.close() }
    }

    /// Removes the temporary files; nothing is put in place. Done on deinit unless committed.
    public func discard() {
        guard !finished else { return }
        finished = true
        PendingFiles.shared.exclusive { state in
            for file in files { file.delete(from: &state) }
        }
    }
}
