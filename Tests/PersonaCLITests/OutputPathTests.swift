import Foundation
import Testing

/// Every command refuses, before any work, an output that is one of its inputs (by device and
/// inode) and an output path holding anything but a regular file; the file stays as it was.
@Suite("Outputs that are inputs, links, pipes or devices are refused")
struct OutputPathTests {
    /// A character device to aim at: /dev/null, unless something made it a regular file here.
    static let device = ["/dev/null", "/dev/zero", "/dev/full"].first {
        (try? FileManager.default.attributesOfItem(atPath: $0)[.type] as? FileAttributeType) == .typeCharacterSpecial
    } ?? "/dev/null"

    @Test("each command refuses to overwrite an input through a hard link, a symbolic link or another spelling")
    func inputsBySameFile() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("in.csv", "id,x,y\n1,2,3\n2,3,4\n3,5,1\n")
        try runner.write("rules.yaml", "tags:\n  - name: big\n    when: x > 2\n")
        try runner.write("churn.json", "{}")
        #expect(link(runner.path("in.csv"), runner.path("hard.csv")) == 0)
        try FileManager.default.createSymbolicLink(atPath: runner.path("soft.csv"), withDestinationPath: "in.csv")
        let before = runner.files
        let cases: [([String], String)] = [
            (["tag", "in.csv", "--id", "id", "--rules", "rules.yaml", "--out", "hard.csv"],
             "--out would overwrite the input in.csv (same file as hard.csv)"),
            (["tag", "in.csv", "--id", "id", "--rules", "rules.yaml", "--out", "./rules.yaml"],
             "--out would overwrite the --rules file rules.yaml (same file as ./rules.yaml)"),
            (["features", "in.csv", "--customer", "id", "--date", "x", "--amount", "y", "--out", "soft.csv"],
             "--out would overwrite the input in.csv (same file as soft.csv)"),
            (["churn", "score", "in.csv", "--model", "churn.json", "--out", "./in.csv"],
             "--out would overwrite the input in.csv (same file as ./in.csv)"),
            (["churn", "score", "in.csv", "--model", "churn.json", "--out", "churn.json"],
             "--out would overwrite --model, which is read: churn.json"),
            (["cluster", "hard.csv", "--id", "id", "--k", "2", "--out", "s.csv", "--model", "in.csv"],
             "--model would overwrite the input hard.csv (same file as in.csv)"),
            (["segment", "in.csv", "--id", "id", "--out", "s.csv", "--report", "soft.csv"],
             "--report would overwrite the input in.csv (same file as soft.csv)"),
            (["churn", "train", "in.csv", "--id", "id", "--label", "y", "--model", "hard.csv"],
             "--model would overwrite the input in.csv (same file as hard.csv)"),
        ]
        for (arguments, message) in cases {
            let result = try runner.run(arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.hasPrefix("Error: \(message)\n"), "\(result.stderr)")
            #expect(runner.files == before)
            #expect(try runner.read("in.csv") == "id,x,y\n1,2,3\n2,3,4\n3,5,1\n")
        }
    }

    @Test("a symbolic link, a named pipe or a device node as an output is refused and left alone")
    func specialFiles() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("in.csv", "id,x,y\n1,2,3\n2,3,4\n3,5,1\n")
        try runner.write("elsewhere.csv", "kept")
        try FileManager.default.createSymbolicLink(atPath: runner.path("link.csv"), withDestinationPath: "elsewhere.csv")
        #expect(mkfifo(runner.path("pipe"), 0o644) == 0)
        let before = runner.files
        let cases: [([String], String)] = [
            (["cluster", "in.csv", "--id", "id", "--k", "2", "--out", "link.csv"], "--out names a symbolic link: link.csv"),
            (["cluster", "in.csv", "--id", "id", "--k", "2", "--out", "s.csv", "--model", "pipe"], "--model names a named pipe (FIFO): pipe"),
            (["tag", "in.csv", "--id", "id", "--rules", "r.yaml", "--out", Self.device], "--out names a character device: \(Self.device)"),
        ]
        for (arguments, message) in cases {
            let result = try runner.run(arguments)
            #expect(result.status == 64)
            #expect(result.stderr.hasPrefix("Error: \(message); only a regular file is replaced: give another file name\n"), "\(result.stderr)")
            #expect(runner.files == before)
        }
        #expect(try runner.read("elsewhere.csv") == "kept")
        let datagen = try runner.start(["customers", "--rows", "10", "--out", Self.device], binary: PersonaRunner.datagen)
        datagen.waitUntilExit()
        #expect(datagen.terminationStatus == 64)
        #expect((try? FileManager.default.attributesOfItem(atPath: Self.device)[.type] as? FileAttributeType) == .typeCharacterSpecial)
    }

    @Test("datagen streams --out - to standard output, and writes --out with --truth together")
    func datagenOutputs() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let process = Process()
        process.executableURL = PersonaRunner.datagen
        process.arguments = ["customers", "--rows", "5", "--seed", "1", "--out", "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let streamed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let files = try runner.start(["customers", "--rows", "5", "--seed", "1", "--out", "c.csv", "--truth", "t.csv"], binary: PersonaRunner.datagen)
        files.waitUntilExit()
        #expect(files.terminationStatus == 0)
        #expect(try runner.read("c.csv") == streamed)
        #expect(try runner.read("t.csv").hasPrefix("customer_id,segment\n"))
        #expect(runner.files == ["c.csv", "t.csv"])
    }
}
