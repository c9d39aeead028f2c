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

    /// The output a line carries: as it is after 'json' (one line of JSON: the newline is the
    /// line's), in base64 after 'ok'.
    func decoded(_ line: Substring) -> String? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count == 3 else { return nil }
        if fields[1] == "json" { return fields[2] + "\n" }
        guard fields[1] == "ok", let data = Data(base64Encoded: String(fields[2])) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Three partitions kept and at the Lloyd round, and the stdin line of each (with its matrix path).
    func atLloyd(_ runner: PersonaRunner) throws -> (parts: [String], lines: [String]) {
        let parts = try caches.atLloyd(runner)
        return (parts, try parts.enumerated().map { i, part in "\(i)\t\(part)\t\(try identity(part))\t\(runner.path("m\(i).matrix"))" })
    }

    @Test("a k-means round over three kept partitions: each line is that partition's step output; a changed file is missing")
    func kmeansRound() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        var (parts, lines) = try atLloyd(runner)
        let original = lines[1]
        lines[1] = lines[1].replacingOccurrences(of: "\t\(try identity(parts[1]))", with: "\t1:\(try identity(parts[1]))")
        let batch = try runner.run(["step", "batch", "lloyd", "--state", "state.json", "--matrix-caches"], stdin: lines.joined(separator: "\n") + "\n")
        #expect(batch.status == 0 && batch.stderr.isEmpty, "\(batch.stderr)")
        let out = batch.stdout.split(separator: "\n")
        #expect(out.count == 3 && out[1] == "1\tmissing")
        for i in [0, 2] {
            let single = try runner.run(["step", "lloyd", parts[i], "--state", "state.json", "--part", "\(i)"])
            // One line of JSON, passed as it is: exactly what the step prints on the partition alone.
            #expect(out[i].hasPrefix("\(i)\tjson\t{") && decoded(out[i]) == single.stdout, "partition \(i)")
            #expect(single.stdout.filter { $0 == "\n" }.count == 1 && single.stdout.hasSuffix("}\n"))
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

    @Test("--keep-outputs: each partition's output in a file beside its own, the step's bytes; the partition's own name refused")
    func keptOutputs() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let (parts, lines) = try atLloyd(runner)
        let batch = try runner.run(["step", "batch", "lloyd", "--state", "state.json", "--matrix-caches", "--keep-outputs", "out.json"],
                                   stdin: lines.joined(separator: "\n") + "\n")
        #expect(batch.status == 0 && batch.stderr.isEmpty, "\(batch.stderr)")
        let out = batch.stdout.split(separator: "\n")
        #expect(out.count == 3)
        for (i, part) in parts.enumerated() {
            let kept = ((part as NSString).deletingLastPathComponent as NSString).appendingPathComponent("out.json")
            #expect(out[i] == "\(i)\tkept\t\(kept)")
            let single = try runner.run(["step", "lloyd", part, "--state", "state.json", "--part", "\(i)"])
            #expect(try String(contentsOfFile: kept, encoding: .utf8) == single.stdout, "partition \(i)")
        }
        // The partition's own file name would overwrite it: refused, and the file is left as it was.
        let own = (parts[0] as NSString).lastPathComponent
        let before = try String(contentsOfFile: parts[0], encoding: .utf8)
        let clash = try runner.run(["step", "batch", "lloyd", "--state", "state.json", "--keep-outputs", own], stdin: lines[0] + "\n")
        #expect(clash.status == 0 && clash.stdout == "0\terror\tpersona: error: \(parts[0]): the partition's own file or its matrix; name its outputs otherwise\n")
        #expect(try String(contentsOfFile: parts[0], encoding: .utf8) == before)
        let same = try runner.run(["step", "batch", "metrics", "--state", "state.json", "--keep-outputs", "a.csv", "--keep-segments", "a.csv"], stdin: "")
        #expect(same.status != 0 && same.stderr.contains("--keep-outputs and --keep-segments name the same file 'a.csv'"))
        // A tab or a line end in the name would break the printed line: refused, shown escaped.
        let tab = try runner.run(["step", "batch", "lloyd", "--state", "state.json", "--keep-outputs", "a\tb.json"], stdin: "")
        #expect(tab.status != 0 && tab.stderr.contains(#"--keep-outputs must be a file name (no '/', tab or line end); got 'a\tb.json'"#), "\(tab.stderr)")
        // Nor may an output take the name of the partition's matrix.
        let matrix = try runner.run(["step", "batch", "lloyd", "--state", "state.json", "--matrix-caches", "--keep-outputs", "m0.matrix"], stdin: lines[0] + "\n")
        #expect(matrix.stdout.hasPrefix("0\terror\tpersona: error: ") && matrix.stdout.contains("the partition's own file or its matrix"), "\(matrix.stdout)")
    }

    @Test("batch-apply: each partition's segments are persona cluster --apply's file; a partition with no rows gives none")
    func apply() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let parts = try caches.atLloyd(runner)
        try caches.loop.drive(runner, parts: parts)
        #expect(runner.files.contains("model.json"))
        let empty = try runner.write("empty.csv", (try runner.read("part0/sample_customers.csv")).prefix { $0 != "\n" } + "\n")
        let files = parts + [empty]
        let lines = try files.enumerated().map { i, part in "\(i)\t\(part)\t\(try identity(part))\t" }
        let batch = try runner.run(["step", "batch-apply", "--model", "model.json", "--id", "customer_id"],
                                   stdin: lines.joined(separator: "\n") + "\n")
        #expect(batch.status == 0, "\(batch.stderr)")
        let out = batch.stdout.split(separator: "\n")
        #expect(out.count == 4 && out[3] == "3\tok\t")
        for (i, part) in parts.enumerated() {
            let single = try runner.run(["cluster", part, "--id", "customer_id", "--apply", "model.json", "--out", "s\(i).csv"])
            #expect(single.status == 0, "\(single.stderr)")
            #expect(decoded(out[i]) == (try runner.read("s\(i).csv")), "partition \(i)")
        }

        // --keep: the segments stay beside each partition's file; batch-read sends them on in
        // base64 pieces (here of up to 1 MiB: one each), then the size; a partition without it is missing.
        let kept = try runner.run(["step", "batch-apply", "--model", "model.json", "--id", "customer_id", "--keep", "segments.csv"],
                                  stdin: lines.joined(separator: "\n") + "\n")
        #expect(kept.status == 0, "\(kept.stderr)")
        for (i, line) in kept.stdout.split(separator: "\n").enumerated() {
            let beside = ((files[i] as NSString).deletingLastPathComponent as NSString).appendingPathComponent("segments.csv")
            #expect(decoded(line) == "\(beside)\t\(try identity(beside))", "partition \(i)")
            #expect(try String(contentsOfFile: beside, encoding: .utf8) == (i < parts.count ? try runner.read("s\(i).csv") : ""))
        }
        let read = try runner.run(["step", "batch-read", "segments.csv"], stdin: lines.joined(separator: "\n") + "\n")
        #expect(read.status == 0, "\(read.stderr)")
        var sent = [Int: [UInt8]]()
        var ends = [String]()
        for line in read.stdout.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            if fields[1] == "data", let index = Int(fields[0]), let piece = Data(base64Encoded: String(fields[2])) { sent[index, default: []] += piece }
            if fields[1] == "end" { ends.append(String(line)) }
        }
        let sizes = try parts.indices.map { "\($0)\tend\t\(try runner.read("s\($0).csv").utf8.count)" }
        #expect(ends == sizes + ["3\tend\t0"])
        for i in parts.indices { #expect(sent[i].map { String(decoding: $0, as: UTF8.self) } == (try runner.read("s\(i).csv"))) }
        let missing = try runner.run(["step", "batch-read", "none.csv"], stdin: lines[0] + "\n")
        #expect(missing.status == 0 && missing.stdout == "0\tmissing\n")
        let path = try runner.run(["step", "batch-read", "../x.csv"], stdin: "")
        #expect(path.status != 0 && path.stderr.contains("NAME must be a file name (no '/', tab or line end); got '../x.csv'"))
    }

    @Test("metrics with --keep-segments: the outputs are the round's, and beside each partition are persona cluster --apply's segments")
    func metricsKeepSegments() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let parts = try caches.atLloyd(runner)
        try caches.loop.drive(runner, parts: parts, until: "metrics")
        let lines = try parts.enumerated().map { i, part in "\(i)\t\(part)\t\(try identity(part))\t\(runner.path("m\(i).matrix"))" }
        let stdin = lines.joined(separator: "\n") + "\n"
        let plain = try runner.run(["step", "batch", "metrics", "--state", "state.json", "--matrix-caches"], stdin: stdin)
        let kept = try runner.run(["step", "batch", "metrics", "--state", "state.json", "--matrix-caches", "--keep-segments", "segments.csv"],
                                  stdin: stdin)
        #expect(plain.status == 0 && kept.status == 0, "\(kept.stderr)")
        #expect(kept.stdout == plain.stdout && kept.stdout.split(separator: "\n").allSatisfy { decoded($0) != nil })
        // The metrics merge makes the model; --apply of it on each partition gives the kept file.
        let outputs = try kept.stdout.split(separator: "\n").enumerated().map { i, line in try runner.write("out\(i).json", decoded(line) ?? "") }
        let merged = try runner.run(["step", "merge", "state.json"] + outputs + ["--out", "state.json", "--model", "model.json"])
        #expect(merged.status == 0, "\(merged.stderr)")
        for (i, part) in parts.enumerated() {
            let single = try runner.run(["cluster", part, "--id", "customer_id", "--apply", "model.json", "--out", "s\(i).csv"])
            #expect(single.status == 0, "\(single.stderr)")
            let beside = ((part as NSString).deletingLastPathComponent as NSString).appendingPathComponent("segments.csv")
            #expect(try String(contentsOfFile: beside, encoding: .utf8) == (try runner.read("s\(i).csv")), "partition \(i)")
        }

        let lloyd = try runner.run(["step", "batch", "lloyd", "--state", "state.json", "--keep-segments", "segments.csv"], stdin: "")
        #expect(lloyd.status != 0 && lloyd.stderr.contains("--keep-segments goes with the metrics round; the step is 'lloyd'"), "\(lloyd.stderr)")
        let path = try runner.run(["step", "batch", "metrics", "--state", "state.json", "--keep-segments", "../s.csv"], stdin: "")
        #expect(path.status != 0 && path.stderr.contains("--keep-segments must be a file name (no '/', tab or line end); got '../s.csv'"), "\(path.stderr)")
    }

    @Test("split: the pairs Spark pipes in become the kept partition file, and the line carries the first round's output")
    func split() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let rows = ["id,x,y", "a,1,2", "b,3,4", "c,5,6", "d,7,8", "e,9,10"]
        try runner.write("header.csv", rows[0] + "\n")
        #expect(try runner.run(["step", "plan-cluster", "x.csv", "--id", "id", "--k", "2", "--out", "state.json"]).status == 0)
        // Byte offsets of the lines in the file; the second split starts in the middle of line 2
        // (row 3 of `rows`), so it reads rows 4 and 5 and the first reads rows 0 to 3 (a line
        // starting right at a split's start is its previous split's, as Hadoop reads splits).
        let offsets = rows.indices.map { i in rows[..<i].reduce(0) { $0 + $1.utf8.count + 1 } }
        let common = ["step", "split", "columns", "--state", "state.json", "--header-file", "header.csv", "--name", "x.csv",
                      "--starts", "0,\(offsets[3]),\(offsets[5] + 2)", "--first-part", "4", "--keep", runner.path("keep")]
        for (lines, part) in [(4...5, 5), (0...3, 4)] {
            let pairs = lines.map { "(\(offsets[$0]),\(rows[$0]))" }.joined(separator: "\n") + "\n"
            let result = try runner.run(common, stdin: pairs)
            #expect(result.status == 0, "\(result.stderr)")
            let fields = result.stdout.trimmingCharacters(in: .newlines).split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let kept = runner.path("keep/part-0000\(part)/x.csv")
            let keptIdentity = try identity(kept)
            #expect(fields.count == 6 && fields[0] == "\(part)" && fields[1] == kept && fields[2] == keptIdentity)
            #expect(fields[3] == runner.path("keep/part-0000\(part)/scaled.matrix") && fields[4] == "json")
            let expected = ([rows[0]] + lines.filter { $0 > 0 }.map { rows[$0] }).joined(separator: "\n") + "\n"
            #expect(try String(contentsOfFile: kept, encoding: .utf8) == expected)
            let columns = try runner.run(["step", "columns", kept, "--state", "state.json", "--part", "\(part)"])
            #expect(fields[5] + "\n" == columns.stdout)
        }
        // A split without lines prints nothing (the driver runs it on its text).
        let empty = try runner.run(common, stdin: "")
        #expect(empty.status == 0 && empty.stdout.isEmpty)

        // --file: the same splits read from the file itself, stdin holding the split's start; the
        // file's last line without its newline gets one. The third split starts inside the last
        // line, so no line starts in it.
        try runner.write("x.csv", rows.joined(separator: "\n"))
        var singles = [String]()
        for (start, lines, part) in [(0, 0...3, 4), (offsets[3], 4...5, 5)] {
            let direct = try runner.run(common + ["--file", runner.path("x.csv")], stdin: "\(start)\n")
            #expect(direct.status == 0, "\(direct.stderr)")
            let kept = runner.path("keep/part-0000\(part)/x.csv")
            let expected = ([rows[0]] + lines.filter { $0 > 0 }.map { rows[$0] }).joined(separator: "\n") + "\n"
            #expect(try String(contentsOfFile: kept, encoding: .utf8) == expected)
            let columns = try runner.run(["step", "columns", kept, "--state", "state.json", "--part", "\(part)"])
            #expect(direct.stdout == "\(part)\t\(kept)\t\(try identity(kept))\t\(runner.path("keep/part-0000\(part)/scaled.matrix"))\tjson\t"
                    + columns.stdout)
            singles.append(direct.stdout.replacingOccurrences(of: try identity(kept), with: "IDENTITY"))
        }
        // Several splits to one process (a task's share): a line for each, in stdin's order, as
        // the processes of one split each print them; the split without lines prints none.
        let several = try runner.run(common + ["--file", runner.path("x.csv")], stdin: "\(offsets[3])\n\(offsets[5] + 2)\n0\n")
        #expect(several.status == 0, "\(several.stderr)")
        let keptFiles = [4, 5].map { runner.path("keep/part-0000\($0)/x.csv") }
        var shown = several.stdout
        for kept in keptFiles { shown = shown.replacingOccurrences(of: try identity(kept), with: "IDENTITY") }
        #expect(shown == singles[1] + singles[0])
        // --keep-outputs: the same run, each output in a file beside the kept file instead.
        let keptRun = try runner.run(common + ["--file", runner.path("x.csv"), "--keep-outputs", ".out.json"], stdin: "0\n")
        let keptOutput = runner.path("keep/part-00004/.out.json")
        let keptLine = "4\t\(keptFiles[0])\t\(try identity(keptFiles[0]))\t\(runner.path("keep/part-00004/scaled.matrix"))\tkept\t\(keptOutput)\n"
        #expect(keptRun.status == 0 && keptRun.stdout == keptLine, "\(keptRun.stdout) \(keptRun.stderr)")
        #expect(try String(contentsOfFile: keptOutput, encoding: .utf8) == singles[0].components(separatedBy: "\tjson\t")[1])
        let itself = try runner.run(common + ["--file", runner.path("x.csv"), "--keep-outputs", "x.csv"], stdin: "0\n")
        #expect(itself.status != 0 && itself.stderr.contains("--keep-outputs names the kept file itself ('x.csv')"))
        // A carriage return alone ends a line for Hadoop too: such a split is left to the text.
        try runner.write("cr.csv", rows[..<3].joined(separator: "\n") + "\r" + rows[3...].joined(separator: "\r\n") + "\n")
        let lone = try runner.run(common.map { $0 == "x.csv" ? "cr.csv" : $0 } + ["--file", runner.path("cr.csv")], stdin: "0\n")
        #expect(lone.status == 0 && lone.stdout.isEmpty, "\(lone.stdout) \(lone.stderr)")
        let past = try runner.run(common + ["--file", runner.path("x.csv")], stdin: "\(offsets[5] + 2)\n")
        #expect(past.status == 0 && past.stdout.isEmpty, "\(past.stdout)")
        let notAStart = try runner.run(common + ["--file", runner.path("x.csv")], stdin: "7\n")
        #expect(notAStart.status != 0 && notAStart.stderr.contains("stdin: expected the splits' start offsets, one per line, each one of --starts; got '7'"))
        let missing = try runner.run(common + ["--file", runner.path("gone.csv")], stdin: "0\n")
        #expect(missing.status == 0 && missing.stdout.hasPrefix("4\t") && missing.stdout.contains("\terror\tpersona: error: ")
                && missing.stdout.contains("gone.csv") && missing.stdout.contains("must be at the same path on every executor"), "\(missing.stdout)")
        // A bad cell: the line carries persona's message (line numbers of the kept file).
        #expect(try runner.run(["step", "plan-cluster", "x.csv", "--id", "id", "--k", "2", "--numeric", "x", "--out", "strict.json"]).status == 0)
        let bad = try runner.run(common.map { $0 == "state.json" ? "strict.json" : $0 }, stdin: "(31,f,zz,1)\n(40,g,2,2)\n")
        #expect(bad.status == 0 && bad.stdout.contains("\terror\tpersona: error: x.csv:2: column 'x' (2): \"zz\" is not a number"), "\(bad.stdout)")
        let malformed = try runner.run(common, stdin: "a,1,2\n")
        #expect(malformed.status != 0 && malformed.stderr.contains("expected '(OFFSET,LINE)'"))
    }
}
