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
        var counts = [Int](repeating: 0, count: k)
        for label in dense { counts[label] += 1 }
        var norms = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = 0.0
            for f in 0..<d { s += data.storage[i * d + f] * data.storage[i * d + f] }
            norms[i] = s
        }
        let scores = SharedBuffer<Double>(repeating: 0, count: n)
        let blocks = RowChunks(rows: n, chunkRows: 256)
        let tile = 4096
        data.storage.withReadOnly { x in
            norms.withReadOnly { norm in
                dense.withReadOnly { label in
                    counts.withReadOnly { count in
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
                                        for c in 0..<width {
                                            let j = start + c
                                            let squared = i == j ? 0 : max(0, prod[r * width + c] + norm[i] + norm[j])
                                            sums[r * k + label[j]] += squared.squareRoot()
                                        }
                                    }
                                }
                                start += width
                            }
                            for r in 0..<m {
                                let i = rows.lowerBound + r
                                let own = label[i]
                                guard count[own] > 1 else { scores[i] = 0; continue }
                                let a = sums[r * k + own] / Double(count[own] - 1)
                                var b = Double.infinity
                                for j in 0..<k where j != own { b = min(b, sums[r * k + j] / Double(count[j])) }
                                let denominator = max(a, b)
                                scores[i] = denominator == 0 ? 0 : (b - a) / denominator
                            }
                        }
                    }
                }
            }
        }
        return ColumnStatistics.mean(scores.array)
    }
}
