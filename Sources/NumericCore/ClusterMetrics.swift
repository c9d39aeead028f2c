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
    public static func evaluate(
        _ data: Matrix, labels: [Int32], silhouetteLimit: Int = 20_000, silhouetteSample: Int = 10_000,
        seed: UInt64 = 0, threads: Int = 1
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
            silhouetteValue = silhouette(data.selectingRows(rows), labels: rows.map { labels[$0] }, threads: threads)
            sampleSize = size
        } else {
            silhouetteValue = silhouette(data, labels: labels, threads: threads)
        }
        return ClusterMetrics(
            silhouette: silhouetteValue, calinskiHarabasz: calinskiHarabasz(data, labels: labels),
            daviesBouldin: daviesBouldin(data, labels: labels), silhouetteSampleSize: sampleSize)
    }

    /// Labels renumbered densely over the clusters that occur (sklearn's `LabelEncoder` step).
    static func denseLabels(_ labels: [Int32]) -> (labels: [Int], clusters: Int) {
        guard let low = labels.min(), let high = labels.max() else { return ([], 0) }
        var present = [Bool](repeating: false, count: Int(high) - Int(low) + 1)
        for label in labels { present[Int(label) - Int(low)] = true }
        var map = [Int](repeating: 0, count: present.count)
        var next = 0
        for (i, isPresent) in present.enumerated() where isPresent {
            map[i] = next
            next += 1
        }
        return (labels.map { map[Int($0) - Int(low)] }, next)
    }

    /// Per-cluster means and sizes.
    static func centroids(_ data: Matrix, labels: [Int], clusters: Int) -> (means: [Double], counts: [Int]) {
        let d = data.columns
        var sums = [Double](repeating: 0, count: clusters * d)
        var counts = [Int](repeating: 0, count: clusters)
        data.storage.withUnsafeBufferPointer { x in
            sums.withUnsafeMutableBufferPointer { sums in
                for i in 0..<data.rows {
                    let label = labels[i]
                    counts[label] += 1
                    for f in 0..<d { sums[label * d + f] += x[i * d + f] }
                }
            }
        }
        for j in 0..<clusters where counts[j] > 0 {
            for f in 0..<d { sums[j * d + f] /= Double(counts[j]) }
        }
        return (sums, counts)
    }

    /// Σ over rows of the squared (or, with `root`, plain) distance to the row's cluster mean,
    /// per cluster.
    static func withinDistances(_ data: Matrix, labels: [Int], means: [Double], clusters: Int, root: Bool) -> [Double] {
        let d = data.columns
        var totals = [Double](repeating: 0, count: clusters)
        data.storage.withUnsafeBufferPointer { x in
            means.withUnsafeBufferPointer { m in
                for i in 0..<data.rows {
                    let label = labels[i]
                    var s = 0.0
                    for f in 0..<d {
                        let diff = x[i * d + f] - m[label * d + f]
                        s += diff * diff
                    }
                    totals[label] += root ? s.squareRoot() : s
                }
            }
        }
        return totals
    }

    /// `sklearn.metrics.calinski_harabasz_score`; 1.0 when every cluster is a single point.
    public static func calinskiHarabasz(_ data: Matrix, labels: [Int32]) -> Double? {
        let (dense, k) = denseLabels(labels)
        let n = data.rows
        guard k >= 2, k <= n - 1 else { return nil }
        let (means, counts) = centroids(data, labels: dense, clusters: k)
        let overall = ColumnStatistics.meansAndVariances(data).means
        let intra = withinDistances(data, labels: dense, means: means, clusters: k, root: false).reduce(0, +)
        return calinskiHarabasz(means: means, counts: counts, overall: overall, within: intra)
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
    public static func daviesBouldin(_ data: Matrix, labels: [Int32]) -> Double? {
        let (dense, k) = denseLabels(labels)
        guard k >= 2, k <= data.rows - 1 else { return nil }
        let (means, counts) = centroids(data, labels: dense, clusters: k)
        let within = withinDistances(data, labels: dense, means: means, clusters: k, root: true)
        return daviesBouldin(means: means, counts: counts, rootWithin: within, d: data.columns)
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
