import Foundation
import Testing

@testable import AtomicOutput

/// Nothing but a regular file is ever replaced, and no output may be one of the inputs.
@Suite("Targets that are not regular files, and outputs that are inputs")
struct TargetCheckTests {
    /// A character device to aim at: /dev/null, unless something made it a regular file here.
    static let device = ["/dev/null", "/dev/zero", "/dev/full"].first { FileKind(path: $0) == .characterDevice } ?? "/dev/null"

    @Test("a symbolic link, a named pipe and a device node are refused, and left as they were")
    func refusesSpecialFiles() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        try dir.write("real.csv", "kept")
        try FileManager.default.createSymbolicLink(atPath: dir("link.csv"), withDestinationPath: "real.csv")
        #expect(mkfifo(dir("pipe"), 0o644) == 0)
        let cases: [(String, FileKind)] = [(dir("link.csv"), .symbolicLink), (dir("pipe"), .namedPipe), (Self.device, .characterDevice)]
        for (path, kind) in cases {
            let outputs = OutputSet()
            #expect(throws: OutputError.notRegularFile(file: path, kind: kind)) { try outputs.stage([1], to: path) }
            #expect(throws: OutputError.notReplaceable(label: "--out", path: path, kind: kind)) {
                try OutputPaths.check(outputs: [("--out", path)])
            }
            #expect(FileKind(path: path) == kind)
        }
        #expect(dir.read("real.csv") == "kept")
        #expect(dir.files() == ["link.csv", "pipe", "real.csv"])
        #expect(OutputError.notReplaceable(label: "--out", path: "/dev/null", kind: .characterDevice).description
                == "--out names a character device: /dev/null; only a regular file is replaced: give another file name")
    }

    @Test("an output that is an input under another name is refused: hard link, symbolic link, other spelling")
    func refusesInputs() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        try dir.write("orders.csv", "id\n1\n")
        #expect(link(dir("orders.csv"), dir("hard.csv")) == 0)
        try FileManager.default.createSymbolicLink(atPath: dir("soft.csv"), withDestinationPath: "orders.csv")
        let input = dir("orders.csv")
        for output in [dir("hard.csv"), dir("soft.csv"), dir.path + "/./orders.csv", dir.path + "/../" + (dir.path as NSString).lastPathComponent + "/orders.csv"] {
            #expect(throws: OutputError.overwritesInput(label: "--out", inputLabel: "INPUT", path: output, inputPath: input)) {
                try OutputPaths.check(outputs: [("--out", output)], inputs: [("INPUT", input)])
            }
        }
        #expect(OutputError.overwritesInput(label: "--out", inputLabel: "INPUT", path: "ORDERS.csv", inputPath: "orders.csv").description
                == "--out would overwrite the input orders.csv (same file as ORDERS.csv)")
        #expect(OutputError.overwritesInput(label: "--out", inputLabel: "--rules", path: "r2.yaml", inputPath: "r.yaml").description
                == "--out would overwrite the --rules file r.yaml (same file as r2.yaml)")
        #expect(OutputError.overwritesInput(label: "--out", inputLabel: "INPUT", path: "a.csv", inputPath: "a.csv").description
                == "--out would overwrite INPUT, which is read: a.csv")
    }

    @Test("two outputs naming one file are refused, whether it exists yet or not")
    func refusesSameOutput() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        #expect(throws: OutputError.sameOutput(label: "--model", earlierLabel: "--out", path: dir.path + "/./s.csv", earlierPath: dir("s.csv"))) {
            try OutputPaths.check(outputs: [("--out", dir("s.csv")), ("--model", dir.path + "/./s.csv")])
        }
        #expect(OutputError.sameOutput(label: "--model", earlierLabel: "--out", path: "s.csv", earlierPath: "s.csv").description
                == "--out and --model name the same file: s.csv")
        try OutputPaths.check(outputs: [("--out", dir("s.csv")), ("--model", dir("m.json")), ("--report", nil), ("--x", "-")])
    }
}
