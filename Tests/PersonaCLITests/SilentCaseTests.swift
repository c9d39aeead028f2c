import Foundation
import Testing

/// Inputs that used to pass silently (issue 16, part 3): each now stops with a message that
/// names the file, the line or key, and the value, and no output file is left behind.
@Suite("Cases that used to pass silently now stop with a message")
struct SilentCaseTests {
    struct Case: Sendable {
        let name: String
        let files: [String: String]
        let arguments: [String]
        let message: String
    }

    static let orders = "CustomerID,InvoiceDate,Amount\n"
    static let customers = "id,spend,visits,churned\n"
        + (1...12).map { "c\($0),\(10 * $0),\($0 % 4 + 1),\($0 % 3 == 0 ? "Yes" : "No")" }.joined(separator: "\n") + "\n"

    static let cases: [Case] = [
        Case(name: "amounts whose sum overflows",
             files: ["o.csv": orders + "1,2020-01-01,1e308\n1,2020-01-02,1e308\n2,2020-01-03,5\n"],
             arguments: ["features", "o.csv", "--customer", "CustomerID", "--date", "InvoiceDate", "--amount", "Amount", "--out", "f.csv"],
             message: "persona: error: o.csv:2: column 'Amount' (3): 1e308 is too large to compute with (the limit is 1e100 in size): check that the column holds amounts or measurements, not ids or codes"),
        Case(name: "price × quantity beyond the limit",
             files: ["o.csv": "CustomerID,InvoiceDate,UnitPrice,Quantity\n1,2020-01-01,2.5,4\n2,2020-01-02,1e60,1e60\n"],
             arguments: ["features", "o.csv", "--customer", "CustomerID", "--date", "InvoiceDate", "--price", "UnitPrice", "--quantity", "Quantity", "--out", "f.csv"],
             message: "persona: error: o.csv:3: the line amount 'UnitPrice' (3) × 'Quantity' (4) = 1e60 × 1e60 is too large to compute with (the limit is 1e100 in size): check that these columns hold prices and quantities, not ids or codes"),
        Case(name: "time zone +25:00",
             files: ["o.csv": orders + "1,2020-01-01T10:00:00+14:00,1\n2,2020-01-01T10:00:00-12:00,1\n3,2020-01-01T10:00:00+25:00,1\n"],
             arguments: ["features", "o.csv", "--customer", "CustomerID", "--date", "InvoiceDate", "--amount", "Amount", "--out", "f.csv"],
             message: "persona: error: o.csv:4: column 'InvoiceDate' (2): \"2020-01-01T10:00:00+25:00\" is not a date: its time-zone offset +25:00 is not one in use: offsets run from -12:00 to +14:00, with minutes below 60"),
        Case(name: "time zone with 99 minutes",
             files: ["o.csv": orders + "1,2020-01-01 10:00+05:99,1\n"],
             arguments: ["features", "o.csv", "--customer", "CustomerID", "--date", "InvoiceDate", "--amount", "Amount", "--out", "f.csv"],
             message: "persona: error: o.csv:2: column 'InvoiceDate' (2): \"2020-01-01 10:00+05:99\" is not a date: its time-zone offset +05:99 is not one in use: offsets run from -12:00 to +14:00, with minutes below 60"),
        Case(name: "a feature too large to scale",
             files: ["in.csv": "id,a,b\n1,1e308,1\n2,1e308,2\n3,1,3\n4,2,4\n"],
             arguments: ["cluster", "in.csv", "--id", "id", "--k", "2", "--out", "s.csv", "--model", "m.json"],
             message: "persona: error: in.csv:2: column 'a' (2): 1e+308 is too large to compute with (the limit is 1e100 in size): check that the column holds amounts or measurements, not ids or codes"),
        Case(name: "a feature whose squares overflow, unscaled",
             files: ["in.csv": "id,a,b\n1,3,1\n2,-1e200,2\n3,1,3\n4,2,4\n"],
             arguments: ["cluster", "in.csv", "--id", "id", "--k", "2", "--scale", "none", "--out", "s.csv"],
             message: "persona: error: in.csv:3: column 'a' (2): -1e+200 is too large to compute with (the limit is 1e100 in size): check that the column holds amounts or measurements, not ids or codes"),
        Case(name: "every churn feature constant",
             files: ["in.csv": "id,a,b,label\n" + (0..<30).map { "\($0),1,2,\($0 % 3 == 0 ? "Yes" : "No")" }.joined(separator: "\n") + "\n"],
             arguments: ["churn", "train", "in.csv", "--id", "id", "--label", "label", "--model", "c.json"],
             message: "persona: error: in.csv: every feature is constant on the training rows ('a' (always 1), 'b' (always 2)): a model could only give every customer the same probability, the overall rate (AUC 0.5); choose feature columns whose values differ between customers"),
        Case(name: "a one-valued text column as the only feature",
             files: ["in.csv": "id,t,label\n1,a,Yes\n2,a,No\n3,a,Yes\n4,a,No\n"],
             arguments: ["churn", "train", "in.csv", "--id", "id", "--label", "label", "--folds", "0", "--model", "c.json"],
             message: "persona: error: in.csv: no feature columns to use: every column was left out ('t': one value only, \"a\")"),
    ]

    @Test("stops with the message", arguments: cases.map(\.name))
    func stops(name: String) throws {
        let item = try #require(Self.cases.first { $0.name == name })
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        for (file, text) in item.files { try runner.write(file, text) }
        let result = try runner.run(item.arguments)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").last.map(String.init) == item.message, "\(result.stderr)")
        #expect(runner.files.sorted() == item.files.keys.sorted())
    }

    @Test("a saved model applied to a table whose column is blank in every row")
    func blankColumnOnApply() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("train.csv", Self.customers)
        let blank = "id,spend,visits\n" + (1...5).map { "n\($0),,\($0)" }.joined(separator: "\n") + "\n"
        try runner.write("new.csv", blank)
        let fitted = try runner.run(["cluster", "train.csv", "--id", "id", "--features", "spend,visits", "--k", "2", "--out", "s.csv", "--model", "m.json"])
        #expect(fitted.status == 0, "\(fitted.stderr)")
        let applied = try runner.run(["cluster", "new.csv", "--id", "id", "--apply", "m.json", "--out", "a.csv"])
        #expect(applied.status == 1)
        #expect(applied.stderr == "persona: error: new.csv: column 'spend' (2) has no usable value in any of its 5 rows (every cell is empty or unreadable): the model would give every row its fill, 65, so the column carries no information; fill in the column, or use a model fitted without it\n")
        #expect(!runner.files.contains("a.csv"))
        let churn = try runner.run(["churn", "train", "train.csv", "--id", "id", "--label", "churned", "--folds", "0", "--model", "c.json"])
        #expect(churn.status == 0, "\(churn.stderr)")
        let scored = try runner.run(["churn", "score", "new.csv", "--model", "c.json", "--out", "p.csv"])
        #expect(scored.status == 1)
        #expect(scored.stderr == "persona: error: new.csv: column 'spend' (2) has no usable value in any of its 5 rows (every cell is empty or unreadable): the model would give every row its fill, 65, so the column carries no information; fill in the column, or use a model fitted without it\n")
        #expect(!runner.files.contains("p.csv"))
        // One row with a blank is what the fill is for.
        try runner.write("one.csv", "id,spend,visits\nn1,,3\n")
        #expect(try runner.run(["cluster", "one.csv", "--id", "id", "--apply", "m.json", "--out", "a.csv"]).status == 0)
    }

    @Test("a model file with a key given twice is refused at the second one")
    func duplicateKeyInModel() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("train.csv", Self.customers)
        #expect(try runner.run(["cluster", "train.csv", "--id", "id", "--features", "spend,visits", "--k", "2", "--out", "s.csv", "--model", "m.json"]).status == 0)
        var lines = try runner.read("m.json").components(separatedBy: "\n")
        let k = try #require(lines.firstIndex(of: "  \"k\" : 2,"))
        lines.insert("  \"k\" : 5,", at: 1)
        try runner.write("edited.json", lines.joined(separator: "\n"))
        let applied = try runner.run(["cluster", "train.csv", "--id", "id", "--apply", "edited.json", "--out", "a.csv"])
        #expect(applied.status == 1)
        #expect(applied.stderr == "persona: error: edited.json:\(k + 2):3: key 'k' appears a second time in the top-level object (first at line 2, column 3): JSON readers differ on which one counts, so the file is refused; keep the one meant and remove the other\n")
        #expect(!runner.files.contains("a.csv"))
    }

    /// A negative number after an option used to read as a missing value ("Missing value for
    /// '--k <N|auto>'"); the option's own check now names it.
    static let negativeOptions: [(arguments: [String], message: String)] = [
        (["cluster", "in.csv", "--id", "id", "--out", "s.csv", "--k", "-3"], "Error: --k must be a whole number >= 1 or 'auto'; got '-3'"),
        (["cluster", "in.csv", "--id", "id", "--out", "s.csv", "--threads", "-1"], "Error: --threads must be at least 1; got -1"),
        (["cluster", "in.csv", "--id", "id", "--out", "s.csv", "--n-init", "-2"], "Error: --n-init must be at least 1; got -2"),
        (["cluster", "in.csv", "--id", "id", "--out", "s.csv", "--tol", "-0.5"], "Error: --tol must be a finite number >= 0; got -0.5"),
        (["features", "in.csv", "--customer", "id", "--date", "d", "--amount", "x", "--cutoff", "2020-01-01", "--horizon", "-5", "--out", "f.csv"],
         "Error: --horizon must be between 1 and 36500 days; got -5"),
        (["features", "in.csv", "--customer", "id", "--date", "d", "--amount", "x", "--top-categories", "-1", "--out", "f.csv"],
         "Error: --top-categories must be 0 or more; got -1"),
        (["churn", "train", "in.csv", "--id", "id", "--label", "x", "--l2", "-1", "--model", "c.json"], "Error: --l2 must be a finite number >= 0; got -1.0"),
        (["churn", "train", "in.csv", "--id", "id", "--label", "x", "--folds", "-5", "--model", "c.json"],
         "Error: --folds must be 0 (no cross-validation) or at least 2; got -5"),
        (["churn", "score", "in.csv", "--model", "c.json", "--high", "-0.5", "--out", "p.csv"],
         "Error: --medium and --high must be probabilities with medium <= high; got medium 0.25, high -0.5"),
        (["churn", "score", "in.csv", "--model", "c.json", "--medium", "0.7", "--high", "0.5", "--out", "p.csv"],
         "Error: --medium and --high must be probabilities with medium <= high; got medium 0.7, high 0.5"),
        (["segment", "in.csv", "--id", "id", "--seed", "-1", "--out", "s.csv"], "Error: The value '-1' is invalid for '--seed <S>'"),
    ]

    @Test("negative numbers reach the options' own checks", arguments: negativeOptions.indices)
    func negativeOption(index: Int) throws {
        let item = Self.negativeOptions[index]
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("in.csv", "id,x\n1,2\n2,3\n")
        let output = try runner.run(item.arguments)
        #expect(output.status != 0)
        #expect(output.stderr.split(separator: "\n").first.map(String.init) == item.message, "\(output.stderr)")
        #expect(runner.files == ["in.csv"])
    }

    @Test("a k-means model whose centroids are narrower than its features is refused, naming the key")
    func shortCentroids() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("in.csv", "id,a,b\n1,1,5\n2,2,4\n3,9,1\n4,8,2\n5,1,4\n6,9,2\n")
        let fitted = try runner.run(["cluster", "in.csv", "--id", "id", "--k", "2", "--out", "s.csv", "--model", "m.json"])
        #expect(fitted.status == 0, "\(fitted.stderr)")
        guard var model = try JSONSerialization.jsonObject(with: Data(try runner.read("m.json").utf8)) as? [String: Any],
              let centroids = model["centroids"] as? [[Double]] else {
            Issue.record("m.json has no centroids")
            return
        }
        model["centroids"] = centroids.map { Array($0.prefix(1)) }
        try runner.write("short.json", String(decoding: try JSONSerialization.data(withJSONObject: model), as: UTF8.self))
        let applied = try runner.run(["cluster", "in.csv", "--id", "id", "--apply", "short.json", "--out", "a.csv"])
        #expect(applied.status == 1)
        #expect(applied.stderr.trimmingCharacters(in: .newlines)
                == "persona: error: short.json: not a persona.kmeans model: 'centroids' must hold at least one centroid of 2 finite numbers (one per feature)")
        #expect(!runner.files.contains("a.csv"))
    }

    @Test("a number column with one cell that is not a number is read as text, and the summary warns, naming the cell")
    func numericLookingText() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let rows = (1...30).map { "c\($0),\($0 * 7 % 31),\($0 == 6 ? "9e99999934.56" : "\(100 + $0).5")" }
        try runner.write("in.csv", "id,visits,spend\n" + rows.joined(separator: "\n") + "\n")
        let result = try runner.run(["cluster", "in.csv", "--id", "id", "--k", "2", "--out", "s.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning         'spend' is read as text: 29 of its 30 values are numbers, but \"9e99999934.56\" is not; correct or blank such cells to use the column as numbers"), "\(result.stderr)")
    }
}
