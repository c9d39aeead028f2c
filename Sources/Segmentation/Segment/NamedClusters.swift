import CustomerData
import Foundation
import NumericCore

/// Clusters with names made from what sets them apart: the preference groups ("prefers: Toys")
/// and the joint personas ("high value · active · prefers: Toys"). Stores what `--apply`
/// needs to place new customers (the fitted pipeline and the centroids).
public struct NamedClusters: Codable, Sendable {
    public struct Cluster: Codable, Sendable, Equatable {
        public let name: String
        public let size: Int
        /// The mean of the cluster's customers in original units, by column.
        public let centroid: [String: Double]
        /// The columns that lift this cluster most against all customers (cluster mean ÷ mean).
        public let traits: [String]
        /// Base attributes of its customers: the mean of a number column, the most common
        /// value of a text column (`attributes:` in the config).
        public var attributes: [String: String]?
    }

    /// One k tried when k is chosen (on a seeded sample of at most 4,000 rows).
    public struct KSelection: Codable, Sendable, Equatable {
        public let k: Int
        public let inertia: Double
        public let silhouette: Double?
        public let calinskiHarabasz: Double?
        public let daviesBouldin: Double?
        /// The anchor k = MIN − 1 of the elbow rule: shown, never chosen.
        public let anchor: Bool

        enum CodingKeys: String, CodingKey {
            case k, inertia, silhouette, anchor
            case calinskiHarabasz = "calinski_harabasz"
            case daviesBouldin = "davies_bouldin"
        }
    }

    public let pipeline: FeaturePipeline
    public let centroidsScaled: [[Double]]
    public internal(set) var clusters: [Cluster]
    /// How k was chosen (nil: fixed), and every k tried.
    public let criterion: KMeansModelSelection.Criterion?
    public let kSelection: [KSelection]?
    /// Customers of clusters below the minimum share, placed in their nearest cluster.
    public let outliers: Int

    public var columns: [String] { pipeline.columns }

    enum CodingKeys: String, CodingKey {
        case clusters, criterion, outliers
        case centroidsScaled = "centroids_scaled"
        case kSelection = "k_selection"
    }

    /// What a fit needs besides the table.
    struct Settings {
        var columns: [String]
        var log1p: [String] = []
        /// Fixed k (lowerBound == upperBound) or the range to choose from by `criterion`.
        var k: ClosedRange<Int>
        var criterion: KMeansModelSelection.Criterion = .elbow
        var minShare: Double
        var seed: UInt64
        var threads: Int
        /// What the columns are for, in messages ("preference groups").
        var purpose: String
    }

    /// Fits the clusters (choosing k on a seeded sample of at most 4,000 rows when the range
    /// is wider than one) and names each with `name(cluster rows, traits)`.
    static func fit(table: CustomerTable, _ settings: Settings, name: ([Int], [String]) -> String) throws -> (NamedClusters, [Int]) {
        var specification = FeaturePipeline.Specification(features: settings.columns, log1p: settings.log1p)
        specification.numbersFor = settings.purpose
        specification.source = "the segment config (\(settings.purpose))"
        specification.log1pSource = specification.source
        let fitted = try FeaturePipeline.fit(table, specification, threads: settings.threads)
        let scaled = fitted.matrix
        var chosen = settings.k.lowerBound
        var selection: [KSelection]?
        // Choosing k needs more rows than the largest k; with fewer, take what the rows allow.
        if settings.k.count > 1, scaled.rows > settings.k.lowerBound + 1 {
            var random = SeededRandom(seed: settings.seed, stream: 0x5045_5253)  // "PERS"
            let sampleRows = scaled.rows > 4_000 ? random.sampleIndices(4_000, from: scaled.rows).sorted() : Array(0..<scaled.rows)
            let sample = scaled.selectingRows(sampleRows)
            let outcome = try KMeansModelSelection(range: settings.k, criterion: settings.criterion).evaluate(
                sample, configure: { try KMeans(k: $0, nInit: 3, seed: settings.seed, threads: settings.threads) })
            chosen = outcome.candidates[outcome.chosen].k
            selection = outcome.candidates.map {
                KSelection(k: $0.k, inertia: $0.result.model.inertia, silhouette: $0.metrics.silhouette,
                           calinskiHarabasz: $0.metrics.calinskiHarabasz, daviesBouldin: $0.metrics.daviesBouldin,
                           anchor: $0.k < settings.k.lowerBound)
            }
        }
        let clusterCount = max(1, min(chosen, scaled.rows))
        let result = try SizedKMeans(k: clusterCount, minShare: settings.minShare, rows: scaled.rows, seed: settings.seed,
                                     threads: settings.threads).fit(scaled)
        let labels = result.labels
        let means = fitted.pipeline.clusterMeans(scaled, labels: labels, k: clusterCount)
        let overall = fitted.pipeline.clusterMeans(scaled, labels: [Int](repeating: 0, count: labels.count), k: 1)[0]
        let features = fitted.pipeline.features
        var members = [[Int]](repeating: [], count: clusterCount)
        for (i, label) in labels.enumerated() { members[label].append(i) }
        var used = [String: Int]()
        let clusters = (0..<clusterCount).map { c -> Cluster in
            // Lift against the population, in original units (shares, spend …).
            let lifts = features.indices.map { j -> Double in overall[j] > 0 ? means[c][j] / overall[j] : 0 }
            let traits = features.indices.sorted { lifts[$0] != lifts[$1] ? lifts[$0] > lifts[$1] : $0 < $1 }.prefix(3).map { features[$0] }
            var label = name(members[c], traits)
            used[label, default: 0] += 1
            if let n = used[label], n > 1 { label += " (\(n))" }
            return Cluster(name: label, size: members[c].count,
                           centroid: Dictionary(zip(features, means[c]), uniquingKeysWith: { a, _ in a }), traits: traits)
        }
        let named = NamedClusters(pipeline: fitted.pipeline, centroidsScaled: result.model.centroids.rowArrays, clusters: clusters,
                                  criterion: selection == nil ? nil : settings.criterion, kSelection: selection,
                                  outliers: result.outliers.count)
        return (named, labels)
    }

    init(pipeline: FeaturePipeline, centroidsScaled: [[Double]], clusters: [Cluster], criterion: KMeansModelSelection.Criterion?,
         kSelection: [KSelection]?, outliers: Int) {
        self.pipeline = pipeline
        self.centroidsScaled = centroidsScaled
        self.clusters = clusters
        self.criterion = criterion
        self.kSelection = kSelection
        self.outliers = outliers
    }

    /// The table's rows in the standardized units of the fit (saved pipeline).
    public func scaled(_ table: CustomerTable, threads: Int = 1) throws -> Matrix {
        try pipeline.transform(table, threads: threads).matrix
    }

    /// Each row's cluster for new data: the nearest saved centroid, by the fit's own kernel.
    func assign(_ table: CustomerTable, threads: Int = 1) throws -> [Int] {
        try KMeansModel(centroids: try Matrix(rowArrays: centroidsScaled)).assign(scaled(table, threads: threads), threads: threads)
            .labels.map(Int.init)
    }

    public init(from decoder: Decoder) throws {
        pipeline = try FeaturePipeline(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        centroidsScaled = try c.decode([[Double]].self, forKey: .centroidsScaled)
        clusters = try c.decode([Cluster].self, forKey: .clusters)
        criterion = try c.decodeIfPresent(KMeansModelSelection.Criterion.self, forKey: .criterion)
        kSelection = try c.decodeIfPresent([KSelection].self, forKey: .kSelection)
        outliers = try c.decodeIfPresent(Int.self, forKey: .outliers) ?? 0
        try ModelCheck.centroids(centroidsScaled, width: pipeline.features.count, key: CodingKeys.centroidsScaled, in: c)
        guard clusters.count == centroidsScaled.count else {
            throw ModelCheck.corrupt(CodingKeys.clusters, in: c, "names \(clusters.count) clusters for \(centroidsScaled.count) centroids")
        }
    }

    public func encode(to encoder: Encoder) throws {
        try pipeline.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(centroidsScaled, forKey: .centroidsScaled)
        try c.encode(clusters, forKey: .clusters)
        try c.encodeIfPresent(criterion, forKey: .criterion)
        try c.encodeIfPresent(kSelection, forKey: .kSelection)
        try c.encode(outliers, forKey: .outliers)
    }
}

extension NamedClusters {
    /// A readable name for a trait: `share:Toys` → `prefers: Toys`; a discount column →
    /// `price: discount-seeker`; order value or basket → `price: premium`; else `high <column>`.
    static func traitName(_ column: String) -> String {
        if column.hasPrefix("share:") { return "prefers: " + column.dropFirst("share:".count) }
        let lower = column.lowercased()
        if lower.contains("discount") { return "price: discount-seeker" }
        if lower.contains("order_value") || lower.contains("basket") { return "price: premium" }
        return "high " + column
    }
}
