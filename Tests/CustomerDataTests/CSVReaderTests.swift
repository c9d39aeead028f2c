import Foundation
import NumericCore
import Testing
@testable import CustomerData

func readCSV(_ text: String, id: String? = "id", threads: Int = 1, delimiter: Character = ",",
             numeric: [String] = []) throws -> CustomerTable {
    var options = CSVReadOptions()
    options.idColumn = id
    options.threads = threads
    options.delimiter = delimiter.asciiValue ?? 0x2C
    options.numericColumns = numeric
    return try CSVReader.read(bytes: Array(text.utf8), name: "t.csv", options: options)
}

func numbers(_ table: CustomerTable, _ name: String) -> [Double]? {
    guard let j = table.index(of: name), case .numeric(let c) = table.columns[j] else { return nil }
    return c.values
}

func texts(_ table: CustomerTable, _ name: String) -> [String?]? {
    guard let j = table.index(of: name), case .text(let c) = table.columns[j] else { return nil }
    return c.codes.map { $0 < 0 ? nil : c.levels[Int($0)] }
}

func ids(_ table: CustomerTable) -> [String] {
    guard let ids = table.identifiers else { return [] }
    return (0..<ids.count).map { ids[$0] }
}

@Suite("CSV reading")
struct CSVReaderTests {
    @Test("BOM, CRLF, no final newline, zero-padded ids kept verbatim")
    func bomCRLF() throws {
        let table = try readCSV("\u{FEFF}id,x\r\n0001,1.5\r\n0002,2")
        #expect(table.columnNames == ["id", "x"])
        #expect(ids(table) == ["0001", "0002"])
        #expect(numbers(table, "x") == [1.5, 2])
        #expect(table.rowLines == [2, 3])
    }

    @Test("RFC 4180 quotes: delimiters, doubled quotes and newlines inside fields")
    func quoting() throws {
        let table = try readCSV("id,note,n\n1,\"a, b\",1\n2,\"say \"\"hi\"\"\",2\n3,\"two\nlines\",3\n4,,4\n")
        #expect(texts(table, "note") == ["a, b", "say \"hi\"", "two\nlines", nil])
        #expect(numbers(table, "n") == [1, 2, 3, 4])
        // The record after a quoted newline starts one physical line later.
        #expect(table.rowLines == [2, 3, 4, 6])
    }

    @Test("Unicode headers and values, another delimiter, blank lines skipped")
    func unicode() throws {
        let table = try readCSV("客户编号;城市;消费\nA1;北京;12\n\nA2;上海;\n", id: "客户编号", delimiter: ";")
        #expect(table.columnNames == ["客户编号", "城市", "消费"])
        #expect(texts(table, "城市") == ["北京", "上海"])
        let spend = try #require(numbers(table, "消费"))
        #expect(spend[0] == 12 && spend[1].isNaN)
        #expect(table.rowLines == [2, 4])
    }

    @Test("Type inference: numbers, missing markers, text; a late text cell turns the column to text")
    func inference() throws {
        var text = "id,a,b,c\n"
        for i in 0..<1_500 { text += "\(i),\(i),  \(i % 7) ,NA\n" }
        text += "1500,oops,1,2\n"
        let table = try readCSV(text)
        // 'a' met "oops" after the sample: it is re-read as text, values kept verbatim.
        #expect(texts(table, "a")?.last == "oops")
        #expect(texts(table, "a")?.first == "0")
        #expect(numbers(table, "b")?.prefix(3) == [0, 1, 2])
        let c = try #require(numbers(table, "c"))
        #expect(c.prefix(1500).allSatisfy(\.isNaN) && c.last == 2)
    }

    @Test("Numbers parse exactly like strtod", arguments: [
        "0", "-0.5", "+3", "1e3", "1E-3", "123456789012345678901234", "0.1", "2.2250738585072014e-308",
        "9007199254740993", "3.141592653589793238462643", ".5", "5.", "  7  ", "1.7976931348623157e308",
    ])
    func numberParsing(_ text: String) throws {
        let parsed = Array(text.utf8).withUnsafeBufferPointer { NumberParser.parse($0.baseAddress!, $0.count) }
        #expect(parsed == .number(strtod(text, nil)))
    }

    @Test("Words and malformed numbers", arguments: [
        ("", ParsedNumber.missing), ("NA", .missing), ("n/a", .missing), ("NULL", .missing), ("  ", .missing),
        ("NaN", .nonFinite), ("-inf", .nonFinite), ("Infinity", .nonFinite), ("1e400", .nonFinite),
        ("12,50", .notANumber), ("1.2.3", .notANumber), ("abc", .notANumber), ("1e", .notANumber), ("-", .notANumber),
    ])
    func specialValues(_ text: String, _ expected: ParsedNumber) {
        let bytes = Array(text.utf8) + [0]
        let parsed = bytes.withUnsafeBufferPointer { NumberParser.parse($0.baseAddress!, text.utf8.count) }
        #expect(parsed == expected)
    }

    @Test("Plain decimals (the fused fast path) read back bit for bit like strtod")
    func fastPathProperty() throws {
        var state: UInt64 = 99
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        var cells = [String]()
        for _ in 0..<20_000 {
            let integer = String(next() % 10_000_000)
            let fraction = String(next()).prefix(Int(next() % 12))
            let sign = next() % 3 == 0 ? "-" : ""
            cells.append(fraction.isEmpty ? sign + integer : sign + integer + "." + fraction)
        }
        let table = try readCSV("id,x\n" + cells.enumerated().map { "\($0.offset),\($0.element)" }.joined(separator: "\n"))
        let parsed = try #require(numbers(table, "x"))
        for (cell, value) in zip(cells, parsed) {
            #expect(value.bitPattern == strtod(cell, nil).bitPattern, "\(cell)")
        }
    }

    @Test("Parallel parsing gives exactly the sequential result")
    func parallelEqualsSequential() throws {
        var text = "id,x,y,cat\n"
        for i in 0..<120_000 { text += "c\(i),\(Double(i) * 0.25),\(i % 13 == 0 ? "" : String(i % 97)),\(["a", "b", "c", "d"][i % 4])\n" }
        let one = try readCSV(text, threads: 1)
        let two = try readCSV(text, threads: 2)
        #expect(ids(one) == ids(two))
        #expect(numbers(one, "x") == numbers(two, "x"))
        #expect(numbers(one, "y")?.map(\.bitPattern) == numbers(two, "y")?.map(\.bitPattern))
        #expect(texts(one, "cat") == texts(two, "cat"))
        #expect(one.rowLines == two.rowLines)
        #expect(one.rowLines.last == 120_001)
    }

    @Test("Errors in the second half of a parallel read report absolute line numbers")
    func parallelErrorLine() throws {
        var text = "id,x\n"
        for i in 0..<200_000 { text += "\(i),\(i)\n" }
        text += "200000,1,2\n"
        #expect(throws: CustomerDataError.raggedRow(file: "t.csv", line: 200_002, expected: 2, got: 3)) {
            try readCSV(text, threads: 2)
        }
    }

    @Test("gzip input reads like the plain file")
    func gzip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("persona-gz-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("c.csv")
        try "id,x\n1,2\n3,4\n".write(to: plain, atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", plain.path]
        try gzip.run()
        gzip.waitUntilExit()
        var options = CSVReadOptions()
        options.idColumn = "id"
        let table = try CSVReader.read(path: plain.path + ".gz", options: options)
        #expect(table.source == "c.csv.gz")
        #expect(numbers(table, "x") == [2, 4])
    }

    @Test("step cuts fall just after a newline, about `every` bytes apart, with both ends kept")
    func newlineCuts() {
        let text = Array("ab\ncdef\ng\n\nhij\nk".utf8)   // 16 bytes; lines end at offsets 3, 8, 10, 11, 15
        text.withUnsafeBufferPointer { data in
            #expect(CSVPass.newlineCuts(data, from: 0, to: data.count, every: 4) == [0, 8, 15, 16])
            #expect(CSVPass.newlineCuts(data, from: 0, to: data.count, every: 1) == [0, 3, 8, 10, 11, 15, 16])
            #expect(CSVPass.newlineCuts(data, from: 3, to: 15, every: 100) == [3, 15])
            #expect(CSVPass.newlineCuts(data, from: 15, to: 16, every: 1) == [15, 16])
        }
    }

    @Test("reading a file in small blocks gives exactly the single-block result", arguments: [1, 2])
    func steppedRead(threads: Int) throws {
        // 3,000 rows with CRLF and LF endings, blank lines, missing cells, and a column that
        // turns out to be text only after the 1,000-row sample (so it is read a second time).
        var text = "id,spend,visits,city,code\n"
        for i in 0..<3000 {
            let ending = i % 7 == 0 ? "\r\n" : "\n"
            let spend = i % 13 == 0 ? "" : String(Double(i) * 1.25)
            let code = i == 2500 ? "X9" : String(i % 17)
            text += "C\(i),\(spend),\(i % 11),城市\(i % 5),\(code)\(ending)"
            if i % 400 == 0 { text += "\n" }
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("persona-stepped-\(getpid())-\(threads).csv")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        func read(step: Int) throws -> CustomerTable {
            var options = CSVReadOptions()
            options.idColumn = "id"
            options.threads = threads
            options.blockBytes = step
            return try CSVReader.read(path: url.path, options: options)
        }
        let whole = try read(step: 1 << 30)
        #expect(whole.rowCount == 3000)
        #expect(texts(whole, "code")?[2500] == "X9")
        for step in [1, 97, 4096] {
            let stepped = try read(step: step)
            #expect(stepped.rowLines == whole.rowLines)
            #expect(ids(stepped) == ids(whole))
            #expect(numbers(stepped, "spend")?.map(\.bitPattern) == numbers(whole, "spend")?.map(\.bitPattern))
            #expect(numbers(stepped, "visits") == numbers(whole, "visits"))
            #expect(texts(stepped, "city") == texts(whole, "city"))
            #expect(texts(stepped, "code") == texts(whole, "code"))
        }
        // An error deep in the file names the same line whatever the step.
        let broken = text.replacingOccurrences(of: "C2900,", with: "C2900,1,")
        try Data(broken.utf8).write(to: url)
        // Physical lines counted in bytes (a Swift Character "\r\n" would not split at "\n"):
        // the header, 2,900 rows and the 8 blank lines before row 2900.
        let expected = try #require(Array(broken.utf8).split(separator: 0x0A, omittingEmptySubsequences: false)
            .firstIndex { $0.starts(with: Array("C2900,".utf8)) }) + 1
        #expect(expected == 1 + 2900 + 8 + 1)
        for step in [1 << 30, 97] {
            #expect(throws: CustomerDataError.raggedRow(file: url.lastPathComponent, line: expected, expected: 5, got: 6)) {
                _ = try read(step: step)
            }
        }
    }
}

@Suite("CSV writing")
struct CSVWriterTests {
    @Test("Numbers to 12 significant digits", arguments: [
        (0.5, "0.5"), (3.0, "3"), (12.25, "12.25"), (1.0 / 3, "0.333333333333"), (2.0 / 3 * 1000, "666.666666667"),
        (123456789.123456, "123456789.123"), (0.000123456789012345, "0.000123456789012"), (1e-9, "1e-09"), (-2.5, "-2.5"),
        (9.9999999999999, "10"), (0.0, "0"),
    ])
    func significantDigits(value: Double, expected: String) {
        var writer = CSVWriter()
        writer.field(value, significant: 12)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }

    /// The digit loop was rewritten for speed (one pass into a stack buffer instead of a
    /// division per digit); the bytes must be those of the previous formatter, kept here as
    /// the reference, on values of every magnitude and at every digit count.
    @Test("12 significant digits: the fast digit loop writes the previous formatter's bytes")
    func significantDigitsAgainstPrevious() {
        func previous(_ value: Double, _ significant: Int) -> String {
            let magnitude = abs(value)
            let exponent = Int(log10(magnitude).rounded(.down))
            let decimals = max(0, min(18, significant - 1 - exponent))
            var scale: UInt64 = 1
            for _ in 0..<decimals { scale *= 10 }
            let scaled = (magnitude * Double(scale)).rounded()
            if scaled >= 9.2e18 { return value.description }
            var units = UInt64(scaled)
            var text = (value < 0 ? "-" : "") + String(units / scale)
            units %= scale
            guard units > 0 else { return text }
            var digits = decimals
            while units % 10 == 0 {
                units /= 10
                digits -= 1
            }
            let fraction = String(units)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
            return text
        }
        var values = [Double]()
        var state: UInt64 = 0x853C_49E6_748F_EA9B
        for i in 0..<200_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let mantissa = 1 + Double(state >> 11) / 9_007_199_254_740_992 * 9
            let exponent = Int((state >> 3) % 19) - 4                  // 1e-4 … 1e14
            values.append((i % 2 == 0 ? 1 : -1) * mantissa * pow(10, Double(exponent)))
        }
        // Where the exponent comes from a table now, not log10: at and a few ulps around every
        // power of ten, and around the halves that rounding decides.
        for e in -4...14 {
            var near = pow(10, Double(e))
            for _ in 0..<4 { near = near.nextDown }
            for _ in 0..<9 {
                values += [near, 5 * near, 0.5 * near + near]
                near = near.nextUp
            }
        }
        values += [1e-4, 9.99999999999999e14, 0.125, 2.5, 0.0005, 1234.5]
        // Below 1e-4 and from 1e15 both fall back to the shortest round-trip form.
        values = values.filter { abs($0) >= 1e-4 && abs($0) < 1e15 }
        for (i, value) in values.enumerated() {
            let significant = 1 + i % 15
            var writer = CSVWriter()
            writer.field(value, significant: significant)
            let written = String(decoding: writer.bytes, as: UTF8.self)
            guard written == previous(value, significant) else {
                Issue.record("\(value) at \(significant) digits: \(written), previously \(previous(value, significant))")
                return
            }
        }
    }

    @Test("Integers and rows: every digit count, signs, delimiters and the row end")
    func integersAndRows() {
        var writer = CSVWriter(delimiter: UInt8(ascii: ";"))
        var expected = ""
        var magnitude = 1
        for digits in 1...18 {
            for value in [magnitude - 1, magnitude, -magnitude, 9 * magnitude + (magnitude - 1)] {
                writer.field(value)
                writer.field(Double(value))  // whole numbers below 1e15 go the integer way
                writer.field("x")
                writer.endRow()
                let double = abs(value) < 1_000_000_000_000_000 ? String(value) : Double(value).description
                expected += "\(value);\(double);x\n"
            }
            if digits < 18 { magnitude *= 10 }
        }
        writer.field(Int.min)
        writer.field(Int.max)
        writer.endRow()
        expected += "\(Int.min);\(Int.max)\n"
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }

    @Test("Fields are quoted only when RFC 4180 needs it")
    func quoting() {
        var writer = CSVWriter()
        writer.row(["plain", "a,b", "say \"hi\"", "two\nlines", " edge", "城市"])
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" edge\",城市\n")
    }

    /// `row(maximumCount:)` is how the per-customer outputs write millions of rows: each field
    /// form in it, at the room the `CSVRow` constants promise (a field's worst case, the row's
    /// worst case summed), between rows written field by field.
    @Test("Whole rows through CSVRow: every field form, quoting and the fallbacks, at the promised room")
    func wholeRows() {
        var writer = CSVWriter(delimiter: UInt8(ascii: ";"))
        writer.field("before")
        writer.endRow()
        let id = Array("\"\"\"".utf8)  // three quotes: the longest a 3-byte id can become
        id.withUnsafeBufferPointer { id in
            let room = CSVRow.maximumCount(bytes: id.count) + CSVRow.maximumIntegerCount + 5 * CSVRow.maximumNumberCount
            writer.row(maximumCount: room) { row in
                row.field(bytes: id)
                row.field(Int.min)
                row.field(-2.2250738585072014e-308, significant: 12)  // below 1e-4: shortest form
                row.field(0.0, significant: 12)
                row.field(-1234.56789012345678, significant: 12)
                row.field(Double.nan)
                row.emptyField()
                row.field(0.1)
            }
        }
        writer.row(maximumCount: CSVRow.maximumIntegerCount) { $0.idField(nil, row: 7) }
        writer.field(1)
        writer.endRow()
        let expected = "before\n\"\"\"\"\"\"\"\";-9223372036854775808;-2.2250738585072014e-308;0;-1234.56789012;;;0.1\n7\n1\n"
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }
}

@Suite("Numeric columns longer than the reader expected")
struct GrowingColumnTests {
    @Test("long rows first, then 30,000 short ones: every value kept, in order, doubles and floats")
    func estimateTooSmall() throws {
        // The rows sampled first are 20 times longer than the rest, so the rows expected from
        // the file size are about a twentieth of the truth: the columns grow in segments.
        var text = "id,note,amount,visits\n"
        let pad = String(repeating: "x", count: 300)
        for i in 0..<31_000 {
            let amount = i % 101 == 0 ? "" : String(Double(i) / 4)
            text += "C\(i),\(i < 1_000 ? pad : "y"),\(amount),\(i % 13)\n"
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("persona-growing-\(getpid()).csv")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        for (threads, floats) in [(1, false), (2, false), (2, true)] {
            var options = CSVReadOptions()
            options.idColumn = "id"
            options.threads = threads
            options.blockBytes = 64 << 10
            options.numbersAsFloats = floats
            let table = try CSVReader.read(path: url.path, options: options)
            #expect(table.rowCount == 31_000)
            guard let a = table.index(of: "amount"), case .numeric(let amounts) = table.columns[a] else {
                Issue.record("amount is not numeric")
                continue
            }
            let expected = (0..<31_000).map { $0 % 101 == 0 ? Double.nan : Double($0) / 4 }
            #expect(amounts.values.map(\.bitPattern) == expected.map(\.bitPattern), "\(threads) threads, floats \(floats)")
            #expect(amounts.missingCount == (0..<31_000).filter { $0 % 101 == 0 }.count)
            #expect(numbers(table, "visits") == (0..<31_000).map { Double($0 % 13) })
        }
    }
}

@Suite("Duplicate ids")
struct DuplicateFinderTests {
    func column(_ ids: [String]) -> IdentifierColumn {
        var bytes = [UInt8](), offsets = IdentifierOffsets()
        for id in ids {
            bytes += Array(id.utf8)
            offsets.append(bytes.count)
        }
        return IdentifierColumn(bytes: bytes, offsets: offsets)
    }

    @Test("the earliest repeat among 100k ids, the same on 1 and 2 threads")
    func earliestRepeat() throws {
        var ids = (0..<100_000).map { "C\($0 * 7919 % 1_000_003)" }
        ids[90_000] = ids[5]         // a later repeat
        ids[70_000] = ids[12_000]    // the earliest repeat
        for threads in [1, 2] {
            let found = DuplicateFinder.firstRepeat(column(ids), threads: threads)
            #expect(found?.row == 70_000 && found?.firstRow == 12_000)
        }
        #expect(DuplicateFinder.firstRepeat(column(Array(ids[0..<60_000])), threads: 2) == nil)
        // Ids that differ only after eight bytes, and empty-looking short ones.
        #expect(DuplicateFinder.firstRepeat(column(["customer-0001", "customer-0002", "a", "b", "customer-0001"]), threads: 1)?.row == 4)
    }

    @Test("the first repeat a dictionary finds, over several chunks of rows and every partition")
    func sameAsDictionary() {
        var random = SeededRandom(seed: 3)
        for round in 0..<4 {
            // 200k ids from a space small enough that some repeat, at places that vary by round.
            let space = [400_000_000, 40_000_000, 4_000_000, 1_000_000][round]
            let ids = (0..<200_000).map { _ in "id-\(random.nextIndex(below: space))" }
            var seen = [String: Int](), expected: (row: Int, firstRow: Int)?
            for (row, id) in ids.enumerated() {
                if let first = seen[id] { expected = (row, first); break }
                seen[id] = row
            }
            for threads in [1, 2] {
                let found = DuplicateFinder.firstRepeat(column(ids), threads: threads)
                #expect(found?.row == expected?.row && found?.firstRow == expected?.firstRow, "round \(round), \(threads) threads")
            }
        }
    }
}

/// Fields after the last column a read keeps are passed over eight bytes at a time
/// (`persona_skip_plain_fields`): the rows, their lines and the errors must be those of the
/// byte loop that reads every field.
@Suite("CSV reading: skipped trailing fields")
struct CSVSkippedFieldsTests {
    func read(_ text: String, columns: [String]?) throws -> CustomerTable {
        var options = CSVReadOptions()
        options.idColumn = "id"
        options.columns = columns
        return try CSVReader.read(bytes: Array(text.utf8), name: "t.csv", options: options)
    }

    func message(_ text: String, columns: [String]?) -> String {
        do {
            _ = try read(text, columns: columns)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test("quotes that open a field, quotes inside one, line ends of every kind, long and empty fields")
    func sameRows() throws {
        var state: UInt64 = 7
        func next(_ n: UInt64) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % n)
        }
        let tails = ["1.5", "", "abcdefghijklmnopqrstuvwxyz", "ab\"c", "\"x, y\"", "\"two\nlines\"", "\"say \"\"hi\"\"\"",
                     "-12345678.25", "\"\"", "\"a\r\nb\"", "x\"", "\"q\"tail"]
        let ends = ["\n", "\r\n", "\r"]
        var text = "id,a,b,c,d,e"
        for row in 0..<3_000 {
            text += ends[next(3)] + "\(row),\(next(1000))"
            for _ in 0..<4 { text += "," + tails[next(UInt64(tails.count))] }
        }
        let kept = try read(text, columns: ["a"])
        let whole = try read(text, columns: nil)
        let skipped = kept.columns.filter { if case .skipped = $0 { return true } else { return false } }
        #expect(kept.rowCount == 3_000 && skipped.count == 4)
        #expect(ids(kept) == ids(whole) && numbers(kept, "a") == numbers(whole, "a") && kept.rowLines == whole.rowLines)
        // The same with no final line end.
        // Read in small blocks, records cut at every place in them (a quoted field left open at a
        // block's end is read again with the next block): the same rows.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("persona-skipped-\(getpid()).csv")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        for step in [1, 97, 4096] {
            var options = CSVReadOptions()
            options.idColumn = "id"
            options.columns = ["a"]
            options.blockBytes = step
            let stepped = try CSVReader.read(path: url.path, options: options)
            #expect(ids(stepped) == ids(whole) && numbers(stepped, "a") == numbers(whole, "a") && stepped.rowLines == whole.rowLines, "blocks of \(step)")
        }
        let unended = text + "\n3000,7,\"open\nstill\",x\"y,,last"
        let cut = try read(unended, columns: ["a"])
        let cutWhole = try read(unended, columns: nil)
        #expect(cut.rowCount == 3_001 && numbers(cut, "a")?.last == 7 && cut.rowLines == cutWhole.rowLines)
    }

    @Test("a record with a field too many or too few, or a quote never closed, in the skipped fields: the same message")
    func sameErrors() {
        let head = "id,a,b,c\n1,1,x,y\n2,2,\"p,q\",z\r\n"
        for (bad, expected) in [("3,3,x,y,extra\n", "t.csv:4: expected 4 fields like the header, found 5"),
                                ("3,3,x\n", "t.csv:4: expected 4 fields like the header, found 3"),
                                ("3,3,x,\"never closed\n4,4,x,y\n", "t.csv:4: column 'c' (4): a quoted field is never closed")] {
            #expect(message(head + bad, columns: ["a"]) == expected)
            #expect(message(head + bad, columns: nil) == expected)
        }
    }
}
