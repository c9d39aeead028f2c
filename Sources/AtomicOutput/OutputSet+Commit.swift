import Foundation

extension OutputSet {
    enum CommitResult { case committed, crashed }

    /// Locks the folders, repairs what killed runs left there, and replaces the targets.
    func commitStaged(_ staged: [StagedFile]) throws(OutputError) -> CommitResult {
        let ours = unique(staged.map(\.directory))
        let locks = try lockDirectories(ours)
        return try PendingFiles.shared.exclusive { (state) throws(OutputError) -> CommitResult in
            guard !state.abandoned else { throw .interrupted }
            for directory in ours { try recoverJournal(in: directory, locks: locks) }
            for directory in ours { removeLeftovers(in: directory, keeping: state.temporaries) }
            let result = try replace(staged, directories: ours, locks: locks)
            for file in staged { if let temporary = file.temporary { state.temporaries.remove(temporary) } }
            return result
        }
    }

    /// Exclusive locks on `directories` and on every folder a journal found in them names
    /// (its rollback may touch those), taken in (device, inode) order so that two runs never
    /// wait for each other in a circle.
    private func lockDirectories(_ directories: [String]) throws(OutputError) -> [LockedDirectory] {
        for _ in 0..<8 {
            let wanted = unique(directories + journalDirectories(in: directories))
            let ordered = wanted.compactMap { path in FileIdentity(path: path).map { (path, $0) } }
                .sorted { ($0.1.device, $0.1.inode) < ($1.1.device, $1.1.inode) }
            var locks: [LockedDirectory] = []
            for (path, identity) in ordered where !locks.contains(where: { $0.identity == identity }) {
                locks.append(try LockedDirectory(path: path, exclusive: true) { notify(.waiting(directory: path)) })
            }
            // A journal written between the look and the locks may name another folder: look again.
            let held = Set(locks.map(\.identity))
            if journalDirectories(in: directories).allSatisfy({ FileIdentity(path: $0).map(held.contains) ?? true }) {
                return locks
            }
        }
        throw .lockFailed(directory: directories.joined(separator: ", "), reason: "other runs keep starting commits there")
    }

    private func journalDirectories(in directories: [String]) -> [String] {
        directories.flatMap { directory -> [String] in
            guard case .journal(let journal) = CommitJournal.read(joinPath(directory, CommitJournal.fileName)) else { return [] }
            return journal.directories
        }
    }

    /// Rolls back the commit a killed run left in `directory`, if any.
    private func recoverJournal(in directory: String, locks: [LockedDirectory]) throws(OutputError) {
        let path = joinPath(directory, CommitJournal.fileName)
        switch CommitJournal.read(path) {
        case .missing:
            return
        case .unreadable(let why):
            throw .recoveryFailed(journal: path, reason: why)
        case .incomplete:
            guard removeFile(path) else { throw .recoveryFailed(journal: path, reason: reason(errno)) }
            sync(locks)
            notify(.removedIncompleteJournal(journal: path))
        case .journal(let journal):
            let rollback = journal.rollBack()
            sync(locks)
            guard rollback.failures.isEmpty else {
                throw .recoveryFailed(journal: path, reason: rollback.failures.joined(separator: "; "))
            }
            guard journal.removeCopies() else { throw .recoveryFailed(journal: path, reason: reason(errno)) }
            sync(locks)
            notify(.rolledBack(journal: path, restored: rollback.restored, removed: rollback.removed))
        }
    }

    /// Removes temporary and backup files that no live run holds: those of killed runs.
    /// Backups are only ever needed under the folder's lock, which this commit holds.
    private func removeLeftovers(in directory: String, keeping live: Set<String>) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed: [String] = []
        for name in names.sorted() where StagedFile.isLeftover(name) {
            let path = joinPath(directory, name)
            guard !live.contains(path) else { continue }
            let descriptor = systemOpen(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            var info = stat()
            if fstat(descriptor, &info) == 0, FileKind(mode: info.st_mode) == .regularFile,
               flock(descriptor, LOCK_EX | LOCK_NB) == 0, unlink(path) == 0 {
                removed.append(name)
            }
            systemClose(descriptor)
        }
        if !removed.isEmpty { notify(.removedLeftovers(directory: directory, names: removed)) }
    }

    /// Journal, backups, renames, syncs, clean-up: the targets go from all old to all new.
    private func replace(_ staged: [StagedFile], directories: [String], locks: [LockedDirectory]) throws(OutputError) -> CommitResult {
        var replacing: [Bool] = []
        for file in staged {
            let kind = FileKind(path: file.target)
            guard kind.isReplaceable else { throw .notRegularFile(file: file.path, kind: kind) }
            replacing.append(kind == .regularFile)
        }
        // One file needs no journal: its rename is atomic by itself.
        let journaled = staged.count > 1
        let journal = CommitJournal(
            copies: journaled ? directories.map { joinPath($0, CommitJournal.fileName) } : [],
            entries: zip(staged, replacing).map { file, replaces in
                CommitJournal.Entry(target: file.target, temporary: file.temporary ?? "",
                                    backup: journaled && replaces ? backupPath(for: file) : nil,
                                    device: file.identity.device, inode: file.identity.inode)
            })
        do {
            for copy in journal.copies { try journal.write(to: copy) }
            for (entry, file) in zip(journal.entries, staged) {
                if let backup = entry.backup { try keepPrevious(entry.target, as: backup, file: file.path) }
            }
            // The journal and the backups are on disk before the first target changes.
            sync(locks)
        } catch {
            _ = journal.rollBack()
            _ = journal.removeCopies()
            throw error
        }
        for (index, (entry, file)) in zip(journal.entries, staged).enumerated() {
            if simulatedFailure == .crash(afterRenames: index) { return .crashed }
            let failure: Int32? = simulatedFailure == .renameFails(at: index) ? EIO
                : rename(entry.temporary, entry.target) == 0 ? nil : errno
            if let failure {
                let rollback = journal.rollBack()
                sync(locks)
                guard rollback.failures.isEmpty, journal.removeCopies() else {
                    throw .rollbackFailed(file: file.path, reason: reason(failure), journal: journal.copies.first ?? entry.target)
                }
                sync(locks)
                throw .writeFailed(file: file.path, reason: reason(failure) + "; no output was changed")
            }
        }
        sync(locks)
        _ = journal.removeCopies()
        sync(locks)
        for entry in journal.entries { if let backup = entry.backup { removeFile(backup) } }
        return .committed
    }

    /// Keeps the file at `target` reachable as `backup`: a hard link, or a synced copy where
    /// the file system has no hard links.
    private func keepPrevious(_ target: String, as backup: String, file: String) throws(OutputError) {
        func failure(_ reason: String) -> OutputError {
            .writeFailed(file: file, reason: "cannot keep the previous file while replacing it: \(reason)")
        }
        if link(target, backup) == 0 { return }
        let code = errno
        guard [EPERM, EOPNOTSUPP, EMLINK, EXDEV, ENOSYS].contains(code) else { throw failure(reason(code)) }
        do {
            try FileManager.default.copyItem(atPath: target, toPath: backup)
        } catch {
            throw failure(error.localizedDescription)
        }
        let descriptor = systemOpen(backup, O_RDONLY | O_CLOEXEC)
        defer { if descriptor >= 0 { systemClose(descriptor) } }
        guard descriptor >= 0, fsync(descriptor) == 0 else { throw failure(reason(errno)) }
    }

    private func backupPath(for file: StagedFile) -> String {
        joinPath(file.directory, "." + StagedFile.stem(splitPath(file.target).name) + StagedFile.backupMarker + randomSuffix())
    }

    private func sync(_ locks: [LockedDirectory]) {
        for lock in locks { lock.sync() }
    }
}

/// `values` without repeats, in first-seen order.
func unique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
}
