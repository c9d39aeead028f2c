import Foundation
import Testing

@testable import AtomicOutput

@Suite("OutputSet writes all or nothing")
struct OutputSetTests {
    @Test("a committed set is in place, with nothing else left in the folder")
    func commits() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        let outputs = OutputSet()
        try outputs.stage(Array("a\n".utf8), to: dir("a.csv"))
        let streamed = try outputs.open(dir("b.csv"))
        for chunk in ["1,", "2,", "3\n"] { try streamed.write(Array(chunk.utf8)) }
        #expect(dir.files().filter { $0.contains(".persona-tmp-") }.count == 2)
        try outputs.commit()
        #expect(dir.read("a.csv") == "a\n")
        #expect(dir.read("b.csv") == "1,2,3\n")
        #expect(dir.files() == ["a.csv", "b.csv"])
    }

    @Test("a set that is never committed leaves nothing")
    func discards() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        try dir.write("a.csv", "old\n")
        do {
            let outputs = OutputSet()
            try outputs.stage(Array("new\n".utf8), to: dir("a.csv"))
            try outputs.stage(Array("new\n".utf8), to: dir("b.csv"))
        }
        #expect(dir.read("a.csv") == "old\n")
        #expect(dir.files() == ["a.csv"])
    }

    @Test("one file given twice to a set, under two spellings, is refused")
    func sameTargetTwice() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        let outputs = OutputSet()
        try outputs.stage([1], to: dir("a.csv"))
        #expect(throws: OutputError.writeFailed(file: dir.path + "/./a.csv", reason: "it is already one of this run's outputs")) {
            try outputs.stage([2], to: dir.path + "/./a.csv")
        }
        #expect(dir.files().count == 1)
        outputs.discard()
        #expect(dir.files().isEmpty)
    }

    @Test("a new file gets 0666 less the umask; a replaced file keeps its mode")
    func modes() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        try dir.write("kept.csv", "old\n")
        chmod(dir("kept.csv"), 0o640)
        let outputs = OutputSet()
        try outputs.stage(Array("x\n".utf8), to: dir("new.csv"))
        try outputs.stage(Array("x\n".utf8), to: dir("kept.csv"))
        try outputs.commit()
        #expect(dir.mode("kept.csv") == 0o640)
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Umask:") })
        let umask = try #require(Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8))
        #expect(dir.mode("new.csv") == 0o666 & ~umask)
    }

    @Test("a rename that fails puts back the files already renamed")
    func renameFailureRollsBack() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        for name in ["a.csv", "b.json", "c.html"] { try dir.write(name, "old \(name)") }
        let outputs = OutputSet()
        for name in ["a.csv", "b.json", "c.html", "d.txt"] { try outputs.stage(Array("new \(name)".utf8), to: dir(name)) }
        outputs.simulatedFailure = .renameFails(at: 1)
        #expect(throws: OutputError.writeFailed(file: dir("b.json"), reason: "Input/output error; no output was changed")) {
            try outputs.commit()
        }
        for name in ["a.csv", "b.json", "c.html"] { #expect(dir.read(name) == "old \(name)") }
        #expect(dir.files() == ["a.csv", "b.json", "c.html"])
    }

    @Test("something other than a regular file appearing at a target stops the commit before any rename")
    func targetChangedBeforeCommit() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        try dir.write("a.csv", "old")
        let outputs = OutputSet()
        try outputs.stage(Array("new".utf8), to: dir("a.csv"))
        try outputs.stage(Array("new".utf8), to: dir("b.csv"))
        try FileManager.default.createDirectory(atPath: dir("b.csv"), withIntermediateDirectories: false)
        #expect(throws: OutputError.notRegularFile(file: dir("b.csv"), kind: .directory)) { try outputs.commit() }
        #expect(dir.read("a.csv") == "old")
        #expect(dir.files() == ["a.csv", "b.csv"])
        #expect(dir.files("b.csv").isEmpty)
    }

    @Test("a commit waits while another run holds the folder's lock, and says so after a second")
    func waitsForLock() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        let notices = Notices()
        let outputs = OutputSet(notify: notices.add)
        try outputs.stage(Array("mine".utf8), to: dir("a.csv"))
        let held = DispatchSemaphore(value: 0)
        let path = dir.path
        DispatchQueue.global().async {
            let other = try? LockedDirectory(path: path, exclusive: true)
            held.signal()
            Thread.sleep(forTimeInterval: 1.4)
            withExtendedLifetime(other) {}
        }
        held.wait()
        let start = Date()
        try outputs.commit()
        #expect(Date().timeIntervalSince(start) > 1.2)
        #expect(notices.all == ["waiting for another run writing into \(dir.path) to finish"])
        #expect(dir.read("a.csv") == "mine")
    }
}
