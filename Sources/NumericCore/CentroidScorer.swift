/// Finds the nearest centroid of rows by the expanded distance ‖c‖² − 2x·c (‖x‖² is the same
/// for every centroid, so the argmin does not need it).
///
/// Two kernels: a fused SIMD loop that keeps all scores of a row in registers (centroids are
/// stored transposed, 8 per vector, pre-multiplied by −2), and BLAS GEMM on blocks of 256 rows
/// for large k·d. Ties go to the lowest centroid index, as `numpy.argmin` does.
///
/// Every fused case scores a row the same way (start from ‖c‖², one FMA per feature in feature
/// order), so a row's label does not depend on whether it falls in a group of four or in the
/// remainder.
struct CentroidScorer: @unchecked Sendable {
    // @unchecked: immutable after init; the arrays are only read.
    let k: Int
    let d: Int
    let centroids: [Double]
    let norms: [Double]
    /// SIMD lanes: `blocks` vectors of 8 centroids.
    let blocks: Int
    /// `−2·c[j][f]` at `transposed[f * blocks + j / 8][j % 8]`; padding lanes are 0.
    let transposed: [SIMD8<Double>]
    /// `‖c_j‖²`, padding lanes +∞ so they never win.
    let paddedNorms: [SIMD8<Double>]

    static let gemmBlockRows = 256

    init(centroids: [Double], k: Int, d: Int) {
        self.k = k
        self.d = d
        self.centroids = centroids
        var norms = [Double](repeating: 0, count: k)
        for j in 0..<k {
            var s = 0.0
            for f in 0..<d { s += centroids[j * d + f] * centroids[j * d + f] }
            norms[j] = s
        }
        self.norms = norms
        let blocks = (k + 7) / 8
        self.blocks = blocks
        var transposed = [SIMD8<Double>](repeating: .zero, count: d * blocks)
        var padded = [SIMD8<Double>](repeating: SIMD8(repeating: .infinity), count: blocks)
        for j in 0..<k {
            padded[j / 8][j % 8] = norms[j]
            for f in 0..<d { transposed[f * blocks + j / 8][j % 8] = -2 * centroids[j * d + f] }
        }
        self.transposed = transposed
        self.paddedNorms = padded
    }

    /// Writes the nearest centroid of every row of `rows` to `labels[row − rows.lowerBound]`.
    /// (Labels go to a buffer rather than to a per-row callback: the scoring loop is too large
    /// for the compiler to inline a caller's closure into it, and a call per row costs more
    /// than the scores.)
    func assign(rows: Range<Int>, x: ReadOnlyPointer<Double>, kernel: AssignmentKernel,
                into labels: UnsafeMutablePointer<Int32>) {
        let first = rows.lowerBound
        if kernel == .gemm {
            assignGEMM(rows: rows, x: x) { i, label in labels[i - first] = label }
        } else {
            assignFused(rows: rows, x: x) { i, label in labels[i - first] = label }
        }
    }

    /// The smallest lane and its index (the first on ties), without branches: argmin over
    /// random data is unpredictable, and mispredicted compares cost more than the scores.
    /// The comparison becomes a 0/−1 mask that selects the index arithmetically.
    @inline(__always)
    private static func argmin(_ v: SIMD8<Double>) -> (Double, Int64) {
        var best = v[0]
        var index: Int64 = 0
        for lane in 1..<8 {
            let x = v[lane]
            let mask = -Int64(unsafeBitCast(x < best, to: UInt8.self))
            index = (index & ~mask) | (Int64(lane) & mask)
            best = Swift.min(best, x)
        }
        return (best, index)
    }

    @inline(__always)
    private func assignFused(rows: Range<Int>, x: ReadOnlyPointer<Double>, visit: (Int, Int32) -> Void) {
        let d = self.d
        transposed.withUnsafeBufferPointer { ct in
            paddedNorms.withUnsafeBufferPointer { c2 in
                guard let ct = ct.baseAddress, let c2 = c2.baseAddress else { return }
                switch blocks {
                case 1:
                    // Four rows at a time: one row's 16 dependent adds would leave the vector
                    // units idle waiting on latency; four independent chains keep them busy.
                    var i = rows.lowerBound
                    while i + 4 <= rows.upperBound {
                        let r0 = x.base + i * d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d
                        var a0 = c2[0], a1 = c2[0], a2 = c2[0], a3 = c2[0]
                        for f in 0..<d {
                            let c = ct[f]
                            a0 = a0.addingProduct(SIMD8(repeating: r0[f]), c)
                            a1 = a1.addingProduct(SIMD8(repeating: r1[f]), c)
                            a2 = a2.addingProduct(SIMD8(repeating: r2[f]), c)
                            a3 = a3.addingProduct(SIMD8(repeating: r3[f]), c)
                        }
                        visit(i, Int32(truncatingIfNeeded: CentroidScorer.argmin(a0).1))
                        visit(i + 1, Int32(truncatingIfNeeded: CentroidScorer.argmin(a1).1))
                        visit(i + 2, Int32(truncatingIfNeeded: CentroidScorer.argmin(a2).1))
                        visit(i + 3, Int32(truncatingIfNeeded: CentroidScorer.argmin(a3).1))
                        i += 4
                    }
                    while i < rows.upperBound {
                        let row = x.base + i * d
                        var acc = c2[0]
                        for f in 0..<d { acc = acc.addingProduct(SIMD8(repeating: row[f]), ct[f]) }
                        visit(i, Int32(truncatingIfNeeded: CentroidScorer.argmin(acc).1))
                        i += 1
                    }
                case 2:
                    for i in rows {
                        let row = x.base + i * d
                        var a0 = c2[0], a1 = c2[1]
                        for f in 0..<d {
                            let xv = SIMD8(repeating: row[f])
                            a0 = a0.addingProduct(xv, ct[2 * f])
                            a1 = a1.addingProduct(xv, ct[2 * f + 1])
                        }
                        let (m0, i0) = CentroidScorer.argmin(a0)
                        let (m1, i1) = CentroidScorer.argmin(a1)
                        visit(i, Int32(truncatingIfNeeded: m1 < m0 ? i1 + 8 : i0))
                    }
                default:
                    var acc = [SIMD8<Double>](repeating: .zero, count: blocks)
                    for i in rows {
                        let row = x.base + i * d
                        for b in 0..<blocks { acc[b] = c2[b] }
                        for f in 0..<d {
                            let xv = SIMD8(repeating: row[f])
                            for b in 0..<blocks { acc[b] = acc[b].addingProduct(xv, ct[f * blocks + b]) }
                        }
                        var best = Double.infinity
                        var label: Int64 = 0
                        for b in 0..<blocks {
                            let (m, j) = CentroidScorer.argmin(acc[b])
                            if m < best { best = m; label = Int64(b * 8) + j }
                        }
                        visit(i, Int32(truncatingIfNeeded: label))
                    }
                }
            }
        }
    }

    private func assignGEMM(rows: Range<Int>, x: ReadOnlyPointer<Double>, visit: (Int, Int32) -> Void) {
        let (k, d) = (self.k, self.d)
        let blockRows = CentroidScorer.gemmBlockRows
        var products = [Double](repeating: 0, count: blockRows * k)
        centroids.withUnsafeBufferPointer { cent in
            products.withUnsafeMutableBufferPointer { prod in
                guard let cent = cent.baseAddress, let prod = prod.baseAddress else { return }
                var start = rows.lowerBound
                while start < rows.upperBound {
                    let m = min(blockRows, rows.upperBound - start)
                    BLAS.gemmABt(m: m, n: k, k: d, alpha: -2, a: x.base + start * d, b: cent, beta: 0, c: prod)
                    for r in 0..<m {
                        let scores = prod + r * k
                        var best = Double.infinity
                        var label = 0
                        for j in 0..<k {
                            let s = scores[j] + norms[j]
                            if s < best { best = s; label = j }
                        }
                        visit(start + r, Int32(label))
                    }
                    start += m
                }
            }
        }
    }
}
