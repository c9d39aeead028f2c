import CustomerData
import Foundation
import NumericCore

/// The outcome of `ClusterJob.run`: everything the outputs and the summary need.
public struct ClusterRun: Sendable {
    public let source: String
    public let idColumn: String
    public let ids: IdentifierColumn?
    public let rowsRead: Int
    public let pipeline: FeaturePipeline
    public let report: EncodingReport
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
    /// How the scaled matrix was kept: "double", or "float" (`ClusterOptions.float32`).
    public var matrixStorage = "double"

    public var features: [String] { pipeline.features }
    public var encoding: FeatureEncoding { pipeline.encoding }
    public var scaler: Scaler { pipeline.scaler }

    /// SEGMENTS.csv (the id column, `cluster`, `distance` to its centroid in scaled space to 12
    /// significant digits, in input order) handed to `write` in pieces, in order, formatted on
    /// `threads` threads while the pieces before are written (the file is never held whole).
    public func writeSegmentsCSV(threads: Int = 1, _ write: ([UInt8]) throws -> Void) rethrows {
        try ClusterRun.writeSegmentsCSV(idColumn: idColumn, ids: ids, labels: result.labels, squaredDistances: result.squaredDistances,
                                        threads: threads, write)
    }

    /// SEGMENTS.csv of `cluster` and `cluster --apply`, from labels and squared distances,
    /// formatted in chunks of rows on `threads` threads (the same bytes for any count).
    static func writeSegmentsCSV(idColumn: String, ids: IdentifierColumn?, labels: [Int32], squaredDistances: [Double],
                                 threads: Int, _ write: ([UInt8]) throws -> Void) rethrows {
        var header = CSVWriter()
        header.row([idColumn, "cluster", "distance"])
        try write(header.bytes)
        let chunk = 1 << 16
        try FormattedChunks.write(count: (labels.count + chunk - 1) / chunk, threads: threads, format: { part, out in
            let rows = part * chunk..<min(labels.count, (part + 1) * chunk)
            out.reserve(rows.count * 32)
            ids.withBytesView { id in
                for i in rows {
                    let room = CSVRow.maximumCount(id, row: i) + CSVRow.maximumIntegerCount + CSVRow.maximumNumberCount
                    out.row(maximumCount: room) { row in
                        row.idField(id, row: i)
                        row.field(Int(labels[i]))
                        row.field(squaredDistances[i].squareRoot(), significant: 12)
                    }
                }
            }
        }, write)
    }

    /// MODEL.json, in the `persona.kmeans` format of DESIGN.md.
    public func modelJSON() throws -> [UInt8] {
        let model = ClusterModelFile(
            format: "persona.kmeans", version: 1, source: source, idColumn: idColumn, k: result.model.k,
            pipeline: pipeline,
            centroids: centroidsOriginal.rowArrays, centroidsScaled: result.model.centroids.rowArrays,
            clusterSizes: result.clusterSizes, inertia: result.model.inertia, iterations: result.model.iterations,
            converged: result.model.converged, restartInertias: result.model.restartInertias, seed: seed,
            metrics: metrics, kSelection: selection.isEmpty ? nil : selection)
        return try ModelFile.json(model)
    }
}

/// The JSON layout of MODEL.json (`persona.kmeans`, DESIGN.md): the header, the pipeline's
/// `features` / `encoding` / `scaler`, then the clustering.
public struct ClusterModelFile: Codable, Sendable {
    public static let formatName = "persona.kmeans"

    public let format: String
    public let version: Int
    public let source: String
    public let idColumn: String
    public let k: Int
    public let pipeline: FeaturePipeline
    /// Means of each cluster's rows in original units (one-hot features: the share of the
    /// cluster with that level).
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

    public var features: [String] { pipeline.features }

    enum CodingKeys: String, CodingKey {
        case format, version, source, k, centroids, inertia, iterations, converged, seed, metrics
        case idColumn = "id_column"
        case centroidsScaled = "centroids_scaled"
        case clusterSizes = "cluster_sizes"
        case restartInertias = "restart_inertias"
        case kSelection = "k_selection"
    }

    init(format: String, version: Int, source: String, idColumn: String, k: Int, pipeline: FeaturePipeline, centroids: [[Double]],
         centroidsScaled: [[Double]], clusterSizes: [Int], inertia: Double, iterations: Int, converged: Bool,
         restartInertias: [Double], seed: UInt64, metrics: ClusterMetrics, kSelection: [KSelectionRow]?) {
        (self.format, self.version, self.source, self.idColumn, self.k, self.pipeline) = (format, version, source, idColumn, k, pipeline)
        (self.centroids, self.centroidsScaled, self.clusterSizes, self.inertia) = (centroids, centroidsScaled, clusterSizes, inertia)
        (self.iterations, self.converged, self.restartInertias, self.seed) = (iterations, converged, restartInertias, seed)
        (self.metrics, self.kSelection) = (metrics, kSelection)
    }

    public init(from decoder: Decoder) throws {
        pipeline = try FeaturePipeline(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        version = try c.decode(Int.self, forKey: .version)
        source = try c.decode(String.self, forKey: .source)
        idColumn = try c.decode(String.self, forKey: .idColumn)
        k = try c.decode(Int.self, forKey: .k)
        centroids = try c.decode([[Double]].self, forKey: .centroids)
        centroidsScaled = try c.decode([[Double]].self, forKey: .centroidsScaled)
        clusterSizes = try c.decode([Int].self, forKey: .clusterSizes)
        inertia = try c.decode(Double.self, forKey: .inertia)
        iterations = try c.decode(Int.self, forKey: .iterations)
        converged = try c.decode(Bool.self, forKey: .converged)
        restartInertias = try c.decodeIfPresent([Double].self, forKey: .restartInertias) ?? []
        seed = try c.decode(UInt64.self, forKey: .seed)
        metrics = try c.decode(ClusterMetrics.self, forKey: .metrics)
        kSelection = try c.decodeIfPresent([KSelectionRow].self, forKey: .kSelection)
        try ModelCheck.centroids(centroidsScaled, width: pipeline.features.count, key: CodingKeys.centroidsScaled, in: c)
        guard centroidsScaled.count == k else {
            throw ModelCheck.corrupt(CodingKeys.k, in: c, "is \(k), but centroids_scaled holds \(centroidsScaled.count) centroids")
        }
        // The centroids in the input's units are what SEGMENTS.csv's readers and the report see.
        try ModelCheck.centroids(centroids, width: pipeline.features.count, key: CodingKeys.centroids, in: c)
        guard centroids.count == k else {
            throw ModelCheck.corrupt(CodingKeys.centroids, in: c, "holds \(centroids.count) centroids, but k is \(k)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        try pipeline.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(version, forKey: .version)
        try c.encode(source, forKey: .source)
        try c.encode(idColumn, forKey: .idColumn)
        try c.encode(k, forKey: .k)
        try c.encode(centroids, forKey: .centroids)
        try c.encode(centroidsScaled, forKey: .centroidsScaled)
        try c.encode(clusterSizes, forKey: .clusterSizes)
        try c.encode(inertia, forKey: .inertia)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(converged, forKey: .converged)
        try c.encode(restartInertias, forKey: .restartInertias)
        try c.encode(seed, forKey: .seed)
        try c.encode(metrics, forKey: .metrics)
        try c.encodeIfPresent(kSelection, forKey: .kSelection)
    }

    public static func read(path: String) throws -> ClusterModelFile {
        try ModelFile.read(ClusterModelFile.self, path: path, format: formatName, version: 1, makeWith: "persona cluster --model")
    }
}

/// `persona cluster --apply MODEL.json`: new customers placed at the nearest saved centroid,
/// through the saved pipeline and by the fit's own kernel, so on the fitted data it gives the
/// fitted clusters and distances.
public struct ClusterAssignment: Sendable {
    public let model: ClusterModelFile
    public let source: String
    public let idColumn: String
    public let ids: IdentifierColumn?
    public let labels: [Int32]
    public let squaredDistances: [Double]
    public let report: EncodingReport

    /// Sum of squared distances in the model's scaled space (inertia on the new data).
    public var inertia: Double { squaredDistances.reduce(0, +) }
    public var clusterSizes: [Int] {
        var sizes = [Int](repeating: 0, count: model.k)
        for label in labels { sizes[Int(label)] += 1 }
        return sizes
    }

    public static func run(input: String, idColumn: String, modelPath: String, read: CSVReadOptions, threads: Int) throws -> ClusterAssignment {
        let model = try ClusterModelFile.read(path: modelPath)
        var options = read
        options.idColumn = idColumn
        options.columns = model.pipeline.columns
        options.columnsSource = "the model \((modelPath as NSString).lastPathComponent)"
        let table = try CSVReader.read(path: input, options: options)
        let (scaled, report) = try model.pipeline.transform(table, threads: threads)
        let (labels, squared) = try KMeansModel(centroids: try Matrix(rowArrays: model.centroidsScaled)).assign(scaled, threads: threads)
        return ClusterAssignment(model: model, source: table.source, idColumn: idColumn, ids: table.identifiers, labels: labels,
                                 squaredDistances: squared, report: report)
    }

    public func writeSegmentsCSV(threads: Int = 1, _ write: ([UInt8]) throws -> Void) rethrows {
        try ClusterRun.writeSegmentsCSV(idColumn: idColumn, ids: ids, labels: labels, squaredDistances: squaredDistances,
                                        threads: threads, write)
    }
}
