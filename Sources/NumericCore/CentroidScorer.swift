/// Finds the nearest centroid of rows by the expanded distance ‖c‖² − 2x·c (‖x‖² is the same
/// for every centroid, so the argmin does not need it).
///
/// Two kernels: a fused loop that keeps all scores of a row in registers (centroids stored
/// transposed, 8 per group, pre-multiplied by −2), and BLAS GEMM on blocks of 256 rows for
/// large k·d. Ties go to the lowest centroid index, as `numpy.argmin` does.
///
/// The fused loop is C (Sources/CKernels) built for three instruction levels — plain x86-64,
/// AVX2+FMA and AVX-512 — of which `VectorLevel.current` picks the best the CPU has at run
/// time. Every level scores a row the same way (start from ‖c‖², one fused multiply-add per
/// feature in feature order), so labels are identical at every level and in every row group.
struct CentroidScorer: Sendable {
    let k: Int
    let d: Int
    let centroids: [Double]
    let norms: [Double]
    /// Groups of 8 centroids.
    let blocks: Int
    /// `−2·c[j][f]` at `transposed[(f * blocks + j / 8) * 8 + j % 8]`; padding lanes are 0.
    let transposed: [Double]
    /// `‖c_j‖²` at `paddedNorms[j]`, padding lanes +∞ so they never win.
    let paddedNorms: [Double]
    let level: VectorLevel

    static let gemmBlockRows = 256

    init(centroids: [Double], k: Int, d: Int, level: VectorLevel = .current) {
        self.k = k
        self.d = d
        self.centroids = centroids
        self.level = level
        var norms = [Double](repeating: 0, count: k)
        for j in 0..<k {
            var s = 0.0
            for f in 0..<d { s += centroids[j * d + f] * centroids[j * d + f] }
            norms[j] = s
        }
        self.norms = norms
        let blocks = (k + 7) / 8
        self.blocks = blocks
        var transposed = [Double](repeating: 0, count: d * blocks * 8)
        var padded = [Double](repeating: .infinity, count: blocks * 8)
        for j in 0..<k {
            padded[j] = norms[j]
            for f in 0..<d { transposed[f * blocks * 8 + j] = -2 * centroids[j * d + f] }
        }
        self.transposed = transposed
        self.paddedNorms = padded
    }

    /// Writes the nearest centroid of every row of `rows` to `labels[row − rows.lowerBound]`;
    /// with `sums` (k·d) and `counts` (k), also adds each row to its cluster's sums and counts
    /// it, in row order, while the row is in cache.
    func assign<Element: MatrixElement>(rows: Range<Int>, x: ReadOnlyPointer<Element>, kernel: AssignmentKernel,
                into labels: UnsafeMutablePointer<Int32>,
                sums: UnsafeMutablePointer<Double>? = nil, counts: UnsafeMutablePointer<Int>? = nil) {
        let first = rows.lowerBound
        if kernel == .gemm {
            let d = self.d
            assignGEMM(rows: rows, x: x) { i, row, label in
                labels[i - first] = label
                if let sums, let counts {
                    let target = sums + Int(label) * d
                    for f in 0..<d { target[f] += row[f] }
                    counts[Int(label)] += 1
                }
            }
        } else {
            assignFused(rows: rows, x: x, into: labels, sums: sums, counts: counts)
        }
    }

    private func assignFused<Element: MatrixElement>(rows: Range<Int>, x: ReadOnlyPointer<Element>, into labels: UnsafeMutablePointer<Int32>,
                             sums: UnsafeMutablePointer<Double>?, counts: UnsafeMutablePointer<Int>?) {
        guard !rows.isEmpty else { return }
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(32, blocks * 8) * MemoryLayout<Double>.stride, alignment: 64)
        defer { scratch.deallocate() }
        transposed.withUnsafeBufferPointer { ct in
            paddedNorms.withUnsafeBufferPointer { c2 in
                guard let ct = ct.baseAddress, let c2 = c2.baseAddress else { return }
                let scores = scratch.assumingMemoryBound(to: Double.self)
                let start = x.base + rows.lowerBound * d
                if let counts {
                    counts.withMemoryRebound(to: Int64.self, capacity: k) { counts in
                        Element.assignFused(start, rows: rows.count, d: d, transposed: ct, norms: c2, blocks: blocks, labels: labels,
                                            sums: sums, counts: counts, scratch: scores, level: level)
                    }
                } else {
                    Element.assignFused(start, rows: rows.count, d: d, transposed: ct, norms: c2, blocks: blocks, labels: labels,
                                        sums: nil, counts: nil, scratch: scores, level: level)
                }
            }
        }
    }

    /// `visit(row, its values as doubles, label)` for every row, in order.
    private func assignGEMM<Element: MatrixElement>(rows: Range<Int>, x: ReadOnlyPointer<Element>,
                                                    visit: (Int, UnsafePointer<Double>, Int32) -> Void) {
        let (k, d) = (self.k, self.d)
        let blockRows = CentroidScorer.gemmBlockRows
        var products = [Double](repeating: 0, count: blockRows * k)
        centroids.withUnsafeBufferPointer { cent in
            products.withUnsafeMutableBufferPointer { prod in
                guard let cent = cent.baseAddress, let prod = prod.baseAddress else { return }
                var start = rows.lowerBound
                while start < rows.upperBound {
                    let m = min(blockRows, rows.upperBound - start)
                    Element.forEachWidenedBlock(x.base, rows: start..<(start + m), d: d) { _, block in
                        BLAS.gemmABt(m: m, n: k, k: d, alpha: -2, a: block, b: cent, beta: 0, c: prod)
                        for r in 0..<m {
                            let scores = prod + r * k
                            var best = Double.infinity
                            var label = 0
                            for j in 0..<k {
                                let s = scores[j] + norms[j]
                                if s < best { best = s; label = j }
                            }
                            visit(start + r, block + r * d, Int32(label))
                        }
                    }
                    start += m
                }
            }
        }
    }
}
