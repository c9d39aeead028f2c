import Foundation
import Testing

let churnFixtures = repositoryRoot.appendingPathComponent("Tests/PersonaCLITests/Fixtures/churn")

/// The reference values made by Fixtures/churn/make_churn_reference.py (statsmodels, scikit-learn).
struct ChurnReference: Decodable {
    struct Fit: Decodable {
        let intercept: Double
        let coefficients: [String: Double]
        let standard_errors: [String: Double]?
        let intercept_standard_error: Double?
        let first_rows_probability: [String: Double]?
    }
    let mle: Fit
    let l2: Fit
    let l2_zscore: Fit
    let mle_zscore: Fit

    static func load() throws -> ChurnReference {
        try JSONDecoder().decode(ChurnReference.self, from: Data(contentsOf: churnFixtures.appendingPathComponent("synthetic_churn_reference.json")))
    }
}

/// The parts of CHURN.json the tests read.
struct ChurnModel: Decodable {
    struct CV: Decodable {
        let auc_mean: Double
        let auc_per_fold: [Double]
    }
    let format: String
    let intercept: Double
    let coefficients: [String: Double]
    let standard_errors: [String: Double]
    let intercept_standard_error: Double
    let odds_ratios: [String: Double]
    let cv: CV?
    let warnings: [String]

    init(path: String) throws {
        self = try JSONDecoder().decode(ChurnModel.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

func expectClose(_ ours: ChurnModel, _ theirs: ChurnReference.Fit, coefficients: Double, errors: Double? = nil) {
    #expect(abs(ours.intercept - theirs.intercept) <= coefficients * abs(theirs.intercept))
    #expect(Set(ours.coefficients.keys) == Set(theirs.coefficients.keys))
    for (name, value) in theirs.coefficients {
        let mine = ours.coefficients[name] ?? .nan
        #expect(abs(mine - value) <= coefficients * abs(value), "\(name): \(mine) vs \(value)")
        #expect(abs((ours.odds_ratios[name] ?? .nan) - exp(value)) <= coefficients * exp(value) * 2)
    }
    if let errors, let standardErrors = theirs.standard_errors {
        for (name, value) in standardErrors {
            let mine = ours.standard_errors[name] ?? .nan
            #expect(abs(mine - value) <= errors * value, "\(name): SE \(mine) vs \(value)")
        }
        #expect(abs(ours.intercept_standard_error - (theirs.intercept_standard_error ?? .nan)) <= errors * (theirs.intercept_standard_error ?? 1))
    }
}

@Suite("persona churn")
struct ChurnCommandTests {
    let data = churnFixtures.appendingPathComponent("synthetic_churn.csv").path

    func train(_ runner: PersonaRunner, _ extra: [String]) throws -> PersonaRunner.Output {
        try runner.run(["churn", "train", data, "--id", "customer_id", "--label", "churned", "--model", "m.json"] + extra)
    }

    @Test("--l2 0 --scale none is statsmodels' Logit: coefficients to 1e-6, standard errors to 1e-4")
    func statsmodelsParity() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let result = try train(runner, ["--l2", "0", "--scale", "none"])
        #expect(result.status == 0, "\(result.stderr)")
        expectClose(try ChurnModel(path: runner.path("m.json")), try ChurnReference.load().mle, coefficients: 1e-6, errors: 1e-4)
        // The summary: class balance, and the strongest coefficient first.
        #expect(result.stderr.contains("'churned' = Yes: 264 (22.0%) · No: 936"))
        #expect(result.stderr.contains("plan=Premium  -1.6483      0.1924      0.3269"))
    }

    @Test("zscore scaling: statsmodels on the standardized design")
    func statsmodelsScaled() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        #expect(try train(runner, ["--l2", "0"]).status == 0)
        expectClose(try ChurnModel(path: runner.path("m.json")), try ChurnReference.load().mle_zscore, coefficients: 1e-6, errors: 1e-4)
    }

    @Test("--l2 λ is scikit-learn's LogisticRegression(C = 1/λ), unscaled and standardized",
          arguments: [(["--scale", "none"], "l2"), ([], "l2_zscore")])
    func sklearnParity(extra: [String], name: String) throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        #expect(try train(runner, ["--l2", "1"] + extra).status == 0)
        let reference = try ChurnReference.load()
        expectClose(try ChurnModel(path: runner.path("m.json")), name == "l2" ? reference.l2 : reference.l2_zscore, coefficients: 1e-5)
    }

    @Test("scoring applies the saved encoding and scaler; extra columns and the label are ignored")
    func score() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        #expect(try train(runner, ["--l2", "0", "--scale", "none", "--folds", "0"]).status == 0)
        let result = try runner.run(["churn", "score", data, "--model", "m.json", "--out", "s.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let scores = try CSVText(path: runner.path("s.csv"))
        #expect(scores.header == ["customer_id", "churn_probability", "risk_tier"])
        #expect(scores.rows.count == 1_200)
        let probabilities = Dictionary(uniqueKeysWithValues: zip(scores.column("customer_id"), scores.numbers("churn_probability")))
        for (id, expected) in try #require(try ChurnReference.load().mle.first_rows_probability) {
            #expect(abs((probabilities[id] ?? .nan) - expected) <= 1e-9 * expected, "\(id)")
        }
        for (p, tier) in zip(scores.numbers("churn_probability"), scores.column("risk_tier")) {
            #expect(tier == (p >= 0.5 ? "high" : p >= 0.25 ? "medium" : "low"))
        }
    }

    @Test("scoring new customers: an unseen level is counted, a missing column is an error, nothing half-written")
    func scoreNewData() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        #expect(try train(runner, ["--folds", "0"]).status == 0)
        try runner.write("new.csv", """
            customer_id,plan,has_app,城市,monthly_fee,support_calls,tenure_months,notes
            N1,Gold,Yes,广州,30,1,12,anything
            N2,Basic,No,北京,80,6,2,
            """)
        let scored = try runner.run(["churn", "score", "new.csv", "--model", "m.json", "--out", "s.csv", "--high", "0.6", "--medium", "0.3"])
        #expect(scored.status == 0, "\(scored.stderr)")
        #expect(scored.stderr.contains("'plan': 1 values not seen in training → reference level"))
        #expect(scored.stderr.contains("'城市': 1 values not seen in training → reference level"))
        let scores = try CSVText(path: runner.path("s.csv"))
        for (p, tier) in zip(scores.numbers("churn_probability"), scores.column("risk_tier")) {
            #expect(tier == (p >= 0.6 ? "high" : p >= 0.3 ? "medium" : "low"))
        }

        try runner.write("short.csv", "customer_id,plan\nN1,Basic\n")
        let missing = try runner.run(["churn", "score", "short.csv", "--model", "m.json", "--out", "t.csv"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("persona: error: short.csv: the model m.json (trained on synthetic_churn.csv) names column 'tenure_months', which is not in the header"))
        #expect(!runner.files.contains("t.csv"))
    }

    @Test("--score-name names the probability column; the probabilities are the default run's")
    func scoreName() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        #expect(try train(runner, ["--folds", "0"]).status == 0)
        let named = try runner.run(["churn", "score", data, "--model", "m.json", "--score-name", "purchase_probability", "--out", "p.csv"])
        #expect(named.status == 0, "\(named.stderr)")
        let plain = try runner.run(["churn", "score", data, "--model", "m.json", "--out", "c.csv"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let purchase = try runner.read("p.csv"), churn = try runner.read("c.csv")
        #expect(purchase.prefix { $0 != "\n" } == "customer_id,purchase_probability,risk_tier")
        #expect(churn.prefix { $0 != "\n" } == "customer_id,churn_probability,risk_tier")
        #expect(purchase.drop { $0 != "\n" } == churn.drop { $0 != "\n" })
        // A name with a comma is quoted like any other field.
        #expect(try runner.run(["churn", "score", data, "--model", "m.json", "--score-name", "p(buy, 90d)", "--out", "q.csv"]).status == 0)
        #expect(try CSVText(path: runner.path("q.csv")).header == ["customer_id", "p(buy, 90d)", "risk_tier"])
    }

    @Test("--score-name must be a column of its own; nothing is written", arguments: [
        (["--score-name", ""], "--score-name must name the probability column; got ''"),
        (["--score-name", "  "], "--score-name must name the probability column; got '  '"),
        (["--score-name", "risk_tier"], "--score-name 'risk_tier' is the name of the tier column; choose another name"),
        (["--score-name", "cid", "--id", "cid"], "--score-name 'cid' is the id column; choose another name"),
        (["--score-name", "customer_id"], "persona: error: --score-name 'customer_id' is the id column; choose another name"),
    ])
    func badScoreName(extra: [String], message: String) throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        #expect(try train(runner, ["--folds", "0"]).status == 0)
        let result = try runner.run(["churn", "score", data, "--model", "m.json", "--out", "s.csv"] + extra)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message + "\n"), "\(result.stderr)")
        #expect(runner.files == ["m.json"])
    }

    @Test("a feature that separates the classes: a warning with a penalty, an error without")
    func separation() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = churnFixtures.appendingPathComponent("separation.csv").path
        let common = ["churn", "train", input, "--id", "id", "--label", "left", "--model", "m.json"]
        let penalized = try runner.run(common)
        #expect(penalized.status == 0, "\(penalized.stderr)")
        #expect(penalized.stderr.contains("warning: 'score' separates the classes on its own"))
        #expect(try ChurnModel(path: runner.path("m.json")).warnings.count == 1)

        try FileManager.default.removeItem(atPath: runner.path("m.json"))
        let plain = try runner.run(common + ["--l2", "0"])
        #expect(plain.status == 1)
        #expect(plain.stderr.trimmingCharacters(in: .newlines) == "persona: error: separation.csv: 'score' separates the classes perfectly, so the unpenalized fit has no finite maximum: leave it out with --exclude, or use --l2 with a positive value")
        #expect(!runner.files.contains("m.json"))
    }

    @Test("constant and identical encoded columns are named in the warnings; constant ones get coefficient 0")
    func uninformativeFeatures() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        // On the eight labelled rows: c is always 5, e always 1 and plan always Basic (plan=Gold
        // always 0); d and f repeat a, which leans towards churn (so its coefficient is well away
        // from 0 and the split can be compared relatively). Row 9 has no label, so its 7 and
        // Gold do not count.
        try runner.write("u.csv", """
            id,churned,a,c,d,e,f,plan
            1,Yes,3,5,3,1,3,Basic
            2,No,1,5,1,1,1,Basic
            3,Yes,2,5,2,1,2,Basic
            4,No,4,5,4,1,4,Basic
            5,No,1,5,1,1,1,Basic
            6,Yes,3,5,3,1,3,Basic
            7,Yes,4,5,4,1,4,Basic
            8,No,2,5,2,1,2,Basic
            9,,9,5,9,7,9,Gold

            """)
        let common = ["churn", "train", "u.csv", "--id", "id", "--label", "churned", "--folds", "2"]
        let all = try runner.run(common + ["--model", "all.json"])
        #expect(all.status == 0, "\(all.stderr)")
        let expected = [
            "'c' (always 5), 'e' (always 1), 'plan=Gold' (always 0) are constant on the training rows: they carry no information and their coefficients are 0; leave them out with --exclude",
            "'a', 'd' and 'f' are identical on every training row: together they carry the information of one column, and the penalty splits its effect between their coefficients",
        ]
        let model = try ChurnModel(path: runner.path("all.json"))
        #expect(model.warnings == expected)
        for warning in expected { #expect(all.stderr.contains("  warning: " + warning + "\n"), "\(all.stderr)") }
        #expect(model.coefficients["c"] == 0 && model.coefficients["e"] == 0 && model.coefficients["plan=Gold"] == 0)
        let a = try #require(model.coefficients["a"])
        #expect(a != 0 && abs((model.coefficients["d"] ?? .nan) - a) <= 1e-9 * abs(a) && abs((model.coefficients["f"] ?? .nan) - a) <= 1e-9 * abs(a))

        let chosen = try runner.run(common + ["--features", "a,c,d", "--model", "chosen.json"])
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(try ChurnModel(path: runner.path("chosen.json")).warnings == [
            "'c' (always 5) is constant on the training rows: it carries no information and its coefficient is 0; leave it out of --features",
            "'a' and 'd' are identical on every training row: together they carry the information of one column, and the penalty splits its effect between their coefficients",
        ])
        let varied = try runner.run(common + ["--features", "a", "--model", "varied.json"])
        #expect(varied.status == 0, "\(varied.stderr)")
        #expect(try ChurnModel(path: runner.path("varied.json")).warnings.isEmpty)
    }

    @Test("labels: any two values with --positive; otherwise a clear error", arguments: [
        ("a,b\n1,x\n2,y\n3,x\n", [], "persona: error: l.csv: label column 'b' holds \"x\", \"y\": say which one means churn with --positive VALUE"),
        ("a,b\n1,x\n2,y\n3,z\n", ["--positive", "x"], "persona: error: l.csv: label column 'b' holds \"x\", \"y\", \"z\": a label needs exactly two values"),
        ("a,b\n1,x\n2,y\n3,x\n", ["--positive", "q"], "persona: error: l.csv: label column 'b' holds \"x\", \"y\": --positive q is not one of them"),
    ])
    func labels(content: String, extra: [String], message: String) throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = try runner.write("l.csv", content)
        let result = try runner.run(["churn", "train", input, "--id", "a", "--label", "b", "--model", "m.json", "--folds", "0"] + extra)
        #expect(result.status == 1)
        #expect(result.stderr.trimmingCharacters(in: .newlines) == message)
        #expect(runner.files == ["l.csv"])
    }

    @Test("options that would mislead the model are refused", arguments: [
        (["--features", "tenure_months,tenure_months"], "persona: error: synthetic_churn.csv: feature 'tenure_months' would appear twice: --features names it twice"),
        (["--features", "tenure_months,churned"], "persona: error: synthetic_churn.csv: --features names 'churned', the label column; a model must not learn from its own label"),
        (["--exclude", "churn"], "persona: error: synthetic_churn.csv: --exclude names column 'churn', which is not in the header; columns are: 'customer_id', 'tenure_months', 'monthly_fee', 'support_calls', 'has_app', 'plan', '城市', 'churned'"),
        (["--value", "monthly_fee,monthly_fee"], "persona: error: synthetic_churn.csv: --value: 'monthly_fee' is named twice"),
        (["--value", "churned"], "persona: error: synthetic_churn.csv: --value: 'churned' is the label column; value tiers need spend-like numbers"),
        (["--value", "plan"], "persona: error: synthetic_churn.csv: column 'plan' (6) holds text; value tiers need numbers"),
        (["--value", "fee"], "persona: error: synthetic_churn.csv: --value names column 'fee', which is not in the header; columns are: 'customer_id', 'tenure_months', 'monthly_fee', 'support_calls', 'has_app', 'plan', '城市', 'churned'"),
    ])
    func misleadingOptions(extra: [String], message: String) throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let result = try train(runner, extra)
        #expect(result.status == 1)
        #expect(result.stderr.trimmingCharacters(in: .newlines) == message)
        #expect(runner.files.isEmpty)
    }

    @Test("--value: the tiers are persona segment's value tiers; the summary's rates are the labels' rates per tier")
    func valueTiers() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = repositoryRoot.appendingPathComponent("datasets/sample_customers.csv").path
        let trained = try runner.run(["churn", "train", input, "--id", "customer_id", "--label", "churned", "--value", "total_spend,frequency,avg_basket",
                                      "--model", "m.json", "--cv-predictions", "cv.csv"])
        #expect(trained.status == 0, "\(trained.stderr)")
        try runner.write("config.yaml", "value: [total_spend, frequency, avg_basket]\n")
        let segmented = try runner.run(["segment", input, "--id", "customer_id", "--config", "config.yaml", "--out", "segments.csv"])
        #expect(segmented.status == 0, "\(segmented.stderr)")
        let predictions = try CSVText(path: runner.path("cv.csv")), segments = try CSVText(path: runner.path("segments.csv"))
        #expect(predictions.header.last == "value_tier")
        let tierByID = Dictionary(uniqueKeysWithValues: zip(segments.column("customer_id"), segments.column("value_tier")))
        let tiers = predictions.column("value_tier")
        #expect(tiers.count == 2_000 && Set(tiers) == ["high", "mid", "low"])
        #expect(zip(predictions.column("customer_id"), tiers).allSatisfy { tierByID[$0.0] == $0.1 })
        // "high 585 (10.8%)": each tier's size and churn rate, counted here from the file.
        let churned = predictions.column("churned")
        let parts = ["high", "mid", "low"].map { tier in
            let rows = tiers.indices.filter { tiers[$0] == tier }
            let rate = 100 * Double(rows.filter { churned[$0] == "Yes" }.count) / Double(rows.count)
            return "\(tier) \(rows.count.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))) (\(String(format: "%.1f%%", rate)))"
        }
        #expect(trained.stderr.contains("      " + parts.joined(separator: " · ") + "\n"), "\(trained.stderr)")
    }

    @Test("a damaged model file is refused with the reason, not a crash")
    func damagedModel() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        #expect(try train(runner, ["--folds", "0"]).status == 0)
        let text = try runner.read("m.json")
        try runner.write("no-scale.json", text.replacingOccurrences(of: "\"scale\" : [", with: "\"scale\" : [0, "))
        try runner.write("no-intercept.json", text.replacingOccurrences(of: "\"intercept\" :", with: "\"icept\" :"))
        for (model, message) in [
            ("no-scale.json", "persona: error: no-scale.json: not a persona.logistic model: 'scaler' has 9 centres and 10 scales for 9 features"),
            ("no-intercept.json", "persona: error: no-intercept.json: not a persona.logistic model: 'intercept' is missing"),
        ] {
            let result = try runner.run(["churn", "score", data, "--model", model, "--out", "s.csv"])
            #expect(result.status == 1)
            #expect(result.stderr.trimmingCharacters(in: .newlines) == message)
        }
        #expect(!runner.files.contains("s.csv"))
    }

    @Test("Telco churn: 5-fold AUC ≥ 0.84 with default settings",
          .enabled(if: sharedDatasets != nil, "../shared/datasets is absent: skipping the Telco check"))
    func telco() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = try #require(sharedDatasets).appendingPathComponent("telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv").path
        let result = try runner.run(["churn", "train", input, "--id", "customerID", "--label", "Churn", "--model", "m.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try #require(try ChurnModel(path: runner.path("m.json")).cv).auc_mean >= 0.84)
        #expect(result.stderr.contains("'TotalCharges': 11 missing → median 1397.4750"))
    }

    /// Fixtures/churn/bank_same_split.json holds scikit-learn's AUC on Persona's own folds
    /// (made by make_same_split_reference.py); its checksum says which folds those were.
    @Test("bank churn: within 0.01 of scikit-learn under the same split",
          .enabled(if: sharedDatasets != nil, "../shared/datasets is absent: skipping the bank churn check"))
    func bank() throws {
        struct Reference: Decodable {
            let folds_checksum: Int
            let auc_mean: Double
            let auc_per_fold: [Double]
        }
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: churnFixtures.appendingPathComponent("bank_same_split.json")))
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = try #require(sharedDatasets).appendingPathComponent("bank_churn/Churn_Modelling.csv").path
        let result = try runner.run(["churn", "train", input, "--id", "CustomerId", "--label", "Exited", "--exclude", "RowNumber,Surname",
                                     "--model", "m.json", "--cv-predictions", "cv.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let folds = try CSVText(path: runner.path("cv.csv")).numbers("fold")
        let checksum = folds.enumerated().reduce(0) { ($0 + ($1.offset + 1) * Int($1.element)) % 1_000_000_007 }
        #expect(checksum == reference.folds_checksum, "the fold assignment changed: rerun make_same_split_reference.py")
        let cv = try #require(try ChurnModel(path: runner.path("m.json")).cv)
        #expect(abs(cv.auc_mean - reference.auc_mean) <= 0.01)
        for (ours, theirs) in zip(cv.auc_per_fold, reference.auc_per_fold) { #expect(abs(ours - theirs) <= 0.01) }
    }
}
