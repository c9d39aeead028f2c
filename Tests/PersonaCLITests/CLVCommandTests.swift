import Foundation
import Testing

@Suite("persona clv")
struct CLVCommandTests {
    /// The fixture log of Tests/SegmentationTests/Fixtures/clv (lifetimes' values are checked
    /// there, in the library); here: the files the command writes.
    static let log = repositoryRoot.appendingPathComponent("Tests/SegmentationTests/Fixtures/clv/orders.csv").path

    @Test("CLV.csv has the contract's columns, ids as in the input; CLV.json the contract's keys")
    func outputs() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let result = try runner.run(["clv", Self.log, "--customer", "customer", "--date", "date", "--amount", "amount",
                                     "--out", "clv.csv", "--model", "clv.json"])
        #expect(result.status == 0, "\(result.stderr)")
        let csv = try CSVText(path: runner.path("clv.csv"))
        #expect(csv.header == ["customer", "frequency", "recency", "T", "monetary_value", "p_alive",
                               "expected_purchases", "expected_value", "clv", "loyalty_tier"])
        #expect(csv.column("customer").allSatisfy { $0.count == 5 }, "leading zeros kept")
        // Loyalty tiers are the terciles of expected purchases: every loyal customer expects at
        // least as many as every regular one, who expects at least as many as every occasional one.
        let expected = csv.column("expected_purchases").compactMap(Double.init), tiers = csv.column("loyalty_tier")
        var bounds = [String: (low: Double, high: Double, count: Int)]()
        for (e, tier) in zip(expected, tiers) {
            let b = bounds[tier] ?? (e, e, 0)
            bounds[tier] = (min(b.low, e), max(b.high, e), b.count + 1)
        }
        let (loyal, regular, occasional) = (try #require(bounds["loyal"]), try #require(bounds["regular"]), try #require(bounds["occasional"]))
        #expect(loyal.low >= regular.high && regular.low >= occasional.high && Set(tiers) == ["loyal", "regular", "occasional"])
        #expect([loyal.count, regular.count, occasional.count].allSatisfy { abs($0 - expected.count / 3) <= expected.count / 10 },
                "\(bounds)")
        #expect(csv.column("customer").contains("00000"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runner.path("clv.json")))) as? [String: Any])
        let bg = try #require(json["bg_nbd"] as? [String: Any])
        let gg = try #require(json["gamma_gamma"] as? [String: Any])
        for key in ["r", "alpha", "a", "b"] { #expect(bg[key] is Double, "bg_nbd.\(key)") }
        for key in ["p", "q", "v"] { #expect(gg[key] is Double, "gamma_gamma.\(key)") }
        #expect(result.stderr.contains("BG/NBD: r = "))
    }

    @Test("--model-type pareto: the contract's columns from Pareto/NBD; CLV.json has pareto_nbd with standard errors, no bg_nbd")
    func paretoOnly() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let result = try runner.run(["clv", Self.log, "--customer", "customer", "--date", "date", "--amount", "amount",
                                     "--model-type", "pareto", "--out", "clv.csv", "--model", "clv.json"])
        #expect(result.status == 0, "\(result.stderr)")
        let csv = try CSVText(path: runner.path("clv.csv"))
        #expect(csv.header == ["customer", "frequency", "recency", "T", "monetary_value", "p_alive",
                               "expected_purchases", "expected_value", "clv", "loyalty_tier"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runner.path("clv.json")))) as? [String: Any])
        #expect(json["bg_nbd"] == nil)
        #expect(json["predictions_from"] as? String == "pareto_nbd")
        let pareto = try #require(json["pareto_nbd"] as? [String: Any])
        let errors = try #require(pareto["standard_errors"] as? [String: Any])
        for key in ["r", "alpha", "s", "beta"] {
            #expect(pareto[key] is Double, "pareto_nbd.\(key)")
            #expect((errors[key] as? Double ?? 0) > 0, "pareto_nbd.standard_errors.\(key)")
        }
        #expect(result.stderr.contains("Pareto/NBD: r = ") && !result.stderr.contains("BG/NBD: r = "))
    }

    @Test("--model-type both: BG/NBD's columns, then p_alive_pareto, expected_purchases_pareto, clv_pareto, then the holdout's")
    func bothModels() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let result = try runner.run(["clv", Self.log, "--customer", "customer", "--date", "date", "--amount", "amount",
                                     "--model-type", "both", "--period", "week", "--calibration-end", "2021-12-31",
                                     "--out", "clv.csv", "--model", "clv.json"])
        #expect(result.status == 0, "\(result.stderr)")
        let csv = try CSVText(path: runner.path("clv.csv"))
        #expect(csv.header == ["customer", "frequency", "recency", "T", "monetary_value", "p_alive", "expected_purchases",
                               "expected_value", "clv", "p_alive_pareto", "expected_purchases_pareto", "clv_pareto",
                               "frequency_holdout", "monetary_value_holdout", "loyalty_tier"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runner.path("clv.json")))) as? [String: Any])
        #expect(json["bg_nbd"] is [String: Any] && json["pareto_nbd"] is [String: Any])
        #expect(json["predictions_from"] as? String == "bg_nbd")
        #expect(json["holdout"] is [String: Any] && json["holdout_pareto_nbd"] is [String: Any])
        #expect(result.stderr.contains("BG/NBD holdout (") && result.stderr.contains("Pareto/NBD holdout ("))
    }

    @Test("--model-type takes bgnbd, pareto or both")
    func badModelType() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let result = try runner.run(["clv", Self.log, "--customer", "customer", "--date", "date", "--amount", "amount",
                                     "--model-type", "pnbd", "--out", "o.csv"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--model-type must be bgnbd, pareto or both; got 'pnbd'"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: runner.path("o.csv")))
    }

    @Test("a calibration end adds holdout columns and prints predicted vs actual by frequency")
    func holdout() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let result = try runner.run(["clv", Self.log, "--customer", "customer", "--date", "date", "--amount", "amount",
                                     "--period", "week", "--calibration-end", "2021-12-31", "--out", "clv.csv", "--model", "clv.json"])
        #expect(result.status == 0, "\(result.stderr)")
        let csv = try CSVText(path: runner.path("clv.csv"))
        #expect(csv.header.suffix(3) == ["frequency_holdout", "monetary_value_holdout", "loyalty_tier"])
        #expect(result.stderr.contains("MAE per customer"))
        #expect(result.stderr.contains("frequency  customers  actual  predicted"))
    }

    @Test("bad input names file, line, column and value", arguments: [
        ("id,day,amt\n001,2021-01-01,5\n001,2021-01-05,-3\n", "log",
         "log.csv:3: column 'amt' (3): \"-3.0\" is negative: purchase models take purchases only (remove returns first)"),
        ("id,f,r,T,m\n1,2,5,10,3\n2,1,12,10,4\n", "summary",
         "summary.csv:3: column 'r' (3): \"12\" is larger than T (10): the last purchase cannot come after the end of the period"),
        ("id,f,r,T,m\n1,2,5,10,3\n2,-1,0,10,4\n", "summary",
         "summary.csv:3: column 'f' (2): \"-1\" is negative: frequency counts repeat purchase periods"),
        ("id,f,r,T,m\n1,2,5,10,3\n2,0,4,10,0\n", "summary",
         "summary.csv:3: column 'r' (3): \"4\" is not 0 for a customer without repeat purchases (frequency 0)"),
        ("id,f,r,T,m\n1,2,5,10,3\n2,1,3,10,\n", "summary",
         "summary.csv:3: column 'm' (5): \"\" is not a finite number: every customer needs frequency, recency, T and monetary value"),
        ("id,f,r,T,m\n1,2,5,10,-3\n", "summary",
         "summary.csv:2: column 'm' (5): \"-3\" is negative: the monetary value is a mean spend"),
    ])
    func badInput(text: String, kind: String, message: String) throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = try runner.write("\(kind).csv", text)
        let columns = kind == "log" ? ["--date", "day", "--amount", "amt"]
            : ["--frequency", "f", "--recency", "r", "--T", "T", "--monetary", "m"]
        let result = try runner.run(["clv", input, "--customer", "id"] + columns + ["--out", "o.csv"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: runner.path("o.csv")), "no output on error")
    }

    @Test("nobody drops out: the boundary fit (a → 0) is kept with a note, not an error")
    func boundary() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        // 40 customers buying every 3 to 10 days right up to the last day.
        var lines = ["id,day,amount"]
        let start = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"), year: 2021, month: 1, day: 1).date ?? Date()
        let format = DateFormatter()
        format.dateFormat = "yyyy-MM-dd"
        format.timeZone = TimeZone(identifier: "UTC")
        for c in 0..<40 {
            var t = c % 5
            while t <= 180 {
                lines.append("c\(c),\(format.string(from: start.addingTimeInterval(Double(t) * 86_400))),\(10 + c % 7)")
                t += 3 + c % 8 + (c * t) % 3
            }
        }
        let input = try runner.write("steady.csv", lines.joined(separator: "\n") + "\n")
        let result = try runner.run(["clv", input, "--customer", "id", "--date", "day", "--amount", "amount",
                                     "--out", "o.csv", "--model", "o.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("note: BG/NBD: nobody seems to drop out"))
        let alive = try CSVText(path: runner.path("o.csv")).numbers("p_alive")
        #expect(alive.allSatisfy { $0 > 0.999 })
        // Pareto/NBD's maximum is at its edge too (s → 0, β → ∞): kept, with its own note.
        let pareto = try runner.run(["clv", input, "--customer", "id", "--date", "day", "--amount", "amount",
                                     "--model-type", "pareto", "--out", "p.csv", "--model", "p.json"])
        #expect(pareto.status == 0, "\(pareto.stderr)")
        #expect(pareto.stderr.contains("note: Pareto/NBD: nobody seems to die"), "\(pareto.stderr)")
        #expect(try CSVText(path: runner.path("p.csv")).numbers("p_alive").allSatisfy { $0 > 0.999 })
    }

    @Test("order-log and summary options do not mix; a summary needs all four columns")
    func validation() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let a = try runner.run(["clv", Self.log, "--customer", "customer", "--frequency", "f", "--out", "o.csv"])
        #expect(a.status != 0 && a.stderr.contains("a summary table needs all of --frequency, --recency, --T and --monetary"))
        let b = try runner.run(["clv", Self.log, "--customer", "customer", "--date", "date", "--out", "o.csv"])
        #expect(b.status != 0 && b.stderr.contains("give an order log's --date and --amount columns"))
        let c = try runner.run(["clv", Self.log, "--customer", "customer", "--date", "date", "--amount", "amount",
                                "--calibration-end", "2030-01-01", "--out", "o.csv"])
        #expect(c.status != 0 && c.stderr.contains("the holdout is empty"), "\(c.stderr)")
    }

    @Test("--join CLV.csv: clv, p_alive and loyalty_tier in segment tag rules and in persona tag")
    func joinedIntoSegmentsAndTags() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let columns = ["--customer", "customer", "--date", "date", "--amount", "amount"]
        #expect(try runner.run(["clv", Self.log] + columns + ["--out", "clv.csv"]).status == 0)
        #expect(try runner.run(["features", Self.log] + columns + ["--out", "features.csv"]).status == 0)
        try runner.write("rules.yaml", """
            tags:
              - name: loyal and valuable
                when: 'loyalty_tier == "loyal" and clv > 20'
              - name: fading
                when: "p_alive < 0.5"
            """)
        let tagged = try runner.run(["tag", "features.csv", "--id", "customer", "--join", "clv.csv", "--rules", "rules.yaml", "--out", "tags.csv"])
        #expect(tagged.status == 0, "\(tagged.stderr)")
        try runner.write("config.yaml", "tags:\n  - name: fading\n    when: \"p_alive < 0.5\"\n")
        let segmented = try runner.run(["segment", "features.csv", "--id", "customer", "--join", "clv.csv", "--config", "config.yaml",
                                        "--out", "segments.csv", "--report", "report.html"])
        #expect(segmented.status == 0, "\(segmented.stderr)")
        #expect(segmented.stderr.contains("joined clv.csv: recency, T, monetary_value, p_alive, expected_purchases, expected_value, clv, loyalty_tier; 150 customers matched; "),
                "\(segmented.stderr)")
        #expect(segmented.stderr.contains("; kept the input's frequency"), "\(segmented.stderr)")

        // The tags, worked out from CLV.csv directly.
        let clv = try CSVText(path: runner.path("clv.csv"))
        var expected = [String: Set<String>]()
        for row in clv.rows {
            let value = { (name: String) in row[clv.header.firstIndex(of: name) ?? 0] }
            var tags = Set<String>()
            if value("loyalty_tier") == "loyal", let v = Double(value("clv")), v > 20 { tags.insert("loyal and valuable") }
            if let p = Double(value("p_alive")), p < 0.5 { tags.insert("fading") }
            expected[value("customer")] = tags
        }
        let tags = try CSVText(path: runner.path("tags.csv"))
        #expect(tags.rows.count == expected.count)
        for row in tags.rows {
            #expect(Set(row[1].split(separator: ";").map(String.init)) == expected[row[0]], "\(row[0])")
        }
        #expect(tags.rows.contains { $0[1].contains("loyal and valuable") } && tags.rows.contains { $0[1].contains("fading") })
        let segments = try CSVText(path: runner.path("segments.csv"))
        // The report's lifetime value per value tier: the mean of CLV.csv's clv over each tier.
        let report = try runner.read("report.html")
        #expect(report.contains("Lifetime value by value tier"))
        var sums = [String: (Double, Int)]()
        let valueTier = try #require(segments.header.firstIndex(of: "value_tier"))
        let clvByID = Dictionary(uniqueKeysWithValues: clv.rows.map { ($0[0], Double($0[clv.header.firstIndex(of: "clv") ?? 0])) })
        for row in segments.rows {
            guard let value = clvByID[row[0]] ?? nil else { continue }
            let (s, n) = sums[row[valueTier]] ?? (0, 0)
            sums[row[valueTier]] = (s + value, n + 1)
        }
        #expect(sums.count >= 2)
        for (tier, (s, n)) in sums {
            let marker = "data-key=\"clv.\(tier).mean\" data-value=\""
            let shown = try #require(report.range(of: marker).map { report[$0.upperBound...].prefix { $0 != "\"" } }, "\(tier)")
            let value = try #require(Double(shown))
            #expect(abs(value - s / Double(n)) <= 1e-9 * abs(s / Double(n)), "\(tier): \(value) vs \(s / Double(n))")
        }
        let tagColumn = try #require(segments.header.firstIndex(of: "tags"))
        for row in segments.rows {
            #expect(row[tagColumn].contains("fading") == (expected[row[0]]?.contains("fading") ?? false), "\(row[0])")
        }
    }

    @Test("behavior.p_alive: churned and at risk from CLV.csv's P(alive); saved in MODEL.json; --apply needs the column")
    func behaviourFromPAlive() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let columns = ["--customer", "customer", "--date", "date", "--amount", "amount"]
        #expect(try runner.run(["clv", Self.log] + columns + ["--model-type", "both", "--out", "clv.csv"]).status == 0)
        #expect(try runner.run(["features", Self.log] + columns + ["--out", "features.csv"]).status == 0)
        try runner.write("config.yaml", "behavior: {p_alive: p_alive_pareto, p_alive_churned_below: 0.4, p_alive_at_risk_below: 0.7}\n")
        let fitted = try runner.run(["segment", "features.csv", "--id", "customer", "--join", "clv.csv", "--config", "config.yaml",
                                     "--out", "segments.csv", "--model", "model.json"])
        #expect(fitted.status == 0, "\(fitted.stderr)")

        // The tiers by the rule's text, from the two files: churned below 0.4; potential at most
        // 2 purchases; at risk below 0.7; active the rest.
        let clv = try CSVText(path: runner.path("clv.csv"))
        let features = try CSVText(path: runner.path("features.csv"))
        let pAlive = Dictionary(uniqueKeysWithValues: clv.rows.map { ($0[0], Double($0[clv.header.firstIndex(of: "p_alive_pareto") ?? 0])) })
        let purchases = Dictionary(uniqueKeysWithValues: features.rows.map { ($0[0], Double($0[features.header.firstIndex(of: "frequency") ?? 0])) })
        func expected(_ id: String) -> String {
            guard let p = pAlive[id] ?? nil, let n = purchases[id] ?? nil, n > 0 else { return "potential" }
            if p < 0.4 { return "churned" }
            if n <= 2 { return "potential" }
            return p < 0.7 ? "at_risk" : "active"
        }
        let segments = try CSVText(path: runner.path("segments.csv"))
        let tier = try #require(segments.header.firstIndex(of: "behavior_tier"))
        #expect(segments.rows.count == features.rows.count)
        for row in segments.rows { #expect(row[tier] == expected(row[0]), "\(row[0])") }
        #expect(Set(segments.rows.map { $0[tier] }) == ["active", "potential", "at_risk", "churned"])
        let model = try runner.read("model.json")
        #expect(model.contains("\"p_alive\" : \"p_alive_pareto\"") && model.contains("\"p_alive_churned_below\" : 0.4"), "\(model)")
        #expect(fitted.stderr.contains("behaviour tiers (from p_alive_pareto and frequency; churned below 0.40, at risk below 0.70):"), "\(fitted.stderr)")
        #expect(fitted.stderr.contains("  p_alive_pareto below 0.4\n"), "\(fitted.stderr)")

        // Applying the model needs the column again.
        let missing = try runner.run(["segment", "features.csv", "--id", "customer", "--apply", "model.json", "--out", "again.csv"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("features.csv, column 'p_alive_pareto' (behavior.p_alive): the input has no such column; add persona clv's CLV.csv with --join CLV.csv"),
                "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: runner.path("again.csv")))
        let applied = try runner.run(["segment", "features.csv", "--id", "customer", "--apply", "model.json", "--join", "clv.csv", "--out", "again.csv"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try CSVText(path: runner.path("again.csv")).column("behavior_tier") == segments.column("behavior_tier"))
    }

    @Test("--report: the holdout calibration and the loyalty tiers, with the numbers of CLV.csv")
    func report() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let result = try runner.run(["clv", Self.log, "--customer", "customer", "--date", "date", "--amount", "amount",
                                     "--calibration-end", "2021-09-30", "--out", "clv.csv", "--report", "clv.html", "--notebook", "clv.ipynb"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try runner.read("clv.html")
        #expect(report.contains("Calibration against the holdout") && report.contains("Loyalty tiers"))
        func value(_ key: String) -> Double? {
            report.range(of: "data-key=\"\(key)\" data-value=\"").flatMap { Double(report[$0.upperBound...].prefix { $0 != "\"" }) }
        }
        let csv = try CSVText(path: runner.path("clv.csv"))
        let frequency = csv.column("frequency").compactMap(Double.init), holdout = csv.column("frequency_holdout").compactMap(Double.init)
        var buckets = [String: (Double, Int)]()
        for (f, h) in zip(frequency, holdout) {
            let key = f >= 7 ? "7+" : String(Int(f))
            let (s, n) = buckets[key] ?? (0, 0)
            buckets[key] = (s + h, n + 1)
        }
        #expect(!buckets.isEmpty)
        for (key, (s, n)) in buckets {
            let shown = try #require(value("holdout.\(key).actual"), "bucket \(key)")
            #expect(abs(shown - s / Double(n)) <= 1e-12 * max(1, s / Double(n)), "bucket \(key)")
        }
        for tier in ["loyal", "regular", "occasional"] {
            #expect(value("loyalty.\(tier).customers") == Double(csv.column("loyalty_tier").filter { $0 == tier }.count), "\(tier)")
        }
        #expect(runner.files.contains("clv.ipynb"))
    }
}
