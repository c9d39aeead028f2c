/// The result of fitting k-means: centroids and the statistics of the kept run.
public struct KMeansModel: Codable, Sendable, Equatable {
    /// `k x features`, in the space the model was fitted in.
    public let centroids: Matrix
    /// Sum of squared distances to the nearest centroid.
    public let inertia: Double
    /// Lloyd iterations of the kept run (sklearn's `n_iter_`).
    public let iterations: Int
    /// Whether the kept run stopped on unchanged labels or on the tolerance.
    public let converged: Bool
    /// The inertia of every restart, in order.
    public let restartInertias: [Double]

    public var k: Int { centroids.rows }

    /// A model from saved centroids alone, for assigning new rows (`assign`).
    public init(centroids: Matrix) {
        self.init(centroids: centroids, inertia: .nan, iterations: 0, converged: true, restartInertias: [])
    }

    init(centroids: Matrix, inertia: Double, iterations: Int, converged: Bool, restartInertias: [Double]) {
        self.centroids = centroids
        self.inertia = inertia
        self.iterations = iterations
        self.converged = converged
        self.restartInertias = restartInertias
    }

    /// Assigns rows to the nearest centroid.
    /// - Returns: 0-based labels and the squared distance of each row to its centroid.
    /// - Complexity: O(rows · k · features).
    public func assign<Element: MatrixElement>(_ data: DenseMatrix<Element>, threads: Int = 1) throws -> (labels: [Int32], squaredDistances: [Double]) {
        guard data.columns == centroids.columns else {
            throw NumericError.shapeMismatch(
                operation: "assigning rows to the saved clusters", expected: "\(centroids.columns) feature columns, as the centroids have",
                got: "\(data.rows)x\(data.columns)")
        }
        try data.checkFinite()
        let engine = LloydEngine(data: data, k: k, threads: threads, kernel: .automatic)
        let labels = engine.assign(centroids: centroids.storage)
        return (labels, engine.squaredDistances(centroids: centroids.storage, labels: labels))
    }

    /// The squared distance of every row of `data` to its centroid (`labels` from a fit or
    /// `assign`), the matrix's last use: its memory is given back to the system as its rows are
    /// read, and `data` is left empty. So the distances never sit beside the whole matrix.
    /// When another copy still shares the matrix it is copied first (correct, but no memory
    /// is saved).
    /// - Complexity: O(rows · features), one pass.
    public func squaredDistances<Element: MatrixElement>(releasing data: inout DenseMatrix<Element>, labels: [Int32],
                                                         threads: Int = 1) throws -> [Double] {
        guard data.columns == centroids.columns, labels.count == data.rows, labels.allSatisfy({ $0 >= 0 && Int($0) < k }) else {
            throw NumericError.shapeMismatch(
                operation: "distances to the centroids", expected: "\(data.rows) labels in 0..<\(k) and \(centroids.columns) features",
                got: "\(labels.count) labels, \(data.columns) features")
        }
        var storage = data.storage
        data = DenseMatrix(unchecked: 0, centroids.columns, [])
        storage.withUnsafeMutableBufferPointer { _ in }  // the only owner from here on
        let engine = LloydEngine(data: DenseMatrix(unchecked: labels.count, centroids.columns, storage), k: k, threads: threads,
                                 kernel: .automatic)
        storage = []
        let chunks = engine.chunks
        // About 8 MB of the matrix per group, then its pages go.
        let group = max(1, threads) * max(1, (1 << 19) / max(1, chunks.chunkRows * max(1, centroids.columns)))
        var released = 0
        return [Double].written(count: labels.count) { out in
            for first in stride(from: 0, to: chunks.count, by: group) {
                let last = min(chunks.count, first + group)
                engine.forEachSquaredDistance(centroids: centroids.storage, labels: labels, chunks: first..<last) { _, i, s in out[i] = s }
                let rowsDone = last == chunks.count ? labels.count : last * chunks.chunkRows
                engine.data.storage.withUnsafeBytes {
                    PageRelease.release($0, below: rowsDone * centroids.columns * MemoryLayout<Element>.stride, from: &released)
                }
            }
        }
    }
}

/// A fitted model together with the per-row results of the fit.
public struct KMeansResult: Sendable {
    public var model: KMeansModel
    /// 0-based cluster of every row.
    public var labels: [Int32]
    /// Squared distance of every row to its centroid.
    public var squaredDistances: [Double]
    /// Whether each centroid is the mean of the rows its final label gives it (the fit ended on
    /// labels that no further pass changed, and no empty cluster was refilled in the last one):
    /// then the Calinski-Harabasz and Davies-Bouldin scores follow from the centroids, the
    /// sizes and the distances, without reading the rows again (`ClusterMetrics.partitionScores`).
    public var centroidsAreMeans = false

    /// Rows per cluster.
    public var clusterSizes: [Int] {
        var sizes = [Int](repeating: 0, count: model.k)
        for label in labels { sizes[Int(label)] += 1 }
        return sizes
    }

    /// The same clustering with clusters renumbered by decreasing size (ties keep their
    /// original order), the numbering Persona's outputs promise.
    public func orderedBySize() -> KMeansResult {
        var result = self
        result.orderBySize()
        return result
    }

    /// `orderedBySize` in place: the labels are renumbered where they are, not copied.
    public mutating func orderBySize() {
        let sizes = clusterSizes
        let order = (0..<model.k).sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        var newIndex = [Int32](repeating: 0, count: model.k)
        for (position, old) in order.enumerated() { newIndex[old] = Int32(position) }
        let centroids = model.centroids.selectingRows(order)
        model = KMeansModel(
            centroids: centroids, inertia: model.inertia, iterations: model.iterations,
            converged: model.converged, restartInertias: model.restartInertias)
        labels.withUnsafeMutableBufferPointer { labels in
            for i in labels.indices { labels[i] = newIndex[Int(labels[i])] }
        }
    }
}
