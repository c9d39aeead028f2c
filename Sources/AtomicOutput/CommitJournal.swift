import Foundation

/// The record of one multi-file commit, written and synced before the first rename and
/// removed after the last, so that a commit cut short (`kill -9`, a power cut) is visibly
/// incomplete and can be rolled back by the next run that writes into its folders.
///
/// One copy is written into every folder the set writes into, so a run writing into any of
/// them finds it. For each output it records the target, the temporary file, the hard link
/// that keeps the previous file (when there was one) and the identity the new file has, so
/// that a rollback only undoes what this commit did: a target that is no longer the new file
/// (never renamed, or replaced since by another run) is left alone.
struct CommitJournal: Codable, Equatable {
    static let fileName = ".persona-journal"
    static let formatName = "persona.output-journal"

    struct Entry: Codable, Equatable {
        var target: String
        var temporary: String
        var backup: String?
        var device: UInt64
        var inode: UInt64
    }

    var format = CommitJournal.formatName
    var version = 1
    /// Every copy of this journal (one per folder written into).
    var copies: [String]
    var entries: [Entry]

    /// The folders this commit writes into.
    var directories: [String] { copies.map { splitPath($0).directory } }

    enum Contents {
        case missing
        /// There, but it cannot be read (the reason).
        case unreadable(String)
        /// Not a complete journal: its run stopped while writing it, before any rename.
        case incomplete
        case journal(CommitJournal)
    }

    static func read(_ path: String) -> Contents {
        let descriptor = systemOpen(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno == ENOENT ? .missing : .unreadable(reason(errno)) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let data: Data
        do { data = try handle.readToEnd() ?? Data() } catch { return .unreadable("\(error.localizedDescription)") }
        guard let journal = try? JSONDecoder().decode(CommitJournal.self, from: data),
              journal.format == formatName, journal.version == 1 else { return .incomplete }
        return .journal(journal)
    }

    /// Writes one copy and forces it to disk; the copy must not exist yet.
    func write(to path: String) throws(OutputError) {
        let bytes: Data
        do { bytes = try JSONEncoder().encode(self) } catch {
            throw .writeFailed(file: path, reason: "\(error)")
        }
        let descriptor = systemOpen(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .writeFailed(file: path, reason: reason(errno)) }
        defer { systemClose(descriptor) }
        if let failure = bytes.withUnsafeBytes({ writeAll(descriptor, $0) }) {
            throw .writeFailed(file: path, reason: reason(failure))
        }
        if fsync(descriptor) != 0 { throw .writeFailed(file: path, reason: reason(errno)) }
    }

    struct Rollback {
        var restored: [String] = []
        var removed: [String] = []
        var failures: [String] = []
    }

    /// Puts every target back as it was before this commit: a target that is this commit's
    /// new file gets its previous file back from the backup (or is removed when there was
    /// none); then the backups and temporary files are removed. Safe to repeat.
    func rollBack() -> Rollback {
        var result = Rollback()
        for entry in entries.reversed() {
            let isNew = linkStatus(entry.target).map { FileIdentity($0) == FileIdentity(device: entry.device, inode: entry.inode) } ?? false
            if isNew {
                if let backup = entry.backup {
                    if rename(backup, entry.target) == 0 { result.restored.append(entry.target) } else {
                        result.failures.append("cannot put back \(entry.target) from \(backup): \(reason(errno))")
                    }
                } else if unlink(entry.target) == 0 {
                    result.removed.append(entry.target)
                } else {
                    result.failures.append("cannot remove \(entry.target): \(reason(errno))")
                }
            } else if let backup = entry.backup {
                removeFile(backup)
            }
            removeFile(entry.temporary)
        }
        return result
    }

    /// Removes every copy; false when one could not be removed.
    func removeCopies() -> Bool {
        copies.map { removeFile($0) }.allSatisfy { $0 }
    }
}
