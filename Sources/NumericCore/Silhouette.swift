import CKernels
extension ClusterMetrics {
    /// The mean silhouette over all rows (`sklearn.metrics.silhouette_score`, euclidean).
    ///
    /// Distances are computed like sklearn's `euclidean_distances`: ‖x‖² + ‖y‖² − 2x·y,
    /// clamped at 0, the diagonal set to 0, on 256 × 256 blocks; each pair's distance is
    /// computed once (`persona_silhouette_tile`), the cross term as fused multiply-adds.
    /// A row in a singleton cluster scores 0. Returns nil unless 2 ≤ clusters ≤ n − 1.
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
        let rowLabels = sortedLabels.map { Int32($0) }
        var distanceSums = [Double](repeating: 0, count: n * k)
        // The columns' side of a tile reads the rows feature-major, eight or four at once.
        var transposed = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for f in 0..<d { transposed[f * n + i] = sorted.storage[i * d + f] } }
        let tiles = SilhouetteTiles(k: k, d: d, n: n, blocks: blocks, runs: runs, rowLabels: rowLabels,
                                    level: VectorLevel.current.rawValue)
        sorted.storage.withReadOnly { x in
            transposed.withReadOnly { t in
                norms.withReadOnly { norm in
                    rowLabels.withReadOnly { rowLabel in
                        distanceSums.withSharedBuffer { sums in
                            for outer in 0..<blocks.count {
                                let halves = Parallel.map(count: blocks.count - outer, threads: threads) { step -> [Double] in
                                    let (rowHalf, columnHalf) = tiles.pair(outer, outer + step, x: x, t: t, norm: norm, rowLabel: rowLabel)
                                    // Only this task writes the rows of block outer + step in this step.
                                    tiles.add(columnHalf, toRowsOf: outer + step, sums)
                                    return rowHalf
                                }
                                for case .success(let half) in halves { tiles.add(rowHalf: half, toRowsOf: outer, sums) }
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

/// One block pair of the silhouette's distance matrix, and where its two halves go.
private struct SilhouetteTiles: Sendable {
    let k: Int, d: Int, n: Int
    let blocks: RowChunks
    /// Per block, its runs of one cluster: exclusive ends (within the block) and labels.
    let runs: [(ends: [Int64], labels: [Int32])]
    let rowLabels: [Int32]
    let level: Int32

    /// Block `outer`'s rows against block `inner`'s (inner ≥ outer): the row half (m × k, each
    /// row's distance sums per cluster of inner's rows) and, off the diagonal, the column half
    /// (k × w, each of inner's rows' sums per cluster of outer's rows; empty on the diagonal).
    func pair(_ outer: Int, _ inner: Int, x: ReadOnlyPointer<Double>, t: ReadOnlyPointer<Double>,
              norm: ReadOnlyPointer<Double>, rowLabel: ReadOnlyPointer<Int32>) -> (rowHalf: [Double], columnHalf: [Double]) {
        let (rows, columns) = (blocks.range(outer), blocks.range(inner))
        let (m, w) = (rows.count, columns.count)
        let diagonal = inner == outer
        var rowHalf = [Double](repeating: 0, count: m * k)
        var columnHalf = [Double](repeating: 0, count: diagonal ? 0 : k * w)
        var scratch = [Double](repeating: 0, count: 2 * w)
        let run = runs[inner]
        rowHalf.withUnsafeMutableBufferPointer { rowSums in
            columnHalf.withUnsafeMutableBufferPointer { columnSums in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    guard let rowSums = rowSums.baseAddress, let scratch = scratch.baseAddress else { return }
                    persona_silhouette_tile(
                        x.base + rows.lowerBound * d, t.base + columns.lowerBound, Int64(n), Int64(d),
                        norm.base + rows.lowerBound, norm.base + columns.lowerBound, Int64(m), Int64(w),
                        rowLabel.base + rows.lowerBound, run.ends, run.labels, Int64(run.ends.count),
                        diagonal ? 1 : 0, Int64(k), rowSums,
                        // An empty array's base address may be non-nil: say "none" outright.
                        diagonal ? nil : columnSums.baseAddress, scratch, level)
                }
            }
        }
        return (rowHalf, columnHalf)
    }

    /// Adds a column half (k × w) to the sums (n × k) of block `inner`'s rows.
    func add(_ columnHalf: [Double], toRowsOf inner: Int, _ sums: SharedBuffer<Double>) {
        guard !columnHalf.isEmpty else { return }
        let columns = blocks.range(inner)
        let w = columns.count
        for c in 0..<w {
            let row = (columns.lowerBound + c) * k
            for cluster in 0..<k { sums[row + cluster] += columnHalf[cluster * w + c] }
        }
    }

    /// Adds a row half (m × k) to the sums of block `outer`'s rows.
    func add(rowHalf: [Double], toRowsOf outer: Int, _ sums: SharedBuffer<Double>) {
        let start = blocks.range(outer).lowerBound * k
        for i in rowHalf.indices { sums[start + i] += rowHalf[i] }
    }
}
