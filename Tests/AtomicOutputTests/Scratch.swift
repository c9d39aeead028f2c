import Foundation

/// A fresh directory per test, with helpers to write, read and list files.
struct Scratch {
    let path: String

    init() throws {
        let made = FileManager.default.temporaryDirectory
            .appendingPathComponent("atomic-output-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: made, withIntermediateDirectories: true)
        // Resolved, as the journal records it.
        path = made.resolvingSymlinksInPath().path
    }

    func callAsFunction(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: self(name)))
    }

    func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: self(name)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Every entry, hidden ones included, sorted.
    func files(_ subdirectory: String? = nil) -> [String] {
        let directory = subdirectory.map(self.callAsFunction) ?? path
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    func mode(_ name: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: self(name)))?[.posixPermissions] as? Int
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

/// Collects the notices an `OutputSet` gives, across threads.
final class Notices: @unchecked Sendable {
    // Safe to share: `items` is only touched under `lock`.
    private let lock = NSLock()
    private var items: [String] = []

    func add(_ notice: CustomStringConvertible) {
        lock.lock()
        items.append(notice.description)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
