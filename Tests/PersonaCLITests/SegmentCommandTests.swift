import Foundation
import Testing

/// Means of `values` grouped by `groups`.
func groupMeans(_ values: [Double], by groups: [String]) -> [String: Double] {
    var sums = [String: (Double, Int)]()
    for (v, g) in zip(values, groups) where !v.isNaN {
        let (s, n) = sums[g] ?? (0, 0)
        sums[g] = (s + v, n + 1)
    }
    return sums.mapValues { $0.0 / Double($0.1) }
}

@Suite("persona segment")
struct SegmentCommandTests {
    /// Order log → features → segments; returns features and segments as read back.
    func segment(log: String, as asOf: [String], runner: PersonaRunner, extra: [String] = []) throws -> (CSVText, CSVText, PersonaRunner.Output) {
        let features = try runner.run(["features", log] + retailArguments + asOf + ["--normalize-ids", "--out", "f.csv"])
        #expect(features.status == 0, "\(features.stderr)")
        let result = try runner.run(["segment", "f.csv", "--id", "CustomerID", "--out", "s.csv", "--model", "m.json"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return (try CSVText(path: runner.path("f.csv")), try CSVText(path: runner.path("s.csv")), result)
    }

    /// The properties the issue asks of real and generated data alike.
    func checkTiers(features: CSVText, segments: CSVText) {
        #expect(segments.header == ["CustomerID", "cluster", "value_tier", "behavior_tier", "lifecycle_stage", "persona"])
        #expect(segments.column("CustomerID") == features.column("CustomerID"))
        #expect(segments.rows.allSatisfy { $0.count == 6 && $0.allSatisfy { !$0.isEmpty } })
        let spend = groupMeans(features.numbers("monetary"), by: segments.column("value_tier"))
        #expect((spend["high"] ?? 0) > (spend["mid"] ?? 0) && (spend["mid"] ?? 0) > (spend["low"] ?? 0), "\(spend)")
        let recency = groupMeans(features.numbers("recency_days"), by: segments.column("behavior_tier"))
        #expect((recency["churned"] ?? 0) > (recency["at_risk"] ?? 0) && (recency["at_risk"] ?? 0) > (recency["active"] ?? 0), "\(recency)")
        for tier in ["high", "mid", "low"] {
            let share = Double(segments.column("value_tier").filter { $0 == tier }.count) / Double(segments.rows.count)
            #expect(share >= 0.02, "value tier \(tier) holds \(share)")
        }
    }

    @Test("planted segments of the shipped order log: tiers ordered, VIPs high, lapsed churned, deterministic")
    func planted() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let log = repositoryRoot.appendingPathComponent("datasets/sample_orders.csv").path
        let (features, segments, _) = try segment(log: log, as: [], runner: runner)
        checkTiers(features: features, segments: segments)
        let truth = try CSVText(path: repositoryRoot.appendingPathComponent("datasets/sample_orders_truth.csv").path)
        let planted = Dictionary(uniqueKeysWithValues: zip(truth.column("CustomerID"), truth.column("segment")))
        let rows = zip(segments.column("CustomerID"), zip(segments.column("value_tier"), segments.column("behavior_tier")))
        let vips = rows.filter { planted[$0.0] == "vip" }, lapsed = rows.filter { planted[$0.0] == "lapsed" }
        #expect(!vips.isEmpty && !lapsed.isEmpty)
        #expect(Double(vips.filter { $0.1.0 == "high" }.count) >= 0.95 * Double(vips.count))
        #expect(Double(lapsed.filter { $0.1.1 == "churned" }.count) >= 0.8 * Double(lapsed.count))

        // Same input and seed: the same bytes, whatever the thread count.
        let first = try runner.read("s.csv")
        for threads in ["1", "2"] {
            #expect(try runner.run(["segment", "f.csv", "--id", "CustomerID", "--out", "again.csv", "--threads", threads]).status == 0)
            #expect(try runner.read("again.csv") == first)
        }
    }

    @Test("UCI Online Retail: spend and recency ordered by tier, no value tier under 2%",
          .enabled(if: sharedDatasets != nil, "../shared/datasets is absent: skipping the Online Retail segmentation"))
    func onlineRetail() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let log = try #require(sharedDatasets).appendingPathComponent("online_retail/online_retail.csv.gz").path
        let (features, segments, _) = try segment(log: log, as: ["--as-of", "2011-12-10"], runner: runner)
        #expect(segments.rows.count == 4_372)
        checkTiers(features: features, segments: segments)
    }

    @Test("--print-config round-trips; a config's tags are applied")
    func config() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let log = repositoryRoot.appendingPathComponent("datasets/sample_orders.csv").path
        _ = try segment(log: log, as: [], runner: runner)
        let printed = try runner.run(["segment", "--print-config"])
        #expect(printed.status == 0)
        #expect(printed.stdout.contains("recency: recency_days"))
        try runner.write("persona.yaml", printed.stdout + "tags:\n  - name: 大客户\n    when: monetary >= 2000\n")
        let tagged = try runner.run(["segment", "f.csv", "--id", "CustomerID", "--config", "persona.yaml", "--out", "t.csv"])
        #expect(tagged.status == 0, "\(tagged.stderr)")
        let segments = try CSVText(path: runner.path("s.csv")), withTags = try CSVText(path: runner.path("t.csv"))
        #expect(withTags.header.last == "tags")
        #expect(withTags.column("value_tier") == segments.column("value_tier"))
        let features = try CSVText(path: runner.path("f.csv"))
        #expect(withTags.column("tags") == features.numbers("monetary").map { $0 >= 2000 ? "大客户" : "" })
    }

    @Test("--apply on the data it was fitted on gives the same tiers; --compare with itself is diagonal")
    func applyAndCompare() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let log = repositoryRoot.appendingPathComponent("datasets/sample_orders.csv").path
        let (_, segments, _) = try segment(log: log, as: [], runner: runner)
        let applied = try runner.run(["segment", "f.csv", "--id", "CustomerID", "--apply", "m.json", "--compare", "s.csv", "--out", "a.csv"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try runner.read("a.csv") == (try runner.read("s.csv")))
        let value = segments.column("value_tier")
        let counts = ["high", "mid", "low"].map { tier in Format.count(value.filter { $0 == tier }.count) }
        // The value table: row "high" has all high customers in the first column and zeros after.
        #expect(applied.stderr.contains("500 customers in both; 0 only before, 0 only now"))
        #expect(applied.stderr.contains("value_tier (rows: before, columns: now)"))
        #expect(applied.stderr.split(separator: "\n").contains { $0.hasPrefix("    high") && $0.hasSuffix("\(counts[0])           0           0") })

        let refused = try runner.run(["segment", "f.csv", "--id", "CustomerID", "--apply", "f.csv", "--out", "b.csv"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("f.csv: not a persona.segment model (it is not a JSON object); make one with persona segment --model"))
        #expect(!runner.files.contains("b.csv"))
    }

    @Test("--hash-ids writes keyed pseudonyms; a pii id column must be hashed")
    func privacy() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let log = repositoryRoot.appendingPathComponent("datasets/sample_orders.csv").path
        let (features, plain, _) = try segment(log: log, as: [], runner: runner)
        let hashed = try runner.run(["segment", "f.csv", "--id", "CustomerID", "--hash-ids", "--hash-key", "secret-key-0123456789", "--out", "h.csv"])
        #expect(hashed.status == 0, "\(hashed.stderr)")
        let pseudonyms = try CSVText(path: runner.path("h.csv")).column("CustomerID")
        #expect(pseudonyms.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
        #expect(Set(pseudonyms).count == features.rows.count)
        #expect(Set(pseudonyms).isDisjoint(with: features.column("CustomerID")))
        #expect(try CSVText(path: runner.path("h.csv")).column("value_tier") == plain.column("value_tier"))
        // The same key gives the same pseudonyms; another key others.
        #expect(try runner.run(["segment", "f.csv", "--id", "CustomerID", "--hash-ids", "--hash-key", "secret-key-0123456789", "--out", "h2.csv"]).status == 0)
        #expect(try runner.read("h2.csv") == (try runner.read("h.csv")))
        #expect(try runner.run(["segment", "f.csv", "--id", "CustomerID", "--hash-ids", "--hash-key", "other-key-0123456789", "--out", "h3.csv"]).status == 0)
        #expect(try CSVText(path: runner.path("h3.csv")).column("CustomerID") != pseudonyms)

        let short = try runner.run(["segment", "f.csv", "--id", "CustomerID", "--hash-ids", "--hash-key", "secret", "--out", "x.csv"])
        #expect(short.status == 1)
        #expect(short.stderr == "persona: error: --hash-key: the key for pseudonymous ids is 6 bytes long; it needs at least 16 (a short key can be guessed, and with it every pseudonym turned back into its id). Make a random one with: openssl rand -hex 16 — and keep it: the same key gives the same pseudonyms\n")
        #expect(!runner.files.contains("x.csv"))
        let noKey = try runner.run(["segment", "f.csv", "--id", "CustomerID", "--hash-ids", "--out", "x.csv"])
        #expect(noKey.status != 0)
        #expect(noKey.stderr.contains("--hash-ids needs a key"))
        try runner.write("pii.yaml", "pii: [CustomerID]\n")
        let pii = try runner.run(["segment", "f.csv", "--id", "CustomerID", "--config", "pii.yaml", "--out", "y.csv"])
        #expect(pii.status == 1)
        #expect(pii.stderr.contains("the id column 'CustomerID' is declared pii: add --hash-ids"))
        #expect(!runner.files.contains("x.csv") && !runner.files.contains("y.csv"))
    }

    @Test("the README's four commands: order log → churn model → segments with tags and churn probability")
    func readmeWalkthrough() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let log = repositoryRoot.appendingPathComponent("datasets/sample_orders.csv").path
        let config = repositoryRoot.appendingPathComponent("datasets/persona.yaml").path
        let steps: [[String]] = [
            ["features", log] + retailArguments + ["--cutoff", "2023-10-01", "--horizon", "90", "--out", "train.csv"],
            ["churn", "train", "train.csv", "--id", "CustomerID", "--label", "churned", "--exclude", "purchased_in_horizon", "--model", "churn.json"],
            ["features", log] + retailArguments + ["--category", "Category", "--out", "features.csv"],
            ["segment", "features.csv", "--id", "CustomerID", "--config", config, "--churn-model", "churn.json",
             "--out", "segments.csv", "--model", "segment_model.json"],
        ]
        for step in steps {
            let result = try runner.run(step)
            #expect(result.status == 0, "\(step[0]): \(result.stderr)")
        }
        #expect(try #require(try ChurnModel(path: runner.path("churn.json")).cv).auc_mean > 0.8)
        let segments = try CSVText(path: runner.path("segments.csv"))
        #expect(segments.header == ["CustomerID", "cluster", "value_tier", "behavior_tier", "preference_group", "lifecycle_stage",
                                    "persona", "tags", "churn_probability"])
        // Preference groups are named by a category their customers buy more of than average.
        #expect(segments.column("preference_group").allSatisfy { $0.hasPrefix("prefers: ") })
        let personas = Set(segments.column("persona"))
        #expect(personas.count >= 2 && personas.count == Set(segments.column("cluster")).count)
        #expect(segments.rows.count == 500)
        let churn = groupMeans(segments.numbers("churn_probability"), by: segments.column("behavior_tier"))
        #expect((churn["active"] ?? 1) < (churn["at_risk"] ?? 0) && (churn["at_risk"] ?? 1) < (churn["churned"] ?? 0), "\(churn)")
        #expect(segments.column("tags").contains("高价值客户"))
    }

    @Test("config: list forms for roles, attributes described per persona, a typo is an error")
    func configForms() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("c.csv", "id,spend,orders,days_since,region\n" + (0..<60).map { i in
            "c\(i),\(i % 3 == 0 ? 5000 + i : 50 + i),\(i % 3 == 0 ? 30 : 2),\(i % 4 == 0 ? 300 : 5 + i % 7),\(i % 3 == 0 ? "北" : "南")"
        }.joined(separator: "\n") + "\n")
        try runner.write("p.yaml", """
            value: [spend, orders]
            behavior: {recency: days_since, frequency: orders}
            lifecycle: {tenure: days_since}
            preference: [spend]
            attributes: [region]
            persona: {k: 2}
            """)
        let result = try runner.run(["segment", "c.csv", "--id", "id", "--config", "p.yaml", "--out", "s.csv", "--model", "m.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("region 北") && result.stderr.contains("region 南"))
        let spend = groupMeans(try CSVText(path: runner.path("c.csv")).numbers("spend"), by: try CSVText(path: runner.path("s.csv")).column("value_tier"))
        #expect((spend["high"] ?? 0) > (spend["low"] ?? 0))

        try runner.write("typo.yaml", "valeu: [spend]\n")
        let typo = try runner.run(["segment", "c.csv", "--id", "id", "--config", "typo.yaml", "--out", "t.csv"])
        #expect(typo.status == 1)
        #expect(typo.stderr.contains("unknown key 'valeu'"))
    }
}

/// Grouped integers as the summaries print them.
enum Format {
    static func count(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }
}
