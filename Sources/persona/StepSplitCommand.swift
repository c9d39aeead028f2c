import ArgumentParser
import Foundation
import CustomerData
import NumericCore
import Segmentation

/// `persona step split`: the first round of a partitioned run, fed by Spark's `RDD.pipe` with
/// the lines of one text split straight from the JVM, so the text never passes through Python.
struct SplitStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Keep the partition one Spark text split pipes in as a file and run the first round on it (for Spark's RDD.pipe).",
        discussion: """
            Reads the split's lines on stdin as Spark prints the pairs of Hadoop's text input \
            (what SparkContext.textFile reads): '(', the line's byte offset in the file, ',', \
            the line, ')'. The line at offset 0 (the header) is left out. The partition is \
            --first-part plus the split the first line's offset falls in (--starts: the byte \
            offset where each of the file's splits starts; a split reads the lines that start \
            after its first byte up to and including its end, the first split also the line at 0). \
            Writes the header (--header-file) and the lines to DIR/part-NNNNN/NAME (--keep, \
            --name), runs STEP of the state on it, and prints one line: the partition's index, \
            the file, its identity (SIZE:INODE:MTIME_NS), its matrix path \
            (DIR/part-NNNNN/scaled.matrix), then the output as 'persona step batch' prints it ('json' and the output, 'ok' and \
            the output in base64, or 'error' and persona's message), separated by tabs: the line 'persona step batch' and 'batch-apply' read in the \
            later rounds. Prints nothing for a split without lines.

            With --file, the split is read from that file itself (the input, at the same path \
            on every executor, as Spark requires of file: paths) and stdin holds only the \
            splits' start offsets, one per line, each one of --starts: the JVM then moves no \
            text at all, and one process runs every split a task is given, printing a line for each.
            """)

    @Argument(help: ArgumentHelp("The state's first map step (columns for cluster, labels for churn).", valueName: "STEP"))
    var step: String

    @Option(help: ArgumentHelp("The state the driver wrote last.", valueName: "STATE.json"))
    var state: String

    @Option(name: .customLong("header-file"), help: ArgumentHelp("A file whose first line is the input's header.", valueName: "PATH"))
    var headerFile: String

    @Option(help: ArgumentHelp("The kept file's name (the input's, which messages give).", valueName: "NAME"))
    var name: String

    @Option(help: ArgumentHelp("The byte offset where each split of this file starts, in order.", valueName: "S0,S1,…"))
    var starts: String

    @Option(name: .customLong("first-part"), help: ArgumentHelp("The partition index of this file's first split.", valueName: "P"))
    var firstPart: Int = 0

    @Option(help: ArgumentHelp("The run's directory for kept files on this machine.", valueName: "DIR"))
    var keep: String

    @Option(help: ArgumentHelp("Read the splits from this file (uncompressed) instead of pairs on stdin; stdin holds their start offsets, one per line.", valueName: "PATH"))
    var file: String?

    @Option(name: .customLong("keep-outputs"),
            help: ArgumentHelp("Write each split's output to this file name beside its kept file and print 'kept' and the file's path instead of the output (as persona step batch --keep-outputs).", valueName: "NAME"))
    var keepOutputs: String?

    func validate() throws {
        try KeptPartitions.checkName(name, option: "--name")
        if let keepOutputs {
            try KeptPartitions.checkName(keepOutputs, option: "--keep-outputs")
            guard keepOutputs != name else { throw ValidationError("--keep-outputs names the kept file itself ('\(name)')") }
        }
        guard firstPart >= 0 else { throw ValidationError("--first-part must be 0 or more; got \(firstPart)") }
        _ = try splitStarts()
    }

    func splitStarts() throws -> [Int] {
        let values = starts.split(separator: ",").map { Int($0) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? -1) >= 0 }) else {
            throw ValidationError("--starts must be byte offsets separated by commas; got '\(starts)'")
        }
        return values.compactMap { $0 }
    }

    func run() throws {
        BLASConfiguration.setThreadCount(1)
        let input = try StandardInput()  // (read first: piped pairs grow best by whole mappings)
        PageRelease.keepFreedMemoryForReuse()  // split after split, in the same pages
        guard input.bytes.count > 0 else { return }  // an empty split: the driver runs it on its (empty) text
        let starts = try splitStarts()
        // The state is read once for all the splits this process is given.
        let worker = Result { try BatchStep.mapWorker(step: step, state: state, matrixCaches: false) }
        if let file {
            for start in try Self.startOffsets(input.bytes, starts: starts) {
                let source = Result { try SplitText(file: file, from: start.offset, to: start.end) }
                guard (try? source.get())?.isEmpty != true else { continue }  // no line starts in it
                try keepAndRun(source, index: firstPart + start.split, worker: worker)
            }
        } else {
            let (first, length) = try Self.unpair(input.bytes)
            let index = firstPart + max(0, starts.filter { $0 < first }.count - 1)
            try keepAndRun(.success(SplitText(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: input.bytes[..<length])))),
                           index: index, worker: worker)
        }
    }

    /// Keeps the split's lines as partition `index`'s file, runs the step on it and prints its line.
    private func keepAndRun(_ source: Result<SplitText, Error>, index: Int, worker: Result<KeptPartitions.Work, Error>) throws {
        let folder = (keep as NSString).appendingPathComponent(String(format: "part-%05d", index))
        let path = (folder as NSString).appendingPathComponent(name)
        let matrix = (folder as NSString).appendingPathComponent("scaled.matrix")
        let kept = Result { try keepFile(try source.get(), at: path, in: folder) }
        let identity = KeptPartitions.identity(of: path) ?? ""
        let partition = KeptPartitions.Partition(index: index, path: path, identity: identity, matrix: matrix)
        let work = Result { () throws -> KeptPartitions.Work in
            try kept.get()
            return try worker.get()
        }
        KeptPartitions.printLine(Array("\(index)\t\(path)\t\(identity)\t\(matrix)\t".utf8), KeptPartitions.outcome(work, partition, keepingAs: keepOutputs))
    }

    /// The splits' start offsets on stdin (with --file), one per line → which of `starts` each
    /// is, and where it ends (the next start, or the end of the file: `nil`).
    static func startOffsets(_ bytes: UnsafeMutableBufferPointer<UInt8>, starts: [Int]) throws -> [(offset: Int, split: Int, end: Int?)] {
        let lines = String(decoding: UnsafeBufferPointer(bytes), as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return try lines.map { text in
            guard let offset = Int(text), let split = starts.firstIndex(of: offset) else {
                throw ValidationError("stdin: expected the splits' start offsets, one per line, each one of --starts; got '\(text.prefix(200))'")
            }
            return (offset, split, split + 1 < starts.count ? starts[split + 1] : nil)
        }
    }

    /// The header and `body` as the partition file, whole or not at all (a temporary name, then
    /// renamed); a scratch file, not synced.
    private func keepFile(_ text: SplitText, at path: String, in folder: String) throws {
        guard let header = FileManager.default.contents(atPath: headerFile)?
            .split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).first else {
            throw CustomerDataError.unreadable(file: headerFile, reason: "no such file, or no permission")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        do {
            try ScratchFile.write(Array(header) + [UInt8(ascii: "\n")], text.lines, to: path, tail: text.ending)
        } catch let failure as ScratchFile.Failure {
            throw CustomerDataError.unreadable(file: path, reason: "cannot write it (\(failure.problem))")
        }
    }

    /// Rewrites the pairs in place as the lines they hold, each ending in a newline, without
    /// the header (offset 0) → the first pair's byte offset and the length of the lines.
    static func unpair(_ bytes: UnsafeMutableBufferPointer<UInt8>) throws -> (first: Int, length: Int) {
        var first: Int?
        let length = try { () throws -> Int in
            var (read, written) = (0, 0)
            while read < bytes.count {
                var end = read
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                var close = end
                if close > read, bytes[close - 1] == UInt8(ascii: "\r") { close -= 1 }
                var offset = 0
                var digits = read + 1
                while digits < close, bytes[digits] >= UInt8(ascii: "0"), bytes[digits] <= UInt8(ascii: "9"), offset < Int.max / 10 - 9 {
                    offset = offset * 10 + Int(bytes[digits] - UInt8(ascii: "0"))
                    digits += 1
                }
                guard close - read >= 4, bytes[read] == UInt8(ascii: "("), bytes[close - 1] == UInt8(ascii: ")"), digits > read + 1,
                      digits < close - 1, bytes[digits] == UInt8(ascii: ",") else {
                    let shown = String(decoding: UnsafeBufferPointer(rebasing: bytes[read..<min(end, read + 200)]), as: UTF8.self)
                    throw ValidationError("stdin: expected '(OFFSET,LINE)' as Spark prints Hadoop's text input; got '\(shown)'")
                }
                if first == nil { first = offset }
                if offset > 0 {
                    let count = close - 1 - (digits + 1)
                    if let base = bytes.baseAddress { memmove(base + written, base + digits + 1, count) }
                    written += count
                    bytes[written] = UInt8(ascii: "\n")
                    written += 1
                }
                read = end + 1
            }
            return written
        }()
        return (first ?? 0, length)
    }
}

/// The lines of one split, without the header: the pairs of stdin rewritten in place, or the
/// bytes of the input file itself (mapped), read as Hadoop's text input reads a split: the
/// lines that start after its first byte, up to and including its end (the first split also
/// the line at 0, the header, which is left out). A split of the file with a carriage return
/// that is not part of a CR LF pair is read as empty (Hadoop ends lines there too).
final class SplitText {
    let lines: UnsafeRawBufferPointer
    /// A newline when the file's last line has none (the pairs' lines all end in one).
    let ending: [UInt8]
    private var mapping: (address: UnsafeMutableRawPointer, length: Int)?

    var isEmpty: Bool { lines.isEmpty }

    init(_ lines: UnsafeRawBufferPointer) {
        (self.lines, ending) = (lines, [])
    }

    /// - Parameter end: the next split's start; `nil` for the file's last split.
    /// - Throws: `CustomerDataError.unreadable` naming the file.
    init(file: String, from start: Int, to end: Int?) throws {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CustomerDataError.unreadable(file: file, reason: "cannot open it on this executor (errno \(errno)): a file: input must be at the same path on every executor")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw CustomerDataError.unreadable(file: file, reason: "errno \(errno)") }
        let size = Int(info.st_size)
        guard size > 0 else {
            (lines, ending) = (UnsafeRawBufferPointer(start: nil, count: 0), [])
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw CustomerDataError.unreadable(file: file, reason: "cannot map it (errno \(errno))")
        }
        mapping = (address, size)
        let bytes = UnsafeRawBufferPointer(start: address, count: size)
        /// Just past the first newline at or after `from`; `size` when there is none.
        func lineStart(after from: Int) -> Int {
            guard from < size, let found = memchr(address + from, Int32(UInt8(ascii: "\n")), size - from) else { return size }
            return address.distance(to: found) + 1
        }
        let last = min(end ?? size, size)
        let first = lineStart(after: start)  // the line at `start` itself is the previous split's (or the header)
        let stop = first > last ? first : lineStart(after: last)
        // Hadoop also ends a line at a carriage return alone: where one is, its lines are not
        // these, and the split is left empty (the driver then runs it on Spark's text).
        var from = min(start, stop)
        while from < stop, let found = memchr(address + from, Int32(UInt8(ascii: "\r")), stop - from) {
            let at = address.distance(to: found)
            if at + 1 >= size || bytes[at + 1] != UInt8(ascii: "\n") {
                (lines, ending) = (UnsafeRawBufferPointer(start: nil, count: 0), [])
                return
            }
            from = at + 1
        }
        lines = UnsafeRawBufferPointer(rebasing: bytes[first..<max(first, stop)])
        ending = !lines.isEmpty && lines.last != UInt8(ascii: "\n") ? [UInt8(ascii: "\n")] : []
    }

    deinit {
        if let mapping { munmap(mapping.address, mapping.length) }
    }
}

/// All of stdin in one buffer, grown with realloc (which moves a large block's pages rather
/// than copying them): a split is tens of megabytes, and neither zero-filling nor copying it
/// as it arrives is free. Every `persona step` command that Spark pipes into reads it so.
final class StandardInput {
    private(set) var bytes: UnsafeMutableBufferPointer<UInt8>

    init() throws {
        var capacity = 1 << 22
        guard var base = malloc(capacity)?.assumingMemoryBound(to: UInt8.self) else {
            throw CustomerDataError.unreadable(file: "stdin", reason: "no memory for \(capacity) bytes")
        }
        var count = 0
        while true {
            if count == capacity {
                guard let grown = realloc(base, capacity * 2)?.assumingMemoryBound(to: UInt8.self) else {
                    free(base)
                    throw CustomerDataError.unreadable(file: "stdin", reason: "no memory for \(capacity * 2) bytes")
                }
                (base, capacity) = (grown, capacity * 2)
            }
            let got = read(0, base + count, capacity - count)
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else {
                let code = errno
                free(base)
                throw CustomerDataError.unreadable(file: "stdin", reason: "errno \(code)")
            }
            if got == 0 { break }
            count += got
        }
        bytes = UnsafeMutableBufferPointer(start: base, count: count)
    }

    deinit { free(bytes.baseAddress) }
}
