import Foundation
import Testing

@Suite("persona segment: edge cases and config checks")
struct SegmentEdgeTests {
    let header = "id,monetary,frequency,avg_order_value,recency_days,active_days,tenure_days\n"

    func run(_ runner: PersonaRunner, _ csv: String, _ extra: [String] = []) throws -> PersonaRunner.Output {
        try runner.write("in.csv", csv)
        return try runner.run(["segment", "in.csv", "--id", "id", "--out", "s.csv"] + extra)
    }

    @Test("two customers, and identical customers, are segmented without failing")
    func tinyTables() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let two = try run(runner, header + "a,100,2,50,10,2,300\nb,900,9,100,3,9,400\n")
        #expect(two.status == 0, "\(two.stderr)")
        let same = try run(runner, header + (0..<5).map { "c\($0),100,2,50,10,2,300" }.joined(separator: "\n") + "\n")
        #expect(same.status == 0, "\(same.stderr)")
        // Nothing tells identical customers apart: the middle value tier, not the best or the
        // worst. Two purchases, the last 10 days ago: 'potential' by the behaviour rule.
        let tiers = try CSVText(path: runner.path("s.csv"))
        #expect(Set(tiers.column("value_tier")) == ["mid"])
        #expect(Set(tiers.column("behavior_tier")) == ["potential"])
    }

    @Test("config mistakes are errors naming the key", arguments: [
        ("lifecycle: {churn_day: 90}\n", "unknown key 'lifecycle.churn_day'"),
        ("lifecycle: {vip_tier: gold}\n", "lifecycle.vip_tier 'gold' is not one of the value tiers high, mid, low"),
        ("value: {columns: []}\n", "value: needs at least one column"),
        ("behavior: {tiers: [active, at_risk, churned]}\n",
         "behavior.tiers: need four different names, for active, potential, at risk and churned in that order; got active, at_risk, churned"),
        ("behavior: {churned_gaps: 1}\n", "behavior.churned_gaps (1) must be above active_gaps (2)"),
        ("value: [spend]\n", "value in c.yaml names column 'spend', which is not in the header"),
        ("lifecycle: {tenure: first_seen}\n", "lifecycle in c.yaml names column 'first_seen', which is not in the header"),
        ("pii: [phone]\n", "pii in c.yaml names column 'phone', which is not in the header"),
        ("persona: {k: 500}\n", "persona.k must be between 1 and 50; got 500"),
        ("min_share: 0.7\n", "min_share must be a share of customers in [0, 0.5), e.g. 0.01 for 1 %; got 0.7"),
        ("pii: [email]\nattributes: [email]\n", "column 'email' is declared pii but used as a segmentation role or attribute"),
        ("tags:\n  - {name: x, when: \"monetary >\"}\n", "rule 'x': expected a column, a number or a \"string\" but found end of condition"),
    ])
    func configMistakes(yaml: String, message: String) throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("c.yaml", yaml)
        let result = try run(runner, header + "a,100,2,50,10,2,300\nb,900,9,100,3,9,400\nc,50,1,50,200,1,250\n", ["--config", "c.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!runner.files.contains("s.csv"))
    }

    @Test("log1p of -1 is an error naming the line; --out and --model must differ")
    func inputMistakes() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        // log1p is asked for explicitly (by default only columns without negatives get it).
        try runner.write("l.yaml", "value: {columns: [monetary, frequency], log1p: [monetary]}\n")
        let bad = try run(runner, header + "a,100,2,50,10,2,300\nb,-1,9,100,3,9,400\nc,50,1,50,200,1,250\n",
                          ["--config", "l.yaml"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("in.csv:3: column 'monetary': log1p needs values above -1"), "\(bad.stderr)")
        let same = try runner.run(["segment", "in.csv", "--id", "id", "--out", "x.csv", "--model", "x.csv"])
        #expect(same.status != 0)
        #expect(same.stderr.contains("--out and --model name the same file"))
    }

    @Test("--compare with --hash-ids matches pseudonyms; --apply honours the model's pii")
    func hashedCompareAndApply() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let csv = header + (0..<30).map { "c\($0),\(100 + 37 * $0),\(1 + $0 % 7),50,\(($0 * 13) % 200),\(1 + $0 % 5),400" }.joined(separator: "\n") + "\n"
        #expect(try run(runner, csv, ["--hash-ids", "--hash-key", "edge-test-key-0123", "--model", "m.json"]).status == 0)
        try FileManager.default.moveItem(atPath: runner.path("s.csv"), toPath: runner.path("old.csv"))
        let compared = try runner.run(["segment", "in.csv", "--id", "id", "--hash-ids", "--hash-key", "edge-test-key-0123", "--compare", "old.csv", "--out", "s.csv"])
        #expect(compared.status == 0, "\(compared.stderr)")
        #expect(compared.stderr.contains("30 customers in both"))

        try runner.write("pii.yaml", "pii: [id]\n")
        #expect(try runner.run(["segment", "in.csv", "--id", "id", "--config", "pii.yaml", "--hash-ids", "--hash-key", "edge-test-key-0123",
                                "--out", "p.csv", "--model", "pm.json"]).status == 0)
        let applied = try runner.run(["segment", "in.csv", "--id", "id", "--apply", "pm.json", "--out", "q.csv"])
        #expect(applied.status == 1)
        #expect(applied.stderr.contains("the id column 'id' is declared pii: add --hash-ids"))
    }
}
