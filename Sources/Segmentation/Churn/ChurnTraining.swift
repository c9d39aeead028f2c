import CustomerData
import Foundation
import NumericCore

/// `persona churn train`: read, encode (the same reader and encoder as `persona cluster`),
/// check for separation and collinearity, cross-validate, fit on all rows.
public enum ChurnTraining {
    /// Value tiers of the training rows (`--value`), made as `persona segment` makes them.
    public struct ValueTiers: Sendable {
        public let columns: [String]
        /// Best first.
        public let names: [String]
        /// Per training row, an index into `names`.
        public let tier: [Int]
    }

    /// Everything the outputs and the summary need.
    public struct Run: Sendable {
        public let model: ChurnModelFile
        public let report: EncodingReport
        public let unlabelled: Int
        /// Per training row: id, label, fold and out-of-fold probability.
        public let ids: [String]
        public let labels: [Double]
        public let folds: [Int]
        public let outOfFold: [Double]
        public let valueTiers: ValueTiers?
        public let timings: [(String, Double)]

        public func cvPredictionsCSV() -> [UInt8] {
            var out = CSVWriter(reserve: ids.count * 32)
            out.row([model.idColumn, model.label.column, "fold", "probability"] + (valueTiers == nil ? [] : ["value_tier"]))
            for i in ids.indices {
                out.field(ids[i])
                out.field(labels[i] == 1 ? model.label.positive : model.label.negative)
                out.field(folds[i])
                out.field(outOfFold[i], significant: 15)
                if let valueTiers { out.field(valueTiers.names[valueTiers.tier[i]]) }
                out.endRow()
            }
            return out.finished()
        }
    }

    /// - Parameter progress: hears each step on the calling thread (reading progress comes
    ///   through `options.read.progress`).
    /// - Throws: `SegmentationError.tooManyFeatures` when the encoded features are at least as
    ///   many as the labelled rows (before any fitting, which would cost O(p³) per step).
    public static func run(_ options: ChurnTrainOptions, progress: (WorkProgress) -> Void = { _ in }) throws -> Run {
        var timings = StageTimer()
        if let features = options.features {
            for role in [options.idColumn, options.labelColumn] where features.contains(role) {
                throw SegmentationError.roleInFeatures(file: (options.input as NSString).lastPathComponent, column: role,
                                                       role: role == options.idColumn ? "id" : "label")
            }
        }
        let inputName = (options.input as NSString).lastPathComponent
        for (k, name) in options.valueColumns.enumerated() {
            if name == options.idColumn || name == options.labelColumn {
                throw SegmentationError.valueColumn(file: inputName, column: name,
                                                    problem: "is the \(name == options.idColumn ? "id" : "label") column; value tiers need spend-like numbers")
            }
            if options.valueColumns[..<k].contains(name) {
                throw SegmentationError.valueColumn(file: inputName, column: name, problem: "is named twice")
            }
        }
        var read = options.read
        if let features = options.features {
            read.columns = features + [options.labelColumn] + options.valueColumns.filter { !features.contains($0) }
        }
        let table = try CSVReader.read(path: options.input, options: read)
        let file = table.source
        timings.lap("read")

        let labels = try ChurnLabels(table: table, column: options.labelColumn, positive: options.positive)
        var specification = FeaturePipeline.Specification(features: options.features, scale: options.scale)
        specification.exclude = options.exclude + [options.idColumn, options.labelColumn]
        specification.maxCategories = options.maxCategories
        // The encoding is fitted on every row; the scaler on each fold's training rows, then on all.
        let (encoding, encoded, encodingReport) = try FeaturePipeline.encode(table, specification, threads: options.threads,
                                                                             progress: progress)
        let names = encoding.featureNames
        let keep = labels.values.indices.filter { !labels.values[$0].isNaN }
        var x = encoded
        if keep.count < table.rowCount { x = x.selectingRows(keep) }
        let y = keep.map { labels.values[$0] }
        let ids = table.identifiers.map { column in keep.map { column[$0] } } ?? keep.map(String.init)
        let positives = Int(y.reduce(0, +))
        guard names.count < y.count else {
            throw SegmentationError.tooManyFeatures(file: file, features: names.count, rows: y.count)
        }
        timings.lap("encode")

        // Value tiers on every row, as `persona segment` fits them with its default tier names.
        var valueTiers: ValueTiers?
        if !options.valueColumns.isEmpty {
            progress(.started("value tiers"))
            let columns = options.valueColumns
            let log1p = try TierDimension.withoutNegatives(table, columns: columns, option: "--value")
            let names = SegmentConfig.Value().tiers
            let (_, tier) = try TierDimension.fit(name: "value", table: table, columns: columns, log1p: log1p, tierNames: names,
                                                  minShare: SegmentConfig().minShare, seed: options.seed, threads: options.threads,
                                                  source: "--value")
            valueTiers = ValueTiers(columns: columns, names: names, tier: keep.map { tier[$0] })
            timings.lap("value tiers")
        }

        // Problems that make the unpenalized fit meaningless, found before fitting.
        var warnings = [String]()
        warnings += try ChurnFeatureChecks.warnings(x, names: names, featuresGiven: options.features != nil, file: file)
        let separating = LogisticRegression.separatingColumns(x, labels: y)
        if !separating.isEmpty {
            let error = SegmentationError.separated(file: file, features: separating.map { names[$0.column] },
                                                    complete: separating.allSatisfy(\.complete))
            if options.l2 == 0 { throw error }
            warnings.append("\(separating.map { "'\(names[$0.column])'" }.joined(separator: ", ")) \(separating.count == 1 ? "separates" : "each separate") the classes on \(separating.count == 1 ? "its" : "their") own; the L2 penalty keeps the coefficients finite, but they mostly reflect the penalty")
        }
        let smallest = min(positives, y.count - positives)
        guard options.folds < 2 || smallest >= options.folds else {
            throw SegmentationError.tooFewPerClass(file: file, folds: options.folds, smallest: smallest)
        }
        let regression = try LogisticRegression(l2: options.l2, threads: options.threads)
        func weights(_ labels: [Double]) -> [Double]? {
            guard options.balanced else { return nil }
            let n = Double(labels.count), ones = labels.reduce(0, +)
            return labels.map { $0 == 1 ? n / (2 * ones) : n / (2 * (n - ones)) }
        }
        /// `fold` (0-based) reports Newton's iterations as detail of the cross-validation step.
        func fitScaled(_ rows: [Int]?, fold: Int?) throws -> (Scaler, LogisticRegression.Fit) {
            var train = rows.map { x.selectingRows($0) } ?? x
            let trainLabels = rows.map { $0.map { y[$0] } } ?? y
            let scaler = try Scaler.fit(train, method: options.scale)
            try scaler.transform(&train)
            do {
                return (scaler, try regression.fit(train, labels: trainLabels, weights: weights(trainLabels)) { p in
                    if let fold {
                        progress(WorkProgress(step: "cross-validation", done: fold, total: options.folds, unit: .fits,
                                              detail: "fold \(fold + 1): Newton iteration \(p.done + 1)"))
                    } else {
                        progress(WorkProgress(step: "fitting on all rows, Newton's method", done: p.done, total: p.total, unit: p.unit))
                    }
                })
            } catch let problem as LogisticRegression.Problem {
                switch problem {
                case .rankDeficient(let dependent):
                    throw SegmentationError.collinear(file: file, features: dependent.map { names[$0] })
                case .separated(let iterations), .notConverged(let iterations):
                    throw SegmentationError.separatedByCombination(file: file, iterations: iterations)
                case .oneClass:
                    throw SegmentationError.labelValues(file: file, column: options.labelColumn,
                                                        values: [labels.positive, labels.negative],
                                                        reason: "a training fold holds one class only")
                }
            }
        }

        // Cross-validation: scaler and model fitted on the training folds only.
        var folds = [Int](repeating: 0, count: y.count)
        var outOfFold = [Double](repeating: .nan, count: y.count)
        var cv: ChurnModelFile.CrossValidation?
        if options.folds >= 2 {
            folds = ClassificationMetrics.stratifiedFolds(labels: y, folds: options.folds, seed: options.seed)
            var aucs = [Double]()
            for fold in 0..<options.folds {
                progress(WorkProgress(step: "cross-validation", done: fold, total: options.folds, unit: .fits))
                let train = folds.indices.filter { folds[$0] != fold }
                let test = folds.indices.filter { folds[$0] == fold }
                let scaler: Scaler, fit: LogisticRegression.Fit
                do {
                    (scaler, fit) = try fitScaled(train, fold: fold)
                } catch let error as SegmentationError {
                    throw SegmentationError.inFold(fold: fold + 1, folds: options.folds, rows: train.count, error)
                }
                var held = x.selectingRows(test)
                try scaler.transform(&held)
                let probabilities = try fit.probabilities(held, threads: options.threads)
                for (k, row) in test.enumerated() { outOfFold[row] = probabilities[k] }
                aucs.append(ClassificationMetrics.auc(probabilities, labels: test.map { y[$0] }) ?? .nan)
            }
            let mean = aucs.reduce(0, +) / Double(aucs.count)
            let sd = (aucs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(aucs.count)).squareRoot()
            cv = .init(folds: options.folds, seed: options.seed, aucMean: mean, aucStd: sd, aucPerFold: aucs,
                       logLoss: ClassificationMetrics.logLoss(outOfFold, labels: y),
                       brier: ClassificationMetrics.brier(outOfFold, labels: y),
                       bestF1: ClassificationMetrics.bestF1(outOfFold, labels: y))
            timings.lap("cross-validation")
        }

        let (scaler, fit) = try fitScaled(nil, fold: nil)
        if !fit.converged {
            warnings.append("Newton's method stopped after \(fit.iterations) iterations without converging")
        }
        timings.lap("fit")
        func byName(_ values: [Double]) -> [String: Double] {
            Dictionary(zip(names, values), uniquingKeysWith: { first, _ in first })  // names are unique (FeatureEncoder)
        }
        let model = ChurnModelFile(
            format: ChurnModelFile.formatName, version: 1, source: file, idColumn: options.idColumn,
            label: .init(column: options.labelColumn, positive: labels.positive, negative: labels.negative),
            pipeline: FeaturePipeline(encoding: encoding, scaler: scaler), intercept: fit.intercept,
            coefficients: byName(fit.coefficients), standardErrors: byName(fit.standardErrors),
            interceptStandardError: fit.interceptStandardError, oddsRatios: byName(fit.coefficients.map { exp($0) }),
            l2: options.l2, balanced: options.balanced, iterations: fit.iterations, converged: fit.converged,
            logLikelihood: fit.logLikelihood, rows: y.count, positives: positives, cv: cv,
            riskTiers: .standard, warnings: warnings)
        return Run(model: model, report: encodingReport, unlabelled: labels.blanks, ids: ids, labels: y,
                   folds: folds, outOfFold: outOfFold, valueTiers: valueTiers, timings: timings.stages)
    }
}
