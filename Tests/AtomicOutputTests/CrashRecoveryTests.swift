import Foundation
import Testing

@testable import AtomicOutput

/// A commit cut short leaves what a `kill -9` would (journal, backups, some renames, temporary
/// files); the next commit into the folder must put the previous files back first.
@Suite("An interrupted commit is rolled back by the next one")
struct CrashRecoveryTests {
    /// Stages `names` with "new" contents and stops after `renames` renames, as a crash would.
    func crash(_ paths: [String], afterRenames renames: Int) throws {
        let outputs = OutputSet()
        for path in paths { try outputs.stage(Array("new".utf8), to: path) }
        outputs.simulatedFailure = .crash(afterRenames: renames)
        try outputs.commit()
    }

    /// Commits one unrelated file into `directory` and returns the notices it gave.
    func nextRun(writing path: String) throws -> [String] {
        let notices = Notices()
        let outputs = OutputSet(notify: notices.add)
        try outputs.stage(Array("other".utf8), to: path)
        try outputs.commit()
        return notices.all
    }

    @Test("half-renamed set: the renamed file gets its previous version back")
    func halfRenamed() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        for name in ["a.csv", "b.json"] { try dir.write(name, "old") }
        try crash([dir("a.csv"), dir("b.json")], afterRenames: 1)
        #expect(dir.read("a.csv") == "new")
        #expect(dir.read("b.json") == "old")
        #expect(dir.files().contains(".persona-journal"))
        let notices = try nextRun(writing: dir("c.txt"))
        #expect(notices == ["\(dir(".persona-journal")): an earlier run was interrupted while replacing its outputs; "
                            + "rolled back: restored the previous \(dir("a.csv"))"])
        #expect(dir.read("a.csv") == "old")
        #expect(dir.read("b.json") == "old")
        #expect(dir.read("c.txt") == "other")
        #expect(dir.files() == ["a.csv", "b.json", "c.txt"])
    }

    @Test("a file that did not exist before the interrupted commit is removed")
    func newFileRemoved() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        try dir.write("a.csv", "old")
        try crash([dir("a.csv"), dir("b.json"), dir("c.html")], afterRenames: 2)
        let notices = try nextRun(writing: dir("d.txt"))
        #expect(notices == ["\(dir(".persona-journal")): an earlier run was interrupted while replacing its outputs; "
                            + "rolled back: restored the previous \(dir("a.csv")); removed \(dir("b.json"))"])
        #expect(dir.read("a.csv") == "old")
        #expect(dir.files() == ["a.csv", "d.txt"])
    }

    @Test("a crash before the first rename changes nothing, and its journal is still cleared")
    func beforeFirstRename() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        for name in ["a.csv", "b.json"] { try dir.write(name, "old") }
        try crash([dir("a.csv"), dir("b.json")], afterRenames: 0)
        let notices = try nextRun(writing: dir("a.csv"))
        #expect(notices == ["\(dir(".persona-journal")): an earlier run was interrupted while replacing its outputs; "
                            + "rolled back: none of them had been replaced yet"])
        #expect(dir.read("a.csv") == "other")
        #expect(dir.read("b.json") == "old")
        #expect(dir.files() == ["a.csv", "b.json"])
    }

    @Test("a set spanning two folders is rolled back by a run writing into either")
    func twoFolders() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        try FileManager.default.createDirectory(atPath: dir("x"), withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: dir("y"), withIntermediateDirectories: false)
        try dir.write("x/a.csv", "old")
        try dir.write("y/b.json", "old")
        try crash([dir("x/a.csv"), dir("y/b.json")], afterRenames: 1)
        #expect(dir.files("x").contains(".persona-journal") && dir.files("y").contains(".persona-journal"))
        // Only y is written into; the journal there names x/a.csv too.
        let notices = try nextRun(writing: dir("y/c.txt"))
        #expect(notices == ["\(dir("y/.persona-journal")): an earlier run was interrupted while replacing its outputs; "
                            + "rolled back: restored the previous \(dir("x/a.csv"))"])
        #expect(dir.read("x/a.csv") == "old")
        #expect(dir.files("x") == ["a.csv"])
        #expect(dir.files("y") == ["b.json", "c.txt"])
    }

    @Test("a journal cut short while it was written (or still empty) is removed", arguments: ["{\"format\": \"persona.output-jou", ""])
    func incompleteJournal(contents: String) throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        try dir.write(".persona-journal", contents)
        let notices = try nextRun(writing: dir("a.csv"))
        #expect(notices == ["\(dir(".persona-journal")): removed an incomplete journal (its run stopped before replacing any file)"])
        #expect(dir.files() == ["a.csv"])
    }

    @Test("temporary files of killed runs are removed; one still being written is kept")
    func leftovers() throws {
        let dir = try Scratch()
        defer { dir.cleanUp() }
        try dir.write(".a.csv.persona-tmp-abcdefghijkl", "partial")
        try dir.write(".a.csv.persona-old-0123456789ab", "old")
        try dir.write(".b.csv.persona-tmp-livelivelive", "being written")
        try dir.write(".notes.tmp", "not ours")
        let live = open(dir(".b.csv.persona-tmp-livelivelive"), O_RDONLY)
        defer { close(live) }
        #expect(flock(live, LOCK_EX) == 0)
        let notices = try nextRun(writing: dir("c.csv"))
        #expect(notices == ["removed 2 temporary files left in \(dir.path) by an interrupted run: "
                            + ".a.csv.persona-old-0123456789ab, .a.csv.persona-tmp-abcdefghijkl"])
        #expect(dir.files() == [".b.csv.persona-tmp-livelivelive", ".notes.tmp", "c.csv"])
    }
}
