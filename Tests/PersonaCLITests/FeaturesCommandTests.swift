import Foundation
import Testing

let featureFixtures = repositoryRoot.appendingPathComponent("Tests/PersonaCLITests/Fixtures/features")

let retailArguments = ["--customer", "CustomerID", "--date", "InvoiceDate", "--price", "UnitPrice",
                       "--quantity", "Quantity", "--order", "InvoiceNo"]

@Suite("persona features")
struct FeaturesCommandTests {
    /// Every column against the pandas computation in Fixtures/features/make_features_reference.py.
    @Test("the shipped sample order log equals pandas, column by column")
    func sampleOrders() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = repositoryRoot.appendingPathComponent("datasets/sample_orders.csv").path
        let result = try runner.run(["features", input] + retailArguments
                                    + ["--category", "Category", "--as-of", "2024-01-01", "--out", "f.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let ours = try CSVText(path: runner.path("f.csv"))
        let pandas = try CSVText(path: featureFixtures.appendingPathComponent("sample_orders_features.csv").path)
        #expect(ours.header == pandas.header)
        #expect(ours.column("CustomerID") == pandas.column("CustomerID"))
        #expect(ours.column("top_category") == pandas.column("top_category"))
        for name in pandas.header.dropFirst() where name != "top_category" {
            #expect(close(ours.numbers(name), pandas.numbers(name), relative: 1e-12), "\(name)")
        }
        // The counts pandas found, as the summary reports them.
        #expect(result.stderr.contains("exact duplicate lines                       57"))
        #expect(result.stderr.contains("return lines (amount < 0)                  744"))
        #expect(result.stderr.contains("without a customer id (dropped)          1,484"))
    }

    @Test("labels from the log equal pandas (cutoff 2023-10-01, 90 days)")
    func sampleLabels() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = repositoryRoot.appendingPathComponent("datasets/sample_orders.csv").path
        let result = try runner.run(["features", input] + retailArguments
                                    + ["--cutoff", "2023-10-01", "--horizon", "90", "--out", "l.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let ours = try CSVText(path: runner.path("l.csv"))
        let pandas = try CSVText(path: featureFixtures.appendingPathComponent("sample_orders_labels.csv").path)
        #expect(ours.header == pandas.header)
        #expect(ours.column("CustomerID") == pandas.column("CustomerID"))
        for name in pandas.header.dropFirst() {
            #expect(close(ours.numbers(name), pandas.numbers(name), relative: 1e-12), "\(name)")
        }
        #expect(result.stderr.contains("churned: 121 of 460 customers"))
    }

    @Test("UCI Online Retail: recency, frequency and monetary equal pandas for all 4,372 customers",
          .enabled(if: sharedDatasets != nil, "../shared/datasets is absent: skipping the Online Retail check"))
    func onlineRetail() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = try #require(sharedDatasets).appendingPathComponent("online_retail/online_retail.csv.gz").path
        let result = try runner.run(["features", input] + retailArguments + ["--as-of", "2011-12-10", "--out", "rfm.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let ours = try CSVText(path: runner.path("rfm.csv"))
        let pandas = try CSVText(path: featureFixtures.appendingPathComponent("uci_retail_rfm_reference.csv.gz").path)
        #expect(ours.rows.count == 4_372)
        #expect(ours.column("CustomerID") == pandas.column("CustomerID"))
        #expect(ours.column("recency_days") == pandas.column("recency_days"))
        #expect(ours.column("frequency") == pandas.column("frequency"))
        #expect(close(ours.numbers("monetary"), pandas.numbers("monetary"), relative: 1e-9))
        #expect(result.stderr.contains("without a customer id (dropped)        135,080"))
    }

    /// CDNOW's calibration summary counts repeat purchase days (distinct days − 1) from
    /// 1997-01-01 to 1997-09-30 for a 1/10 sample, numbered 1…2,357; CDNOW_sample.txt maps the
    /// sample numbers to master ids. Our `frequency` without --order is distinct purchase days
    /// before the cutoff, so frequency − 1 must equal the summary's frequency, except for
    /// customers whose every purchase was $0 (zero-amount lines are not purchases here).
    @Test("CDNOW: 23,570 customers; repeat purchases agree with cdnow_customers_summary.csv",
          .enabled(if: sharedDatasets != nil, "../shared/datasets is absent: skipping the CDNOW check"))
    func cdnow() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let folder = try #require(sharedDatasets).appendingPathComponent("cdnow")
        let common = ["features", folder.appendingPathComponent("CDNOW_master.txt").path, "--delimiter", "whitespace",
                      "--customer", "customer_id", "--date", "date", "--date-format", "%Y%m%d", "--amount", "dollar_value"]
        let all = try runner.run(common + ["--out", "all.csv"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(try CSVText(path: runner.path("all.csv")).rows.count == 23_570)

        let calibration = try runner.run(common + ["--cutoff", "1997-10-01", "--horizon", "273", "--out", "cal.csv"])
        #expect(calibration.status == 0, "\(calibration.stderr)")
        let ours = try CSVText(path: runner.path("cal.csv"))
        let frequency = Dictionary(uniqueKeysWithValues: zip(ours.column("customer_id"), ours.numbers("frequency")))
        let monetary = Dictionary(uniqueKeysWithValues: zip(ours.column("customer_id"), ours.numbers("monetary")))

        var masterID = [Int: String]()
        let sample = try String(contentsOf: folder.appendingPathComponent("CDNOW_sample.txt"), encoding: .utf8)
        for line in sample.split(whereSeparator: \.isNewline) {  // CRLF line ends
            let fields = line.split(whereSeparator: \.isWhitespace)
            if fields.count == 5, let number = Int(fields[1]) { masterID[number] = String(fields[0]) }
        }
        let summary = try CSVText(path: folder.appendingPathComponent("cdnow_customers_summary.csv").path)
        var agree = 0, allZero = 0
        for (id, repeats) in zip(summary.column("ID"), summary.numbers("frequency")) {
            let master = try #require(masterID[Int(id) ?? -1])
            let days = try #require(frequency[master])
            if days - 1 == repeats {
                agree += 1
            } else {
                // Only customers whose purchases were all $0 may differ.
                #expect(days == 0 && monetary[master] == 0, "customer \(master): \(days) days, summary \(repeats) repeats")
                allZero += 1
            }
        }
        #expect(summary.rows.count == 2_357)
        #expect(agree + allZero == 2_357)
        #expect(allZero <= 10)
    }

    @Test("bad input: file, line, column and value; nothing written", arguments: [
        ("date.csv", "id,d,amount\na,2020-01-01,5\nb,2020/01/02,7\n",
         "persona: error: date.csv:3: column 'd' (2): \"2020/01/02\" is not a date: expected an ISO date such as 2011-12-09 or 2011-12-09 12:50:00 (give --date-format for other layouts)"),
        ("comma.csv", "id,d,amount\na,2020-01-01,\"12,50\"\n",
         "persona: error: comma.csv:2: column 'amount' (3): \"12,50\" is not a number (decimal commas and thousands separators are not read: write 12.50, not 12,50)"),
        ("nocol.csv", "id,d,total\na,2020-01-01,5\n",
         "persona: error: nocol.csv: --amount names column 'amount', which is not in the header; columns are: 'id', 'd', 'total'"),
        ("empty.csv", "",
         "persona: error: empty.csv: the file is empty: expected a header row and at least one data row"),
    ])
    func badInput(name: String, content: String, message: String) throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = try runner.write(name, content)
        let result = try runner.run(["features", input, "--customer", "id", "--date", "d", "--amount", "amount", "--out", "out.csv"])
        #expect(result.status == 1)
        #expect(result.stderr.trimmingCharacters(in: .newlines) == message)
        #expect(runner.files == [name])
    }

    @Test("options that do not fit together are refused before reading", arguments: [
        (["--amount", "a", "--price", "p", "--quantity", "q"], "give either --amount or --price with --quantity, not both"),
        (["--price", "p"], "give the line amount: --amount COL, or --price COL with --quantity COL"),
        (["--amount", "a", "--cutoff", "2020-01-01"], "--cutoff and --horizon go together"),
        (["--amount", "a", "--as-of", "yesterday"], "--as-of must be a date such as 2011-12-10"),
        (["--amount", "a", "--date-format", "%d.%m"], "--date-format \"%d.%m\" cannot be used: it needs a year"),
    ])
    func badOptions(extra: [String], message: String) throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = try runner.write("o.csv", "id,d,a\nx,2020-01-01,1\n")
        let result = try runner.run(["features", input, "--customer", "id", "--date", "d", "--out", "out.csv"] + extra)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(runner.files == ["o.csv"])
    }
}
