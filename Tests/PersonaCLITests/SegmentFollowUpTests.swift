import Foundation
import Testing

/// Issue #15: tiers that hold up on follow-up data, any export, cluster --apply.
@Suite("persona segment: follow-up, generic exports, cluster --apply")
struct SegmentFollowUpTests {
    @Test("--validate-with: each tier's purchase rate, counted by hand")
    func validateWith() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        // 40 customers: recency and purchases put them in known tiers (rule in the README).
        var rows = ["id,monetary,frequency,recency_days,mean_interpurchase_days"]
        for i in 0..<40 {
            switch i % 4 {
            case 0: rows.append("a\(i),\(500 + i),6,5,10")       // active
            case 1: rows.append("p\(i),\(40 + i),1,20,")         // potential
            case 2: rows.append("r\(i),\(300 + i),6,30,10")      // at_risk
            default: rows.append("c\(i),\(200 + i),3,400,20")    // churned
            }
        }
        try runner.write("f.csv", rows.joined(separator: "\n") + "\n")
        // Later orders: every active customer, half the potential ones (i % 8 == 1), one churned.
        let later = (0..<40).compactMap { i -> String? in
            switch i % 4 {
            case 0: return "a\(i),2024-01-0\(1 + i % 9),10"
            case 1: return i % 8 == 1 ? "p\(i),2024-01-02,5" : nil
            case 3: return i == 3 ? "c\(i),2024-01-03,7\nc\(i),2024-01-04,8" : nil
            default: return nil
            }
        }
        try runner.write("later.csv", "id,date,amount\n" + later.joined(separator: "\n") + "\nnew1,2024-01-05,3\n")
        let result = try runner.run(["segment", "f.csv", "--id", "id", "--validate-with", "later.csv", "--out", "s.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        func rate(_ tier: String) -> String? {
            guard let start = lines.firstIndex(where: { $0.hasPrefix("  follow-up from later.csv") }) else { return nil }
            return lines[start...].first { $0.hasPrefix("    \(tier) ") }.map { $0.split(separator: " ").suffix(4).joined(separator: " ") }
        }
        #expect(rate("active") == "10 10 100.0 %")
        #expect(rate("potential") == "10 5 50.0 %")
        #expect(rate("at_risk") == "10 0 0.0 %")
        #expect(rate("churned") == "10 1 10.0 %")
        #expect(result.stderr.contains("1 ids in later.csv are not customers of this run"))
        #expect(result.stderr.contains("warning: the tiers do not rank this follow-up as expected"))  // at_risk 0 % < churned 10 %
    }

    @Test("a generic export (BOM, ';', id/monetary/frequency/recency_days) segments with no config; personas k >= 3")
    func genericExport() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        var rows = ["\u{FEFF}id;monetary;frequency;recency_days"]
        var state: UInt64 = 7
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var recency = [Double]()
        for i in 0..<1_200 {
            let frequency = 1 + Int(next() * next() * 30)
            recency.append(Double(Int(next() * 500)))
            rows.append("C\(i);\(String(format: "%.2f", 20 + next() * next() * 3_000));\(frequency);\(Int(recency[i]))")
        }
        try runner.write("export.csv", rows.joined(separator: "\n") + "\n")
        let result = try runner.run(["segment", "export.csv", "--id", "id", "--out", "s.csv", "--model", "m.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("fields separated by ';' (detected"))
        #expect(result.stderr.contains("note: lifecycle: skipped (no tenure column"))
        #expect(result.stderr.contains("note: preference: skipped"))
        let segments = try CSVText(path: runner.path("s.csv"))
        #expect(segments.header == ["id", "cluster", "value_tier", "behavior_tier", "persona"])
        let personas = Set(segments.column("cluster"))
        #expect(personas.count >= 3, "\(personas)")
        for column in ["value_tier", "behavior_tier", "cluster"] {
            var counts = [String: Int]()
            for value in segments.column(column) { counts[value, default: 0] += 1 }
            #expect(counts.values.allSatisfy { $0 >= 12 }, "\(column): \(counts)")  // >= 1 % of 1,200
        }
        // Nobody who bought in the last 60 days is churned; everyone silent over 365 days is.
        for (r, tier) in zip(recency, segments.column("behavior_tier")) {
            if r <= 60 { #expect(tier != "churned") }
            if r > 365 { #expect(tier == "churned") }
        }
        // --apply on the same export gives the same file.
        let applied = try runner.run(["segment", "export.csv", "--id", "id", "--apply", "m.json", "--out", "a.csv"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try runner.read("a.csv") == (try runner.read("s.csv")))
    }

    @Test("cluster --apply reproduces the fitted run's clusters and distances; fitting options are refused")
    func clusterApply() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = repositoryRoot.appendingPathComponent("datasets/sample_customers.csv").path
        let fitted = try runner.run(["cluster", input, "--id", "customer_id", "--k", "5", "--log1p", "total_spend,frequency",
                                     "--exclude", "churned", "--out", "s.csv", "--model", "m.json"])
        #expect(fitted.status == 0, "\(fitted.stderr)")
        let applied = try runner.run(["cluster", input, "--id", "customer_id", "--apply", "m.json", "--out", "a.csv"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try runner.read("a.csv") == (try runner.read("s.csv")))
        let refused = try runner.run(["cluster", input, "--id", "customer_id", "--apply", "m.json", "--k", "3", "--out", "b.csv"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--apply uses the saved model's features, scaling and centroids; leave out --k"))
    }

    @Test("UCI Online Retail cut at 2011-06-12, follow-up 180 days: churned lowest, active highest",
          .enabled(if: sharedDatasets != nil, "../shared/datasets is absent: skipping the Online Retail follow-up"))
    func onlineRetailFollowUp() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let log = try #require(sharedDatasets).appendingPathComponent("online_retail/online_retail.csv.gz").path
        let features = try runner.run(["features", log, "--customer", "CustomerID", "--date", "InvoiceDate", "--price", "UnitPrice",
                                       "--quantity", "Quantity", "--order", "InvoiceNo", "--normalize-ids",
                                       "--cutoff", "2011-06-12", "--horizon", "180", "--out", "cut.csv"])
        #expect(features.status == 0, "\(features.stderr)")
        let result = try runner.run(["segment", "cut.csv", "--id", "CustomerID", "--validate-with", "cut.csv", "--out", "s.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("churned has the lowest rate and active the highest: the tiers hold on this follow-up"), "\(result.stderr)")
        let cut = try CSVText(path: runner.path("cut.csv")), segments = try CSVText(path: runner.path("s.csv"))
        let bought = cut.numbers("purchased_in_horizon"), tiers = segments.column("behavior_tier")
        var rates = [String: (Double, Double)]()
        for (b, t) in zip(bought, tiers) { rates[t, default: (0, 0)].0 += b; rates[t, default: (0, 0)].1 += 1 }
        let rate = rates.mapValues { $0.0 / $0.1 }
        // Independently of the summary: from the label column and the tier column.
        #expect((rate["churned"] ?? 1) < (rate.filter { $0.key != "churned" }.values.min() ?? 0), "\(rate)")
        #expect((rate["active"] ?? 0) + 0.02 >= (rate.values.max() ?? 1), "\(rate)")
        #expect(rates.values.allSatisfy { $0.1 >= 0.01 * Double(tiers.count) }, "\(rates)")
    }

    @Test("derived columns in the config are computed first and can be roles, tags and print-config round-trips them")
    func derivedColumns() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("c.csv", "id,monetary,frequency,recency_days\n" + (0..<30).map { i in
            "c\(i),\(100 * (i + 1)),\(1 + i % 5),\(3 * i)"
        }.joined(separator: "\n") + "\n")
        try runner.write("d.yaml", """
            derived:
              spend_per_visit: monetary / frequency
            value: [spend_per_visit]
            tags:
              - name: big basket
                when: spend_per_visit >= 1000
            """)
        let result = try runner.run(["segment", "c.csv", "--id", "id", "--config", "d.yaml", "--out", "s.csv", "--model", "m.json"])
        #expect(result.status == 0, "\(result.stderr)")
        // Hand count: 100·(i+1) / (1 + i % 5) >= 1000.
        var expected = 0
        for i in 0..<30 {
            let perVisit = Double(100 * (i + 1)) / Double(1 + i % 5)
            if perVisit >= 1000 { expected += 1 }
        }
        #expect(try CSVText(path: runner.path("s.csv")).column("tags").filter { $0 == "big basket" }.count == expected)
        #expect(result.stderr.contains("value tiers (k-means on spend_per_visit;"))
        let printed = try runner.run(["segment", "--print-config", "--config", "d.yaml"])
        #expect(printed.stdout.contains("derived:\n  spend_per_visit: \"monetary / frequency\"\n"))
        #expect(!printed.stdout.contains("e+"))
        try runner.write("again.yaml", printed.stdout)
        let again = try runner.run(["segment", "c.csv", "--id", "id", "--config", "again.yaml", "--out", "t.csv"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try runner.read("t.csv") == (try runner.read("s.csv")))
    }
}
