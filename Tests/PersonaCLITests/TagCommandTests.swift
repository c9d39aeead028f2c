import Foundation
import Testing

let tagFixtures = repositoryRoot.appendingPathComponent("Tests/PersonaCLITests/Fixtures/tags")

@Suite("persona tag")
struct TagCommandTests {
    /// Fixtures/tags/make_tags_reference.py evaluates the same rules with its own parser over
    /// pandas columns; the generator is byte-identical for a seed, so both see the same table.
    @Test("16 rules on 10,000 generated customers equal an independent pandas evaluation")
    func pandasReference() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let datagen = PersonaRunner.binary.deletingLastPathComponent().appendingPathComponent("persona-datagen")
        let generate = Process()
        generate.executableURL = datagen
        generate.arguments = ["customers", "--rows", "10000", "--seed", "7", "--out", runner.path("customers.csv")]
        generate.standardError = FileHandle.nullDevice
        try generate.run()
        generate.waitUntilExit()
        #expect(generate.terminationStatus == 0)

        let result = try runner.run(["tag", "customers.csv", "--id", "customer_id",
                                     "--rules", tagFixtures.appendingPathComponent("rules.yaml").path, "--out", "tags.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let ours = try CSVText(path: runner.path("tags.csv"))
        let pandas = try CSVText(path: tagFixtures.appendingPathComponent("expected_tags.csv.gz").path)
        #expect(ours.header == pandas.header)
        #expect(ours.rows.count == 10_000)
        let differing = zip(ours.rows, pandas.rows).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(differing.isEmpty, "first differences: \(differing.prefix(3).map { "row \($0.offset): \($0.element.0) vs \($0.element.1)" })")
        #expect(result.stderr.contains("高价值客户"))
    }

    @Test("manual tags are merged after rule tags; unknown ids are counted")
    func manualTags() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("c.csv", "id,spend\nA1,100\nA2,9000\nA3,\n")
        try runner.write("r.yaml", "tags:\n  - name: big\n    when: spend > 5000\n  - name: unknown spend\n    when: spend is missing\n")
        try runner.write("m.csv", "id,tag\nA1,VIP\nA2,big\nA2,媒体\nZ9,VIP\n")
        let result = try runner.run(["tag", "c.csv", "--id", "id", "--rules", "r.yaml", "--manual", "m.csv", "--out", "t.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try runner.read("t.csv") == "id,tags\nA1,VIP\nA2,big;媒体\nA3,unknown spend\n")
        #expect(result.stderr.contains("manual tags added: 2; 1 lines name ids not in c.csv (ignored)"))
    }

    @Test("a syntax error names the rule and the character; nothing is written")
    func syntaxError() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("c.csv", "id,spend\nA1,100\n")
        try runner.write("r.yaml", "tags:\n  - name: 高价值客户\n    when: spend >= 5000 and\n")
        let result = try runner.run(["tag", "c.csv", "--id", "id", "--rules", "r.yaml", "--out", "t.csv"])
        #expect(result.status == 1)
        #expect(result.stderr.trimmingCharacters(in: .newlines)
                == "persona: error: r.yaml:3:5: rule '高价值客户': expected a column, a number or a \"string\" but found end of condition, at character 18 of: spend >= 5000 and")
        #expect(!runner.files.contains("t.csv"))
    }

    @Test("arithmetic in rules: a zero divisor and a blank are missing, so those rows do not match")
    func arithmetic() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        // spend / orders: A1 100, A2 45, A3 blank, A4 600 / 0 → missing.
        // (spend - 50) * 2 >= orders * 100: A1 100 >= 100, A2 17900 < 20000, A4 1100 >= 0.
        try runner.write("c.csv", "id,spend,orders\nA1,100,1\nA2,9000,200\nA3,,2\nA4,600,0\n")
        try runner.write("r.yaml", "tags:\n  - name: big basket\n    when: spend / orders > 50\n"
                         + "  - name: steady\n    when: (spend - 50) * 2 >= orders * 100\n")
        let result = try runner.run(["tag", "c.csv", "--id", "id", "--rules", "r.yaml", "--out", "t.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try runner.read("t.csv") == "id,tags\nA1,big basket;steady\nA2,\nA3,\nA4,steady\n")
    }

    @Test("a text column in arithmetic names the rule, the column and the character; nothing is written")
    func textInArithmetic() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("c.csv", "id,spend,plan\nA1,100,Gold\n")
        try runner.write("r.yaml", "tags:\n  - name: 高价值客户\n    when: spend / plan > 1\n")
        let result = try runner.run(["tag", "c.csv", "--id", "id", "--rules", "r.yaml", "--out", "t.csv"])
        #expect(result.status == 1)
        #expect(result.stderr.trimmingCharacters(in: .newlines)
                == "persona: error: r.yaml:3:5: rule '高价值客户': at character 9: 'plan' holds text; arithmetic (+ - * /) needs numeric columns")
        #expect(!runner.files.contains("t.csv"))
    }

    @Test("a rule naming a column the input lacks is placed in its file, in a rules file and in a segment config")
    func unknownColumnPlaced() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("c.csv", "id,frequency,recency_days\nA1,3,10\nA2,1,200\nA3,5,4\nA4,2,90\n")
        try runner.write("r.yaml", "# rules\ntags:\n  - name: ok\n    when: frequency > 1\n  - name: typo\n    when: frequncy > 1\n")
        let tagged = try runner.run(["tag", "c.csv", "--id", "id", "--rules", "r.yaml", "--out", "t.csv"])
        #expect(tagged.status == 1)
        #expect(tagged.stderr.hasPrefix("persona: error: r.yaml:6:5: rule 'typo': there is no column 'frequncy'; columns are: 'id', 'frequency', 'recency_days'"))
        #expect(!runner.files.contains("t.csv"))
        try runner.write("s.yaml", "lifecycle: off\ntags:\n  - name: typo\n    when: frequncy > 1\n")
        let segmented = try runner.run(["segment", "c.csv", "--id", "id", "--config", "s.yaml", "--out", "s.csv"])
        #expect(segmented.status == 1)
        #expect(segmented.stderr.contains("s.yaml:4:5: rule 'typo': there is no column 'frequncy'"), "\(segmented.stderr)")
    }
}
