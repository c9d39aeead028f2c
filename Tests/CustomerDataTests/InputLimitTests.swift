import Foundation
import Testing
@testable import CustomerData
import NumericCore

/// A fresh scratch directory for one test.
private func scratch(_ label: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("persona-limits-\(label)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// Runs a program and waits for it.
private func run(_ path: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
}

/// `gzip -k path`, returning the .gz path.
private func gzip(_ path: String) throws -> String {
    try run("/bin/gzip", ["-kf", path])
    return path + ".gz"
}

private func idOptions(_ id: String = "id") -> CSVReadOptions {
    var options = CSVReadOptions()
    options.idColumn = id
    return options
}

@Suite("Input limits: errors instead of crashes, bounded memory")
struct InputLimitTests {
    @Test("a file truncated after it was opened is an error naming how much is missing, not a crash")
    func truncatedWhileRead() throws {
        let directory = try scratch("truncate")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("c.csv").path
        var text = "id,x\n"
        for i in 0..<5_000 { text += "c\(i),\(i)\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let size = text.utf8.count
        var options = idOptions()
        options.afterOpen = { _ = truncate(path, 1_000) }
        let error = CustomerDataError.changedWhileRead(file: "c.csv", difference: 1_000 - size)
        #expect(throws: error) { try CSVReader.read(path: path, options: options) }
        #expect(error.description == "c.csv: the file changed while it was read (it is 51,785 bytes shorter); read it again once nothing writes to it")

        // One that grows is read no further than its size at open, then refused.
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        options.afterOpen = {
            if let handle = FileHandle(forWritingAtPath: path) {
                handle.seekToEndOfFile()
                handle.write(Data("c9999,1\n".utf8))
                handle.closeFile()
            }
        }
        #expect(throws: CustomerDataError.changedWhileRead(file: "c.csv", difference: 8)) {
            try CSVReader.read(path: path, options: options)
        }
    }

    @Test("a gzip bomb stops at the inflation limit, with the sizes and the ratio in the message")
    func gzipBomb() throws {
        let directory = try scratch("bomb")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bomb.csv").path
        let row = Array("0,0,0,0,0,0,0,0\n".utf8)
        let bytes = Array("a,b,c,d,e,f,g,h\n".utf8) + Array(String(repeating: "0,0,0,0,0,0,0,0\n", count: 1 << 17).utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let compressed = try gzip(path)
        let size = try #require(FileManager.default.attributesOfItem(atPath: compressed)[.size] as? Int)
        #expect(size * 100 < 1 << 20)  // the ratio is above 100, so the floor is the limit
        var options = CSVReadOptions()
        options.limits.floor = 1 << 20
        #expect(throws: CustomerDataError.inflationLimit(file: "bomb.csv.gz", compressed: size, limit: 1 << 20, ratio: 100)) {
            try CSVReader.read(path: compressed, options: options)
        }
        // The order log stream and the records reader stop at the same limit.
        var orderOptions = OrderLogOptions(customer: "a", date: "b", amount: .column("c"))
        orderOptions.limits.floor = 1 << 20
        orderOptions.skipBadRows = true  // "0" is no date: the rows are counted and skipped until the limit
        #expect(throws: CustomerDataError.inflationLimit(file: "bomb.csv.gz", compressed: size, limit: 1 << 20, ratio: 100)) {
            try OrderLogReader.features(path: compressed, options: orderOptions)
        }
        // Raised limits read it whole.
        options.limits.maxInflation = 10_000
        #expect(try CSVReader.read(path: compressed, options: options).rowCount == (bytes.count - row.count) / row.count)
        #expect(CustomerDataError.inflationLimit(file: "b.gz", compressed: 10_240, limit: 64 << 20, ratio: 100).description
                == "b.gz: 10 KiB of gzip data inflate to more than 64 MiB (the limit: 100 times the compressed size, and never below 64 MiB); real exports compress 3 to 20 times, so this looks like a decompression bomb; if the file is genuine, raise the inflation limit")
    }

    @Test("bytes after the gzip data are an error; concatenated members read as one file")
    func trailingGarbageAndMembers() throws {
        let directory = try scratch("members")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("a.csv").path
        let second = directory.appendingPathComponent("b.csv").path
        try Data("id,x\n1,10\n2,20\n".utf8).write(to: URL(fileURLWithPath: first))
        try Data("3,30\n4,40\n".utf8).write(to: URL(fileURLWithPath: second))
        let a = try Data(contentsOf: URL(fileURLWithPath: try gzip(first)))
        let b = try Data(contentsOf: URL(fileURLWithPath: try gzip(second)))
        let joined = directory.appendingPathComponent("joined.csv.gz")
        try (a + b).write(to: joined)
        let table = try CSVReader.read(path: joined.path, options: idOptions())
        #expect(ids(table) == ["1", "2", "3", "4"])
        #expect(numbers(table, "x") == [10, 20, 30, 40])

        let damaged = directory.appendingPathComponent("damaged.csv.gz")
        try (a + Data("garbage".utf8)).write(to: damaged)
        let reason = "7 bytes after the end of the compressed data (at byte \(a.count)) are not gzip data: the file is damaged, or something was appended to it"
        #expect(throws: CustomerDataError.unreadable(file: "damaged.csv.gz", reason: reason)) {
            try CSVReader.read(path: damaged.path, options: idOptions())
        }
        #expect(throws: CustomerDataError.unreadable(file: "damaged.csv.gz", reason: reason)) {
            try CSVRecords.read(path: damaged.path)
        }
    }

    @Test("a header with a million columns stops at the column limit")
    func millionColumns() throws {
        var header = [UInt8]()
        header.reserveCapacity(8 << 20)
        for j in 0..<1_000_000 { header += Array("c\(j),".utf8) }
        header += Array("last\n1\n".utf8)
        let error = CustomerDataError.tooManyColumns(file: "wide.csv", limit: 16_384)
        #expect(throws: error) { try CSVReader.read(bytes: header, name: "wide.csv") }
        #expect(error.description == "wide.csv:1: the header has more than 16,384 columns; if the file really is that wide, raise the column limit")
        var options = CSVReadOptions()
        options.limits.maxColumns = 3
        #expect(throws: CustomerDataError.tooManyColumns(file: "t.csv", limit: 3)) {
            try CSVReader.read(bytes: Array("a,b,c,d\n1,2,3,4\n".utf8), name: "t.csv", options: options)
        }
        #expect(try CSVReader.read(bytes: Array("a,b,c\n1,2,3\n".utf8), name: "t.csv", options: options).columnNames == ["a", "b", "c"])
    }

    @Test("a record longer than the limit is refused with its line; so is a quoted field that never closes")
    func longRecords() throws {
        var options = CSVReadOptions()
        options.limits.maxRecordBytes = 1_000
        options.blockBytes = 256
        let long = "id,x\n1,2\n" + String(repeating: "a", count: 5_000) + "\n"
        #expect(throws: CustomerDataError.recordTooLong(file: "t.csv", line: 3, limit: 1_000)) {
            try CSVReader.read(bytes: Array(long.utf8), name: "t.csv", options: options)
        }
        var open = "id,x\n"
        for i in 0..<10 { open += "\(i),\(i)\n" }
        open += "10,\"" + String(repeating: "line\n", count: 400) + "\n"
        #expect(throws: CustomerDataError.recordTooLong(file: "t.csv", line: 12, limit: 1_000)) {
            try CSVReader.read(bytes: Array(open.utf8), name: "t.csv", options: options)
        }
        #expect(CustomerDataError.recordTooLong(file: "t.csv", line: 3, limit: 16 << 20).description
                == "t.csv:3: a record longer than 16 MiB (no line end, or a quoted field that never closes): this does not look like CSV text; if it is, raise the record length limit")
    }

    @Test("a NUL byte anywhere names the file, line and column and says it looks like binary data", arguments: [1, 2])
    func nulByte(threads: Int) throws {
        let error = CustomerDataError.binaryData(file: "t.csv", line: 3, column: 2, name: "spend")
        #expect(throws: error) { try readCSV("id,spend\n1,2\n3,4\u{0}5\n6,7\n", threads: threads) }
        #expect(error.description == "t.csv:3: column 'spend' (2): a NUL byte (\\0): this looks like binary data, not CSV text")
        // Counted past a quoted field with a line break; in the header, no column name.
        #expect(throws: CustomerDataError.binaryData(file: "t.csv", line: 4, column: 3, name: "n")) {
            try readCSV("id,note,n\n1,\"two\nlines\",1\n2,x,\u{0}\n", threads: threads)
        }
        #expect(throws: CustomerDataError.binaryData(file: "t.csv", line: 1, column: 2, name: nil)) {
            try readCSV("id,sp\u{0}end\n1,2\n", threads: threads)
        }
        #expect(throws: CustomerDataError.binaryData(file: "t.csv", line: 1, column: 2, name: nil)) {
            try readCSV("id,x\u{0}", threads: threads)  // gzip data read as text starts like this
        }
        #expect(throws: CustomerDataError.binaryData(file: "t.csv", line: 2, column: 1, name: "id")) {
            try readCSV("id,x\n\u{0}", threads: threads)
        }
        #expect(CustomerDataError.binaryData(file: "t.csv", line: 1, column: 2, name: nil).description
                == "t.csv:1: the header, column 2: a NUL byte (\\0): this looks like binary data, not CSV text")
        // Deep in a file read in many blocks, the line is still exact.
        var text = "id,x,y\n"
        for i in 0..<3_000 { text += "c\(i),\(i),\"q\(i)\"\n" }
        text += "c3000,1,\u{0}\n"
        var options = idOptions()
        options.threads = threads
        options.blockBytes = 500
        #expect(throws: CustomerDataError.binaryData(file: "t.csv", line: 3_002, column: 3, name: "y")) {
            try CSVReader.read(bytes: Array(text.utf8), name: "t.csv", options: options)
        }
    }

    @Test("/dev/zero and a file of NUL bytes stop at the first byte")
    func devZero() throws {
        let options = OrderLogOptions(customer: "id", date: "d", amount: .column("amount"))
        #expect(throws: CustomerDataError.binaryData(file: "zero", line: 1, column: 1, name: nil)) {
            try OrderLogReader.features(path: "/dev/zero", options: options)
        }
        #expect(throws: CustomerDataError.binaryData(file: "zero", line: 1, column: 1, name: nil)) {
            try CSVReader.read(path: "/dev/zero")
        }
        let path = try temporaryFile("log.csv", "id,d,amount\nc1,2020-01-01,5\nc2,2020-01-0\u{0}2,5\n")
        #expect(throws: CustomerDataError.binaryData(file: "log.csv", line: 3, column: 2, name: "d")) {
            try OrderLogReader.features(path: path, options: options)
        }
        let second = try temporaryFile("log2.csv", "id,d,amount\n\u{0}")
        #expect(throws: CustomerDataError.binaryData(file: "log2.csv", line: 2, column: 1, name: "id")) {
            try OrderLogReader.features(path: second, options: options)
        }
        var whitespace = options
        whitespace.separator = .whitespace
        let text = try temporaryFile("log.txt", "id d amount\nc1  2020-01-01 5\n  c2 2020-01-02 \u{0}5\n")
        #expect(throws: CustomerDataError.binaryData(file: "log.txt", line: 3, column: 3, name: "amount")) {
            try OrderLogReader.features(path: text, options: whitespace)
        }
    }

    @Test("a FIFO is read to its end, with the separator found in its first lines; a column that turns to text late cannot be read twice")
    func fifo() throws {
        let directory = try scratch("fifo")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("in.csv").path
        #expect(mkfifo(path, 0o600) == 0)
        func feed(_ text: String) {
            let thread = Thread {
                if let handle = FileHandle(forWritingAtPath: path) {
                    handle.write(Data(text.utf8))
                    handle.closeFile()
                }
            }
            thread.start()
        }
        var text = "id;x;city\n"
        for i in 0..<3_000 { text += "c\(i);\(i);\(i % 2 == 0 ? "北京" : "上海")\n" }
        feed(text)
        var options = idOptions()
        options.detectDelimiter = true
        let table = try CSVReader.read(path: path, options: options)
        #expect(table.rowCount == 3_000)
        #expect(numbers(table, "x")?.last == 2_999)
        #expect(texts(table, "city")?.prefix(2) == ["北京", "上海"])

        var late = "id,x\n"
        for i in 0..<2_000 { late += "c\(i),\(i)\n" }
        late += "c2000,n/a?\n"
        feed(late)
        let error = CustomerDataError.textAfterSample(file: "in.csv", line: 2_002, column: 2, name: "x", value: "n/a?", sampleRows: 1_000)
        #expect(throws: error) { try CSVReader.read(path: path, options: idOptions()) }
        #expect(error.description == "in.csv:2002: column 'x' (2): \"n/a?\" is not a number, but the first 1,000 rows were; the column would be read again as text, and this input (a pipe) cannot be read twice: save it to a file and read that")
    }

    @Test("wide files parse in many blocks on two threads exactly as on one, quoted blocks included")
    func blocksAndThreads() throws {
        var text = "id,x,cat,note\n"
        for i in 0..<120_000 {
            let note = (50_000..<50_100).contains(i) ? "\"a, \"\"quoted\"\"\nnote\"" : "plain \(i % 7)"
            text += "c\(i),\(Double(i) * 0.5),\(["a", "b", "c"][i % 3])\(i / 40_000),\(note)\n"
        }
        func read(threads: Int, block: Int) throws -> CustomerTable {
            var options = idOptions()
            options.threads = threads
            options.blockBytes = block
            return try CSVReader.read(bytes: Array(text.utf8), name: "t.csv", options: options)
        }
        let reference = try read(threads: 1, block: 1 << 30)
        #expect(reference.rowCount == 120_000)
        for (threads, block) in [(2, 2_500_000), (2, 3 << 20), (1, 100_000)] {
            let other = try read(threads: threads, block: block)
            #expect(ids(other) == ids(reference))
            #expect(numbers(other, "x") == numbers(reference, "x"))
            #expect(texts(other, "cat") == texts(reference, "cat"))
            #expect(texts(other, "note") == texts(reference, "note"))
            #expect(other.rowLines == reference.rowLines)
        }
    }

    @Test("reading reports its progress in bytes, ending at the file's size")
    func readingProgress() throws {
        let path = try temporaryFile("p.csv", "id,x\n" + (0..<50_000).map { "c\($0),\($0)\n" }.joined())
        let seen = ProgressLog()
        var options = idOptions()
        options.blockBytes = 100_000
        options.progress = { seen.add($0) }
        _ = try CSVReader.read(path: path, options: options)
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(seen.events.count > 5)
        #expect(seen.events.allSatisfy { $0.step == "reading p.csv" && $0.unit == .bytes && $0.total == size })
        #expect(seen.events.map(\.done) == seen.events.map(\.done).sorted())
        #expect(seen.events.last?.done == size)
    }
}

@Suite("Wide tables")
struct WideTableTests {
    /// CPU seconds this thread spent in `body` (other tests running in parallel do not count).
    func threadSeconds(_ body: () throws -> Void) rethrows -> Double {
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start)
        try body()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end)
        return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    }

    /// Reads and encodes a table of `columns` numeric columns and 20 rows, on one thread.
    func readAndEncode(columns: Int) throws -> Double {
        var text = "id," + (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
        for i in 0..<20 { text += "r\(i)," + (0..<columns).map { String(($0 + i) % 7) }.joined(separator: ",") + "\n" }
        let bytes = Array(text.utf8)
        var options = CSVReadOptions()
        options.idColumn = "id"
        options.limits.maxColumns = 100_000
        var encoded: FeaturePipeline.Fitted<Double>?
        let seconds = try threadSeconds {
            let table = try CSVReader.read(bytes: bytes, name: "wide.csv", options: options)
            var specification = FeaturePipeline.Specification()
            specification.exclude = ["id"]
            encoded = try FeaturePipeline.fit(table, specification)
        }
        let fitted = try #require(encoded)
        #expect(fitted.matrix.columns == columns && fitted.matrix.rows == 20)
        #expect(fitted.pipeline.features.last == "c\(columns - 1)")
        return seconds
    }

    @Test("reading and encoding 20,000 columns costs about four times 5,000 (linear, not quadratic)")
    func linearInColumns() throws {
        // Thread CPU time, the least of three runs: a quadratic step would make the ratio 16.
        let small = try (0..<3).map { _ in try readAndEncode(columns: 5_000) }.min() ?? 0
        let large = try (0..<3).map { _ in try readAndEncode(columns: 20_000) }.min() ?? 0
        #expect(large < 8 * small, "5,000 columns: \(small) s, 20,000 columns: \(large) s")
    }
}

/// Collects progress events from a `@Sendable` callback.
final class ProgressLog: @unchecked Sendable {
    // @unchecked: `events` is only touched with `lock` held.
    private let lock = NSLock()
    private var stored: [WorkProgress] = []
    func add(_ event: WorkProgress) { lock.withLock { stored.append(event) } }
    var events: [WorkProgress] { lock.withLock { stored } }
}
