import NumericCore

/// k-means where no cluster is smaller than a share of the customers: a cluster below it is
/// an outlier group, not a segment. Its rows are set aside, k-means is refitted on the rest
/// (same k, same seed), and at the end every row — outliers included — goes to its nearest
/// final centroid, by the same kernel `--apply` uses. At most four rounds; outliers are
/// reported, not hidden.
struct SizedKMeans {
    let k: Int
    /// Smallest cluster, in rows (at least 1).
    let minimumSize: Int
    let seed: UInt64
    let threads: Int

    struct Result {
        /// Clusters numbered by decreasing size.
        let model: KMeansModel
        let labels: [Int]
        /// Rows set aside while fitting (in row order).
        let outliers: [Int]
        var sizes: [Int] {
            var sizes = [Int](repeating: 0, count: model.k)
            for label in labels { sizes[label] += 1 }
            return sizes
        }
    }

    init(k: Int, minShare: Double, rows: Int, seed: UInt64, threads: Int) {
        self.k = k
        self.minimumSize = max(1, Int((minShare * Double(rows)).rounded(.up)))
        self.seed = seed
        self.threads = threads
    }

    func fit(_ scaled: Matrix) throws -> Result {
        var kept = Array(0..<scaled.rows)
        var outliers = [Int]()
        var model: KMeansModel
        var round = 0
        while true {
            let data = outliers.isEmpty ? scaled : scaled.selectingRows(kept)
            let clusters = max(1, min(k, data.rows))
            let result = try KMeans(k: clusters, nInit: 3, seed: seed, threads: threads).fit(data).orderedBySize()
            model = result.model
            let sizes = result.clusterSizes
            let small = Set((0..<clusters).filter { sizes[$0] < minimumSize })
            round += 1
            guard !small.isEmpty, round < 4, kept.count - small.reduce(0, { $0 + sizes[$1] }) >= k else { break }
            var next = [Int]()
            for (position, row) in kept.enumerated() {
                if small.contains(Int(result.labels[position])) { outliers.append(row) } else { next.append(row) }
            }
            kept = next
        }
        // Outliers join their nearest cluster; number the clusters by their final size again.
        let assigned = try model.assign(scaled, threads: threads).labels.map(Int.init)
        var sizes = [Int](repeating: 0, count: model.k)
        for label in assigned { sizes[label] += 1 }
        let order = (0..<model.k).sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        let final = KMeansModel(centroids: model.centroids.selectingRows(order))
        // Assigned again with the saved centroid order, so ties break as `--apply` breaks them.
        let labels = try final.assign(scaled, threads: threads).labels.map(Int.init)
        return Result(model: final, labels: labels, outliers: outliers.sorted())
    }
}
