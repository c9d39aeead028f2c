import CustomerData
import Foundation
import NumericCore

/// `persona segment`: read the table once (derived columns added), then fit a model or apply
/// a saved one. The run keeps what the summary and the report need.
public struct SegmentRun: Sendable {
    public let model: SegmentModel
    public let assignments: SegmentAssignments
    /// The input (derived columns included), for the report and for scoring with a churn model.
    public let table: CustomerTable
    /// True when the model was read from a file (`--apply`) rather than fitted.
    public let applied: Bool
    /// Tables joined onto the input by id, before derived columns.
    public var joins: [TableJoin] = []

    public var source: String { table.source }
    public var idColumn: String { model.idColumn }
    public var ids: IdentifierColumn? { table.identifiers }
    public var config: SegmentConfig { model.config }
    public var value: TierDimension { model.value }
    public var behavior: BehaviorTiers { model.behavior }
    public var preference: NamedClusters? { model.preference }
    public var persona: NamedClusters { model.persona }
    public var valueTier: [Int] { assignments.valueTier }
    public var behaviorTier: [Int] { assignments.behaviorTier }
    public var preferenceGroup: [Int]? { assignments.preferenceGroup }
    public var personaCluster: [Int] { assignments.personaCluster }
    public var lifecycle: [String]? { assignments.lifecycle }
    public var tags: [[String]]? { assignments.tags }

    /// Reads INPUT and fits a model with `config`.
    public static func fit(input: String, idColumn: String, config: SegmentConfig, read: CSVReadOptions, threads: Int,
                           joining: [CustomerTable] = []) throws -> SegmentRun {
        let (table, joins) = try readTable(input, idColumn: idColumn, derived: config.derived, read: read, joining: joining)
        let (model, assignments) = try SegmentModel.fit(table: table, idColumn: idColumn, config: config, threads: threads)
        var run = SegmentRun(model: model, assignments: assignments, table: table, applied: false)
        run.joins = joins
        return run
    }

    /// Reads INPUT and places its customers with a saved model (no refitting).
    public static func apply(input: String, idColumn: String, model: SegmentModel, read: CSVReadOptions, threads: Int,
                             joining: [CustomerTable] = []) throws -> SegmentRun {
        let (table, joins) = try readTable(input, idColumn: idColumn, derived: model.config.derived, read: read, joining: joining)
        var run = SegmentRun(model: model, assignments: try model.apply(table: table, threads: threads), table: table, applied: true)
        run.joins = joins
        return run
    }

    /// INPUT with the `joining` tables' columns (by id), then the derived columns.
    private static func readTable(_ input: String, idColumn: String, derived: [SegmentConfig.Derived], read: CSVReadOptions,
                                  joining: [CustomerTable]) throws -> (CustomerTable, [TableJoin]) {
        var options = read
        options.idColumn = idColumn
        var table = try CSVReader.read(path: input, options: options)
        var joins = [TableJoin]()
        for other in joining {
            let (joined, join) = try table.joining(other)
            (table, joins) = (joined, joins + [join])
        }
        guard !derived.isEmpty else { return (table, joins) }
        return (try DerivedColumns.append(derived.map { DerivedColumn(name: $0.name, expression: $0.expression) }, to: table,
                                          file: "the segment config (derived)"), joins)
    }

    /// SEGMENTS.csv of this run.
    public func segmentsCSV(hashing: KeyedHash? = nil, churn: (name: String, values: [Double])? = nil) -> [UInt8] {
        model.segmentsCSV(assignments, ids: ids, hashing: hashing, churn: churn)
    }

    /// Each customer's spend: the first value column, missing as 0.
    public var revenue: [Double] {
        guard let name = value.columns.first, let j = table.index(of: name),
              case .numeric(let column) = table.columns[j] else { return [Double](repeating: 0, count: valueTier.count) }
        return column.values.map { $0.isNaN ? 0 : $0 }
    }

    /// Per persona and over everyone, the mean of each persona column in original units —
    /// the same means the model file and the summary show (`NamedClusters.Cluster.centroid`):
    /// `(byPersona[c][j], overall[j])`. With `--apply`, this run's customers.
    public func personaMeans() throws -> (byPersona: [[Double]], overall: [Double]) {
        let k = persona.clusters.count
        let byPersona: [[Double]]
        if applied {
            let scaled = try persona.scaled(table)
            byPersona = persona.pipeline.clusterMeans(scaled, labels: personaCluster, k: k)
        } else {
            byPersona = persona.clusters.map { cluster in persona.pipeline.features.map { cluster.centroid[$0] ?? .nan } }
        }
        let sizes = SegmentAssignments.counts(personaCluster, k: k)
        let total = Double(max(1, sizes.reduce(0, +)))
        let overall = persona.pipeline.features.indices.map { j in
            (0..<k).reduce(0.0) { $0 + (sizes[$1] > 0 ? byPersona[$1][j] * Double(sizes[$1]) : 0) } / total
        }
        return (byPersona, overall)
    }

    /// A 2-D picture of the customers on the persona columns, coloured by persona.
    public func personaProjection() throws -> Projection? {
        do {
            let scaled = try persona.scaled(table)
            return try Projection.make(rows: table.rowCount, labels: personaCluster, seed: config.seed) { scaled.selectingRows($0) }
        } catch let error as NumericError {
            throw SegmentationError.numeric(file: table.source, error)
        }
    }
}
