extension KMeans {
    /// Fits k-means to the rows of `data`.
    ///
    /// - Parameters:
    ///   - data: `rows x features`, already scaled; must be finite.
    ///   - progress: called on the calling thread after every Lloyd iteration (unit
    ///     `.iterations`, up to `maxIterations`; one step per restart).
    /// - Returns: the best of `nInit` runs (lowest inertia) with per-row labels and distances.
    /// - Throws: `NumericError` when the data do not fit the configuration (fewer rows than k,
    ///   NaN/∞, centroid shape).
    /// - Complexity: O(nInit · iterations · rows · k · features).
    /// - Parameter distances: false leaves `squaredDistances` empty, for a caller that computes
    ///   them later (`KMeansModel.squaredDistances(releasing:…)`) so that the matrix and the
    ///   distances need not be held in full at once.
    public func fit<Element: MatrixElement>(_ data: DenseMatrix<Element>, distances: Bool = true, progress: (WorkProgress) -> Void = { _ in }) throws -> KMeansResult {
        try validate(data)
        let engine = LloydEngine(data: data, k: k, threads: threads, kernel: kernel)
        let absoluteTolerance = tolerance * KMeans.meanColumnVariance(data, threads: threads)
        var best: (run: LloydRun, restart: Int)?
        var inertias = [Double]()
        for restart in 0..<nInit {
            var rng = SeededRandom(seed: seed, stream: UInt64(restart))
            let start: [Double]
            switch initialization {
            case .given(let centroids): start = centroids.storage
            case .random: start = data.widenedRows(rng.sampleIndices(k, from: data.rows)).storage
            case .kMeansPlusPlus: start = KMeansPlusPlus(engine: engine).seed(rng: &rng)
            }
            let step = "k-means k=\(k)" + (nInit > 1 ? ", restart \(restart + 1) of \(nInit)" : "")
            let run = lloyd(engine: engine, start: start, tolerance: absoluteTolerance, keepDistances: distances && nInit == 1) { iteration in
                progress(WorkProgress(step: step, done: iteration, total: maxIterations, unit: .iterations))
            }
            inertias.append(run.inertia)
            if best == nil || run.inertia < (best?.run.inertia ?? .infinity) { best = (run, restart) }
        }
        guard let kept = best?.run else {
            throw NumericError.invalidParameter(name: "n_init", allowed: "at least 1", got: "\(nInit)")
        }
        let model = KMeansModel(
            centroids: Matrix(unchecked: k, data.columns, kept.centroids), inertia: kept.inertia,
            iterations: kept.iterations, converged: kept.converged, restartInertias: inertias)
        let squared = distances && kept.squaredDistances.isEmpty
            ? engine.squaredDistances(centroids: kept.centroids, labels: kept.labels) : kept.squaredDistances
        return KMeansResult(model: model, labels: kept.labels, squaredDistances: squared, centroidsAreMeans: kept.centroidsAreMeans)
    }

    /// sklearn's `_tolerance`: the mean of the population variances of the columns.
    static func meanColumnVariance<Element: MatrixElement>(_ data: DenseMatrix<Element>, threads: Int = 1) -> Double {
        guard data.rows > 0, data.columns > 0 else { return 0 }
        return ColumnStatistics.meansAndVariances(data, threads: threads).variances.reduce(0, +) / Double(data.columns)
    }

    struct LloydRun {
        var centroids: [Double]
        var labels: [Int32]
        var squaredDistances: [Double]
        var inertia: Double
        var iterations: Int
        var converged: Bool
        /// The centroids are the means of the rows under the final labels (`KMeansResult`).
        var centroidsAreMeans: Bool
    }

    /// Lloyd iterations from `start`, following sklearn's `_kmeans_single_lloyd` step by step.
    /// - Parameter keepDistances: keep the per-row squared distances in the run (otherwise
    ///   only their sum, the inertia, is computed).
    func lloyd<Element: MatrixElement>(engine: LloydEngine<Element>, start: [Double], tolerance: Double, keepDistances: Bool = true,
               onIteration: (Int) -> Void) -> LloydRun {
        let d = engine.d
        var centroids = start
        // Written in place by every pass and kept as the result: one array of labels, not two.
        var labels = [Int32](repeating: -1, count: engine.n)
        var iterations = 0
        var strictConvergence = false
        var toleranceReached = false
        // Whether the last pass's sums, which the centroids were made from, are its labels' own
        // (no empty cluster took a row the labels do not give it).
        var lastSumsAreLabels = false
        var centroidsAreMeans = false
        labels.withSharedBuffer { labels in
            for iteration in 1...maxIterations {
                iterations = iteration
                var pass = engine.assignAndSum(centroids: centroids, labels: labels)
                lastSumsAreLabels = !pass.counts.contains(0)
                relocateEmptyClusters(&pass, engine: engine, centroids: centroids, labels: labels)
                let shift = KMeans.moveCentroids(&centroids, sums: pass.sums, counts: pass.counts, d: d)
                onIteration(iteration)
                // The first pass compares against "no labels yet" (-1), so it never stops here.
                if iteration > 1 && pass.changed == 0 {
                    strictConvergence = true
                    break
                }
                if shift <= tolerance {
                    toleranceReached = true
                    break
                }
            }
            if strictConvergence {
                centroidsAreMeans = lastSumsAreLabels
            } else {
                // Relabel against the final centroids, so labels and centroids agree (in place;
                // the sums are not needed). When no label moves, the centroids are the means of
                // the final labels, as after a strict convergence.
                let relabel = engine.assignAndSum(centroids: centroids, labels: labels)
                centroidsAreMeans = lastSumsAreLabels && relabel.changed == 0
            }
        }
        let squared = keepDistances ? engine.squaredDistances(centroids: centroids, labels: labels) : []
        return LloydRun(
            centroids: centroids, labels: labels, squaredDistances: squared,
            inertia: keepDistances ? engine.inertia(squared) : engine.inertia(centroids: centroids, labels: labels),
            iterations: iterations,
            converged: strictConvergence || toleranceReached, centroidsAreMeans: centroidsAreMeans)
    }

    /// sklearn's `_relocate_empty_clusters_dense`: each empty cluster takes the row farthest
    /// from its current centroid (largest first, lower row index on ties); that row's
    /// contribution moves from its old cluster's sum. Labels are left for the next pass.
    func relocateEmptyClusters<Element: MatrixElement>(_ pass: inout LloydEngine<Element>.Pass, engine: LloydEngine<Element>,
                               centroids: [Double], labels: SharedBuffer<Int32>) {
        let empty = (0..<k).filter { pass.counts[$0] == 0 }
        guard !empty.isEmpty else { return }
        let current = labels.array
        let distances = engine.squaredDistances(centroids: centroids, labels: current)
        let d = engine.d
        let farthest = (0..<engine.n)
            .sorted { distances[$0] != distances[$1] ? distances[$0] > distances[$1] : $0 < $1 }
            .prefix(empty.count)
            .map { row in
                LloydPartial.FarRow(row: row, squaredDistance: distances[row], label: Int(current[row]),
                                    values: engine.data.storage[(row * d)..<((row + 1) * d)].map { Double($0) })
            }
        KMeans.relocate(empty: empty, to: farthest, sums: &pass.sums, counts: &pass.counts, d: d)
    }

    /// sklearn's relocation given the rows farthest from their centroids (largest distance
    /// first, lower row first on ties): each empty cluster takes the next one with a positive
    /// distance, and that row's contribution moves from its old cluster's sum.
    static func relocate(empty: [Int], to farthest: [LloydPartial.FarRow], sums: inout [Double], counts: inout [Int], d: Int) {
        for (cluster, far) in zip(empty, farthest) where far.squaredDistance > 0 {
            for f in 0..<d {
                sums[far.label * d + f] -= far.values[f]
                sums[cluster * d + f] = far.values[f]
            }
            counts[far.label] -= 1
            counts[cluster] = 1
        }
    }

    /// The update step: every non-empty cluster's centroid moves to the mean of its rows.
    /// Returns the summed squared shift (compared with the tolerance).
    static func moveCentroids(_ centroids: inout [Double], sums: [Double], counts: [Int], d: Int) -> Double {
        var shift = 0.0
        for j in counts.indices where counts[j] > 0 {
            let inverse = 1 / Double(counts[j])
            for f in 0..<d {
                let updated = sums[j * d + f] * inverse
                let delta = updated - centroids[j * d + f]
                shift += delta * delta
                centroids[j * d + f] = updated
            }
        }
        return shift
    }
}
