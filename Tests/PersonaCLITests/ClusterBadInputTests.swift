import Testing

/// Every bad input: a message naming file, line, column and value; a non-zero exit; and no
/// output file, not even a temporary one.
@Suite("persona cluster rejects bad input cleanly")
struct ClusterBadInputTests {
    static let cases: [(name: String, csv: String, extra: [String], message: String)] = [
        ("empty file", "", [],
         "persona: error: in.csv: the file is empty: expected a header row and at least one data row"),
        ("header only", "id,x,y\n", [],
         "persona: error: in.csv: the file has a header row but no data rows"),
        ("ragged row", "id,x,y\n1,2,3\n2,3\n", [],
         "persona: error: in.csv:3: expected 3 fields like the header, found 2"),
        ("unterminated quote", "id,x,y\n1,2,3\n2,\"3,4\n", [],
         "persona: error: in.csv:3: column 'x' (2): a quoted field is never closed"),
        ("unknown id column", "id,x,y\n1,2,3\n", ["--id", "customer"],
         "persona: error: in.csv: --id names column 'customer', which is not in the header; columns are: 'id', 'x', 'y'"),
        ("unknown feature column", "id,x,y\n1,2,3\n", ["--features", "x,z"],
         "persona: error: in.csv: --features names column 'z', which is not in the header; columns are: 'id', 'x', 'y'"),
        ("duplicate ids", "id,x,y\n1,2,3\n2,3,4\n1,5,6\n", [],
         "persona: error: in.csv:4: column 'id' (1): id \"1\" already appeared on line 2"),
        ("non-numeric in a forced-numeric column", "id,x,y\n1,2,3\n2,\"12,50\",4\n", ["--numeric", "x"],
         "persona: error: in.csv:3: column 'x' (2): \"12,50\" is not a number (decimal commas and thousands separators are not read: write 12.50, not 12,50)"),
        ("k larger than the rows", "id,x,y\n1,2,3\n2,3,4\n", ["--k", "3"],
         "persona: error: in.csv: k=3 clusters need at least 3 rows, but the file has 2"),
        ("all features constant", "id,x,y\n1,2,3\n2,2,3\n3,2,3\n", ["--k", "2"],
         "persona: error: in.csv: every feature column is constant (x, y): there is nothing to cluster on"),
        ("infinity", "id,x,y\n1,2,3\n2,-inf,4\n", ["--k", "2"],
         "persona: error: in.csv:3: column 'x' (2): \"-inf\" is not a finite number"),
        ("NaN", "id,x,y\n1,NaN,3\n2,1,4\n", ["--k", "2"],
         "persona: error: in.csv:2: column 'x' (2): \"NaN\" is not a finite number"),
        ("log1p below -1", "id,x,y\n1,2,3\n2,-3,4\n3,1,1\n", ["--k", "2", "--log1p", "x"],
         "persona: error: in.csv:3: column 'x': log1p needs values above -1, found -3.0"),
    ]

    @Test("bad data", arguments: cases.map(\.name))
    func badData(name: String) throws {
        let item = try #require(Self.cases.first { $0.name == name })
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("in.csv", item.csv)
        var arguments = ["cluster", "in.csv", "--out", "seg.csv", "--model", "model.json"]
        if !item.extra.contains("--id") { arguments += ["--id", "id"] }
        let output = try runner.run(arguments + item.extra)
        #expect(output.status == 1)
        #expect(output.stderr == item.message + "\n")
        #expect(runner.files == ["in.csv"])
    }

    @Test("invalid options are rejected before reading", arguments: [
        (["--k", "0"], "--k must be a whole number >= 1 or 'auto'; got '0'"),
        (["--k=-2"], "--k must be a whole number >= 1 or 'auto'; got '-2'"),
        (["--k-range", "1...4"], "--k-range must look like 2...10 with 2 <= MIN <= MAX; got '1...4'"),
        (["--scale", "log"], "--scale must be one of zscore, robust, minmax, none; got 'log'"),
        (["--delimiter", "ab"], "--delimiter must be 'auto', 'tab' or a single ASCII character other than a quote or newline; got \"ab\""),
    ])
    func badOptions(extra: [String], message: String) throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("in.csv", "id,x\n1,2\n2,3\n")
        let output = try runner.run(["cluster", "in.csv", "--id", "id", "--out", "seg.csv"] + extra)
        #expect(output.status != 0)
        #expect(output.stderr.contains(message))
        #expect(runner.files == ["in.csv"])
    }

    @Test("a missing input file")
    func missingFile() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let output = try runner.run(["cluster", "nope.csv", "--id", "id", "--out", "seg.csv"])
        #expect(output.status == 1)
        #expect(output.stderr == "persona: error: nope.csv: cannot read: No such file or directory\n")
        #expect(runner.files.isEmpty)
    }

    @Test("an output directory that does not exist leaves nothing behind")
    func unwritableOutput() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("in.csv", "id,x\n1,2\n2,3\n3,9\n")
        let output = try runner.run(["cluster", "in.csv", "--id", "id", "--k", "2", "--out", "seg.csv", "--model", "no/such/dir/model.json"])
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("persona: error: no/such/dir/model.json: cannot write: the directory"))
        #expect(runner.files == ["in.csv"])
    }
}
