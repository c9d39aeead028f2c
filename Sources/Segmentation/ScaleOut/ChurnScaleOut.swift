import CustomerData
import Foundation
import NumericCore

/// `persona churn train` without cross-validation on a file split into partitions: the
/// label's two values, then the features (`PipelineFit`, as for clustering), then Newton's
/// method (`NewtonSearch`), every partition returning XᵀWX, the gradient and the
/// log-likelihood at the driver's current coefficients. The single-machine fit's objective,
/// start and steps, so the coefficients are `ChurnTraining`'s to the Newton tolerance.
///
/// As on one machine, the encoding (levels, medians) comes from every row, the scaler from
/// the labelled rows.
public struct ChurnScaleOut: Codable, Sendable {
    public static let formatName = "persona.scale-out.churn"

    /// One partition's label values, in order of appearance, with counts.
    struct LabelCounts: Codable {
        var values: [String]
        var counts: [Int]
        var blanks: Int
    }

    public var format = ChurnScaleOut.formatName
    public var features: PipelineFit
    public var labelColumn: String
    /// The value that means 1, when given.
    public var positiveValue: String?
    public var l2: Double
    public var balanced: Bool
    public var label: ChurnModelFile.Label?
    public var rows: Int?
    public var positives: Int?
    public var blanks: Int?
    public var newton: NewtonSearch?
    public var model: ChurnModelFile?

    enum CodingKeys: String, CodingKey {
        case format, features, l2, balanced, label, rows, positives, blanks, newton, model
        case labelColumn = "label_column"
        case positiveValue = "positive_value"
    }

    /// `features`: what to encode (the label and id among the excluded columns).
    public init(features: PipelineFit.Specification, labelColumn: String, positive: String?, l2: Double, balanced: Bool) {
        var specification = features
        for role in [features.idColumn, labelColumn] where !specification.exclude.contains(role) { specification.exclude.append(role) }
        specification.scalerRowsColumn = labelColumn
        self.features = PipelineFit(specification)
        self.labelColumn = labelColumn
        positiveValue = positive
        self.l2 = l2
        self.balanced = balanced
    }

    private var file: String { features.specification.source }

    /// The map step every partition runs next (`labels`, the feature rounds, `newton`); nil
    /// once the model is made.
    public var next: String? {
        if label == nil { return "labels" }
        if let step = features.next { return step.rawValue }
        if let newton, !newton.done { return "newton" }
        return nil
    }

    private func labelRead() -> CSVReadOptions {
        var read = CSVReadOptions()
        read.allowsNoRows = true  // a partition may hold no rows
        read.idColumn = features.specification.idColumn
        read.delimiter = features.specification.delimiter
        read.columns = [labelColumn]
        read.textColumns = [labelColumn]
        return read
    }

    /// Each row's label as text (-1: blank) and the levels.
    private func labelCodes(_ table: CustomerTable) throws -> TextColumn {
        guard let j = table.index(of: labelColumn) else {
            throw CustomerDataError.unknownColumn(file: table.source, option: "--label", name: labelColumn, available: table.columnNames)
        }
        guard case .text(let column) = table.columns[j] else {
            throw SegmentationError.labelValues(file: table.source, column: labelColumn, values: [], reason: "it is the id column")
        }
        return column
    }

    /// One partition's output for `step` (checked against `next`).
    public func map(step: String, partition path: String, threads: Int = 1) throws -> [UInt8] {
        guard step == next else {
            throw SegmentationError.modelFile(file: file, problem: "the state's next step is '\(next ?? "none: the model is made")', not '\(step)'")
        }
        if label == nil {
            let column = try labelCodes(try CSVReader.read(path: path, options: labelRead()))
            var counts = [Int](repeating: 0, count: column.levels.count)
            var blanks = 0
            for code in column.codes {
                if code < 0 { blanks += 1 } else { counts[Int(code)] += 1 }
            }
            let used = column.levels.indices.filter { counts[$0] > 0 }
            return try StepFile.line(LabelCounts(values: used.map { column.levels[$0] }, counts: used.map { counts[$0] }, blanks: blanks))
        }
        if features.next != nil { return try features.map(partition: path, threads: threads) }
        guard let newton, let pipeline = features.pipeline, let label, let rows, let positives else {
            throw StepFile.noWork(file, "newton")
        }
        var read = features.readOptions()
        if !(read.columns ?? []).contains(labelColumn) { read.columns = (read.columns ?? []) + [labelColumn] }
        if !read.textColumns.contains(labelColumn) { read.textColumns.append(labelColumn) }
        let table = try CSVReader.read(path: path, options: read)
        let column = try labelCodes(table)
        let positiveCode = column.levels.firstIndex(of: label.positive)
        var keep = [Int](), y = [Double]()
        for (i, code) in column.codes.enumerated() where code >= 0 {
            keep.append(i)
            y.append(Int(code) == positiveCode ? 1 : 0)
        }
        var x = try pipeline.transform(table, threads: threads).matrix
        if keep.count < table.rowCount { x = x.selectingRows(keep) }
        var weights: [Double]?
        if balanced {
            let n = Double(rows), ones = Double(positives)
            weights = y.map { $0 == 1 ? n / (2 * ones) : n / (2 * (n - ones)) }
        }
        return try StepFile.line(try NewtonSearch.Statistics(x, labels: y, weights: weights, beta: newton.candidate))
    }

    /// The state after a round, from every partition's output in partition order.
    public func merged(with parts: [Data]) throws -> ChurnScaleOut {
        var state = self
        if label == nil {
            var values = [String](), counts = [Int](), blanks = 0
            for part in parts {
                let one = try StepFile.decode(LabelCounts.self, part, file: file)
                blanks += one.blanks
                for (value, count) in zip(one.values, one.counts) {
                    if let k = values.firstIndex(of: value) { counts[k] += count } else { values.append(value); counts.append(count) }
                }
            }
            let (positive, negative) = try ChurnLabels.resolve(present: values, wanted: positiveValue, file: file, column: labelColumn)
            state.label = ChurnModelFile.Label(column: labelColumn, positive: positive, negative: negative)
            state.rows = counts.reduce(0, +)
            state.positives = values.firstIndex(of: positive).map { counts[$0] } ?? 0
            state.blanks = blanks
            return state
        }
        if features.next != nil {
            state.features = try features.advanced(with: parts)
            if let pipeline = state.features.pipeline, let rows = state.rows, let positives = state.positives {
                let width = pipeline.features.count
                guard width < rows else { throw SegmentationError.tooManyFeatures(file: file, features: width, rows: rows) }
                let (total, positive) = balanced ? (Double(rows), Double(rows) / 2) : (Double(rows), Double(positives))
                do {
                    state.newton = try NewtonSearch(l2: l2, width: width + 1, totalWeight: total, positiveWeight: positive)
                } catch let problem as LogisticRegression.Problem {
                    throw self.problem(problem, names: pipeline.features)
                }
            }
            return state
        }
        guard var newton, let pipeline = features.pipeline else { throw StepFile.noWork(file, "newton") }
        let m = pipeline.features.count + 1
        let statistics = try NewtonSearch.Statistics.sum(parts.map { try StepFile.decode(NewtonSearch.Statistics.self, $0, file: file) }, width: m)
        do {
            try newton.advance(with: statistics)
            state.newton = newton
            if newton.done { state.model = try model(newton.fit(), pipeline: pipeline) }
        } catch let problem as LogisticRegression.Problem {
            throw self.problem(problem, names: pipeline.features)
        }
        return state
    }

    /// `ChurnTraining`'s errors for a failed fit.
    private func problem(_ problem: LogisticRegression.Problem, names: [String]) -> SegmentationError {
        switch problem {
        case .rankDeficient(let dependent):
            return .collinear(file: file, features: dependent.map { names[$0] })
        case .separated(let iterations), .notConverged(let iterations):
            return .separatedByCombination(file: file, iterations: iterations)
        case .oneClass:
            return .labelValues(file: file, column: labelColumn, values: [label?.positive, label?.negative].compactMap { $0 },
                                reason: "a label needs two classes")
        }
    }

    private func model(_ fit: LogisticRegression.Fit, pipeline: FeaturePipeline) throws -> ChurnModelFile {
        guard let label, let rows, let positives else { throw StepFile.noWork(file, "newton") }
        let names = pipeline.features
        func byName(_ values: [Double]) -> [String: Double] {
            Dictionary(zip(names, values), uniquingKeysWith: { first, _ in first })
        }
        var warnings = [String]()
        if !fit.converged { warnings.append("Newton's method stopped after \(fit.iterations) iterations without converging") }
        return ChurnModelFile(
            format: ChurnModelFile.formatName, version: 1, source: file, idColumn: features.specification.idColumn,
            label: label, pipeline: pipeline, intercept: fit.intercept, coefficients: byName(fit.coefficients),
            standardErrors: byName(fit.standardErrors), interceptStandardError: fit.interceptStandardError,
            oddsRatios: byName(fit.coefficients.map { exp($0) }), l2: l2, balanced: balanced, iterations: fit.iterations,
            converged: fit.converged, logLikelihood: fit.logLikelihood, rows: rows, positives: positives, cv: nil,
            riskTiers: .standard, warnings: warnings)
    }
}
