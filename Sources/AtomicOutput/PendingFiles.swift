import Foundation

/// This process's temporary files that are not committed yet, and the one lock under which
/// temporary files are created and output sets are committed.
///
/// It is process-wide because signals are: a SIGINT handler must find every temporary file,
/// and must wait for a commit in progress to finish before it removes anything, so that an
/// interrupted run never leaves a mixed set of old and new outputs.
final class PendingFiles: @unchecked Sendable {
    // Safe to share: `state` is only read or written inside `exclusive`, under `lock`.
    static let shared = PendingFiles()

    struct State {
        var temporaries: Set<String> = []
        /// Set once a signal has removed the temporaries: nothing more may be created or committed.
        var abandoned = false
    }

    private let lock = NSLock()
    private var state = State()

    /// Runs `body` with the state, excluding other threads' commits and the signal handler.
    func exclusive<T, E: Error>(_ body: (inout State) throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }

    /// Waits for a commit in progress, removes every temporary file, and keeps the lock, so
    /// that nothing more is written before the process ends. Only for a signal handler that
    /// ends the process next.
    func abandon() {
        lock.lock()
        state.abandoned = true
        for path in state.temporaries { removeFile(path) }
        state.temporaries.removeAll()
    }
}
