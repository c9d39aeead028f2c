import CustomerData
import Foundation
import NumericCore
@testable import Segmentation

/// Model files (`ModelFile.read` through `ClusterModelFile.read`, `ChurnModelFile.read`,
/// `SegmentModel.read`): one input is a JSON file, read as each of the three kinds.
///
/// Properties:
/// - reading fails only with `SegmentationError`, and nothing traps;
/// - a model that reads is written (`json()`) as a file that reads back and writes the same
///   bytes again;
/// - a model that reads can be applied, as `--apply` / `churn score` do, to a small table with
///   the columns it names (`ModelTable`), failing only with the modules' own errors: every
///   cluster label lies in 0..<k, every churn probability in [0, 1], every segment index
///   points at a tier or cluster of the model, and SEGMENTS.csv can be written.
enum ModelFileTarget: FuzzTarget {
    static let name = "model-json"
    static let maxLength = 32_768

    static func check(_ input: [UInt8]) throws(PropertyViolation) {
        try ScratchFile.with(input, suffix: ".json") { path throws(PropertyViolation) in
            if let model = try read(path, ClusterModelFile.read) {
                FuzzStats.accepted(name, "cluster models")
                try roundTrip(input, model, ModelFile.json, ClusterModelFile.read)
                try checkCluster(model, modelPath: path, input: input)
            }
            if let model = try read(path, ChurnModelFile.read) {
                FuzzStats.accepted(name, "churn models")
                try roundTrip(input, model, { try $0.json() }, ChurnModelFile.read)
                try checkChurn(model, input: input)
            }
            if let model = try read(path, SegmentModel.read) {
                FuzzStats.accepted(name, "segment models")
                try roundTrip(input, model, { try $0.json() }, SegmentModel.read)
                try checkSegment(model, input: input)
            }
        }
    }

    static func read<M>(_ path: String, _ reader: (String) throws -> M) throws(PropertyViolation) -> M? {
        do {
            return try reader(path)
        } catch is SegmentationError {
            return nil
        } catch {
            throw unexpected(error, from: "reading a \(M.self)")
        }
    }

    static func roundTrip<M>(_ input: [UInt8], _ model: M, _ json: (M) throws -> [UInt8],
                             _ reader: (String) throws -> M) throws(PropertyViolation) {
        do {
            let first = try json(model)
            let again = try ScratchFile.with(first, suffix: ".json") { path throws(PropertyViolation) in
                do { return try reader(path) } catch { throw PropertyViolation("\(M.self) from \(shown(input)) is written as a file that does not read back: \(error)") }
            }
            let second = try json(again)
            try require(first == second, "\(M.self) from \(shown(input)) is written as \(shown(first)) but read back and written as \(shown(second))")
        } catch let violation as PropertyViolation {
            throw violation
        } catch {
            throw PropertyViolation("\(M.self) from \(shown(input)) cannot be written: \(error)")
        }
    }

    /// Errors applying a model may end in.
    static func isModuleError(_ error: any Error) -> Bool {
        error is CustomerDataError || error is SegmentationError || error is NumericError || error is TagRuleError
    }

    static func checkCluster(_ model: ClusterModelFile, modelPath: String, input: [UInt8]) throws(PropertyViolation) {
        var table = ModelTable(seed: stableHash(input))
        table.addID(model.idColumn)
        table.add(model.pipeline.encoding)
        try ScratchFile.with(table.csv(), suffix: ".csv") { csv throws(PropertyViolation) in
            let result: ClusterAssignment
            do {
                result = try ClusterAssignment.run(input: csv, idColumn: model.idColumn, modelPath: modelPath, read: CSVReadOptions(), threads: 1)
            } catch {
                guard isModuleError(error) else { throw unexpected(error, from: "ClusterAssignment.run") }
                return
            }
            try require(result.labels.count == table.rows && result.labels.allSatisfy { $0 >= 0 && Int($0) < model.k },
                        "cluster model \(shown(input)) gives labels \(result.labels) for k = \(model.k)")
            _ = result.clusterSizes
            FuzzStats.accepted(name, "cluster models applied")
            result.writeSegmentsCSV { _ in }
        }
    }

    static func checkChurn(_ model: ChurnModelFile, input: [UInt8]) throws(PropertyViolation) {
        var table = ModelTable(seed: stableHash(input))
        table.addID(model.idColumn)
        table.add(model.pipeline.encoding)
        let probabilities: [Double]
        do {
            let customers = try table.read(id: model.idColumn)
            probabilities = try ChurnScoring.score(customers, model: model, threads: 1).0
        } catch {
            guard isModuleError(error) else { throw unexpected(error, from: "ChurnScoring.score") }
            return
        }
        try require(probabilities.count == table.rows && probabilities.allSatisfy { $0 >= 0 && $0 <= 1 },
                    "churn model \(shown(input)) gives probabilities \(probabilities)")
        FuzzStats.accepted(name, "churn models applied")
    }

    static func checkSegment(_ model: SegmentModel, input: [UInt8]) throws(PropertyViolation) {
        var table = ModelTable(seed: stableHash(input))
        table.addID(model.idColumn)
        for pipeline in [model.value.pipeline, model.persona.pipeline] + (model.preference.map { [$0.pipeline] } ?? []) {
            table.add(pipeline.encoding)
        }
        let config = model.config
        for column in model.behavior.columns + [config.lifecycle.tenure, config.lifecycle.gap, config.lifecycle.trend].compactMap({ $0 })
            + config.attributes + (config.tags ?? []).flatMap({ (try? TagParser.parse($0.when).columns) ?? [] }) {
            table.addNumbers(column)
        }
        do {
            let customers = try table.read(id: model.idColumn)
            let a = try model.apply(table: customers, threads: 1)
            let rows = customers.rowCount
            try require(a.valueTier.count == rows && a.valueTier.allSatisfy { model.value.tiers.indices.contains($0) }
                        && a.behaviorTier.count == rows && a.behaviorTier.allSatisfy { model.behavior.tiers.indices.contains($0) }
                        && a.personaCluster.count == rows && a.personaCluster.allSatisfy { model.persona.clusters.indices.contains($0) }
                        && (a.preferenceGroup ?? []).allSatisfy { model.preference?.clusters.indices.contains($0) ?? false }
                        && (a.lifecycle?.count ?? rows) == rows && (a.tags?.count ?? rows) == rows,
                        "segment model \(shown(input)) assigns indices outside its tiers and clusters")
            _ = model.segmentsCSV(a, ids: customers.identifiers)
            FuzzStats.accepted(name, "segment models applied")
        } catch let violation as PropertyViolation {
            throw violation
        } catch {
            guard isModuleError(error) else { throw unexpected(error, from: "SegmentModel.apply") }
        }
    }
}

/// A small table holding the columns a model names: numbers, yes/no words or the model's own
/// levels (plus one it has not seen) with some blanks, from a seed. Written with every field
/// quoted, so any column name survives.
struct ModelTable {
    let rows = 6
    private var names: [String] = []
    private var columns: [[String]] = []
    private var random: SeededRandom

    private let negatives: Bool

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
        negatives = random.nextIndex(below: 4) == 0
    }

    mutating func addID(_ name: String) {
        append(name, (0..<rows).map { "c\($0)" })
    }

    mutating func add(_ encoding: FeatureEncoding) {
        for column in encoding.columns {
            switch column.kind {
            case .numeric: addNumbers(column.name)
            case .boolean:
                let words = (column.trueValues ?? ["1"]) + (column.falseValues ?? ["0"])
                append(column.name, (0..<rows).map { _ in pick(words + [""]) })
            case .categorical:
                let levels = (column.levels ?? []) + [column.reference ?? "", "unseen level", ""]
                append(column.name, (0..<rows).map { _ in pick(levels) })
            }
        }
    }

    /// Numbers from 0 to 500 in steps of 0.25, some blank; one table in four also has
    /// negative ones (which log1p columns refuse).
    mutating func addNumbers(_ name: String) {
        append(name, (0..<rows).map { _ in
            random.nextIndex(below: 6) == 0 ? "" : String(Double(random.nextIndex(below: 2001)) / 4 - (negatives ? 100 : 0))
        })
    }

    private mutating func pick(_ values: [String]) -> String { values[random.nextIndex(below: values.count)] }

    /// The first column of a name wins (a name two pipelines share keeps one kind).
    private mutating func append(_ name: String, _ values: [String]) {
        guard !names.contains(name) else { return }
        names.append(name)
        columns.append(values)
    }

    func csv() -> [UInt8] {
        func field(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var lines = [names.map(field).joined(separator: ",")]
        for row in 0..<rows { lines.append(columns.map { field($0[row]) }.joined(separator: ",")) }
        return Array(lines.joined(separator: "\n").utf8)
    }

    func read(id: String) throws -> CustomerTable {
        var options = CSVReadOptions()
        options.idColumn = id
        return try CSVReader.read(bytes: csv(), name: "customers.csv", options: options)
    }
}
