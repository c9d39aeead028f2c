import CustomerData
import Foundation
import NumericCore

/// `persona churn score`: applies a saved model to a new export. Only the columns the model
/// needs (and the id) are read, so extra columns — the label included — are ignored.
public enum ChurnScoring {
    public struct Run: Sendable {
        public let model: ChurnModelFile
        public let source: String
        public let idColumn: String
        public let ids: IdentifierColumn?
        public let probabilities: [Double]
        public let tiers: RiskTiers
        public let report: EncodingReport
        public let timings: [(String, Double)]

        public var tierCounts: [String: Int] {
            var counts = ["high": 0, "medium": 0, "low": 0]
            for p in probabilities { counts[tiers.tier(p), default: 0] += 1 }
            return counts
        }

        /// SCORES.csv: id, the probability (12 significant digits) in a column named
        /// `scoreName` (`--score-name`), risk_tier, in input order.
        public func scoresCSV(scoreName: String = "churn_probability") -> [UInt8] {
            var out = CSVWriter(reserve: probabilities.count * 32)
            out.row([idColumn, scoreName, "risk_tier"])
            ids.withBytesView { id in
                for (i, p) in probabilities.enumerated() {
                    out.idField(id, row: i)
                    out.field(p, significant: 12)
                    out.field(tiers.tier(p))
                    out.endRow()
                }
            }
            return out.finished()
        }
    }

    /// The model's probability for every row of `table` (a table read for another purpose
    /// will do, as long as it has the model's columns): the scaler folded into the
    /// coefficients, so one pass over the columns and no matrix.
    public static func score(_ table: CustomerTable, model: ChurnModelFile, threads: Int) throws -> ([Double], EncodingReport) {
        let fit = model.fit
        let (weights, intercept) = try model.scaler.foldedIntoLinear(coefficients: fit.coefficients, intercept: fit.intercept)
        let (eta, report) = try model.encoding.linearPredictor(table, weights: weights, intercept: intercept, threads: threads)
        try report.requireValues(in: table)
        return (eta.map(LogisticRegression.sigmoid), report)
    }

    /// - Parameter idColumn: overrides the id column named in the model.
    public static func run(input: String, modelPath: String, idColumn: String?, tiers: RiskTiers?,
                           read: CSVReadOptions, threads: Int) throws -> Run {
        var timings = StageTimer()
        let model = try ChurnModelFile.read(path: modelPath)
        let modelName = (modelPath as NSString).lastPathComponent
        var options = read
        let id = idColumn ?? model.idColumn
        options.idColumn = id
        options.columns = model.encoding.columns.map(\.name)
        options.columnsSource = "the model \(modelName) (trained on \(model.source))"
        let table = try CSVReader.read(path: input, options: options)
        timings.lap("read")
        let (probabilities, report) = try score(table, model: model, threads: threads)
        timings.lap("score")
        return Run(model: model, source: table.source, idColumn: id, ids: table.identifiers, probabilities: probabilities,
                   tiers: tiers ?? model.riskTiers, report: report, timings: timings.stages)
    }
}
