import Foundation
import SyntheticData
import Testing

/// The outputs of `persona cluster --out s.csv --model m.json --report r.html`, run on a.csv
/// or b.csv (ids a0… or b0…): a consistent set comes from one input in all three files.
struct ClusterSet {
    static let outputs = ["s.csv", "m.json", "r.html"]
    static let inputs = ["a.csv", "b.csv"]

    /// Two distinguishable 300-row inputs and the rules for the repairing `persona tag` run.
    static func prepare(_ runner: PersonaRunner) throws {
        for (index, name) in inputs.enumerated() {
            var generator = SeededGenerator(seed: UInt64(index + 1))
            var text = "id,x,y,z\n"
            for row in 0..<300 {
                let values = (0..<3).map { _ in Double(generator.next() >> 11) / Double(1 << 53) }
                text += "\(name.prefix(1))\(row),\(values[0]),\(values[1]),\(values[2] * 10)\n"
            }
            try runner.write(name, text)
        }
        try runner.write("rules.yaml", "tags:\n  - name: high x\n    when: x > 0.5\n")
    }

    /// Runs cluster on the input the current outputs do not come from, signals it at the next
    /// seeded moment, and returns the ended process and that input.
    static func interrupt(_ runner: PersonaRunner, with signal: Int32, after old: String,
                          timing: inout KillTiming) throws -> (process: Process, new: String) {
        let new = old == "a.csv" ? "b.csv" : "a.csv"
        let process = try runner.start(arguments(new))
        Thread.sleep(forTimeInterval: timing.next())
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return (process, new)
    }

    static func arguments(_ input: String) -> [String] {
        ["cluster", input, "--id", "id", "--k", "3", "--n-init", "1", "--out", "s.csv", "--model", "m.json", "--report", "r.html"]
    }

    /// The input all three outputs come from; nil when they are missing or mixed.
    static func source(in runner: PersonaRunner) -> String? {
        guard let segments = try? runner.read("s.csv"), let model = try? runner.read("m.json"),
              let report = try? runner.read("r.html") else { return nil }
        let fromSegments = segments.split(separator: "\n").dropFirst().first.map { String($0.prefix(1)) + ".csv" }
        let fromModel = inputs.first { model.contains("\"source\" : \"\($0)\"") }
        let fromReport = inputs.filter { report.contains($0) }
        guard let fromSegments, fromModel == fromSegments, fromReport == [fromSegments] else { return nil }
        return fromSegments
    }
}

extension ClusterSet {
    /// The shortest of three complete runs, in seconds.
    static func duration(_ runner: PersonaRunner) throws -> Double {
        var best = Double.infinity
        for input in inputs + ["a.csv"] {
            let start = Date()
            let output = try runner.run(arguments(input))
            try #require(output.status == 0, "\(output.stderr)")
            best = min(best, Date().timeIntervalSince(start))
        }
        return best
    }
}

/// Seeded kill moments that home in on the commit at the end of a run: the next kill comes
/// earlier after a run that finished or had already put its new files in place, later after
/// one stopped before it wrote anything or while it was still writing its temporary files;
/// always with a seeded random jitter of a few milliseconds.
struct KillTiming {
    var center: Double
    var generator: SeededGenerator

    init(duration: Double, seed: UInt64) {
        center = duration * 0.9
        generator = SeededGenerator(seed: seed)
    }

    mutating func next() -> Double {
        max(0.001, center + (Double(generator.next() % 601) - 300) / 100_000)
    }

    /// `hidden`: the scratch folder's hidden files after the kill.
    mutating func record(finished: Bool, hidden: [String]) {
        if finished || (hidden.contains { $0.contains(".persona-old-") } && !hidden.contains(".persona-journal")) {
            center -= 0.002
        } else if hidden.isEmpty {
            center += 0.002
        } else if !hidden.contains(".persona-journal") {
            center += 0.0005
        }
    }
}

extension PersonaRunner {
    /// Starts `binary` (persona by default) in the scratch directory without waiting for it.
    func start(_ arguments: [String], binary: URL = PersonaRunner.binary) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static var datagen: URL { binary.deletingLastPathComponent().appendingPathComponent("persona-datagen") }

    /// Hidden entries: temporary files, backups, journals.
    var hiddenFiles: [String] { files.filter { $0.hasPrefix(".") } }
}

@Suite("Outputs survive kill -9, signals and concurrent runs")
struct OutputSafetyTests {
    @Test("kill -9 at seeded random moments: outputs are all old or all new, or journaled and rolled back by the next run")
    func killNine() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try ClusterSet.prepare(runner)
        var timing = KillTiming(duration: try ClusterSet.duration(runner), seed: 16)
        var old = try #require(ClusterSet.source(in: runner))
        for iteration in 0..<40 {
            let (process, new) = try ClusterSet.interrupt(runner, with: SIGKILL, after: old, timing: &timing)
            timing.record(finished: process.terminationReason == .exit, hidden: runner.hiddenFiles)
            let journaled = runner.files.contains(".persona-journal")
            let before = ClusterSet.source(in: runner)
            if !journaled {
                #expect(before == old || before == new, "iteration \(iteration): mixed outputs without a journal")
            }
            // The next run writing into the folder (here: persona tag) repairs it.
            let repair = try runner.run(["tag", "a.csv", "--id", "id", "--rules", "rules.yaml", "--out", "t.csv"])
            #expect(repair.status == 0, "\(repair.stderr)")
            let after = ClusterSet.source(in: runner)
            if journaled {
                #expect(after == old, "iteration \(iteration): a journaled set must roll back to the old outputs")
                // Killed after the journal was complete: rolled back. Killed while it was being
                // written (before any rename): it is incomplete and simply removed.
                let journal = "note: \(runner.directory.resolvingSymlinksInPath().path)/.persona-journal: "
                #expect(repair.stderr.contains(journal + "an earlier run was interrupted")
                        || repair.stderr.contains(journal + "removed an incomplete journal"), "\(repair.stderr)")
            } else {
                #expect(after == before)
            }
            #expect(runner.hiddenFiles.isEmpty, "iteration \(iteration): left \(runner.hiddenFiles)")
            old = after ?? old
        }
    }

    @Test("SIGTERM at seeded random moments: never a mixed set, never a journal or temporary file left")
    func termDuringCommit() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try ClusterSet.prepare(runner)
        var timing = KillTiming(duration: try ClusterSet.duration(runner), seed: 17)
        var old = try #require(ClusterSet.source(in: runner))
        for iteration in 0..<20 {
            let (process, new) = try ClusterSet.interrupt(runner, with: SIGTERM, after: old, timing: &timing)
            timing.record(finished: process.terminationReason == .exit, hidden: [])
            let source = ClusterSet.source(in: runner)
            #expect(source == old || source == new, "iteration \(iteration)")
            #expect(runner.hiddenFiles.isEmpty, "iteration \(iteration): left \(runner.hiddenFiles)")
            if process.terminationReason == .uncaughtSignal {
                #expect(process.terminationStatus == SIGTERM)
            } else {
                #expect(process.terminationStatus == 0, "iteration \(iteration): finished before the signal, so it must have succeeded")
            }
            old = source ?? old
        }
    }

    @Test("SIGINT and SIGTERM while datagen streams: temporary files removed, ended by the signal (shell status 130 / 143)",
          arguments: [SIGINT, SIGTERM])
    func signalWhileStreaming(signal: Int32) throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let process = try runner.start(["matrix", "--rows", "20000000", "--out", "m.csv", "--truth", "t.csv"], binary: PersonaRunner.datagen)
        let deadline = Date().addingTimeInterval(20)
        while runner.hiddenFiles.count < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        try #require(runner.hiddenFiles.count == 2, "the temporary files never appeared: \(runner.files)")
        Thread.sleep(forTimeInterval: 0.1)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == signal)
        #expect(runner.files.isEmpty)
    }

    @Test("SIGINT while persona computes: ended by the signal, nothing written")
    func interruptWhileComputing() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        var generator = SeededGenerator(seed: 3)
        var text = "id,x,y,z\n"
        for row in 0..<20_000 { text += "c\(row),\(generator.next() % 997),\(generator.next() % 991),\(generator.next() % 983)\n" }
        try runner.write("in.csv", text)
        let process = try runner.start(["cluster", "in.csv", "--id", "id", "--k-range", "2...12", "--n-init", "10", "--out", "s.csv", "--model", "m.json"])
        Thread.sleep(forTimeInterval: 0.5)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGINT)
        #expect(runner.files == ["in.csv"])
    }

    @Test("two runs writing the same outputs at once: the final set always comes from one of them")
    func concurrentRuns() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try ClusterSet.prepare(runner)
        for round in 0..<10 {
            let a = try runner.start(ClusterSet.arguments("a.csv"))
            let b = try runner.start(ClusterSet.arguments("b.csv"))
            a.waitUntilExit()
            b.waitUntilExit()
            #expect(a.terminationStatus == 0 && b.terminationStatus == 0)
            #expect(ClusterSet.source(in: runner) != nil, "round \(round): the outputs mix the two runs")
            #expect(runner.hiddenFiles.isEmpty, "round \(round): left \(runner.hiddenFiles)")
        }
    }
}
