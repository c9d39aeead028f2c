import ArgumentParser
import AtomicOutput
import CustomerData
import Foundation
import NumericCore
import Reporting
import Segmentation

struct ChurnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churn",
        abstract: "Train a churn (or purchase-probability) model and score customers with it.",
        discussion: """
            A logistic regression on the same encoded features persona cluster uses. Train on a \
            labelled export (a CRM's churn flag), or on labels made from an order log with \
            persona features --cutoff D --horizon H (churned, or purchased_in_horizon for \
            purchase probability).

            Example:
              persona churn train customers.csv --id customer_id --label churned --model churn.json
              persona churn score new_customers.csv --model churn.json --out scores.csv
            """,
        subcommands: [ChurnTrainCommand.self, ChurnScoreCommand.self])
}

struct ChurnTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fit a logistic regression, cross-validate it, and save it.",
        discussion: """
            Features are encoded as in persona cluster (numbers as they are, Yes/No-style columns \
            as 0/1, text one-hot as COL=VALUE without its first level, missing numbers filled \
            with the median), scaled (--scale), and fitted by Newton's method with an L2 penalty \
            --l2 on the coefficients (never the intercept). --l2 1 is scikit-learn's default \
            (C = 1); --l2 0 is plain maximum likelihood, as statsmodels' Logit, and stops with a \
            clear error when features separate the classes or are collinear.

            Stratified --folds cross-validation reports AUC (mean and sd over folds), log loss, \
            Brier score and the accuracy at the threshold with the best F1; scaler and model are \
            fitted on the training folds only. Rows with a blank label are left out.
            """)

    @Argument(help: ArgumentHelp("The labelled customer export (CSV, optionally .gz).", valueName: "INPUT.csv"))
    var input: String

    @OptionGroup var fit: ChurnFitOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Cross-validation folds (0 to skip).", valueName: "N"))
    var folds: Int = 5

    @Option(parsing: .unconditional, help: ArgumentHelp("Seed for the fold assignment.", valueName: "S"))
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Spend-like columns for value tiers (high/mid/low, made as persona segment makes them): the summary and report show churn per tier, --cv-predictions gets a value_tier column. They stay features as usual.", valueName: "A,B,..."))
    var value: String?

    @OptionGroup var input_: InputOptions

    @Option(help: ArgumentHelp("Where to write the model (JSON).", valueName: "CHURN.json"))
    var model: String

    @Option(name: .customLong("cv-predictions"), help: ArgumentHelp("Also write each row's fold and out-of-fold probability.", valueName: "FILE.csv"))
    var cvPredictions: String?

    @OptionGroup var reporting: ReportOptions

    func validate() throws {
        guard folds == 0 || folds >= 2 else { throw ValidationError("--folds must be 0 (no cross-validation) or at least 2; got \(folds)") }
        if cvPredictions != nil, folds == 0 { throw ValidationError("--cv-predictions needs cross-validation (--folds 2 or more)") }
        try checkDistinctOutputs([("--model", model), ("--cv-predictions", cvPredictions), ("--report", reporting.report),
                                  ("--notebook", reporting.notebook)], inputs: [("INPUT", input)])
        if folds >= 2 { try reporting.requireForNotebook(cvPredictions, option: "--cv-predictions FILE.csv") }
    }

    func run() throws {
        BLASConfiguration.setThreadCount(1)
        let progress = ProgressLine()
        do {
            var options = fit.options(input: input)
            options.folds = folds
            options.seed = seed
            options.valueColumns = columnList(value) ?? []
            options.threads = input_.threadCount
            options.read = try input_.readOptions(for: input, progress: progress)
            options.read.idColumn = fit.id
            let run = try ChurnTraining.run(options) { progress.update($0) }
            let outputs = OutputSet.forCommand()
            try outputs.stage(try run.model.json(), to: model)
            if let cvPredictions { try outputs.stage(run.cvPredictionsCSV(), to: cvPredictions) }
            if reporting.wanted {
                let files = ReportFiles(input: reporting.relative(input), segments: "", model: reporting.relative(model),
                                        predictions: cvPredictions.map(reporting.relative))
                try reporting.stage(ChurnReport.document(run, files: files, language: reporting.language), into: outputs)
            }
            try outputs.commit()
            progress.finish()
            Terminal.print(ChurnSummary.training(run, outputs: [model, cvPredictions, reporting.report, reporting.notebook].compactMap { $0 }))
        } catch {
            progress.finish()
            throw Terminal.fail(error)
        }
    }
}

/// What fits a churn model, shared by persona churn train and persona step plan-churn.
struct ChurnFitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The customer id column.", valueName: "COL"))
    var id: String

    @Option(help: ArgumentHelp("The label column (Yes/No, 1/0, true/false, 是/否, or any two values with --positive).", valueName: "COL"))
    var label: String

    @Option(help: ArgumentHelp("The label value that means churn (or purchase).", valueName: "VALUE"))
    var positive: String?

    @Option(help: ArgumentHelp("Feature columns, comma-separated (default: every column but the id and the label).", valueName: "A,B,..."))
    var features: String?

    @Option(help: ArgumentHelp("Columns to leave out when --features is not given.", valueName: "A,B,..."))
    var exclude: String?

    @Option(help: ArgumentHelp("Scaling before fitting: zscore (population sd) or none.", valueName: "zscore|none"))
    var scale: String = "zscore"

    @Option(parsing: .unconditional, help: ArgumentHelp("L2 penalty λ on the coefficients (λ = 1/C of scikit-learn); 0 = maximum likelihood.", valueName: "LAMBDA"))
    var l2: Double = 1

    @Flag(help: "Weight classes equally (scikit-learn's class_weight=\"balanced\").")
    var balanced = false

    @Option(name: .customLong("max-categories"), parsing: .unconditional, help: ArgumentHelp("Text columns with more distinct values are left out unless named in --features.", valueName: "N"))
    var maxCategories: Int = 50

    func validate() throws {
        guard ScalingMethod(rawValue: scale) == .zscore || scale == "none" else {
            throw ValidationError("--scale must be zscore or none; got '\(scale)'")
        }
        guard l2 >= 0, l2.isFinite else { throw ValidationError("--l2 must be a finite number >= 0; got \(l2)") }
    }

    func options(input: String) -> ChurnTrainOptions {
        var options = ChurnTrainOptions(input: input, idColumn: id, labelColumn: label)
        options.positive = positive
        options.features = columnList(features)
        options.exclude = columnList(exclude) ?? []
        options.maxCategories = maxCategories
        options.scale = ScalingMethod(rawValue: scale) ?? .zscore
        options.l2 = l2
        options.balanced = balanced
        return options
    }
}

struct ChurnScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score customers with a saved churn model.",
        discussion: """
            Reads only the columns the model needs (plus the id), encodes and scales them as in \
            training, and writes id, the probability (column churn_probability, or --score-name) \
            and risk_tier (high at or above --high, \
            medium at or above --medium, otherwise low). A text value the model has not seen \
            counts as the reference level and is reported.

            The probability is that of the label's positive value: a model trained on \
            purchased_in_horizon gives purchase probabilities, so name the column with \
            --score-name purchase_probability.
            """)

    @Argument(help: ArgumentHelp("The customers to score (CSV, optionally .gz).", valueName: "INPUT.csv"))
    var input: String

    @Option(help: ArgumentHelp("A model from persona churn train.", valueName: "CHURN.json"))
    var model: String

    @Option(help: ArgumentHelp("The id column (default: the one the model was trained with).", valueName: "COL"))
    var id: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Probability at or above which the risk tier is high (default 0.5).", valueName: "P"))
    var high: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Probability at or above which the risk tier is medium (default 0.25).", valueName: "P"))
    var medium: Double?

    @Option(name: .customLong("score-name"), help: ArgumentHelp("The name of the probability column in SCORES.csv (the probability of the model's positive label: churn_probability suits a churn model, purchase_probability a purchase one). Not the id column nor risk_tier.", valueName: "NAME"))
    var scoreName: String = "churn_probability"

    @OptionGroup var input_: InputOptions

    @Option(help: ArgumentHelp("Where to write the scores.", valueName: "SCORES.csv"))
    var out: String

    func validate() throws {
        try checkDistinctOutputs([("--out", out)], inputs: [("INPUT", input), ("--model", model)])
        try checkScoreName(idColumn: id)
        let tiers = self.tiers ?? .standard
        guard (0...1).contains(tiers.medium), (0...1).contains(tiers.high), tiers.medium <= tiers.high else {
            throw ValidationError("--medium and --high must be probabilities with medium <= high; got medium \(tiers.medium), high \(tiers.high)")
        }
    }

    /// `--score-name` must name a column of its own: not blank, not the id, not risk_tier.
    func checkScoreName(idColumn: String?) throws {
        if scoreName.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--score-name must name the probability column; got '\(scoreName)'")
        }
        if scoreName == "risk_tier" {
            throw ValidationError("--score-name 'risk_tier' is the name of the tier column; choose another name")
        }
        if let idColumn, scoreName == idColumn {
            throw ValidationError("--score-name '\(scoreName)' is the id column; choose another name")
        }
    }

    var tiers: RiskTiers? {
        guard high != nil || medium != nil else { return nil }
        return RiskTiers(high: high ?? RiskTiers.standard.high, medium: medium ?? RiskTiers.standard.medium)
    }

    func run() throws {
        BLASConfiguration.setThreadCount(1)
        let progress = ProgressLine()
        do {
            // Without --id the id column is the model's: check the score name against it first.
            if id == nil { try checkScoreName(idColumn: try ChurnModelFile.read(path: model).idColumn) }
            let read = try input_.readOptions(for: input, progress: progress)
            let run = try ChurnScoring.run(input: input, modelPath: model, idColumn: id, tiers: tiers, read: read,
                                           threads: input_.threadCount)
            let outputs = OutputSet.forCommand()
            try outputs.stage(run.scoresCSV(scoreName: scoreName), to: out)
            try outputs.commit()
            progress.finish()
            Terminal.print(ChurnSummary.scoring(run, output: out))
        } catch {
            progress.finish()
            throw Terminal.fail(error)
        }
    }
}
