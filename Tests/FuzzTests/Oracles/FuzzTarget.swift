import Foundation

// The fuzz targets' properties ("oracles"), shared by two drivers: the seeded mutation driver
// that runs with `swift test` (Tests/FuzzTests/FuzzTests.swift) and the libFuzzer entry point
// of the separate package in fuzz/ (its Sources/FuzzOracles is a link to this directory).
// Nothing here may import Testing: a broken property throws `PropertyViolation`, and each
// driver reports it its own way (an issue in the test, an abort that libFuzzer records).

/// One thing to fuzz: its name (the directory of its corpus, Tests/FuzzTests/Corpus/NAME/)
/// and the properties every input must keep.
protocol FuzzTarget {
    static var name: String { get }
    /// Mutated inputs are cut to this many bytes.
    static var maxLength: Int { get }
    /// Checks one input: returns when every property holds, throws when one does not.
    /// "No crash" is checked by getting here at all; "no unexpected error type" and the
    /// target's own properties are checked inside.
    static func check(_ input: [UInt8]) throws(PropertyViolation)
}

/// A property an input broke, with enough detail to see how.
struct PropertyViolation: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Every target, in the order the drivers list them.
enum FuzzTargets {
    static var all: [any FuzzTarget.Type] {
        [NumberTarget.self, CSVScannerTarget.self, CSVReaderTarget.self, DateTarget.self, OrderLogTarget.self,
         TagExpressionTarget.self, TagRulesTarget.self, SegmentConfigTarget.self, ModelFileTarget.self]
    }

    static var names: [String] { all.map { $0.name } }

    static func named(_ name: String) -> (any FuzzTarget.Type)? { all.first { $0.name == name } }
}

/// `condition` or a violation saying `what`.
func require(_ condition: Bool, _ what: @autoclosure () -> String) throws(PropertyViolation) {
    if !condition { throw PropertyViolation(what()) }
}

/// A violation for an error of a type the API does not promise.
func unexpected(_ error: any Error, from call: String) -> PropertyViolation {
    PropertyViolation("\(call) threw \(type(of: error)), not its module's error type: \(error)")
}

/// The input shown in a message: printable ASCII as is, everything else escaped, cut at 300.
func shown(_ bytes: some Collection<UInt8>) -> String {
    var out = "\""
    for (i, b) in bytes.enumerated() {
        if i == 300 { out += "…"; break }
        switch b {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(b))
        default: out += String(format: "\\x%02X", b)
        }
    }
    return out + "\""
}

/// A file holding one input, for APIs that read paths; removed by `remove()`. Names are
/// unique per process and call, so targets may run in parallel.
struct ScratchFile {
    let path: String

    private static let counter = Counter()

    init(_ bytes: [UInt8], suffix: String = "") throws(PropertyViolation) {
        let directory = NSTemporaryDirectory()
        path = (directory as NSString).appendingPathComponent("persona-fuzz-\(getpid())-\(ScratchFile.counter.next())\(suffix)")
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw PropertyViolation("cannot write the scratch file \(path)")
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Calls `body` with the path of a scratch file holding `bytes`, then removes the file.
    static func with<R>(_ bytes: [UInt8], suffix: String = "", _ body: (String) throws(PropertyViolation) -> R) throws(PropertyViolation) -> R {
        let file = try ScratchFile(bytes, suffix: suffix)
        defer { file.remove() }
        return try body(file.path)
    }
}

/// How many inputs of each target got past parsing (a target whose inputs are all rejected
/// checks little: the seeded driver prints these counts and expects some).
enum FuzzStats {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var counts: [String: Int] = [:]  // guarded by `lock`

    static func accepted(_ target: String, _ what: String = "accepted") {
        lock.lock()
        defer { lock.unlock() }
        counts["\(target) \(what)", default: 0] += 1
    }

    /// Everything counted for `target` so far.
    static func total(_ target: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return counts.reduce(0) { $0 + ($1.key.hasPrefix(target + " ") ? $1.value : 0) }
    }

    /// The counts of `target` by what was counted, and resets them.
    static func take(_ target: String) -> [String: Int] {
        lock.lock()
        defer { lock.unlock() }
        var taken = [String: Int]()
        for (key, value) in counts where key.hasPrefix(target + " ") {
            taken[String(key.dropFirst(target.count + 1))] = value
            counts[key] = nil
        }
        return taken
    }
}

/// A process-wide counter.
private final class Counter: @unchecked Sendable {
    // @unchecked: `value` is only read and written while `lock` is held.
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

/// Doubles compared bit for bit, so NaN equals NaN and 0 differs from -0.
func sameDoubles(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
}

/// 64-bit FNV-1a: a stable hash of an input, for choices that must not change between runs.
func stableHash(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}
