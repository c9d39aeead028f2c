import CustomerData
import Foundation
import Testing
@testable import ProfileStore

/// `../shared/datasets` beside the repository, when it is there.
let sharedDatasets: URL? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let shared = root.deletingLastPathComponent().appendingPathComponent("shared/datasets")
    return FileManager.default.fileExists(atPath: shared.path) ? shared : nil
}()

/// Real logs cut into batches: the store gives persona features' table, and its statuses hold
/// up on what the customers did next (the share who bought in the following 90 days falls
/// from active to inactive to churned), on two logs from different trades and decades, at
/// several dates; the thresholds are the brief's defaults, tuned on neither.
@Suite(.enabled(if: sharedDatasets != nil, "../shared/datasets is absent: skipping the store checks on Online Retail and CDNOW"))
struct StoreRealDataTests {
    struct Log {
        let file: String
        let options: OrderLogOptions
        let batches: Int
        let dates: [String]
    }

    static var logs: [Log] {
        guard let shared = sharedDatasets else { return [] }
        var retail = OrderLogOptions(customer: "CustomerID", date: "InvoiceDate", amount: .priceTimesQuantity(price: "UnitPrice", quantity: "Quantity"))
        retail.order = "InvoiceNo"
        var cdnow = OrderLogOptions(customer: "customer_id", date: "date", amount: .column("dollar_value"))
        cdnow.separator = .whitespace
        cdnow.dateFormat = (try? TimestampFormat(pattern: "%Y%m%d")) ?? .iso
        return [
            Log(file: shared.appendingPathComponent("online_retail/online_retail.csv.gz").path, options: retail, batches: 5,
                dates: ["2011-06-01", "2011-09-01"]),
            Log(file: shared.appendingPathComponent("cdnow/CDNOW_master.txt").path, options: cdnow, batches: 3,
                dates: ["1997-10-01", "1998-01-01"]),
        ]
    }

    @Test("Online Retail and CDNOW in batches: store features equal persona features; statuses order next-90-day buying",
          arguments: [0, 1])
    func realLog(_ which: Int) throws {
        let log = Self.logs[which]
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        // The lines, cut by count into batches (each with the header).
        let text: String
        if log.file.hasSuffix(".gz") {
            let unzip = Process()
            unzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
            unzip.arguments = ["-dc", log.file]
            let pipe = Pipe()
            unzip.standardOutput = pipe
            try unzip.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            unzip.waitUntilExit()
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = try String(contentsOfFile: log.file, encoding: .utf8)
        }
        let lines = text.split(whereSeparator: \.isNewline)  // CDNOW ends its lines with CR LF, one Character
        let header = lines[0], body = lines.dropFirst()
        let store = try SQLiteProfileStore.create(path: scratch.path("s.db"))
        for k in 0..<log.batches {
            let part = body[(body.startIndex + k * body.count / log.batches)..<(body.startIndex + (k + 1) * body.count / log.batches)]
            let path = try scratch.write("batch\(k).txt", ([header] + part).joined(separator: "\n") + "\n")
            _ = try store.ingest(path: path, options: log.options, pseudonyms: nil, progress: { _ in })
        }
        let expected = try OrderLogReader.features(path: log.file, options: log.options)
        #expect(try store.features(asOf: nil, topCategories: nil).features.csv() == expected.csv())

        for date in log.dates {
            let asOf = StoreStatusTests.day(date)
            _ = try store.snapshot(SnapshotRequest(asOf: asOf, status: try StatusRules()))
            // Who bought in the 90 days after: more active days as of 90 days later.
            func activeDays(_ moment: Int64) throws -> [String: Double] {
                let table = try store.features(asOf: moment, topCategories: nil).features
                guard case .numbers(let days) = table.column("active_days")?.values else { return [:] }
                return Dictionary(uniqueKeysWithValues: zip(table.ids, days))
            }
            let (before, after) = (try activeDays(asOf), try activeDays(asOf + 90 * 86_400))
            var bought = [String: (Int, Int)]()
            let rows = try store.db.prepare("""
                SELECT k.key, c.status FROM customer_snapshots c JOIN customers k ON k.id = c.customer
                JOIN snapshots s ON s.id = c.snapshot WHERE s.as_of = ?
                """)
            rows.bind(1, asOf)
            while try rows.step() {
                let key = rows.text(0) ?? "", status = rows.text(1) ?? ""
                let again = (after[key] ?? 0) > (before[key] ?? 0)
                let (yes, all) = bought[status] ?? (0, 0)
                bought[status] = (yes + (again ? 1 : 0), all + 1)
            }
            let rate = bought.mapValues { Double($0.0) / Double(max(1, $0.1)) }
            let active = try #require(rate["active"]), inactive = try #require(rate["inactive"]), churned = try #require(rate["churned"])
            #expect(active > inactive && inactive > churned, "\(date): \(bought)")
        }
    }
}
