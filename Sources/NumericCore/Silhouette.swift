import CKernels
extension ClusterMetrics {
    /// The mean silhouette over all rows (`sklearn.metrics.silhouette_score`, euclidean).
    ///
    /// Distances are computed like sklearn's `euclidean_distances`: ‖x‖² + ‖y‖² − 2x·y,
    /// clamped at 0, the diagonal set to 0, on 256 × 256 blocks; each pair's distance is
    /// computed once (`persona_silhouette_tile`), the cross term as fused multiply-adds. A row in a singleton
    /// cluster scores 0. Returns nil unless 2 ≤ clusters ≤ n − 1.
    /// - Complexity: O(n² · features / 2) time; the rows once more (feature-major) and n · k sums.
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
        // Summed distances from each row to each cluster, n × k. The distance matrix is
        // symmetric: block pair (I, J ≥ I) is computed once and gives block I's rows their
        // sums over J's columns and, off the diagonal, J's rows theirs over I's. Outer step I
        // runs its pairs in parallel; each adds its column half straight into J's rows (no
        // other task of the step touches them), and the row halves are added to I's rows in
        // J order after the step. Every row's sums thus receive their parts in block order,
        // the same bits for any thread count.
        let blocks = RowChunks(rows: n, chunkRows: 256)
        var runs = [(ends: [Int64], labels: [Int32])]()
        for block in 0..<blocks.count {
            let range = blocks.range(block)
            var ends = [Int64](), runLabels = [Int32]()
            for i in range where i + 1 == range.upperBound || sortedLabels[i + 1] != sortedLabels[i] {
                ends.append(Int64(i + 1 - range.lowerBound))
                runLabels.append(Int32(sortedLabels[i]))
            }
            runs.append((ends, runLabels))
        }
        let blockRuns = runs
        let rowLabels = sortedLabels.map { Int32($0) }
        let level = VectorLevel.current.rawValue
        var distanceSums = [Double](repeating: 0, count: n * k)
        // The columns' side of a tile reads the rows feature-major, eight or four at once.
        var transposed = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for f in 0..<d { transposed[f * n + i] = sorted.storage[i * d + f] } }
        sorted.storage.withReadOnly { x in
            transposed.withReadOnly { t in
            norms.withReadOnly { norm in
                rowLabels.withReadOnly { rowLabel in
                    distanceSums.withSharedBuffer { sums in
                        for outer in 0..<blocks.count {
                            let rows = blocks.range(outer)
                            let m = rows.count
                            let halves = Parallel.map(count: blocks.count - outer, threads: threads) { step -> [Double] in
                                let inner = outer + step
                                let columns = blocks.range(inner)
                                let w = columns.count
                                var rowHalf = [Double](repeating: 0, count: m * k)
                                var columnHalf = [Double](repeating: 0, count: inner == outer ? 0 : k * w)
                                var scratch = [Double](repeating: 0, count: w)
                                rowHalf.withUnsafeMutableBufferPointer { rowSums in
                                    columnHalf.withUnsafeMutableBufferPointer { columnSums in
                                        scratch.withUnsafeMutableBufferPointer { scratch in
                                            guard let rowSums = rowSums.baseAddress, let scratch = scratch.baseAddress else { return }
                                            let run = blockRuns[inner]
                                            persona_silhouette_tile(
                                                x.base + rows.lowerBound * d, t.base + columns.lowerBound, Int64(n), Int64(d),
                                                norm.base + rows.lowerBound, norm.base + columns.lowerBound, Int64(m), Int64(w),
                                                rowLabel.base + rows.lowerBound, run.ends, run.labels, Int64(run.ends.count),
                                                inner == outer ? 1 : 0, Int64(k), rowSums,
                                                // An empty array's base address may be non-nil: say "none" outright.
                                                inner == outer ? nil : columnSums.baseAddress, scratch, level)
                                        }
                                    }
                                }
                                for c in 0..<columnHalf.count / max(k, 1) {
                                    let row = (columns.lowerBound + c) * k
                                    for cluster in 0..<k { sums[row + cluster] += columnHalf[cluster * w + c] }
                                }
                                return rowHalf
                            }
                            for case .success(let half) in halves {
                                for r in 0..<m {
                                    for cluster in 0..<k { sums[(rows.lowerBound + r) * k + cluster] += half[r * k + cluster] }
                                }
                            }
                        }
                    }
                }
            }
            }
        }
        var scores = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let own = sortedLabels[i]
            guard sizes[own] > 1 else { continue }
            let a = distanceSums[i * k + own] / Double(sizes[own] - 1)
            var b = Double.infinity
            for j in 0..<k where j != own { b = min(b, distanceSums[i * k + j] / Double(sizes[j])) }
            let denominator = max(a, b)
            scores[original[i]] = denominator == 0 ? 0 : (b - a) / denominator
        }
        return ColumnStatistics.mean(scores)
    }
}
