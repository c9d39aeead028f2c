import ArgumentParser
import CustomerData
import Foundation
import NumericCore
import Segmentation

/// `persona step batch`: one process for all the partitions one Spark task holds, fed by
/// Spark's `RDD.pipe` from the JVM, so the rounds after the first need no Python worker.
struct BatchStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run a map step, or apply a model, on partition files kept on this machine, listed on stdin (for Spark's RDD.pipe).",
        discussion: """
            Reads one line per partition on stdin, four fields separated by tabs: the \
            partition's index, its file (a CSV with the input's header), the file's identity \
            when it was written (SIZE:INODE:MTIME_NS), and its --matrix-cache path (may be \
            empty); any later fields are ignored. Prints one line per partition, in the same order: the index, a tab, then \
            either 'ok', a tab and the step's output in base64 (for apply: the segments CSV \
            with its header, nothing for a partition with no rows); or 'missing' when the file is \
            not there or is not the file that was written (the driver then runs that partition \
            on its rows again); or 'error', a tab and persona's message. The state (or the \
            model) is read once for all of them.

            Exits 0 whenever it could read its input lines, so the driver sees every \
            partition's own message rather than the pipe's exit status.
            """)

    @Argument(help: ArgumentHelp("A map step of the state (columns, quantiles, moments, sample, lloyd, final, metrics, labels, newton), or 'apply': persona cluster --apply MODEL.json on every partition.", valueName: "STEP"))
    var step: String

    @Option(help: ArgumentHelp("The state the driver wrote last (map steps).", valueName: "STATE.json"))
    var state: String?

    @Flag(name: .customLong("matrix-caches"), help: "Read and keep each partition's scaled matrix at the path its line gives (the k-means rounds).")
    var matrixCaches = false

    @Option(help: ArgumentHelp("apply: the model persona cluster --model or persona step merge wrote.", valueName: "MODEL.json"))
    var model: String?

    @Option(help: ArgumentHelp("apply: the customer id column.", valueName: "COL"))
    var id: String?

    @Option(help: ArgumentHelp("apply: the partitions' field separator, one ASCII character or 'tab'.", valueName: "CHAR"))
    var delimiter: String = ","

    func validate() throws {
        if step == "apply" {
            guard model != nil, id != nil else { throw ValidationError("apply needs --model MODEL.json and --id COL") }
            _ = try PlanClusterStep.separator(delimiter)
        } else if state == nil {
            throw ValidationError("the map step \(step) needs --state STATE.json")
        }
    }

    /// One stdin line.
    struct Partition {
        var index: Int
        var path: String
        var identity: String
        var matrix: String?

        init(index: Int, path: String, identity: String, matrix: String?) {
            (self.index, self.path, self.identity, self.matrix) = (index, path, identity, matrix)
        }

        init(line: Substring) throws {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 4, let index = Int(fields[0]), index >= 0, !fields[1].isEmpty else {
                throw ValidationError("stdin: expected INDEX, PART.csv, SIZE:INODE:MTIME_NS and a matrix path separated by tabs; got '\(line.prefix(200))'")
            }
            (self.index, path, identity) = (index, String(fields[1]), String(fields[2]))
            matrix = fields[3].isEmpty ? nil : String(fields[3])
        }
    }

    func run() throws {
        BLASConfiguration.setThreadCount(1)
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let partitions = try String(decoding: input, as: UTF8.self).split(separator: "\n").map { try Partition(line: $0) }
        let work: Result<(Partition) throws -> [UInt8], Error> = Result { try worker() }
        for partition in partitions {
            let outcome = Self.identity(of: partition.path) != partition.identity ? "missing" : Self.outcome(work, partition)
            FileHandle.standardOutput.write(Data("\(partition.index)\t\(outcome)\n".utf8))
        }
    }

    /// 'ok', a tab and the output in base64; or 'error', a tab and persona's message on one line.
    static func outcome(_ work: Result<(Partition) throws -> [UInt8], Error>, _ partition: Partition) -> String {
        do {
            return "ok\t" + Data(try work.get()(partition)).base64EncodedString()
        } catch {
            let message = Terminal.message(for: error).replacingOccurrences(of: "\n", with: " ")
            return "error\t" + message.replacingOccurrences(of: "\t", with: " ")
        }
    }

    /// What runs on one partition, with the state or model read once.
    private func worker() throws -> (Partition) throws -> [UInt8] {
        if step == "apply", let model, let id {
            var read = CSVReadOptions()
            read.delimiter = try PlanClusterStep.separator(delimiter)
            read.threads = 1
            return { partition in
                let assignment: ClusterAssignment
                do {
                    assignment = try ClusterAssignment.run(input: partition.path, idColumn: id, modelPath: model, read: read, threads: 1)
                } catch CustomerDataError.headerOnly {
                    return []  // a partition with no rows has no segments
                }
                var bytes = [UInt8]()
                assignment.writeSegmentsCSV(threads: 1) { bytes += $0 }
                return bytes
            }
        }
        guard let state else { throw ValidationError("the map step \(step) needs --state STATE.json") }
        return try Self.mapWorker(step: step, state: state, matrixCaches: matrixCaches)
    }

    /// The state's map step `step` on one partition, with the state read once.
    static func mapWorker(step: String, state: String, matrixCaches: Bool) throws -> (Partition) throws -> [UInt8] {
        if try ScaleOutState.isChurn(path: state) {
            let fit = try StepFile.read(ChurnScaleOut.self, path: state)
            return { partition in try fit.map(step: step, partition: partition.path, threads: 1) }
        }
        let fit = try StepFile.read(ClusterScaleOut.self, path: state)
        return { partition in
            try fit.map(step: step, partition: partition.path, part: partition.index, threads: 1,
                        matrixCache: matrixCaches ? partition.matrix : nil)
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
