import ArgumentParser
import CustomerData
import Foundation
import NumericCore
import Segmentation

/// `persona step batch` and `persona step batch-apply`: one process for all the partitions one
/// Spark task holds, fed by Spark's `RDD.pipe` from the JVM, so the rounds after the first need
/// no Python worker. Both read and print the same lines (`KeptPartitions`).
struct BatchStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run a map step on partition files kept on this machine, listed on stdin (for Spark's RDD.pipe).",
        discussion: KeptPartitions.protocolHelp + " The state is read once for all of them.")

    @Argument(help: ArgumentHelp("A map step of the state (columns, quantiles, moments, sample, lloyd, final, metrics, labels, newton).", valueName: "STEP"))
    var step: String

    @Option(help: ArgumentHelp("The state the driver wrote last.", valueName: "STATE.json"))
    var state: String

    @Flag(name: .customLong("matrix-caches"), help: "Read and keep each partition's scaled matrix at the path its line gives (the k-means rounds).")
    var matrixCaches = false

    @Option(name: .customLong("keep-segments"),
            help: ArgumentHelp("With the metrics round of persona cluster: also write each partition's segments (the rows persona cluster --apply gives) to this file name beside its file, for 'persona step batch-read NAME'.", valueName: "NAME"))
    var keepSegments: String?

    @Option(name: .customLong("keep-outputs"),
            help: ArgumentHelp("Write each partition's output to this file name beside its file and print 'kept' and the file's path instead of the output (a driver on the same machine reads the file itself, rather than megabytes through the pipe).", valueName: "NAME"))
    var keepOutputs: String?

    func validate() throws {
        if let keepOutputs {
            try KeptPartitions.checkName(keepOutputs, option: "--keep-outputs")
            guard keepOutputs != keepSegments else { throw ValidationError("--keep-outputs and --keep-segments name the same file '\(keepOutputs)'") }
        }
        if let keepSegments {
            try KeptPartitions.checkName(keepSegments, option: "--keep-segments")
            guard step == KMeansFit.MapStep.metrics.rawValue else {
                throw ValidationError("--keep-segments goes with the metrics round; the step is '\(step)'")
            }
        }
    }

    func run() throws {
        try KeptPartitions.run(keepingOutputsAs: keepOutputs) {
            try Self.mapWorker(step: step, state: state, matrixCaches: matrixCaches, keepSegments: keepSegments)
        }
    }

    /// The state's map step `step` on one partition, with the state read once; with
    /// `keepSegments`, the metrics round also writes the partition's segments beside it.
    static func mapWorker(step: String, state: String, matrixCaches: Bool,
                          keepSegments: String? = nil) throws -> (KeptPartitions.Partition) throws -> [UInt8] {
        if try ScaleOutState.isChurn(path: state) {
            guard keepSegments == nil else { throw ValidationError("--keep-segments is for persona cluster's state; \(state) is churn's") }
            let fit = try StepFile.read(ChurnScaleOut.self, path: state)
            return { partition in try fit.map(step: step, partition: partition.path, threads: 1) }
        }
        let fit = try StepFile.read(ClusterScaleOut.self, path: state)
        return { partition in
            var segments: [UInt8]?
            let output = try fit.map(step: step, partition: partition.path, part: partition.index, threads: 1,
                                     matrixCache: matrixCaches ? partition.matrix : nil,
                                     assigned: keepSegments == nil ? nil : { labels, squared in
                                         segments = try fit.kmeans?.segmentsCSV(partition: partition.path, labels: labels, squaredDistances: squared)
                                     })
            if let keepSegments {
                guard let segments else { throw ValidationError("--keep-segments: the state's '\(step)' round assigns no labels") }
                try KeptPartitions.keep(segments, beside: partition, as: keepSegments)
            }
            return output
        }
    }
}

struct BatchApplyStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch-apply",
        abstract: "persona cluster --apply on partition files kept on this machine, listed on stdin (for Spark's RDD.pipe).",
        discussion: KeptPartitions.protocolHelp + """
             The output is the segments CSV with its header, nothing for a partition with no \
            rows; with --keep NAME, the CSV is written as NAME beside the partition's file \
            instead, and the output is that file's path and identity (SIZE:INODE:MTIME_NS), \
            separated by a tab, for 'persona step batch-read NAME' to send on.
            """)

    @Option(help: ArgumentHelp("The model persona cluster --model or persona step merge wrote.", valueName: "MODEL.json"))
    var model: String

    @Option(help: ArgumentHelp("The customer id column.", valueName: "COL"))
    var id: String

    @Option(help: ArgumentHelp("The partitions' field separator, one ASCII character or 'tab'.", valueName: "CHAR"))
    var delimiter: String = ","

    @Option(help: ArgumentHelp("Write each partition's segments to this file name beside its file, and print where (the driver fetches them with batch-read).", valueName: "NAME"))
    var keep: String?

    func validate() throws {
        _ = try PlanClusterStep.separator(delimiter)
        if let keep { try KeptPartitions.checkName(keep, option: "--keep") }
    }

    func run() throws {
        var read = CSVReadOptions()
        read.delimiter = try PlanClusterStep.separator(delimiter)
        let (model, id, keep) = (model, id, keep)
        try KeptPartitions.run {
            { partition in
                var bytes = [UInt8]()
                do {
                    let assignment = try ClusterAssignment.run(input: partition.path, idColumn: id, modelPath: model, read: read, threads: 1)
                    assignment.writeSegmentsCSV(threads: 1) { bytes += $0 }
                } catch CustomerDataError.headerOnly {
                    // a partition with no rows has no segments
                }
                guard let keep else { return bytes }
                let path = try KeptPartitions.keep(bytes, beside: partition, as: keep)
                return Array("\(path)\t\(KeptPartitions.identity(of: path) ?? "")".utf8)
            }
        }
    }
}

/// `persona step batch-read NAME`: the files `batch-apply --keep NAME` wrote, sent on in
/// pieces small enough for Spark to stream them to the driver one partition at a time.
struct BatchReadStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch-read",
        abstract: "Print the files kept beside partition files listed on stdin, in base64 pieces (for Spark's RDD.pipe).",
        discussion: """
            Reads the lines of 'persona step batch' (INDEX, PART.csv, ...; later fields are \
            ignored). For each partition prints the file NAME beside its PART.csv as lines \
            'INDEX<tab>data<tab>BASE64' of at most \(pieceSize) bytes each, then \
            'INDEX<tab>end<tab>SIZE'; or 'INDEX<tab>missing' when there is no such file.
            """)

    static let pieceSize = 1 << 20

    @Argument(help: ArgumentHelp("The kept file's name (batch-apply --keep).", valueName: "NAME"))
    var name: String

    func validate() throws { try KeptPartitions.checkName(name, option: "NAME") }

    func run() throws {
        for partition in try KeptPartitions.Partition.listed(try StandardInput()) {
            guard let data = FileManager.default.contents(atPath: KeptPartitions.beside(partition, name)) else {
                FileHandle.standardOutput.write(Data("\(partition.index)\tmissing\n".utf8))
                continue
            }
            var start = data.startIndex
            while start < data.endIndex {
                let end = min(start + Self.pieceSize, data.endIndex)
                FileHandle.standardOutput.write(Data("\(partition.index)\tdata\t\(data[start..<end].base64EncodedString())\n".utf8))
                start = end
            }
            FileHandle.standardOutput.write(Data("\(partition.index)\tend\t\(data.count)\n".utf8))
        }
    }
}

/// The lines `persona step batch` and `batch-apply` read and print.
enum KeptPartitions {
    static let protocolHelp = """
        Reads one line per partition on stdin, fields separated by tabs: the partition's \
        index, its file (a CSV with the input's header), the file's identity when it was \
        written (SIZE:INODE:MTIME_NS), and its --matrix-cache path (may be empty); later fields \
        are ignored. Prints one line per partition, in the same order: the index, a tab, then \
        'json', a tab and the output as it is when it is one line of text (the map steps' \
        JSON); or 'ok', a tab and the output in base64; or, with --keep-outputs, 'kept', a tab \
        and the path of the file beside the partition's that holds the output; or 'missing' when the file is not there or is not \
        the file that was written (the driver then runs that partition on its rows again); or \
        'error', a tab and persona's message. Exits 0 whenever it could read its input lines, \
        so the driver sees every partition's own message rather than the pipe's exit status.
        """

    /// One stdin line.
    struct Partition {
        var index: Int
        var path: String
        var identity: String
        var matrix: String?

        init(index: Int, path: String, identity: String, matrix: String?) {
            (self.index, self.path, self.identity, self.matrix) = (index, path, identity, matrix)
        }

        /// The line's first four fields; the rest (the first round's output, often a
        /// megabyte) is skipped without being decoded.
        init(line: UnsafeRawBufferPointer) throws {
            var fields = [String]()
            var start = 0
            while fields.count < 4, start <= line.count {
                let tab = line[start...].firstIndex(of: UInt8(ascii: "\t")) ?? line.count
                fields.append(String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<tab]), as: UTF8.self))
                start = tab + 1
            }
            guard fields.count == 4, let index = Int(fields[0]), index >= 0, !fields[1].isEmpty else {
                let shown = String(decoding: UnsafeRawBufferPointer(rebasing: line.prefix(200)), as: UTF8.self)
                throw ValidationError("stdin: expected INDEX, PART.csv, SIZE:INODE:MTIME_NS and a matrix path separated by tabs; got '\(shown)'")
            }
            (self.index, path, identity) = (index, fields[1], fields[2])
            matrix = fields[3].isEmpty ? nil : fields[3]
        }

        /// The partitions listed in `input`, one per non-empty line.
        static func listed(_ input: StandardInput) throws -> [Partition] {
            let bytes = UnsafeRawBufferPointer(input.bytes)
            var partitions = [Partition]()
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                if end > start { partitions.append(try Partition(line: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))) }
                start = end + 1
            }
            return partitions
        }
    }

    typealias Work = (Partition) throws -> [UInt8]

    /// Runs the work `make` returns (made once; its error becomes every partition's) on each
    /// partition listed on stdin whose file is the one written, printing one line for each.
    static func run(keepingOutputsAs name: String? = nil, _ make: () throws -> Work) throws {
        BLASConfiguration.setThreadCount(1)
        PageRelease.keepFreedMemoryForReuse()  // partition after partition, in the same pages
        let partitions = try Partition.listed(try StandardInput())
        let work = Result { try make() }
        for partition in partitions {
            let outcome = identity(of: partition.path) != partition.identity
                ? Array("missing".utf8) : self.outcome(work, partition, keepingAs: name)
            printLine(Array("\(partition.index)\t".utf8), outcome)
        }
    }

    /// `head`, `outcome` and a newline on stdout, in one write (an outcome is megabytes in a
    /// sample round: copied once, not through a String).
    static func printLine(_ head: [UInt8], _ outcome: [UInt8]) {
        var line = [UInt8]()
        line.reserveCapacity(head.count + outcome.count + 1)
        line += head
        line += outcome
        line.append(0x0A)
        FileHandle.standardOutput.write(Data(line))
    }

    /// 'json', a tab and the output as it is, when it is one line (`StepFile.line`: a newline
    /// at the end and no other line end or tab) of UTF-8; else 'ok', a tab and the output in
    /// base64; or 'error', a tab and persona's message on one line. With `name`: 'kept', a tab
    /// and the path of the file `name` beside the partition's, which holds the output.
    static func outcome(_ work: Result<Work, Error>, _ partition: Partition, keepingAs name: String? = nil) -> [UInt8] {
        do {
            let output = try work.get()(partition)
            if let name { return Array("kept\t".utf8) + Array(try keep(output, beside: partition, as: name).utf8) }
            if isOneLine(output) { return Array("json\t".utf8) + output[..<(output.count - 1)] }
            return Array("ok\t".utf8) + Array(Data(output).base64EncodedString().utf8)
        } catch {
            let message = Terminal.message(for: error).replacingOccurrences(of: "\n", with: " ")
            return Array(("error\t" + message.replacingOccurrences(of: "\t", with: " ")).utf8)
        }
    }

    /// Whether `output` is one line of UTF-8 ending in a newline, with no other line end and no
    /// tab: memchr for each byte that may not occur (a sample round's output is megabytes).
    static func isOneLine(_ output: [UInt8]) -> Bool {
        guard output.last == 0x0A else { return false }
        let body = output[..<(output.count - 1)]  // (not dropLast: Sequence's copies byte by byte)
        let clean = body.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return true }
            return [UInt8(0x0A), 0x0D, 0x09].allSatisfy { memchr(base, Int32($0), bytes.count) == nil }
        }
        return clean && String(validating: body, as: UTF8.self) != nil
    }

    /// The file named `name` in the folder of `partition`'s file.
    static func beside(_ partition: Partition, _ name: String) -> String {
        ((partition.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
    }

    /// Writes `bytes` as the file `name` beside `partition`'s file (whole or not at all) → its path.
    @discardableResult
    static func keep(_ bytes: [UInt8], beside partition: Partition, as name: String) throws -> String {
        let path = beside(partition, name)
        // (By name, not by path: `dir//x.csv` and `./x.csv` are the same file.)
        guard name != (partition.path as NSString).lastPathComponent, name != partition.matrix.map({ ($0 as NSString).lastPathComponent }) else {
            throw ValidationError("\(path): the partition's own file or its matrix; name its outputs otherwise")
        }
        do {
            try bytes.withUnsafeBytes { try ScratchFile.write([], $0, to: path) }
        } catch let failure as ScratchFile.Failure {
            throw CustomerDataError.unreadable(file: path, reason: "cannot write it (\(failure.problem))")
        }
        return path
    }

    /// Throws unless `name` is a plain file name.
    static func checkName(_ name: String, option: String) throws {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..",
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ValidationError("\(option) must be a file name (no '/', tab or line end); got '\(name.debugDescription.dropFirst().dropLast())'")
        }
    }

    /// SIZE:INODE:MTIME_NS of a file, as Python's os.stat gives them; nil when it is not there.
    static func identity(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let nanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return "\(info.st_size):\(info.st_ino):\(nanoseconds)"
    }
}
