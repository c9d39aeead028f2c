import ArgumentParser
import Foundation
import CustomerData
import NumericCore

/// `persona step split`: the first round of a partitioned run, fed by Spark's `RDD.pipe` with
/// the lines of one text split straight from the JVM, so the text never passes through Python.
struct SplitStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Keep the partition one Spark text split pipes in as a file and run the first round on it (for Spark's RDD.pipe).",
        discussion: """
            Reads the split's lines on stdin as Spark prints the pairs of zipWithIndex: '(', \
            the line, ',', its 0-based line index in the file, ')'. The line with index 0 (the \
            header) is left out. The partition is --first-part plus the position of the first \
            line's index in --starts (the first line index of each of the file's splits). \
            Writes the header (--header-file) and the lines to DIR/part-NNNNN/NAME (--keep, \
            --name), runs STEP of the state on it, and prints one line: the partition's index, \
            the file, its identity (SIZE:INODE:MTIME_NS), its matrix path \
            (DIR/part-NNNNN/scaled.matrix), then 'ok' and the output in base64 or 'error' and \
            persona's message, separated by tabs: the line 'persona step batch' reads in the \
            later rounds. Prints nothing for a split without lines.
            """)

    @Argument(help: ArgumentHelp("The state's first map step (columns for cluster, labels for churn).", valueName: "STEP"))
    var step: String

    @Option(help: ArgumentHelp("The state the driver wrote last.", valueName: "STATE.json"))
    var state: String

    @Option(name: .customLong("header-file"), help: ArgumentHelp("A file whose first line is the input's header.", valueName: "PATH"))
    var headerFile: String

    @Option(help: ArgumentHelp("The kept file's name (the input's, which messages give).", valueName: "NAME"))
    var name: String

    @Option(help: ArgumentHelp("The first line index of each split of this file, in order.", valueName: "I,J,…"))
    var starts: String

    @Option(name: .customLong("first-part"), help: ArgumentHelp("The partition index of this file's first split.", valueName: "P"))
    var firstPart: Int = 0

    @Option(help: ArgumentHelp("The run's directory for kept files on this machine.", valueName: "DIR"))
    var keep: String

    func validate() throws {
        guard !name.isEmpty, !name.contains("/") else { throw ValidationError("--name must be a file name; got '\(name)'") }
        guard firstPart >= 0 else { throw ValidationError("--first-part must be 0 or more; got \(firstPart)") }
        _ = try splitStarts()
    }

    func splitStarts() throws -> [Int] {
        let values = starts.split(separator: ",").map { Int($0) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? -1) >= 0 }) else {
            throw ValidationError("--starts must be line indices separated by commas; got '\(starts)'")
        }
        return values.compactMap { $0 }
    }

    func run() throws {
        BLASConfiguration.setThreadCount(1)
        let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        guard !input.isEmpty else { return }  // an empty split: the driver runs it on its (empty) text
        let (first, body) = try Self.lines(input)
        guard let position = try splitStarts().firstIndex(where: { $0 == first }) else {
            throw ValidationError("stdin: the first line's index \(first) is not the start of a split in --starts")
        }
        let index = firstPart + position
        let folder = (keep as NSString).appendingPathComponent(String(format: "part-%05d", index))
        let path = (folder as NSString).appendingPathComponent(name)
        let matrix = (folder as NSString).appendingPathComponent("scaled.matrix")
        // Kept whole or not at all (a temporary name, then renamed); a scratch file, not synced.
        let kept = Result {
            guard let header = FileManager.default.contents(atPath: headerFile)?
                .split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).first else {
                throw CustomerDataError.unreadable(file: headerFile, reason: "no such file, or no permission")
            }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(Array(header) + [UInt8(ascii: "\n")] + body).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
        let identity = BatchStep.identity(of: path) ?? ""
        let partition = BatchStep.Partition(index: index, path: path, identity: identity, matrix: matrix)
        let work = Result { () throws -> (BatchStep.Partition) throws -> [UInt8] in
            try kept.get()
            return try BatchStep.mapWorker(step: step, state: state, matrixCaches: false)
        }
        let line = "\(index)\t\(path)\t\(identity)\t\(matrix)\t\(BatchStep.outcome(work, partition))\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    /// The first line's index and the lines without their pairs' brackets and indices, each
    /// ending in a newline; the header (index 0) left out.
    static func lines(_ input: [UInt8]) throws -> (first: Int, body: [UInt8]) {
        var body = [UInt8]()
        body.reserveCapacity(input.count)
        var first: Int?
        var start = 0
        while start < input.count {
            let end = input[start...].firstIndex(of: UInt8(ascii: "\n")) ?? input.count
            var close = end
            if close > start, input[close - 1] == UInt8(ascii: "\r") { close -= 1 }
            guard close - start >= 4, input[start] == UInt8(ascii: "("), input[close - 1] == UInt8(ascii: ")"),
                  let comma = input[(start + 1)..<(close - 1)].lastIndex(of: UInt8(ascii: ",")),
                  let lineIndex = Int(String(decoding: input[(comma + 1)..<(close - 1)], as: UTF8.self)) else {
                throw ValidationError("stdin: expected '(LINE,INDEX)' as Spark prints zipWithIndex pairs; got '\(String(decoding: input[start..<min(end, start + 200)], as: UTF8.self))'")
            }
            if first == nil { first = lineIndex }
            if lineIndex > 0 {
                body += input[(start + 1)..<comma]
                body.append(UInt8(ascii: "\n"))
            }
            start = end + 1
        }
        return (first ?? 0, body)
    }
}
