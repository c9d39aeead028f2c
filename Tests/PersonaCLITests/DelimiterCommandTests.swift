import Foundation
import Testing

/// `text` with every comma outside double quotes replaced by `separator`.
func resplit(_ text: String, with separator: Character) -> String {
    var inQuotes = false
    return String(text.map { c -> Character in
        if c == "\"" { inQuotes.toggle() }
        return c == "," && !inQuotes ? separator : c
    })
}

func delimiterNote(_ file: String, _ shown: String) -> String {
    "note: \(file): fields separated by \(shown) (detected; give --delimiter to override)"
}

/// `--delimiter auto` (the default): each command reads a ';', tab or '|' file exactly as it
/// reads the same data with commas, and says on stderr which separator it found.
@Suite("--delimiter auto")
struct DelimiterCommandTests {
    static let customers = repositoryRoot.appendingPathComponent("datasets/sample_customers.csv")

    @Test("a generic export with BOM and ';' clusters with no options, as its comma twin; --delimiter wins")
    func genericExport() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let rows = ["A,120,3,40", "B,80,2,200", "C,3000,25,5", "D,2500,30,9", "E,95,1,310", "F,2800,22,12"]
        try runner.write("comma.csv", "id,monetary,frequency,recency_days\n" + rows.joined(separator: "\n") + "\n")
        try runner.write("export.csv", "\u{FEFF}" + resplit("id,monetary,frequency,recency_days\n" + rows.joined(separator: "\n") + "\n", with: ";"))
        let auto = try runner.run(["cluster", "export.csv", "--id", "id", "--k", "2", "--out", "auto.csv", "--model", "auto.json",
                                   "--notebook", "auto.ipynb"])
        #expect(auto.status == 0, "\(auto.stderr)")
        #expect(auto.stderr.hasPrefix(delimiterNote("export.csv", "';'") + "\n"), "\(auto.stderr)")
        let comma = try runner.run(["cluster", "comma.csv", "--id", "id", "--k", "2", "--out", "comma_segments.csv"])
        #expect(comma.status == 0, "\(comma.stderr)")
        #expect(!comma.stderr.contains("note:"))
        #expect(try runner.read("auto.csv") == runner.read("comma_segments.csv"))
        // The notebook reloads the input with the separator that was detected.
        #expect(try runner.read("auto.ipynb").contains(#"pd.read_csv(\"export.csv\", dtype={\"id\": str}, sep=\";\")"#))

        let forced = try runner.run(["cluster", "export.csv", "--id", "id", "--k", "2", "--delimiter", ",", "--out", "forced.csv"])
        #expect(forced.status == 1)
        #expect(forced.stderr == "persona: error: export.csv: --id names column 'id', which is not in the header; columns are: 'id;monetary;frequency;recency_days'\n")
    }

    @Test("churn train and score on a tab-separated file give the comma file's model and scores")
    func churnTab() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("tab.csv", resplit(try String(contentsOf: Self.customers, encoding: .utf8), with: "\t"))
        let note = delimiterNote("tab.csv", "tabs")
        let common = ["--id", "customer_id", "--label", "churned", "--folds", "3"]
        let train = try runner.run(["churn", "train", "tab.csv"] + common + ["--model", "tab.json"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.hasPrefix(note + "\n"))
        let reference = try runner.run(["churn", "train", Self.customers.path] + common + ["--model", "comma.json"])
        #expect(reference.status == 0, "\(reference.stderr)")
        let ours = try ChurnModel(path: runner.path("tab.json")), theirs = try ChurnModel(path: runner.path("comma.json"))
        #expect(ours.coefficients == theirs.coefficients && ours.intercept == theirs.intercept)

        let score = try runner.run(["churn", "score", "tab.csv", "--model", "tab.json", "--out", "tab_scores.csv"])
        #expect(score.status == 0, "\(score.stderr)")
        #expect(score.stderr.hasPrefix(note + "\n"))
        let scoreComma = try runner.run(["churn", "score", Self.customers.path, "--model", "tab.json", "--out", "comma_scores.csv"])
        #expect(scoreComma.status == 0, "\(scoreComma.stderr)")
        #expect(try runner.read("tab_scores.csv") == runner.read("comma_scores.csv"))
    }

    @Test("segment with a churn model reads a '|' file once and says so once")
    func segmentPipe() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let export = repositoryRoot.appendingPathComponent("notebooks-export/segment")
        let features = export.appendingPathComponent("features.csv")
        try runner.write("pipe.csv", resplit(try String(contentsOf: features, encoding: .utf8), with: "|"))
        let config = repositoryRoot.appendingPathComponent("datasets/persona.yaml").path
        let common = ["--id", "CustomerID", "--config", config, "--churn-model", export.appendingPathComponent("churn.json").path]
        let pipe = try runner.run(["segment", "pipe.csv"] + common + ["--out", "pipe_segments.csv"])
        #expect(pipe.status == 0, "\(pipe.stderr)")
        #expect(pipe.stderr.components(separatedBy: "note:").count == 2)
        #expect(pipe.stderr.hasPrefix(delimiterNote("pipe.csv", "'|'") + "\n"))
        let comma = try runner.run(["segment", features.path] + common + ["--out", "comma_segments.csv"])
        #expect(comma.status == 0, "\(comma.stderr)")
        #expect(try runner.read("pipe_segments.csv") == runner.read("comma_segments.csv"))
    }

    @Test("tag: the manual tag file's separator is detected on its own")
    func tagManual() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("c.csv", "id;spend\nA1;100\nA2;9000\n")
        try runner.write("manual.csv", "id,tag\nA1,vip\n")
        try runner.write("r.yaml", "tags:\n  - name: big\n    when: spend > 5000\n")
        let result = try runner.run(["tag", "c.csv", "--id", "id", "--rules", "r.yaml", "--manual", "manual.csv", "--out", "t.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.hasPrefix(delimiterNote("c.csv", "';'") + "\npersona tag: c.csv"), "\(result.stderr)")
        #expect(try runner.read("t.csv") == "id,tags\nA1,vip\nA2,big\n")
    }

    @Test("features: a ';' order log gives the comma log's features")
    func featuresSemicolon() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let log = repositoryRoot.appendingPathComponent("datasets/sample_orders.csv")
        try runner.write("orders.csv", resplit(try String(contentsOf: log, encoding: .utf8), with: ";"))
        let auto = try runner.run(["features", "orders.csv"] + retailArguments + ["--as-of", "2024-01-01", "--out", "auto.csv"])
        #expect(auto.status == 0, "\(auto.stderr)")
        #expect(auto.stderr.hasPrefix(delimiterNote("orders.csv", "';'") + "\n"))
        let comma = try runner.run(["features", log.path] + retailArguments + ["--as-of", "2024-01-01", "--out", "comma.csv"])
        #expect(comma.status == 0, "\(comma.stderr)")
        #expect(!comma.stderr.contains("note:"))
        #expect(try runner.read("auto.csv") == runner.read("comma.csv"))
    }
}
