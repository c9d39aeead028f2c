import Foundation
import Testing
@testable import CustomerData

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ name: String, _ text: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("persona-orders-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

func numbers(_ features: CustomerFeatures, _ name: String) -> [Double] {
    guard case .numbers(let values)? = features.column(name)?.values else { return [] }
    return values
}

func texts(_ features: CustomerFeatures, _ name: String) -> [String?] {
    guard case .text(let values)? = features.column(name)?.values else { return [] }
    return values
}

/// Blank cells are NaN; NaN equals NaN here.
func same(_ a: [Double], _ b: [Double], tolerance: Double = 1e-12) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in
        (x.isNaN && y.isNaN) || abs(x - y) <= tolerance * max(1, abs(y))
    }
}

/// A log worked out by hand (see the comments): two orders and a return for c1, an id with
/// spaces and a duplicate line for c2, a customer with only a return, one with only a zero
/// line, and a line without a customer.
let handLog = """
order,cust,when,cat,qty,price
A1,c1,2024-01-01 10:00:00,Toys,2,5.0
A1,c1,2024-01-01 10:00:00,Books,1,20
A2,c1,2024-01-05 09:00:00,Toys,1,5
C9,c1,2024-01-06 12:00:00,Toys,-1,5
A3, c2 ,2024-01-03 08:00:00,Books,3,10
A4,,2024-01-03 08:00:00,Books,1,1
A5,c3,2024-01-02,Toys,-2,4
A6,c4,2024-01-04T00:00:00,Toys,0,3
A3, c2 ,2024-01-03 08:00:00,Books,3,10

"""

func handOptions() -> OrderLogOptions {
    var options = OrderLogOptions(customer: "cust", date: "when", amount: .priceTimesQuantity(price: "price", quantity: "qty"))
    options.order = "order"
    options.category = "cat"
    return options
}

@Suite("Order log → customer features")
struct OrderLogTests {
    @Test("every feature of a hand-worked log")
    func handWorked() throws {
        let path = try temporaryFile("orders.csv", handLog)
        let f = try OrderLogReader.features(path: path, options: handOptions())
        #expect(f.idName == "cust")
        #expect(f.ids == ["c1", "c2", "c3", "c4"])
        let nan = Double.nan
        // As of 2024-01-07 00:00, midnight after the last line (2024-01-06 12:00).
        #expect(f.report.asOf == Int64(TimestampFormat.days(year: 2024, month: 1, day: 7)) * 86_400)
        #expect(same(numbers(f, "recency_days"), [1, 3, nan, nan]))      // Jan 5 09:00 → 1.6 d; Jan 3 08:00 → 3.7 d
        #expect(same(numbers(f, "frequency"), [2, 1, 0, 0]))             // A1, A2; A3 (twice)
        #expect(same(numbers(f, "monetary"), [35, 60, 0, 0]))            // 10 + 20 + 5; 30 + 30 (duplicate kept)
        #expect(same(numbers(f, "avg_order_value"), [17.5, 60, nan, nan]))
        #expect(same(numbers(f, "tenure_days"), [5, 3, nan, nan]))       // Jan 1 10:00 → 5.6 d
        #expect(same(numbers(f, "mean_interpurchase_days"), [3 + 23.0 / 24, nan, nan, nan]))
        #expect(same(numbers(f, "returns_count"), [1, 0, 1, 0]))
        #expect(same(numbers(f, "returns_value"), [5, 0, 8, 0]))
        #expect(same(numbers(f, "return_rate"), [5.0 / 35, 0, nan, nan]))
        #expect(same(numbers(f, "active_days"), [2, 1, 0, 0]))
        #expect(same(numbers(f, "last_gap_days"), [4, nan, nan, nan]))   // Jan 1 → Jan 5
        #expect(same(numbers(f, "spend_trend"), [1, 1, nan, nan]))       // every purchase in the last 90 days
        #expect(same(numbers(f, "distinct_categories"), [2, 1, 0, 0]))
        #expect(texts(f, "top_category") == ["Books", "Books", nil, nil])
        // Books (80 in all) before Toys (15).
        #expect(f.columns.suffix(2).map(\.name) == ["share:Books", "share:Toys"])
        #expect(same(numbers(f, "share:Books"), [20.0 / 35, 1, nan, nan]))
        #expect(same(numbers(f, "share:Toys"), [15.0 / 35, 0, nan, nan]))

        let r = f.report
        #expect(r.lines == 9)
        #expect(r.withoutCustomer == 1)
        #expect(r.purchaseLines == 5)
        #expect(r.returnLines == 2)
        #expect(r.zeroAmountLines == 1)
        #expect(r.duplicateLines == 1)
        #expect(r.idsTrimmed == 2)
        #expect(r.customers == 4)
    }

    @Test("--dedupe drops the repeated line")
    func dedupe() throws {
        var options = handOptions()
        options.dedupe = true
        let f = try OrderLogReader.features(path: try temporaryFile("orders.csv", handLog), options: options)
        #expect(same(numbers(f, "monetary"), [35, 30, 0, 0]))
        #expect(f.report.duplicateLines == 1)
    }

    @Test("labels: features before the cutoff, purchases in the horizon, later customers left out")
    func labels() throws {
        var options = handOptions()
        options.category = nil
        options.cutoff = Int64(TimestampFormat.days(year: 2024, month: 1, day: 3)) * 86_400
        options.horizonDays = 3
        let f = try OrderLogReader.features(path: try temporaryFile("orders.csv", handLog), options: options)
        // c2 and c4 first appear on Jan 3 and 4, inside the horizon: not written.
        #expect(f.ids == ["c1", "c3"])
        #expect(same(numbers(f, "frequency"), [1, 0]))
        #expect(same(numbers(f, "monetary"), [30, 0]))
        #expect(same(numbers(f, "recency_days"), [1, .nan]))            // Jan 1 10:00 → Jan 3
        #expect(same(numbers(f, "purchased_in_horizon"), [1, 0]))       // c1 bought on Jan 5
        #expect(same(numbers(f, "churned"), [0, .nan]))                 // c3 never bought before the cutoff
        #expect(f.report.customersExcluded == 2)
        #expect(f.report.linesAfterWindow == 1)                         // the return on Jan 6 12:00
        #expect(f.columns.map(\.name).last == "churned")
    }

    @Test("--normalize-ids merges 17850.0 and 17850; --as-of leaves later lines (and customers) out")
    func normalizeAndAsOf() throws {
        let log = "id,d,amount\n17850.0,2020-01-01,5\n17850,2020-01-02,7\n17850.50,2020-01-02,1\n9,2020-02-01,1\n"
        let path = try temporaryFile("o.csv", log)
        var options = OrderLogOptions(customer: "id", date: "d", amount: .column("amount"))
        let plain = try OrderLogReader.features(path: path, options: options)
        #expect(plain.ids == ["17850", "17850.0", "17850.50", "9"])
        #expect(plain.report.idsWithDecimalZero == 1)
        options.normalizeIDs = true
        options.asOf = Int64(TimestampFormat.days(year: 2020, month: 1, day: 10)) * 86_400
        let merged = try OrderLogReader.features(path: path, options: options)
        #expect(merged.ids == ["17850", "17850.50"])
        #expect(same(numbers(merged, "frequency"), [2, 1]))             // distinct days without --order
        #expect(same(numbers(merged, "monetary"), [12, 1]))
        #expect(same(numbers(merged, "recency_days"), [8, 8]))
        #expect(merged.report.idsNormalized == 1)
        #expect(merged.report.linesAfterWindow == 1)
    }

    @Test("block boundaries anywhere, quoted fields with newlines: the same result")
    func blockBoundaries() throws {
        var log = "order,cust,when,cat,qty,price\n"
        for i in 0..<400 {
            let category = i % 3 == 0 ? "\"Home, \"\"Garden\"\"\nand more\"" : (i % 3 == 1 ? "Toys" : "\"Books\"")
            log += "A\(i / 4),c\(i % 37),2024-0\(1 + i % 9)-1\(i % 10) 0\(i % 10):00:00,\(category),\(i % 5 - 1),\(Double(i % 7) + 0.25)\r\n"
        }
        let path = try temporaryFile("quoted.csv", log)
        let reference = try OrderLogReader.features(path: path, options: handOptions())
        #expect(reference.report.lines == 400)
        #expect(reference.columns.contains { $0.name == "share:Home, \"Garden\"\nand more" })
        for blockSize in [16, 61, 256, 4096] {
            var options = handOptions()
            options.blockSize = blockSize
            let f = try OrderLogReader.features(path: path, options: options)
            #expect(f.csv() == reference.csv(), "block size \(blockSize)")
        }
        // Line numbers count the newlines inside quotes, across blocks: header, 400 records of
        // which 134 span two lines, then the bad one on line 1 + 400 + 134 + 1.
        let broken = log + "Z1,c1,2024-13-01 00:00:00,Toys,1,1\r\n"
        var options = handOptions()
        options.blockSize = 61
        #expect(throws: CustomerDataError.notADate(file: "quoted.csv", line: 536, column: 3, name: "when",
                                                   value: "2024-13-01 00:00:00", format: nil)) {
            try OrderLogReader.features(path: try temporaryFile("quoted.csv", broken), options: options)
        }
    }

    @Test("a quote inside an unquoted field does not confuse block boundaries")
    func strayQuotes() throws {
        var log = "order,cust,when,cat,qty,price\n"
        for i in 0..<200 {
            let category = i % 4 == 0 ? "12\" vinyl" : (i % 4 == 1 ? "\"gift\nwrap\"" : "Toys")
            log += "A\(i),c\(i % 11),2024-01-\(10 + i % 9) 10:00:00,\(category),1,\(i % 5 + 1)\n"
        }
        let path = try temporaryFile("stray.csv", log)
        let whole = try OrderLogReader.features(path: path, options: handOptions())
        #expect(whole.report.lines == 200)
        for blockSize in [16, 40, 97, 1000] {
            var options = handOptions()
            options.blockSize = blockSize
            #expect(try OrderLogReader.features(path: path, options: options).csv() == whole.csv(), "block size \(blockSize)")
        }
    }

    @Test("a truncated .gz file is an error, not a shorter log")
    func truncatedGzip() throws {
        var log = "id,d,amount\n"
        for i in 0..<20_000 { log += "c\(i % 97),2020-01-0\(1 + i % 9),\(i % 13 + 1).25\n" }
        let path = try temporaryFile("log.csv", log)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", path]
        try gzip.run()
        gzip.waitUntilExit()
        let compressed = try Data(contentsOf: URL(fileURLWithPath: path + ".gz"))
        let cut = path.replacingOccurrences(of: "log.csv", with: "cut.csv.gz")
        try compressed.prefix(compressed.count / 2).write(to: URL(fileURLWithPath: cut))
        let options = OrderLogOptions(customer: "id", date: "d", amount: .column("amount"))
        #expect(try OrderLogReader.features(path: path + ".gz", options: options).report.lines == 20_000)
        #expect(throws: CustomerDataError.unreadable(file: "cut.csv.gz", reason: "the gzip file is truncated (it ends in the middle of the compressed data)")) {
            try OrderLogReader.features(path: cut, options: options)
        }
    }

    @Test("two options on one column, and --as-of before the data, are errors")
    func optionClashes() throws {
        let path = try temporaryFile("o.csv", "id,d,amount\na,2020-01-05,5\n")
        var options = OrderLogOptions(customer: "id", date: "d", amount: .column("amount"))
        options.order = "d"
        #expect(throws: CustomerDataError.sameColumnTwice(file: "o.csv", name: "d", options: ["--date", "--order"])) {
            try OrderLogReader.features(path: path, options: options)
        }
        options.order = nil
        options.asOf = Int64(TimestampFormat.days(year: 2020, month: 1, day: 1)) * 86_400
        #expect(throws: CustomerDataError.noLinesBefore(file: "o.csv", moment: "2020-01-01", option: "--as-of", firstDate: "2020-01-05")) {
            try OrderLogReader.features(path: path, options: options)
        }
    }

    @Test("whitespace-separated text with %Y%m%d dates (CDNOW layout)")
    func whitespace() throws {
        let log = " customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n 00002 19970112  1   12.00\n 00002 19970112  5   77.00\n 00002 19970301  1  0.00\n"
        var options = OrderLogOptions(customer: "customer_id", date: "date", amount: .column("dollar_value"))
        options.separator = .whitespace
        options.dateFormat = try TimestampFormat(pattern: "%Y%m%d")
        let f = try OrderLogReader.features(path: try temporaryFile("cd.txt", log), options: options)
        #expect(f.ids == ["00001", "00002"])
        #expect(same(numbers(f, "frequency"), [1, 1]))
        #expect(same(numbers(f, "monetary"), [11.77, 89]))
        #expect(f.report.zeroAmountLines == 1)
    }

    @Test("--skip-bad-rows counts what it skips")
    func skipBadRows() throws {
        let log = "id,d,amount\na,2020-01-01,5\nb,01/02/2020,7\nc,2020-01-03,\"12,50\"\n"
        var options = OrderLogOptions(customer: "id", date: "d", amount: .column("amount"))
        options.skipBadRows = true
        let f = try OrderLogReader.features(path: try temporaryFile("bad.csv", log), options: options)
        #expect(f.ids == ["a"])
        #expect(f.report.badRowsSkipped == 2)
        #expect(f.report.firstBadRow == "bad.csv:3: column 'd' (2): \"01/02/2020\" is not a date: expected an ISO date such as 2011-12-09 or 2011-12-09 12:50:00 (give --date-format for other layouts)")
    }

    @Test("bad input names file, line, column and value")
    func badInput() throws {
        let amount = OrderLogOptions(customer: "id", date: "d", amount: .column("amount"))
        #expect(throws: CustomerDataError.notANumber(file: "a.csv", line: 3, column: 3, name: "amount", value: "12,50")) {
            try OrderLogReader.features(path: try temporaryFile("a.csv", "id,d,amount\na,2020-01-01,5\nb,2020-01-02,\"12,50\"\n"), options: amount)
        }
        #expect(throws: CustomerDataError.unknownColumn(file: "m.csv", option: "--amount", name: "amount", available: ["id", "d", "total"])) {
            try OrderLogReader.features(path: try temporaryFile("m.csv", "id,d,total\na,2020-01-01,5\n"), options: amount)
        }
        #expect(throws: CustomerDataError.emptyFile(file: "e.csv")) {
            try OrderLogReader.features(path: try temporaryFile("e.csv", ""), options: amount)
        }
        #expect(throws: CustomerDataError.headerOnly(file: "h.csv")) {
            try OrderLogReader.features(path: try temporaryFile("h.csv", "id,d,amount\n"), options: amount)
        }
    }
}

@Suite("Dates")
struct TimestampTests {
    func parse(_ text: String, _ format: TimestampFormat = .iso) -> Int64? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { format.parse($0.baseAddress!, $0.count) }
    }

    @Test("ISO forms and their seconds")
    func iso() {
        let day = Int64(TimestampFormat.days(year: 2011, month: 12, day: 9)) * 86_400
        #expect(TimestampFormat.days(year: 1970, month: 1, day: 1) == 0)
        #expect(TimestampFormat.days(year: 2000, month: 3, day: 1) == 11_017)
        #expect(parse("2011-12-09") == day)
        #expect(parse("2011-12-09 12:50:00") == day + 46_200)
        #expect(parse("2011-12-09 12:50") == day + 46_200)
        #expect(parse("2011-12-09T12:50:00Z") == day + 46_200)
        #expect(parse("2011-12-09T12:50:00.250") == day + 46_200)
        #expect(parse("2011-12-09T12:50:00+01:00") == day + 46_200 - 3600)
        #expect(parse("2012-02-29") != nil)
        for bad in ["2011-02-29", "2011-13-01", "2011-12-09 25:00", "12/09/2011", "2011-12-9", "", "2011-12-09 12:50:00 junk"] {
            #expect(parse(bad) == nil, "\(bad)")
        }
    }

    @Test("--date-format patterns")
    func formats() throws {
        let day = Int64(TimestampFormat.days(year: 2010, month: 12, day: 1)) * 86_400
        #expect(parse("12/1/2010 8:26", try TimestampFormat(pattern: "%m/%d/%Y %H:%M")) == day + 8 * 3600 + 26 * 60)
        #expect(parse("20101201", try TimestampFormat(pattern: "%Y%m%d")) == day)
        #expect(parse("01-Dec-10", try TimestampFormat(pattern: "%d-%b-%y")) == day)
        #expect(parse("20101232", try TimestampFormat(pattern: "%Y%m%d")) == nil)
        #expect(throws: TimestampFormatError(pattern: "%Y-%q", reason: "%q is not supported (use %Y %y %m %b %d %H %M %S)")) {
            try TimestampFormat(pattern: "%Y-%q")
        }
        #expect(throws: TimestampFormatError.self) { try TimestampFormat(pattern: "%H:%M") }
    }

    @Test("day numbers round-trip through civil dates")
    func civil() {
        for day in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = TimestampFormat.civil(days: day)
            #expect(TimestampFormat.days(year: y, month: m, day: d) == day)
        }
        #expect(TimestampFormat.text(Int64(TimestampFormat.days(year: 2011, month: 12, day: 10)) * 86_400) == "2011-12-10")
    }
}
