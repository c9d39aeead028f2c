/// The data-parallel passes of k-means over one data matrix: assignment with partial sums,
/// centroid update, exact distances. Everything is computed per fixed row chunk and reduced
/// in chunk order, so the results are identical for any thread count. The data may be stored
/// as doubles or floats (`MatrixElement`); the arithmetic is in double either way.
struct LloydEngine<Element: MatrixElement>: @unchecked Sendable {
    // @unchecked: `data` is only read, and every parallel write goes to a disjoint slot of a
    // SharedBuffer (one per row or per chunk).
    let data: DenseMatrix<Element>
    let k: Int
    let threads: Int
    let kernel: AssignmentKernel
    let chunks: RowChunks

    /// Rows per kernel call (their labels, 1 KB, are then compared with the last pass in cache).
    static var blockRows: Int { 256 }

    var n: Int { data.rows }
    var d: Int { data.columns }

    init(data: DenseMatrix<Element>, k: Int, threads: Int, kernel: AssignmentKernel) {
        self.data = data
        self.k = k
        self.threads = threads
        self.kernel = kernel.resolved(k: k, d: data.columns)
        self.chunks = RowChunks(rows: data.rows)
    }

    /// The outcome of one assignment pass.
    struct Pass {
        var sums: [Double]   // k·d, summed over rows per cluster
        var counts: [Int]    // k
        var changed: Int     // rows whose label differs from the previous one
    }

    /// Assigns every row to its nearest centroid (writing `labels`) and sums rows per cluster.
    func assignAndSum(centroids: [Double], labels: SharedBuffer<Int32>) -> Pass {
        let (k, d) = (self.k, self.d)
        let partialSums = SharedBuffer<Double>(repeating: 0, count: chunks.count * k * d)
        let partialCounts = SharedBuffer<Int>(repeating: 0, count: chunks.count * k)
        let partialChanged = SharedBuffer<Int>(repeating: 0, count: chunks.count)
        let scorer = CentroidScorer(centroids: centroids, k: k, d: d)
        let kernel = self.kernel
        data.storage.withReadOnly { x in
            chunks.forEach(threads: threads) { c in
                let rows = chunks.range(c)
                let sums = partialSums.pointer + c * k * d
                let counts = partialCounts.pointer + c * k
                var changed = 0
                // Score a block of rows, then add the block (still in cache) to its clusters.
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: LloydEngine.blockRows) { block in
                    guard let assigned = block.baseAddress else { return }
                    var start = rows.lowerBound
                    while start < rows.upperBound {
                        let end = min(start + LloydEngine.blockRows, rows.upperBound)
                        scorer.assign(rows: start..<end, x: x, kernel: kernel, into: assigned, sums: sums, counts: counts)
                        for i in start..<end {
                            let label = assigned[i - start]
                            if labels[i] != label { changed += 1; labels[i] = label }
                        }
                        start = end
                    }
                }
                partialChanged[c] = changed
            }
        }
        var pass = Pass(sums: [Double](repeating: 0, count: k * d), counts: [Int](repeating: 0, count: k), changed: 0)
        for c in 0..<chunks.count {
            for j in 0..<(k * d) { pass.sums[j] += partialSums[c * k * d + j] }
            for j in 0..<k { pass.counts[j] += partialCounts[c * k + j] }
            pass.changed += partialChanged[c]
        }
        return pass
    }

    /// Labels only (prediction, and the final relabelling step).
    func assign(centroids: [Double]) -> [Int32] {
        let scorer = CentroidScorer(centroids: centroids, k: k, d: d)
        let kernel = self.kernel
        return [Int32].written(count: n) { labels in
            data.storage.withReadOnly { x in
                chunks.forEach(threads: threads) { c in
                    let rows = chunks.range(c)
                    scorer.assign(rows: rows, x: x, kernel: kernel, into: labels.pointer + rows.lowerBound)
                }
            }
        }
    }

    /// Exact `‖x_i − c_label(i)‖²` for every row, by differences (not the expanded form), so
    /// distances and inertia carry no cancellation error.
    func squaredDistances(centroids: [Double], labels: [Int32]) -> [Double] {
        [Double].written(count: n) { out in
            forEachSquaredDistance(centroids: centroids, labels: labels, chunks: 0..<chunks.count) { _, i, s in out[i] = s }
        }
    }

    /// The same sum as `inertia(squaredDistances(…))`, bit for bit, without the per-row array.
    func inertia(centroids: [Double], labels: [Int32]) -> Double {
        let partial = SharedBuffer<Double>(repeating: 0, count: chunks.count)
        forEachSquaredDistance(centroids: centroids, labels: labels, chunks: 0..<chunks.count) { c, _, s in partial[c] += s }
        var total = 0.0
        for c in 0..<chunks.count { total += partial[c] }
        return total
    }

    /// Calls `body(chunk, row, squared distance)` for every row of `chunks`, each chunk's rows
    /// in order on one thread.
    func forEachSquaredDistance(centroids: [Double], labels: [Int32], chunks range: Range<Int>,
                                _ body: @Sendable (Int, Int, Double) -> Void) {
        let d = self.d
        let chunks = self.chunks
        data.storage.withReadOnly { x in
            centroids.withReadOnly { cent in
                labels.withReadOnly { lab in
                    RowChunks.forEach(range, threads: threads) { c in
                        Element.forEachWidenedBlock(x.base, rows: chunks.range(c), d: d) { rows, wide in
                            for i in rows {
                                let row = wide + (i - rows.lowerBound) * d
                                let center = cent.base + Int(lab[i]) * d
                                var s = 0.0
                                for f in 0..<d {
                                    let diff = row[f] - center[f]
                                    s += diff * diff
                                }
                                body(c, i, s)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Sum of squared distances, reduced per chunk in chunk order.
    func inertia(_ squaredDistances: [Double]) -> Double {
        var total = 0.0
        for c in 0..<chunks.count {
            var s = 0.0
            for i in chunks.range(c) { s += squaredDistances[i] }
            total += s
        }
        return total
    }
}
