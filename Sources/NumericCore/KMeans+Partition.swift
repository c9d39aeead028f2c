/// One partition's share of a Lloyd iteration: what `KMeans.fit` computes over all rows,
/// computed over some of them so that partitions on different machines can be added up
/// (`merged`) and the update made once (`KMeans.step`). Assignment and sums use the same
/// kernel as `KMeans.fit`, so a partition's labels are the ones a single machine gives.
public struct LloydPartial: Codable, Sendable, Equatable {
    /// Per cluster, the sum of its rows (k × d, row-major).
    public var sums: [Double]
    public var counts: [Int]
    /// Rows whose label differs from their label under the previous centroids (all rows when
    /// there were none).
    public var changed: Int
    /// Up to k rows farthest from their centroid, largest first, lower row first on ties: the
    /// candidates for empty clusters.
    public var farthest: [FarRow]

    public struct FarRow: Codable, Sendable, Equatable {
        /// The row's index (in the partition; after `merged`, in the whole file).
        public var row: Int
        public var squaredDistance: Double
        public var label: Int
        public var values: [Double]

        enum CodingKeys: String, CodingKey {
            case row, label, values
            case squaredDistance = "squared_distance"
        }
    }

    /// Partitions' shares added in partition order; `offsets[p]` is the index of partition
    /// p's first row in the whole file.
    public static func merged(_ parts: [LloydPartial], offsets: [Int]) throws -> LloydPartial {
        guard var total = parts.first, offsets.count == parts.count else {
            throw NumericError.shapeMismatch(operation: "LloydPartial.merged", expected: "one offset per partition",
                                             got: "\(parts.count) partitions, \(offsets.count) offsets")
        }
        total.farthest = []
        total.sums = [Double](repeating: 0, count: total.sums.count)
        total.counts = [Int](repeating: 0, count: total.counts.count)
        total.changed = 0
        var far = [FarRow]()
        for (part, offset) in zip(parts, offsets) {
            guard part.sums.count == total.sums.count, part.counts.count == total.counts.count else {
                throw NumericError.shapeMismatch(operation: "LloydPartial.merged", expected: "\(total.counts.count) clusters",
                                                 got: "\(part.counts.count) clusters")
            }
            for j in total.sums.indices { total.sums[j] += part.sums[j] }
            for j in total.counts.indices { total.counts[j] += part.counts[j] }
            total.changed += part.changed
            far += part.farthest.map { var row = $0; row.row += offset; return row }
        }
        total.farthest = Array(far.sorted(by: LloydPartial.fartherFirst).prefix(total.counts.count))
        return total
    }

    static func fartherFirst(_ a: FarRow, _ b: FarRow) -> Bool {
        a.squaredDistance != b.squaredDistance ? a.squaredDistance > b.squaredDistance : a.row < b.row
    }
}

extension KMeans {
    /// One partition's assignment pass: labels under `centroids` (k × d, scaled units), the
    /// per-cluster sums and counts, how many labels changed from `previous`, and the farthest
    /// rows.
    /// - Complexity: O(rows · k · d), twice with `previous`.
    public static func partial(_ data: Matrix, centroids: Matrix, previous: Matrix?, threads: Int = 1) throws -> LloydPartial {
        try assignedPartial(data, centroids: centroids, previous: previous, threads: threads).partial
    }

    /// `partial`, with the labels under `centroids` and each row's squared distance to its
    /// centroid: what `KMeansModel.assign` gives under the same centroids.
    public static func assignedPartial(_ data: Matrix, centroids: Matrix, previous: Matrix?,
                                       threads: Int = 1) throws -> (partial: LloydPartial, labels: [Int32], squaredDistances: [Double]) {
        try checkCentroids(centroids, data: data)
        if let previous { try checkCentroids(previous, data: data) }
        let engine = LloydEngine(data: data, k: centroids.rows, threads: threads, kernel: .automatic)
        var current = previous.map { engine.assign(centroids: $0.storage) } ?? [Int32](repeating: -1, count: data.rows)
        let pass = current.withSharedBuffer { engine.assignAndSum(centroids: centroids.storage, labels: $0) }
        let distances = engine.squaredDistances(centroids: centroids.storage, labels: current)
        let d = data.columns
        let farthest = largest(centroids.rows, of: distances)
            .map { row in
                LloydPartial.FarRow(row: row, squaredDistance: distances[row], label: Int(current[row]),
                                    values: Array(data.storage[(row * d)..<((row + 1) * d)]))
            }
        return (LloydPartial(sums: pass.sums, counts: pass.counts, changed: pass.changed, farthest: farthest), current, distances)
    }

    /// The update of one Lloyd iteration from the merged partitions, as `fit` makes it:
    /// empty clusters relocated to the farthest rows, then every centroid moved to its mean.
    /// - Returns: the new centroids and the summed squared shift.
    public static func step(centroids: Matrix, merged: LloydPartial) throws -> (centroids: Matrix, shift: Double) {
        let (k, d) = (centroids.rows, centroids.columns)
        guard merged.counts.count == k, merged.sums.count == k * d, merged.farthest.allSatisfy({ $0.values.count == d && (0..<k).contains($0.label) }) else {
            throw NumericError.shapeMismatch(operation: "KMeans.step", expected: "\(k) clusters of \(d) features",
                                             got: "\(merged.counts.count) clusters, \(merged.sums.count) sums")
        }
        var (sums, counts) = (merged.sums, merged.counts)
        let empty = (0..<k).filter { counts[$0] == 0 }
        if !empty.isEmpty { relocate(empty: empty, to: merged.farthest, sums: &sums, counts: &counts, d: d) }
        var moved = centroids.storage
        let shift = moveCentroids(&moved, sums: sums, counts: counts, d: d)
        return (Matrix(unchecked: k, d, moved), shift)
    }

    /// sklearn's tolerance for data whose columns have these population variances.
    public static func absoluteTolerance(_ tolerance: Double, variances: [Double]) -> Double {
        variances.isEmpty ? 0 : tolerance * (variances.reduce(0, +) / Double(variances.count))
    }

    /// The indices of the `count` largest values, largest first, lower index first on ties
    /// (the order of a full sort), in O(n · count).
    static func largest(_ count: Int, of values: [Double]) -> [Int] {
        var kept = [Int]()
        func before(_ a: Int, _ b: Int) -> Bool { values[a] != values[b] ? values[a] > values[b] : a < b }
        for i in values.indices {
            if kept.count == count, let last = kept.last, !before(i, last) { continue }
            let position = kept.firstIndex { before(i, $0) } ?? kept.count
            kept.insert(i, at: position)
            if kept.count > count { kept.removeLast() }
        }
        return kept
    }

    private static func checkCentroids(_ centroids: Matrix, data: Matrix) throws {
        guard centroids.columns == data.columns, centroids.rows >= 1 else {
            throw NumericError.shapeMismatch(operation: "KMeans.partial", expected: "centroids with \(data.columns) columns",
                                             got: "\(centroids.rows)x\(centroids.columns)")
        }
        try data.checkFinite()
        try centroids.checkFinite()
    }
}
