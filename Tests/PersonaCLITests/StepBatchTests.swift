import Foundation
import Testing

/// `persona step batch`: what Spark's RDD.pipe runs on the partitions one task holds. Each
/// partition's line must carry what `persona step STEP` (or `persona cluster --apply`) gives
/// on that partition alone; a file that is not the one written is reported missing, and an
/// error is reported with the partition, not as the process's exit status.
@Suite("persona step batch")
struct StepBatchTests {
    let caches = StepMatrixCacheTests()

    /// SIZE:INODE:MTIME_NS, as the driver takes it from Python's os.stat.
    func identity(_ path: String) throws -> String {
        var info = stat()
        #expect(stat(path, &info) == 0)
        return "\(info.st_size):\(info.st_ino):\(Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))"
    }

    func decoded(_ line: Substring) -> String? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[1] == "ok", let data = Data(base64Encoded: String(fields[2])) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    @Test("a k-means round over three kept partitions: each line is that partition's step output; a changed file is missing")
    func kmeansRound() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let parts = try caches.atLloyd(runner)
        var lines = try parts.enumerated().map { i, part in "\(i)\t\(part)\t\(try identity(part))\t\(runner.path("m\(i).matrix"))" }
        let original = lines[1]
        lines[1] = lines[1].replacingOccurrences(of: "\t\(try identity(parts[1]))", with: "\t1:\(try identity(parts[1]))")
        let batch = try runner.run(["step", "batch", "lloyd", "--state", "state.json", "--matrix-caches"], stdin: lines.joined(separator: "\n") + "\n")
        #expect(batch.status == 0 && batch.stderr.isEmpty, "\(batch.stderr)")
        let out = batch.stdout.split(separator: "\n")
        #expect(out.count == 3 && out[1] == "1\tmissing")
        for i in [0, 2] {
            let single = try runner.run(["step", "lloyd", parts[i], "--state", "state.json", "--part", "\(i)"])
            #expect(out[i].hasPrefix("\(i)\tok\t") && decoded(out[i]) == single.stdout, "partition \(i)")
            #expect(runner.files.contains("m\(i).matrix"), "partition \(i)'s matrix is kept")
        }
        #expect(!runner.files.contains("m1.matrix"))

        // A round the state is not in: every partition's line carries persona's own message.
        let wrong = try runner.run(["step", "batch", "final", "--state", "state.json"], stdin: original + "\n")
        let expected = try runner.run(["step", "final", parts[1], "--state", "state.json", "--part", "1"])
        #expect(wrong.status == 0 && expected.status == 1)
        #expect(wrong.stdout == "1\terror\t" + expected.stderr.trimmingCharacters(in: .newlines) + "\n")

        let malformed = try runner.run(["step", "batch", "lloyd", "--state", "state.json"], stdin: "0\t\(parts[0])\n")
        #expect(malformed.status != 0 && malformed.stderr.contains("expected INDEX, PART.csv, SIZE:INODE:MTIME_NS and a matrix path"))
    }

    @Test("apply: each partition's segments are persona cluster --apply's file; a partition with no rows gives none")
    func apply() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let parts = try caches.atLloyd(runner)
        try caches.loop.drive(runner, parts: parts)
        #expect(runner.files.contains("model.json"))
        let empty = try runner.write("empty.csv", (try runner.read("part0/sample_customers.csv")).prefix { $0 != "\n" } + "\n")
        let files = parts + [empty]
        let lines = try files.enumerated().map { i, part in "\(i)\t\(part)\t\(try identity(part))\t" }
        let batch = try runner.run(["step", "batch", "apply", "--model", "model.json", "--id", "customer_id"],
                                   stdin: lines.joined(separator: "\n") + "\n")
        #expect(batch.status == 0, "\(batch.stderr)")
        let out = batch.stdout.split(separator: "\n")
        #expect(out.count == 4 && out[3] == "3\tok\t")
        for (i, part) in parts.enumerated() {
            let single = try runner.run(["cluster", part, "--id", "customer_id", "--apply", "model.json", "--out", "s\(i).csv"])
            #expect(single.status == 0, "\(single.stderr)")
            #expect(decoded(out[i]) == (try runner.read("s\(i).csv")), "partition \(i)")
        }
    }
}
