import Foundation
import Testing

/// Hostile or odd inputs: limits with the option that raises them, NUL bytes, pipes.
@Suite("Input limits on the command line")
struct InputLimitCommandTests {
    @Test("a header wider than --max-columns: the error names the limit and the option; a higher limit reads it")
    func maxColumns() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("in.csv", "id,a,b,c\n1,2,3,4\n2,3,4,5\n3,1,1,1\n")
        let refused = try runner.run(["cluster", "in.csv", "--id", "id", "--k", "2", "--out", "seg.csv", "--max-columns", "3"])
        #expect(refused.status == 1)
        #expect(refused.stderr == "persona: error: in.csv:1: the header has more than 3 columns; if the file really is that wide, raise the column limit (--max-columns N)\n")
        #expect(runner.files == ["in.csv"])
        let read = try runner.run(["cluster", "in.csv", "--id", "id", "--k", "2", "--out", "seg.csv", "--max-columns", "4"])
        #expect(read.status == 0)
    }

    @Test("a record longer than --max-record-size, and a size that is not one")
    func maxRecordSize() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("in.csv", "id,x\n1,2\n" + String(repeating: "9", count: 3_000) + ",1\n")
        try runner.write("r.yaml", "tags:\n  - name: big\n    when: \"x > 1\"\n")
        let long = try runner.run(["tag", "in.csv", "--id", "id", "--rules", "r.yaml", "--out", "t.csv", "--max-record-size", "1K"])
        #expect(long.status == 1)
        #expect(long.stderr == "persona: error: in.csv:3: a record longer than 1 KiB (no line end, or a quoted field that never closes): this does not look like CSV text; if it is, raise the record length limit (--max-record-size SIZE)\n")
        let bad = try runner.run(["cluster", "in.csv", "--id", "id", "--out", "seg.csv", "--max-record-size", "lots"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--max-record-size must be a size such as 64M, 1G or 500000 (bytes); got 'lots'"))
    }

    @Test("a gzip bomb on the command line: the limit and --max-inflation")
    func inflation() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        // A header, then 80 gzip members of 1 MiB of "7" each (concatenated members are one
        // file to gzip): 80 MiB with no line end, about 1,000 times smaller compressed. With
        // the record limit raised, nothing is parsed: only the inflation limit stops it.
        let chunk = try runner.write("chunk", String(repeating: "7", count: 1 << 20))
        let head = try runner.write("head", "id,a,b\n")
        for file in [chunk, head] {
            let gzip = Process()
            gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gzip.arguments = ["-f", file]
            try gzip.run()
            gzip.waitUntilExit()
        }
        let member = try Data(contentsOf: URL(fileURLWithPath: chunk + ".gz"))
        var bomb = try Data(contentsOf: URL(fileURLWithPath: head + ".gz"))
        for _ in 0..<80 { bomb.append(member) }
        let path = runner.path("bomb.csv")
        try bomb.write(to: URL(fileURLWithPath: path + ".gz"))
        let compressed = try #require(FileManager.default.attributesOfItem(atPath: path + ".gz")[.size] as? Int)
        let output = try runner.run(["features", "bomb.csv.gz", "--customer", "id", "--date", "a", "--amount", "b",
                                     "--max-record-size", "1G", "--out", "f.csv"])
        #expect(output.status == 1)
        #expect(compressed * 100 < 64 << 20)
        #expect(output.stderr.hasPrefix("persona: error: bomb.csv.gz: "))
        #expect(output.stderr.contains("inflate to more than 64 MiB (the limit: 100 times the compressed size, and never below 64 MiB)"))
        #expect(output.stderr.hasSuffix("if the file is genuine, raise the inflation limit (--max-inflation RATIO)\n"))
    }

    @Test("a NUL byte in a numeric column is an error, not a text column")
    func nulByte() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("in.csv", "id,spend,visits\n1,10,3\n2,2\u{0}0,4\n3,30,5\n")
        let output = try runner.run(["cluster", "in.csv", "--id", "id", "--k", "2", "--out", "seg.csv"])
        #expect(output.status == 1)
        #expect(output.stderr == "persona: error: in.csv:3: column 'spend' (2): a NUL byte (\\0): this looks like binary data, not CSV text\n")
    }

    @Test("/dev/zero as an order log stops at once")
    func devZero() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let output = try runner.run(["features", "/dev/zero", "--customer", "id", "--date", "d", "--amount", "a",
                                     "--delimiter", ",", "--out", "f.csv"])
        #expect(output.status == 1)
        #expect(output.stderr == "persona: error: zero:1: the header, column 1: a NUL byte (\\0): this looks like binary data, not CSV text\n")
    }

    @Test("a FIFO as input is read to its end, its separator detected as it comes")
    func fifo() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        var text = "id;x;y\n"
        for i in 0..<200 { text += "c\(i);\(i % 10);\(i % 3)\n" }
        try runner.write("source.csv", text)
        let fifo = runner.path("in.csv")
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "cat source.csv > in.csv"]
        writer.currentDirectoryURL = runner.directory
        try writer.run()
        let output = try runner.run(["cluster", "in.csv", "--id", "id", "--k", "2", "--out", "seg.csv"])
        writer.waitUntilExit()
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.hasPrefix("note: in.csv: fields separated by ';' (detected; give --delimiter to override)\n"))
        #expect(try runner.read("seg.csv").split(separator: "\n").count == 201)
    }

    @Test("churn train refuses more features than rows, with the options that choose fewer")
    func tooManyFeatures() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let columns = (0..<30).map { "f\($0)" }
        var text = "id,label," + columns.joined(separator: ",") + "\n"
        for i in 0..<20 { text += "c\(i),\(i % 2 == 0 ? "Yes" : "No")," + (0..<30).map { String(($0 * 7 + i * 3) % 11) }.joined(separator: ",") + "\n" }
        try runner.write("in.csv", text)
        let output = try runner.run(["churn", "train", "in.csv", "--id", "id", "--label", "label", "--model", "m.json"])
        #expect(output.status == 1)
        #expect(output.stderr == "persona: error: in.csv: 30 encoded features for 20 labelled rows: with at least as many features as rows the coefficients cannot be identified (many fits match the labels equally well), and fitting takes long; use fewer features (text columns add one per level) or more rows (--features, --exclude or a lower --max-categories)\n")
        #expect(runner.files == ["in.csv"])
    }

    @Test("--help lists the limits with their defaults")
    func help() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        for command in [["cluster"], ["features"], ["churn", "train"], ["tag"], ["segment"]] {
            let output = try runner.run(command + ["--help"])
            let text = output.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
            #expect(text.contains("--max-columns <N>"), "\(command)")
            #expect(text.contains("(default: 16,384, a spreadsheet's width)"), "\(command)")
            #expect(text.contains("--max-record-size <SIZE>"), "\(command)")
            #expect(text.contains("--max-inflation <RATIO>"), "\(command)")
        }
    }
}

