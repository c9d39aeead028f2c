import Foundation
import Testing

let identityFixtures = repositoryRoot.appendingPathComponent("Tests/PersonaCLITests/Fixtures/identity")

@Suite("persona features with several logs and --identities")
struct FeaturesIdentitiesTests {
    static let columns = ["recency_days", "frequency", "monetary", "avg_order_value", "tenure_days", "mean_interpurchase_days",
                          "returns_count", "returns_value", "return_rate", "active_days", "last_gap_days", "spend_trend"]

    /// Fixtures/identity/make_identity_reference.py: a generated population's shop, till and
    /// CRM logs (record ids and order ids colliding across them), resolved by persona identity,
    /// RFM computed with pandas on the logs mapped through identities.csv.
    @Test("three systems' logs, merged through persona identity, equal pandas on the mapped logs")
    func reference() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        for name in ["identity.yaml", "crm.csv", "shop.csv", "members.csv", "till.csv"] {
            try runner.write(name, try String(contentsOf: identityFixtures.appendingPathComponent(name), encoding: .utf8))
        }
        let identity = try runner.run(["identity", "--config", "identity.yaml", "--out", "ids.csv"])
        #expect(identity.status == 0, "\(identity.stderr)")
        // The identities the reference was computed with are what persona identity writes.
        #expect(try runner.read("ids.csv") == String(contentsOf: identityFixtures.appendingPathComponent("identities.csv"), encoding: .utf8))

        let logs = ["shop_orders.csv", "till_sales.csv", "crm_orders.csv"].map { identityFixtures.appendingPathComponent($0).path }
        let result = try runner.run(["features"] + logs + ["--identities", "ids.csv", "--source", "shop", "--source", "till",
                                                           "--source", "crm", "--customer", "customer", "--date", "date",
                                                           "--amount", "amount", "--order", "order", "--out", "f.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let data = try Data(contentsOf: identityFixtures.appendingPathComponent("reference.json"))
        let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let ours = try CSVText(path: runner.path("f.csv"))
        #expect(ours.header == ["customer_key"] + Self.columns)
        #expect(ours.column("customer_key") == reference["customer_key"] as? [String])
        for name in Self.columns {
            let expected = try #require(reference[name] as? [Any]).map { ($0 as? NSNumber)?.doubleValue ?? .nan }
            #expect(close(ours.numbers(name), expected, relative: 1e-9), "\(name)")
        }
        #expect(result.stderr.contains("read \(try #require(reference["lines"] as? Int)) order lines"))
        #expect(result.stderr.contains("features as of \(try #require(reference["as_of"] as? String))"))
        #expect(result.stderr.contains("  without a customer id (dropped)              9  2.3%"))
        #expect(result.stderr.contains("  from till_sales.csv (till)                 144  37.3%"))
        #expect(result.stderr.contains("customer keys from ids.csv: 105 records of 4 sources, 40 customers"))
    }

    func setUp() throws -> PersonaRunner {
        let runner = try PersonaRunner()
        try runner.write("ids.csv", "source,record_id,customer_key\nshop,17,C1\nshop,18,C2\ntill,17,C3\ntill,T9,C2\n")
        try runner.write("shop.csv", "customer,date,amount,order\n17,2024-01-01,10,1\n 18 ,2024-01-02,5,2\n17,2024-01-03,7,3\n")
        try runner.write("till.csv", "customer,date,amount,order\n17,2024-01-01,10,1\nT9,2024-01-05,2,2\n,2024-01-06,3,9\n")
        return runner
    }

    static let common = ["--customer", "customer", "--date", "date", "--amount", "amount", "--order", "order", "--out", "f.csv"]

    @Test("the shop's record 17 and the till's record 17 are two customers; one order id in two systems is two orders")
    func collidingIDs() throws {
        let runner = try setUp()
        defer { runner.cleanUp() }
        let result = try runner.run(["features", "shop.csv", "till.csv", "--identities", "ids.csv", "--source", "shop", "--source", "till"] + Self.common)
        #expect(result.status == 0, "\(result.stderr)")
        let out = try CSVText(path: runner.path("f.csv"))
        #expect(out.column("customer_key") == ["C1", "C2", "C3"])
        #expect(out.numbers("frequency") == [2, 2, 1])
        #expect(out.numbers("monetary") == [17, 7, 10])
        #expect(result.stderr.contains("  exact duplicate lines                        0"))

        // The same logs without --identities: one log in two pieces, ids as they are.
        let plain = try runner.run(["features", "shop.csv", "till.csv"] + Self.common)
        #expect(plain.status == 0, "\(plain.stderr)")
        let joined = try CSVText(path: runner.path("f.csv"))
        #expect(joined.column("customer") == ["17", "18", "T9"])
        #expect(joined.numbers("monetary") == [27, 5, 2])
        #expect(plain.stderr.contains("  exact duplicate lines                        1"))
        #expect(plain.stderr.contains("  ids with surrounding spaces (trimmed)           1  16.7%"))
    }

    @Test("refused with the file, line, column and value; nothing written", arguments: [
        (["shop.csv", "till.csv", "--identities", "ids.csv", "--source", "shop"],
         "Error: give one --source per order log, in the order of the logs: 2 logs (shop.csv, till.csv), 1 --source (shop)"),
        (["shop.csv", "--identities", "ids.csv", "--source", "shop", "--source", "till"],
         "Error: give one --source per order log, in the order of the logs: 1 log (shop.csv), 2 --source (shop, till)"),
        (["shop.csv", "till.csv", "--identities", "ids.csv", "--source", "shop", "--source", "tills"],
         "persona: error: ids.csv: no record has source 'tills' (the source given for till.csv); its sources are: 'shop', 'till'"),
        (["shop.csv", "more.csv", "--identities", "ids.csv", "--source", "shop", "--source", "till"],
         "persona: error: more.csv:3: column 'customer' (2): \"X1\" is not a record of source 'till' in ids.csv "
            + "(--unmatched drop leaves such lines out; --unmatched keep makes each such record a customer of its own)"),
        (["shop.csv", "till.csv", "--identities", "keys.csv", "--source", "shop", "--source", "till"],
         "persona: error: keys.csv: no column 'customer_key': an identities file has the columns source, record_id and "
            + "customer_key (as persona identity writes it); its columns are: 'source', 'record_id', 'key'"),
        (["shop.csv", "total.csv", "--identities", "ids.csv", "--source", "shop", "--source", "till"],
         "persona: error: total.csv: --amount names column 'amount', which is not in the header; columns are: 'customer', 'date', 'total', 'order'"),
        (["shop.csv", "till.csv", "--source", "shop", "--source", "till"],
         "Error: --source shop: --source names the system a log comes from, for --identities; give --identities IDENTITIES.csv (from persona identity), or leave --source out"),
        (["shop.csv", "--unmatched", "drop"], "Error: --unmatched applies only with --identities"),
        (["shop.csv", "--identities", "ids.csv", "--source", "shop", "--unmatched", "skip"],
         "Error: --unmatched must be error, drop or keep; got 'skip'"),
        (["shop.csv", "--identities", "ids.csv", "--source", "shop", "--normalize-ids"],
         "Error: --normalize-ids cannot be combined with --identities: record ids are looked up as IDENTITIES.csv has them"),
    ])
    func refused(arguments: [String], message: String) throws {
        let runner = try setUp()
        defer { runner.cleanUp() }
        try runner.write("more.csv", "date,customer,amount,order\n2024-01-01,17,1,1\n2024-01-02,X1,4,2\n")
        try runner.write("keys.csv", "source,record_id,key\nshop,17,C1\n")
        try runner.write("total.csv", "customer,date,total,order\n17,2024-01-01,10,1\n")
        let before = runner.files
        let result = try runner.run(["features"] + arguments + Self.common)
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").first.map(String.init) == message, "\(result.stderr)")
        #expect(runner.files == before)
    }

    @Test("--unmatched drop counts the lines and leaves them out; keep makes SOURCE:RECORD_ID customers")
    func unmatchedChoices() throws {
        let runner = try setUp()
        defer { runner.cleanUp() }
        try runner.write("more.csv", "date,customer,amount,order\n2024-01-01,17,1,1\n2024-01-02,X1,4,2\n")
        let base = ["features", "shop.csv", "more.csv", "--identities", "ids.csv", "--source", "shop", "--source", "till"] + Self.common
        let dropped = try runner.run(base + ["--unmatched", "drop"])
        #expect(dropped.status == 0, "\(dropped.stderr)")
        #expect(try CSVText(path: runner.path("f.csv")).column("customer_key") == ["C1", "C2", "C3"])
        #expect(dropped.stderr.contains("  record ids not in ids.csv                    1  20.0%  (dropped)\n    first: more.csv:3: \"X1\"\n"))
        let kept = try runner.run(base + ["--unmatched", "keep"])
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(try CSVText(path: runner.path("f.csv")).column("customer_key") == ["C1", "C2", "C3", "till:X1"])
        #expect(kept.stderr.contains("(kept as SOURCE:RECORD_ID customers)"))
    }

    @Test("the scale-out steps read one partition of one log: several logs or --identities are refused")
    func steps() throws {
        let runner = try setUp()
        defer { runner.cleanUp() }
        for step in ["features", "order-span"] {
            let result = try runner.run(["step", step, "shop.csv", "till.csv"] + Self.common)
            #expect(result.status != 0)
            #expect(result.stderr == "persona: error: a step reads one partition of one order log: several logs and --identities are not supported here\n")
        }
    }

    @Test("each log's separator is detected on its own")
    func separatorPerLog() throws {
        let runner = try setUp()
        defer { runner.cleanUp() }
        try runner.write("till.csv", "customer;date;amount;order\n17;2024-01-01;10;1\nT9;2024-01-05;2;2\n")
        let result = try runner.run(["features", "shop.csv", "till.csv", "--identities", "ids.csv", "--source", "shop", "--source", "till"] + Self.common)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.hasPrefix(delimiterNote("till.csv", "';'") + "\n"))
        #expect(try CSVText(path: runner.path("f.csv")).numbers("monetary") == [17, 7, 10])
    }
}
