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
    public func assign(_ data: Matrix, threads: Int = 1) throws -> (labels: [Int32], squaredDistances: [Double]) {
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
}

/// A fitted model together with the per-row results of the fit.
public struct KMeansResult: Sendable {
    public var model: KMeansModel
    /// 0-based cluster of every row.
    public var labels: [Int32]
    /// Squared distance of every row to its centroid.
    public var squaredDistances: [Double]

    /// Rows per cluster.
    public var clusterSizes: [Int] {
        var sizes = [Int](repeating: 0, count: model.k)
        for label in labels { sizes[Int(label)] += 1 }
        return sizes
    }

    /// The same clustering with clusters renumbered by decreasing size (ties keep their
    /// original order), the numbering Persona's outputs promise.
    public func orderedBySize() -> KMeansResult {
        let sizes = clusterSizes
        let order = (0..<model.k).sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        var newIndex = [Int32](repeating: 0, count: model.k)
        for (position, old) in order.enumerated() { newIndex[old] = Int32(position) }
        let centroids = model.centroids.selectingRows(order)
        let model = KMeansModel(
            centroids: centroids, inertia: model.inertia, iterations: model.iterations,
            converged: model.converged, restartInertias: model.restartInertias)
        return KMeansResult(model: model, labels: labels.map { newIndex[Int($0)] },
                            squaredDistances: squaredDistances)
    }
}
