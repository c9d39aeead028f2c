import CKernels
extension ClusterMetrics {
    /// The mean silhouette over all rows (`sklearn.metrics.silhouette_score`, euclidean).
    ///
    /// Distances are computed like sklearn's `euclidean_distances`: ‖x‖² + ‖y‖² − 2x·y with
    /// the cross term from BLAS GEMM on 256-row blocks, clamped at 0, the diagonal set to 0.
    /// A row in a singleton cluster scores 0. Returns nil unless 2 ≤ clusters ≤ n − 1.
    /// - Complexity: O(n² · features) time, O(256 · 4096) scratch per thread.
    public static func silhouette(_ data: Matrix, labels: [Int32], threads: Int = 1) -> Double? {
        let (dense, k) = denseLabels(labels)
        let n = data.rows
        guard k >= 2, k <= n - 1 else { return nil }
        let d = data.columns
        // Rows ordered by cluster (stably): the distances from a row to one cluster are then a
        // contiguous run, summed without a scattered add per pair (which cost three times the
        // square root).
        var counts = [Int](repeating: 0, count: k)
        for label in dense { counts[Int(label)] += 1 }
        var segmentStart = [Int](repeating: 0, count: k + 1)
        for c in 0..<k { segmentStart[c + 1] = segmentStart[c] + counts[c] }
        var order = [Int](repeating: 0, count: n)
        var next = segmentStart
        for (i, label) in dense.enumerated() {
            order[next[Int(label)]] = i
            next[Int(label)] += 1
        }
        let (sizes, original) = (counts, order)
        let sorted = data.selectingRows(order)
        let sortedLabels = order.map { Int(dense[$0]) }
        var norms = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = 0.0
            for f in 0..<d { s += sorted.storage[i * d + f] * sorted.storage[i * d + f] }
            norms[i] = s
        }
        let scores = SharedBuffer<Double>(repeating: 0, count: n)
        let blocks = RowChunks(rows: n, chunkRows: 256)
        let tile = 512
        sorted.storage.withReadOnly { x in
            norms.withReadOnly { norm in
                sortedLabels.withReadOnly { label in
                    segmentStart.withReadOnly { segment in
                        blocks.forEach(threads: threads) { block in
                            let rows = blocks.range(block)
                            let m = rows.count
                            var sums = [Double](repeating: 0, count: m * k)
                            var products = [Double](repeating: 0, count: m * tile)
                            var start = 0
                            while start < n {
                                let width = min(tile, n - start)
                                products.withUnsafeMutableBufferPointer { prod in
                                    guard let prod = prod.baseAddress else { return }
                                    BLAS.gemmABt(m: m, n: width, k: d, alpha: -2, a: x.base + rows.lowerBound * d,
                                                 b: x.base + start * d, beta: 0, c: prod)
                                    for r in 0..<m {
                                        let i = rows.lowerBound + r
                                        let ni = norm[i]
                                        let products = prod + r * width
                                        var c = 0
                                        while c < width {
                                            let cluster = label[start + c]
                                            let end = min(width, segment[cluster + 1] - start)
                                            sums[r * k + cluster] += distanceSum(products, norm.base + start, from: c, to: end,
                                                                                 ni: ni, skip: i - start)
                                            c = end
                                        }
                                    }
                                }
                                start += width
                            }
                            for r in 0..<m {
                                let i = rows.lowerBound + r
                                let own = label[i]
                                guard sizes[own] > 1 else { scores[original[i]] = 0; continue }
                                let a = sums[r * k + own] / Double(sizes[own] - 1)
                                var b = Double.infinity
                                for j in 0..<k where j != own { b = min(b, sums[r * k + j] / Double(sizes[j])) }
                                let denominator = max(a, b)
                                scores[original[i]] = denominator == 0 ? 0 : (b - a) / denominator
                            }
                        }
                    }
                }
            }
        }
        return ColumnStatistics.mean(scores.array)
    }

    /// Σ over columns `from..<to` of √max(0, products[c] + ni + norms[c]), leaving out column
    /// `skip` (the row itself, whose distance is 0 by definition): C at the CPU's vector level
    /// (`persona_distance_sum`), four running sums, the same bits at every level.
    @inline(__always)
    private static func distanceSum(_ products: UnsafePointer<Double>, _ norms: UnsafePointer<Double>, from: Int, to: Int,
                                    ni: Double, skip: Int) -> Double {
        persona_distance_sum(products, norms, Int64(from), Int64(to), ni, Int64(skip), VectorLevel.current.rawValue)
    }
}
