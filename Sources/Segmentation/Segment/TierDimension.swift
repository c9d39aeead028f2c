import CustomerData
import Foundation
import NumericCore

/// Value tiers: k-means on the standardized value columns (log1p first where asked; k-means++
/// with 3 restarts; no tier below the minimum share, see `SizedKMeans`), with clusters turned
/// into named tiers by score rather than by cluster number. A cluster's score is the mean of
/// its centroid in standardized units (higher spend and frequency score higher); the best
/// score gets the first tier name.
public struct TierDimension: Codable, Sendable {
    public struct Tier: Codable, Sendable, Equatable {
        public let name: String
        public let score: Double
        public let size: Int
        /// The mean of the tier's customers in original units, by column: what the tier "means".
        public let centroid: [String: Double]
    }

    public let name: String
    public let pipeline: FeaturePipeline
    public let centroidsScaled: [[Double]]
    /// Per k-means cluster, its tier (index into `tiers`).
    public let clusterTier: [Int]
    public let tiers: [Tier]
    /// Customers of clusters below the minimum share, placed in their nearest tier.
    public let outliers: Int

    public var columns: [String] { pipeline.columns }

    enum CodingKeys: String, CodingKey {
        case name, tiers, outliers
        case centroidsScaled = "centroids_scaled"
        case clusterTier = "cluster_tier"
    }

    /// Each row's tier for new data, by the nearest saved centroid (no refitting), through
    /// the saved pipeline. The same kernel as the fit, so on the fitted data it gives the
    /// fitted tiers.
    func assign(_ table: CustomerTable, threads: Int = 1) throws -> [Int] {
        let scaled = try pipeline.transform(table, threads: threads).matrix
        let labels = try KMeansModel(centroids: try Matrix(rowArrays: centroidsScaled)).assign(scaled, threads: threads).labels
        return labels.map { clusterTier[Int($0)] }
    }

    /// The default log1p columns of a value dimension: the numeric ones without negative values.
    static func withoutNegatives(_ table: CustomerTable, columns: [String], option: String) throws -> [String] {
        try columns.filter { name in
            guard let j = table.index(of: name) else {
                throw CustomerDataError.unknownColumn(file: table.source, option: option, name: name, available: table.columnNames)
            }
            if case .numeric(let column) = table.columns[j] { return !column.values.contains { $0 < 0 } }
            return false
        }
    }

    /// Fits the dimension and returns it with each row's tier index.
    static func fit(name: String, table: CustomerTable, columns: [String], log1p: [String], tierNames: [String],
                    minShare: Double, seed: UInt64, threads: Int, source: String) throws -> (TierDimension, [Int]) {
        var specification = FeaturePipeline.Specification(features: columns, log1p: log1p)
        specification.numbersFor = "\(name) tiers"
        specification.source = source
        specification.log1pSource = source
        let fitted = try FeaturePipeline.fit(table, specification, threads: threads)
        let k = min(tierNames.count, max(1, table.rowCount))
        let result = try SizedKMeans(k: k, minShare: minShare, rows: table.rowCount, seed: seed, threads: threads).fit(fitted.matrix)
        let centroids = result.model.centroids
        let d = centroids.columns
        let scores = (0..<k).map { c in (0..<d).reduce(0.0) { $0 + centroids[c, $1] } / Double(max(d, 1)) }
        var ranked = (0..<k).sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        // Fewer distinct customers than tiers: every row sits in one cluster, which says
        // nothing about rank; give it the middle tier rather than the best or the worst.
        let sizes = result.sizes
        let occupied = (0..<k).filter { sizes[$0] > 0 }
        if occupied.count == 1, k > 1 {
            let only = occupied[0]
            ranked = (0..<k).filter { $0 != only }
            ranked.insert(only, at: k / 2)
        }
        var clusterTier = [Int](repeating: 0, count: k)
        for (tier, cluster) in ranked.enumerated() { clusterTier[cluster] = tier }
        let means = fitted.pipeline.clusterMeans(fitted.matrix, labels: result.labels, k: k)
        let features = fitted.pipeline.features
        let tiers = ranked.enumerated().map { tier, cluster in
            Tier(name: tierNames[tier], score: scores[cluster], size: sizes[cluster],
                 centroid: Dictionary(zip(features, means[cluster]), uniquingKeysWith: { a, _ in a }))
        }
        let dimension = TierDimension(name: name, pipeline: fitted.pipeline, centroidsScaled: centroids.rowArrays,
                                      clusterTier: clusterTier, tiers: tiers, outliers: result.outliers.count)
        return (dimension, result.labels.map { clusterTier[$0] })
    }

    init(name: String, pipeline: FeaturePipeline, centroidsScaled: [[Double]], clusterTier: [Int], tiers: [Tier], outliers: Int) {
        self.name = name
        self.pipeline = pipeline
        self.centroidsScaled = centroidsScaled
        self.clusterTier = clusterTier
        self.tiers = tiers
        self.outliers = outliers
    }

    /// Decodes and checks every index and shape, so a hand-edited model cannot point past its tiers.
    public init(from decoder: Decoder) throws {
        pipeline = try FeaturePipeline(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        centroidsScaled = try c.decode([[Double]].self, forKey: .centroidsScaled)
        clusterTier = try c.decode([Int].self, forKey: .clusterTier)
        tiers = try c.decode([Tier].self, forKey: .tiers)
        outliers = try c.decodeIfPresent(Int.self, forKey: .outliers) ?? 0
        try ModelCheck.centroids(centroidsScaled, width: pipeline.features.count, key: CodingKeys.centroidsScaled, in: c)
        guard clusterTier.count == centroidsScaled.count, clusterTier.allSatisfy({ tiers.indices.contains($0) }) else {
            throw ModelCheck.corrupt(CodingKeys.clusterTier, in: c,
                                     "must give each of the \(centroidsScaled.count) centroids a tier in 0..<\(tiers.count); got \(clusterTier)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        try pipeline.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(centroidsScaled, forKey: .centroidsScaled)
        try c.encode(clusterTier, forKey: .clusterTier)
        try c.encode(tiers, forKey: .tiers)
        try c.encode(outliers, forKey: .outliers)
    }
}

/// Checks shared by the model decoders.
enum ModelCheck {
    static func corrupt<K: CodingKey>(_ key: K, in c: KeyedDecodingContainer<K>, _ problem: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: c.codingPath + [key], debugDescription: problem))
    }

    /// Every centroid has `width` finite coordinates, and there is at least one.
    static func centroids<K: CodingKey>(_ rows: [[Double]], width: Int, key: K, in c: KeyedDecodingContainer<K>) throws {
        guard !rows.isEmpty, rows.allSatisfy({ $0.count == width && $0.allSatisfy(\.isFinite) }) else {
            throw corrupt(key, in: c, "must hold at least one centroid of \(width) finite numbers (one per feature)")
        }
    }
}
