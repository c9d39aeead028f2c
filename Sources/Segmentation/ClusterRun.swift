import CustomerData
import Foundation
import NumericCore

/// The outcome of `ClusterJob.run`: everything the outputs and the summary need.
public struct ClusterRun: Sendable {
    public let source: String
    public let idColumn: String
    public let ids: IdentifierColumn?
    public let rowsRead: Int
    public let encoding: FeatureEncoding
    public let report: EncodingReport
    public let scaler: Scaler
    /// Clusters numbered by decreasing size.
    public let result: KMeansResult
    public let centroidsOriginal: Matrix
    public let metrics: ClusterMetrics
    /// Every k tried by `--k auto` (empty for a fixed k).
    public let selection: [KSelectionRow]
    public let seed: UInt64
    /// Each centroid as z-scores of the scaled feature columns (k × features); with
    /// `ClusterOptions.forReport` only.
    public let centroidZScores: Matrix?
    /// A 2-D principal-component picture of a seeded sample (with `forReport`; nil below 3
    /// rows or 2 features).
    public let projection: Projection?
    public let timings: [(String, Double)]

    public var features: [String] { encoding.featureNames }

    /// SEGMENTS.csv: the id column, `cluster`, `distance` (to its centroid, scaled space, 12
    /// significant digits), in input order.
    public func segmentsCSV() -> [UInt8] {
        var out = CSVWriter(reserve: rowsRead * 24)
        out.row([idColumn, "cluster", "distance"])
        for i in 0..<rowsRead {
            if let ids { ids.withBytes(i) { out.field(bytes: $0) } } else { out.field(i) }
            out.field(Int(result.labels[i]))
            out.field(result.squaredDistances[i].squareRoot(), significant: 12)
            out.endRow()
        }
        return out.bytes
    }

    /// MODEL.json, in the `persona.kmeans` format of DESIGN.md.
    public func modelJSON() throws -> [UInt8] {
        let model = ClusterModelFile(
            format: "persona.kmeans", version: 1, source: source, idColumn: idColumn, k: result.model.k,
            features: features, encoding: encoding, scaler: scaler,
            centroids: centroidsOriginal.rowArrays, centroidsScaled: result.model.centroids.rowArrays,
            clusterSizes: result.clusterSizes, inertia: result.model.inertia, iterations: result.model.iterations,
            converged: result.model.converged, restartInertias: result.model.restartInertias, seed: seed,
            metrics: metrics, kSelection: selection.isEmpty ? nil : selection)
        return Array(try ClusterModelFile.encoder.encode(model)) + [0x0A]
    }
}

/// The JSON layout of MODEL.json.
public struct ClusterModelFile: Codable, Sendable {
    public let format: String
    public let version: Int
    public let source: String
    public let idColumn: String
    public let k: Int
    public let features: [String]
    public let encoding: FeatureEncoding
    public let scaler: Scaler
    /// Centroids in original units (one-hot features: the share of the cluster with that level).
    public let centroids: [[Double]]
    public let centroidsScaled: [[Double]]
    public let clusterSizes: [Int]
    public let inertia: Double
    public let iterations: Int
    public let converged: Bool
    public let restartInertias: [Double]
    public let seed: UInt64
    public let metrics: ClusterMetrics
    public let kSelection: [KSelectionRow]?

    enum CodingKeys: String, CodingKey {
        case format, version, source, k, features, encoding, scaler, centroids, inertia, iterations, converged, seed, metrics
        case idColumn = "id_column"
        case centroidsScaled = "centroids_scaled"
        case clusterSizes = "cluster_sizes"
        case restartInertias = "restart_inertias"
        case kSelection = "k_selection"
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
