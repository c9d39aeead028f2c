import Foundation
import Testing
@testable import CustomerData

/// The shop's and the till's logs for `handIdentities`; both number their orders from 1.
let shopLog = "customer,date,amount,order\n17,2024-01-01,10,1\n 18 ,2024-01-02,5,2\n17,2024-01-03,7,3\n"
let tillLog = "customer,date,amount,order\n17,2024-01-01,10,1\nT9,2024-01-05,2,2\n,2024-01-06,3,9\n"

func amountOptions(keys: CustomerKeyMap? = nil) -> OrderLogOptions {
    var options = OrderLogOptions(customer: "customer", date: "date", amount: .column("amount"))
    options.order = "order"
    options.customerKeys = keys
    return options
}

func handKeys() throws -> CustomerKeyMap {
    try CustomerKeyMap.read(path: try temporaryFile("ids.csv", handIdentities))
}

func bothLogs() throws -> [OrderLogFile] {
    [OrderLogFile(path: try temporaryFile("shop.csv", shopLog), source: "shop"),
     OrderLogFile(path: try temporaryFile("till.csv", tillLog), source: "till")]
}

@Suite("Order logs of several systems, through an identities file")
struct OrderLogIdentitiesTests {
    @Test("colliding record ids stay separate; one customer's records merge; order ids are per source")
    func collidingIDs() throws {
        let f = try OrderLogReader.features(logs: try bothLogs(), options: amountOptions(keys: try handKeys()))
        #expect(f.idName == "customer_key")
        #expect(f.ids == ["C1", "C2", "C3"])
        // C1: shop 17 (orders 1, 3). C2: shop 18 (order 2, Jan 2) and till T9 (order 2, Jan 5):
        // the same order id in two systems is two orders. C3: till 17 (order 1, like shop's).
        #expect(same(numbers(f, "frequency"), [2, 2, 1]))
        #expect(same(numbers(f, "monetary"), [17, 7, 10]))
        #expect(same(numbers(f, "recency_days"), [4, 2, 6]))      // as of Jan 7, after the till's Jan 6 line
        #expect(same(numbers(f, "active_days"), [2, 2, 1]))
        // The till's first line is the shop's first line word for word, but a different record.
        #expect(f.report.duplicateLines == 0)
        #expect(f.report.withoutCustomer == 1)
        #expect(f.report.logs == [.init(name: "shop.csv", source: "shop", lines: 3), .init(name: "till.csv", source: "till", lines: 3)])
    }

    @Test("without identities, several logs are one log cut in pieces: same bytes as the joined log")
    func concatenation() throws {
        let joined = try temporaryFile("all.csv", shopLog + tillLog.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n"))
        let whole = try OrderLogReader.features(path: joined, options: amountOptions())
        var logs = try bothLogs()
        for k in logs.indices { logs[k].source = nil }
        let pieces = try OrderLogReader.features(logs: logs, options: amountOptions())
        #expect(pieces.csv() == whole.csv())
        #expect(pieces.idName == "customer")
        // Here the till's first line repeats the shop's, and order 1 is one order.
        #expect(pieces.report.duplicateLines == 1)
        #expect(same(numbers(pieces, "frequency"), [2, 1, 1]))     // 17: orders 1 and 3; 18: 2; T9: 2
        var report = pieces.report
        report.logs = whole.report.logs
        report.bytes = whole.report.bytes
        #expect(report == whole.report)
    }

    @Test("record ids are trimmed as persona identity trims them, Unicode spaces included")
    func trimming() throws {
        let till = "customer,date,amount,order\n\u{3000}17\u{00A0},2024-01-01,10,1\n\"\t17\r\n\",2024-01-02,1,2\n"
        let logs = [OrderLogFile(path: try temporaryFile("till.csv", till), source: "till")]
        let f = try OrderLogReader.features(logs: logs, options: amountOptions(keys: try handKeys()))
        #expect(f.ids == ["C3"])
        #expect(same(numbers(f, "monetary"), [11]))
    }

    @Test("a record id not in the identities file: an error by default, or dropped, or kept as source:id")
    func unmatched() throws {
        let till = "customer,date,amount,order\n17,2024-01-01,10,1\nX1,2024-02-01,4,2\nX1,2024-02-02,1,3\n"
        let logs = [OrderLogFile(path: try temporaryFile("till.csv", till), source: "till")]
        var options = amountOptions(keys: try handKeys())
        #expect(throws: CustomerDataError.unmatchedRecord(file: "till.csv", line: 3, column: 1, name: "customer", value: "X1",
                                                          source: "till", identities: "ids.csv")) {
            try OrderLogReader.features(logs: logs, options: options)
        }

        options.unmatched = .drop
        let dropped = try OrderLogReader.features(logs: logs, options: options)
        #expect(dropped.ids == ["C3"])
        #expect(dropped.report.lines == 3)
        #expect(dropped.report.unmatchedLines == 2)
        #expect(dropped.report.firstUnmatched == "till.csv:3: \"X1\"")
        // Dropped lines are still lines of the log: the default as-of follows them.
        #expect(dropped.report.asOf == Int64(TimestampFormat.days(year: 2024, month: 2, day: 3)) * 86_400)

        options.unmatched = .keep
        let kept = try OrderLogReader.features(logs: logs, options: options)
        #expect(kept.ids == ["C3", "till:X1"])
        #expect(same(numbers(kept, "frequency"), [1, 2]))
        #expect(kept.report.unmatchedLines == 2)
    }

    @Test("before reading: a log without a source, a source the identities file does not have")
    func sources() throws {
        let options = amountOptions(keys: try handKeys())
        var logs = try bothLogs()
        logs[1].source = "tills"
        #expect(throws: CustomerDataError.unknownSource(file: "ids.csv", source: "tills", log: "till.csv", known: ["shop", "till"])) {
            try OrderLogReader.features(logs: logs, options: options)
        }
        logs[1].source = nil
        #expect(throws: CustomerDataError.logWithoutSource(file: "till.csv")) {
            try OrderLogReader.features(logs: logs, options: options)
        }
        // Reading one log's lines directly (as the profile store does) has no source to use either.
        #expect(throws: CustomerDataError.logWithoutSource(file: "till.csv")) {
            try OrderLogReader.lines(path: logs[1].path, options: options) { _ in }
        }
    }

    @Test("every log must have the columns the options name; the error names the log")
    func columnsInEveryLog() throws {
        var logs = try bothLogs()
        logs[1] = OrderLogFile(path: try temporaryFile("till.csv", "customer,date,total,order\n17,2024-01-01,10,1\n"), source: "till")
        #expect(throws: CustomerDataError.unknownColumn(file: "till.csv", option: "--amount", name: "amount",
                                                        available: ["customer", "date", "total", "order"])) {
            try OrderLogReader.features(logs: logs, options: amountOptions(keys: try handKeys()))
        }
    }
}
