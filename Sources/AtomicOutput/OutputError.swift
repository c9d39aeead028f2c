/// Why outputs could not be written. Every message names the file and the reason; the
/// labels in the path checks (`--out`, `INPUT`) are the caller's.
public enum OutputError: Error, Equatable, CustomStringConvertible {
    /// Creating, writing, syncing or renaming `file` failed; nothing was replaced.
    case writeFailed(file: String, reason: String)
    /// `file` exists and is not a regular file, so it is not replaced.
    case notRegularFile(file: String, kind: FileKind)
    /// A rename failed and the outputs already renamed could not all be put back; `journal`
    /// records them and the next run writing into its directory restores them.
    case rollbackFailed(file: String, reason: String, journal: String)
    /// An interrupted earlier run's journal could not be rolled back.
    case recoveryFailed(journal: String, reason: String)
    /// The directory could not be locked against other runs.
    case lockFailed(directory: String, reason: String)
    /// The process is being stopped by a signal: nothing more is written.
    case interrupted
    /// Two output options name one file (same path, or another path to the same file).
    case sameOutput(label: String, earlierLabel: String, path: String, earlierPath: String)
    /// An output names a file the run reads.
    case overwritesInput(label: String, inputLabel: String, path: String, inputPath: String)
    /// An output option names a path that is not a regular file.
    case notReplaceable(label: String, path: String, kind: FileKind)

    public var description: String {
        switch self {
        case let .writeFailed(file, reason):
            return "\(file): cannot write: \(reason)"
        case let .notRegularFile(file, kind):
            return "\(file): cannot write: it is \(kind); " + OutputError.fix(for: kind)
        case let .rollbackFailed(file, reason, journal):
            return "\(file): cannot write: \(reason); the outputs already replaced could not all be put back: "
                + "\(journal) lists them, and the next run writing into that folder restores them"
        case let .recoveryFailed(journal, reason):
            return "\(journal): an earlier run stopped while replacing its outputs, and they could not be put back: \(reason); "
                + "fix that and run again, or delete \(journal) to keep the files as they are now"
        case let .lockFailed(directory, reason):
            return "\(directory): cannot lock the folder against other runs writing there: \(reason)"
        case .interrupted:
            return "interrupted: no output was written"
        case let .sameOutput(label, earlierLabel, path, earlierPath):
            return "\(earlierLabel) and \(label) name the same file: " + (path == earlierPath ? path : "\(earlierPath) and \(path)")
        case let .overwritesInput(label, inputLabel, path, inputPath):
            if path == inputPath { return "\(label) would overwrite \(inputLabel), which is read: \(path)" }
            let input = inputLabel.hasPrefix("-") ? "the \(inputLabel) file" : "the input"
            return "\(label) would overwrite \(input) \(inputPath) (same file as \(path))"
        case let .notReplaceable(label, path, kind):
            return "\(label) names \(kind): \(path); " + OutputError.fix(for: kind)
        }
    }

    private static func fix(for kind: FileKind) -> String {
        kind == .directory ? "give a file name" : "only a regular file is replaced: give another file name"
    }
}

/// Something the caller may want to tell the user while outputs are committed.
public enum OutputNotice: Equatable, Sendable, CustomStringConvertible {
    /// Another run holds the lock on `directory`; this one waits for it.
    case waiting(directory: String)
    /// An interrupted earlier run's outputs were put back as they were before it.
    case rolledBack(journal: String, restored: [String], removed: [String])
    /// A journal that was never completed (its run stopped before replacing anything) was removed.
    case removedIncompleteJournal(journal: String)
    /// Temporary files left by runs that were killed were removed.
    case removedLeftovers(directory: String, names: [String])

    public var description: String {
        switch self {
        case let .waiting(directory):
            return "waiting for another run writing into \(directory) to finish"
        case let .rolledBack(journal, restored, removed):
            var done: [String] = []
            if !restored.isEmpty { done.append("restored the previous " + restored.joined(separator: ", ")) }
            if !removed.isEmpty { done.append("removed " + removed.joined(separator: ", ")) }
            if done.isEmpty { done.append("none of them had been replaced yet") }
            return "\(journal): an earlier run was interrupted while replacing its outputs; rolled back: "
                + done.joined(separator: "; ")
        case let .removedIncompleteJournal(journal):
            return "\(journal): removed an incomplete journal (its run stopped before replacing any file)"
        case let .removedLeftovers(directory, names):
            return "removed \(names.count) temporary file\(names.count == 1 ? "" : "s") left in \(directory) by an interrupted run: "
                + names.joined(separator: ", ")
        }
    }
}
