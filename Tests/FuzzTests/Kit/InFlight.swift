import Foundation

/// The inputs being checked right now, one slot per running target, kept where a signal
/// handler and a watchdog thread can reach them: when the process dies on a trap, a fault or
/// an abort, or one input runs longer than `hangSeconds`, each in-flight input is written to
/// .build/fuzz-failures/NAME/in-flight, so the crash becomes a file to commit under
/// Corpus/NAME/regressions/ (the seeded driver replays those every run).
///
/// The slots are raw memory allocated once and never freed, written by the slot's owner
/// thread and only read by the handler (which may not allocate or lock) and the watchdog.
enum InFlight {
    static let slots = 16
    static let capacity = 1 << 16

    struct Slot {
        var active: Int
        var length: Int
        var startedNanoseconds: UInt64
        var bytes: UnsafeMutablePointer<UInt8>
        var path: UnsafeMutablePointer<CChar>
        /// A signal stack for the owner thread, so a stack overflow can still be dumped.
        var signalStack: UnsafeMutableRawPointer
        var ownerPreviousStack: stack_t
    }

    static let signalStackSize = 1 << 16

    // nonisolated(unsafe): fixed-size raw storage, set up once under `lock` before any handler
    // is installed; afterwards each slot is written only by the thread that claimed it.
    nonisolated(unsafe) private static var table: UnsafeMutablePointer<Slot>?
    nonisolated(unsafe) private static var previous: UnsafeMutablePointer<sigaction>?
    nonisolated(unsafe) private static var owners = [Bool](repeating: false, count: slots)
    nonisolated(unsafe) static var hangSeconds: Double = 300
    private static let lock = NSLock()
    private static let signals: [Int32] = [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE]

    /// A slot for `target` (nil when all are taken: the run goes on without a dump).
    static func claim(target: String) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        setUp()
        guard let table, let k = owners.firstIndex(of: false) else { return nil }
        owners[k] = true
        let directory = Corpus.failures.appendingPathComponent(target)
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = Array(directory.appendingPathComponent("in-flight").path.utf8CString.prefix(1023)) + [0]
        path.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { table[k].path.update(from: base, count: path.count) }
        }
        table[k].active = 0
        var stack = stack_t(ss_sp: table[k].signalStack, ss_flags: 0, ss_size: signalStackSize)
        sigaltstack(&stack, &table[k].ownerPreviousStack)
        return k
    }

    /// Gives the slot back; call it on the thread that claimed it.
    static func release(_ k: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard let table else { return }
        table[k].active = 0
        sigaltstack(&table[k].ownerPreviousStack, nil)
        owners[k] = false
    }

    /// Marks `input` as being checked in slot `k`.
    static func begin(_ k: Int, _ input: [UInt8]) {
        guard let table else { return }
        let n = min(input.count, capacity)
        input.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { table[k].bytes.update(from: base, count: n) }
        }
        table[k].length = n
        table[k].startedNanoseconds = DispatchTime.now().uptimeNanoseconds
        table[k].active = 1
    }

    static func end(_ k: Int) { table?[k].active = 0 }

    /// Allocates the slots, installs the handlers and starts the watchdog, once.
    private static func setUp() {
        guard table == nil else { return }
        let slots = UnsafeMutablePointer<Slot>.allocate(capacity: InFlight.slots)
        for k in 0..<InFlight.slots {
            let path = UnsafeMutablePointer<CChar>.allocate(capacity: 1024)
            path.initialize(repeating: 0, count: 1024)
            slots.advanced(by: k).initialize(to: Slot(active: 0, length: 0, startedNanoseconds: 0,
                                                      bytes: .allocate(capacity: capacity), path: path,
                                                      signalStack: .allocate(byteCount: signalStackSize, alignment: 16),
                                                      ownerPreviousStack: stack_t()))
        }
        table = slots
        let saved = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
        saved.initialize(repeating: sigaction(), count: 65)
        previous = saved
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in InFlight.crashed(signal) }
            action.sa_flags = Int32(SA_ONSTACK)
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, saved.advanced(by: Int(signal)))
        }
        let watchdog = Thread { InFlight.watch() }
        watchdog.name = "fuzz watchdog"
        watchdog.start()
    }

    /// Writes every in-flight input to its file; only async-signal-safe calls.
    private static func dump() {
        guard let table else { return }
        for k in 0..<slots where table[k].active == 1 {
            let fd = open(table[k].path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { continue }
            _ = write(fd, table[k].bytes, table[k].length)
            close(fd)
            say("persona fuzz: the input being checked is in ")
            _ = write(2, table[k].path, strlen(table[k].path))
            say(" (keep it as a regression: move it to Tests/FuzzTests/Corpus/<target>/regressions/)\n")
        }
    }

    private static func say(_ text: StaticString) {
        _ = write(2, text.utf8Start, text.utf8CodeUnitCount)
    }

    /// The signal handler: dump, put the previous handler back, and return, so the fault
    /// happens again under it (the runtime's backtrace, or the default action).
    private static func crashed(_ signal: Int32) {
        dump()
        if let previous { sigaction(signal, previous.advanced(by: Int(signal)), nil) } else { Glibc.signal(signal, SIG_DFL) }
        if signal == SIGABRT || signal == SIGTRAP { raise(signal) }
    }

    /// Aborts when one input has run longer than `hangSeconds` (an endless loop would
    /// otherwise hold the whole test run forever); the abort dumps it.
    private static func watch() {
        while true {
            Thread.sleep(forTimeInterval: 1)
            guard let table else { continue }
            let now = DispatchTime.now().uptimeNanoseconds
            for k in 0..<slots where table[k].active == 1 {
                // A slot may start a new input after `now` was read: its start is then later
                // than `now`, and the unsigned difference must not wrap into a "hang".
                let started = table[k].startedNanoseconds
                guard started <= now else { continue }
                let seconds = Double(now - started) / 1e9
                if seconds > hangSeconds, table[k].active == 1 {
                    FileHandle.standardError.write(Data("persona fuzz: one input has run for \(Int(seconds)) s: a hang\n".utf8))
                    abort()
                }
            }
        }
    }
}
