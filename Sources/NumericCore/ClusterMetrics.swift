/// Internal-validity scores of a partition, as scikit-learn defines them.
public struct ClusterMetrics: Codable, Sendable, Equatable {
    /// Mean silhouette (Rousseeuw 1987), in [-1, 1], higher is better; nil with fewer than 2
    /// or more than n − 1 clusters.
    public var silhouette: Double?
    /// Calinski & Harabasz (1974) variance ratio, higher is better.
    public var calinskiHarabasz: Double?
    /// Davies & Bouldin (1979), lower is better.
    public var daviesBouldin: Double?
    /// Rows the silhouette was computed on when it was sampled (nil when exact).
    public var silhouetteSampleSize: Int?

    enum CodingKeys: String, CodingKey {
        case silhouette
        case calinskiHarabasz = "calinski_harabasz"
        case daviesBouldin = "davies_bouldin"
        case silhouetteSampleSize = "silhouette_sample_size"
    }

    public init(silhouette: Double?, calinskiHarabasz: Double?, daviesBouldin: Double?, silhouetteSampleSize: Int?) {
        self.silhouette = silhouette
        self.calinskiHarabasz = calinskiHarabasz
        self.daviesBouldin = daviesBouldin
        self.silhouetteSampleSize = silhouetteSampleSize
    }

    /// All three scores. The silhouette is exact up to `silhouetteLimit` rows and computed on
    /// a seeded sample of `silhouetteSample` rows above it (sklearn's
    /// `silhouette_score(sample_size=)`); 10,000 rows put the sampled mean within about ±0.005.
    /// - Complexity: O(min(n, limit)² · features) for the silhouette, O(n · features) for the rest.
    /// - Parameter partition: false leaves Calinski-Harabasz and Davies-Bouldin nil, for a
    ///   caller that takes them from the fit (`partitionScores(of:)`) once its distances exist.
    public static func evaluate<Element: MatrixElement>(
        _ data: DenseMatrix<Element>, labels: [Int32], silhouetteLimit: Int = 20_000, silhouetteSample: Int = 10_000,
        seed: UInt64 = 0, threads: Int = 1, partition: Bool = true
    ) throws -> ClusterMetrics {
        guard labels.count == data.rows else {
            throw NumericError.shapeMismatch(
                operation: "cluster quality metrics", expected: "\(data.rows) labels", got: "\(labels.count) labels")
        }
        var silhouetteValue: Double?
        var sampleSize: Int?
        if data.rows > silhouetteLimit {
            var rng = SeededRandom(seed: seed, stream: 0x5111)
            let size = min(silhouetteSample, data.rows)
            let rows = rng.sampleIndices(size, from: data.rows)
            silhouetteValue = silhouette(data.widenedRows(rows), labels: rows.map { labels[$0] }, threads: threads)
            sampleSize = size
        } else {
            // At most `silhouetteLimit` rows: copied as doubles (the silhouette reorders them anyway).
            silhouetteValue = silhouette(data.widenedRows(Array(0..<data.rows)), labels: labels, threads: threads)
        }
        let statistics = partition ? PartitionStatistics(data, labels: labels, threads: threads) : nil
        return ClusterMetrics(
            silhouette: silhouetteValue, calinskiHarabasz: statistics?.calinskiHarabasz,
            daviesBouldin: statistics?.daviesBouldin, silhouetteSampleSize: sampleSize)
    }

    /// All three scores of a k-means fit: `evaluate`, with Calinski-Harabasz and Davies-Bouldin
    /// from the fit itself when `partitionScores(of:)` can give them (no pass over the rows),
    /// from the rows otherwise.
    public static func evaluate<Element: MatrixElement>(
        _ data: DenseMatrix<Element>, fit: KMeansResult, silhouetteLimit: Int = 20_000, silhouetteSample: Int = 10_000,
        seed: UInt64 = 0, threads: Int = 1
    ) throws -> ClusterMetrics {
        let scores = partitionScores(of: fit, threads: threads)
        var metrics = try evaluate(data, labels: fit.labels, silhouetteLimit: silhouetteLimit, silhouetteSample: silhouetteSample,
                                   seed: seed, threads: threads, partition: scores == nil)
        if let scores { (metrics.calinskiHarabasz, metrics.daviesBouldin) = scores }
        return metrics
    }

    /// Whether `partitionScores(of:)` gives the scores of `fit` once its distances are computed.
    public static func scoresPartition(of fit: KMeansResult) -> Bool {
        let (k, n) = (fit.model.k, fit.labels.count)
        return fit.centroidsAreMeans && k >= 2 && k <= n - 1 && !fit.clusterSizes.contains(0)
    }

    /// Calinski-Harabasz and Davies-Bouldin from a fit whose centroids are the means of its
    /// final clusters (`KMeansResult.centroidsAreMeans`), without reading the rows: the means
    /// are the centroids, the within-cluster sum of squares is the inertia, and each cluster's
    /// summed distance to its mean is the sum of its rows' distances to the centroid. The same
    /// quantities `evaluate` computes from the rows, summed in another order: equal to them
    /// within rounding. nil when the fit does not qualify, its distances are not computed yet,
    /// or it has fewer than 2 clusters (or as many as rows).
    /// - Complexity: O(n) over the distances and labels, O(k² · features) for the rest.
    public static func partitionScores(of fit: KMeansResult, threads: Int = 1) -> (calinskiHarabasz: Double?, daviesBouldin: Double?)? {
        let (k, d, n) = (fit.model.k, fit.model.centroids.columns, fit.labels.count)
        guard scoresPartition(of: fit), fit.squaredDistances.count == n else { return nil }
        let counts = fit.clusterSizes
        let means = fit.model.centroids.storage
        var overall = [Double](repeating: 0, count: d)
        for c in 0..<k { for f in 0..<d { overall[f] += Double(counts[c]) * means[c * d + f] } }
        overall = overall.map { $0 / Double(n) }
        // Per chunk, the squared distances and the distances per cluster, added in chunk order:
        // the same for any thread count.
        let chunks = RowChunks(rows: n, chunkRows: PartitionStatistics.chunkRows)
        let (labels, squared) = (fit.labels, fit.squaredDistances)
        let parts = Parallel.map(count: chunks.count, threads: threads) { chunk -> (Double, [Double]) in
            var within = 0.0
            var root = [Double](repeating: 0, count: k)
            for i in chunks.range(chunk) {
                within += squared[i]
                root[Int(labels[i])] += squared[i].squareRoot()
            }
            return (within, root)
        }
        let (within, rootWithin) = PartitionStatistics.spreadInChunkOrder(parts, k: k)
        return (calinskiHarabasz(means: means, counts: counts, overall: overall, within: within),
                daviesBouldin(means: means, counts: counts, rootWithin: rootWithin, d: d))
    }

    /// Labels renumbered densely over the clusters that occur (sklearn's `LabelEncoder` step).
    /// Labels that are dense already (every cluster in 0..<k occurs) come back as they are,
    /// without a copy.
    static func denseLabels(_ labels: [Int32]) -> (labels: [Int32], clusters: Int) {
        guard let low = labels.min(), let high = labels.max() else { return ([], 0) }
        var present = [Bool](repeating: false, count: Int(high) - Int(low) + 1)
        for label in labels { present[Int(label) - Int(low)] = true }
        if low == 0, !present.contains(false) { return (labels, present.count) }
        var map = [Int32](repeating: 0, count: present.count)
        var next: Int32 = 0
        for (i, isPresent) in present.enumerated() where isPresent {
            map[i] = next
            next += 1
        }
        return (labels.map { map[Int($0) - Int(low)] }, Int(next))
    }

    /// `sklearn.metrics.calinski_harabasz_score`; 1.0 when every cluster is a single point.
    public static func calinskiHarabasz<Element: MatrixElement>(_ data: DenseMatrix<Element>, labels: [Int32], threads: Int = 1) -> Double? {
        PartitionStatistics(data, labels: labels, threads: threads)?.calinskiHarabasz
    }

    /// The Calinski-Harabasz score from per-cluster statistics (clusters that occur only):
    /// `means` k × d row-major, `overall` the mean of all rows, `within` the summed squared
    /// distance of rows to their cluster mean. For rows split across partitions.
    public static func calinskiHarabasz(means: [Double], counts: [Int], overall: [Double], within intra: Double) -> Double? {
        let (k, d) = (counts.count, overall.count)
        let n = counts.reduce(0, +)
        guard k >= 2, k <= n - 1, means.count == k * d else { return nil }
        var extra = 0.0
        for j in 0..<k {
            var s = 0.0
            for f in 0..<d { s += (means[j * d + f] - overall[f]) * (means[j * d + f] - overall[f]) }
            extra += Double(counts[j]) * s
        }
        return intra == 0 ? 1.0 : extra * Double(n - k) / (intra * Double(k - 1))
    }

    /// `sklearn.metrics.davies_bouldin_score`.
    public static func daviesBouldin<Element: MatrixElement>(_ data: DenseMatrix<Element>, labels: [Int32], threads: Int = 1) -> Double? {
        PartitionStatistics(data, labels: labels, threads: threads)?.daviesBouldin
    }

    /// The Davies-Bouldin score from per-cluster statistics (clusters that occur only):
    /// `means` k × d row-major, `rootWithin` per cluster the summed (not squared) distance of
    /// its rows to its mean. For rows split across partitions.
    public static func daviesBouldin(means: [Double], counts: [Int], rootWithin: [Double], d: Int) -> Double? {
        let k = counts.count
        guard k >= 2, k <= counts.reduce(0, +) - 1, means.count == k * d, rootWithin.count == k else { return nil }
        var intra = rootWithin
        for j in 0..<k { intra[j] /= Double(counts[j]) }
        var between = [Double](repeating: 0, count: k * k)
        for a in 0..<k {
            for b in 0..<k {
                var s = 0.0
                for f in 0..<d { s += (means[a * d + f] - means[b * d + f]) * (means[a * d + f] - means[b * d + f]) }
                between[a * k + b] = s.squareRoot()
            }
        }
        if intra.allSatisfy({ abs($0) <= 1e-8 }) || between.allSatisfy({ abs($0) <= 1e-8 }) { return 0 }
        var total = 0.0
        for a in 0..<k {
            var worst = 0.0
            for b in 0..<k where between[a * k + b] != 0 {
                worst = max(worst, (intra[a] + intra[b]) / between[a * k + b])
            }
            total += worst
        }
        return total / Double(k)
    }
}

/// What Calinski-Harabasz and Davies-Bouldin need from the rows, in two passes on all
/// threads: per-cluster sums and counts (the means, and the overall mean from them), then the
/// squared and plain distances of rows to their cluster mean. Rows go in fixed chunks whose
/// results are added in chunk order, so the scores do not depend on the thread count.
struct PartitionStatistics {
    /// Cluster means, k × d row-major, over the clusters that occur (dense labels).
    let means: [Double]
    let counts: [Int]
    let overall: [Double]
    /// Σ squared distance to the cluster mean, over all rows.
    let squaredWithin: Double
    /// Per cluster, Σ distance to its mean.
    let rootWithin: [Double]

    static let chunkRows = 1 << 15

    /// nil unless 2 ≤ clusters ≤ rows − 1 (where neither score is defined).
    init?<Element: MatrixElement>(_ data: DenseMatrix<Element>, labels: [Int32], threads: Int) {
        let (dense, k) = ClusterMetrics.denseLabels(labels)
        let (n, d) = (data.rows, data.columns)
        guard k >= 2, k <= n - 1 else { return nil }
        let chunks = RowChunks(rows: n, chunkRows: Self.chunkRows)
        let label = dense
        // Pass 1: sums and counts per cluster, per chunk.
        let sumParts = Parallel.map(count: chunks.count, threads: threads) { chunk -> ([Double], [Int64]) in
            var sums = [Double](repeating: 0, count: k * d)
            var counts = [Int64](repeating: 0, count: k)
            let rows = chunks.range(chunk)
            data.storage.withUnsafeBufferPointer { x in
                label.withUnsafeBufferPointer { labels in
                    guard let x = x.baseAddress, let labels = labels.baseAddress else { return }
                    Element.clusterSums(x + rows.lowerBound * d, rows: rows.count, d: d, labels: labels + rows.lowerBound,
                                        sums: &sums, counts: &counts)
                }
            }
            return (sums, counts)
        }
        var sums = [Double](repeating: 0, count: k * d)
        var counts = [Int](repeating: 0, count: k)
        for case .success(let (partSums, partCounts)) in sumParts {
            for j in sums.indices { sums[j] += partSums[j] }
            for j in counts.indices { counts[j] += Int(partCounts[j]) }
        }
        var overall = [Double](repeating: 0, count: d)
        for c in 0..<k { for f in 0..<d { overall[f] += sums[c * d + f] } }
        overall = overall.map { $0 / Double(n) }
        var means = sums
        for c in 0..<k { for f in 0..<d { means[c * d + f] /= Double(counts[c]) } }
        // Pass 2: distances to the cluster means.
        let centre = means
        let withinParts = Parallel.map(count: chunks.count, threads: threads) { chunk -> (Double, [Double]) in
            var squared = 0.0
            var root = [Double](repeating: 0, count: k)
            let rows = chunks.range(chunk)
            data.storage.withUnsafeBufferPointer { x in
                label.withUnsafeBufferPointer { labels in
                    guard let x = x.baseAddress, let labels = labels.baseAddress else { return }
                    squared = Element.clusterSpread(x + rows.lowerBound * d, rows: rows.count, d: d,
                                                    labels: labels + rows.lowerBound, means: centre, root: &root)
                }
            }
            return (squared, root)
        }
        let (squared, root) = Self.spreadInChunkOrder(withinParts, k: k)
        (self.means, self.counts, self.overall, self.squaredWithin, self.rootWithin) = (means, counts, overall, squared, root)
    }

    /// Per-chunk (Σ squared distance, Σ distance per cluster) added up in chunk order.
    static func spreadInChunkOrder(_ parts: [Result<(Double, [Double]), Error>], k: Int) -> (squared: Double, root: [Double]) {
        var squared = 0.0
        var root = [Double](repeating: 0, count: k)
        for case .success(let (partSquared, partRoot)) in parts {
            squared += partSquared
            for c in 0..<k { root[c] += partRoot[c] }
        }
        return (squared, root)
    }

    var calinskiHarabasz: Double? {
        ClusterMetrics.calinskiHarabasz(means: means, counts: counts, overall: overall, within: squaredWithin)
    }

    var daviesBouldin: Double? {
        ClusterMetrics.daviesBouldin(means: means, counts: counts, rootWithin: rootWithin, d: overall.count)
    }
}
