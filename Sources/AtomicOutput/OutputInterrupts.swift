import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// SIGINT and SIGTERM handling for executables that write through `OutputSet`.
public enum OutputInterrupts {
    /// Makes SIGINT and SIGTERM remove this process's temporary files before it ends.
    ///
    /// The signals are received by dispatch sources, so the clean-up runs as ordinary code on
    /// a queue, not inside a signal handler. It first waits for a commit in progress to finish
    /// (so the outputs are never left half old, half new), removes the temporary files, and
    /// then ends the process by the same signal with its default action, as an uncaught
    /// signal would have: shells report status 130 (SIGINT) or 143 (SIGTERM), and a shell
    /// loop running the command stops on Ctrl-C.
    ///
    /// A signal that was already ignored when the process started (as `sh` does for the
    /// background jobs of a script) is left ignored, as Python does.
    ///
    /// Call once, at the start of `main`; only executables should call it.
    public static func install() {
        guard sources.isEmpty else { return }
        for number in [SIGINT, SIGTERM] {
            // A signal ignored from the start (a background job of a script) stays ignored.
            let previous = signal(number, SIG_IGN)
            if unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { terminate(by: number) }
            source.resume()
            sources.append(source)
        }
    }

    private static func terminate(by number: Int32) -> Never {
        PendingFiles.shared.abandon()
        signal(number, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, number)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        kill(getpid(), number)
        // Only reached if the signal could not end the process: exit as a shell would report it.
        usleep(100_000)
        _exit(128 + number)
    }

    // Written only by `install()`, which `main` calls before starting any other thread;
    // kept so that the sources live as long as the process.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
}
