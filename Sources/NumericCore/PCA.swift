internal import COpenBLAS

/// Principal components by eigen-decomposition of the covariance matrix (LAPACK `dsyevd`),
/// as `sklearn.decomposition.PCA` with the covariance solver: components are unit vectors in
/// decreasing order of variance, each signed so that its largest-magnitude loading is
/// positive (sklearn's `svd_flip` on the components), variances use n − 1.
public struct PCA: Sendable, Equatable {
    /// Column means of the data the projection was fitted on.
    public let mean: [Double]
    /// `components × columns`, row-major: one unit direction per row.
    public let components: Matrix
    /// Variance along each component (n − 1 denominator).
    public let explainedVariance: [Double]
    /// Each component's share of the total variance.
    public let explainedVarianceRatio: [Double]

    /// Fits `count` components on the rows of `x`.
    /// - Throws: `NumericError.invalidParameter` when `count` is not in 1...columns,
    ///   `.tooFewSamples` with fewer than 2 rows, `.nonFinite`, `.lapackFailure`.
    public static func fit(_ x: Matrix, components count: Int) throws -> PCA {
        let n = x.rows, d = x.columns
        guard (1...max(1, d)).contains(count), d >= 1 else {
            throw NumericError.invalidParameter(name: "n_components", allowed: "an int in the range [1, \(d)]", got: "\(count)")
        }
        guard n >= 2 else { throw NumericError.tooFewSamples(samples: n, required: 2, reason: "a 2-D projection needs a spread of rows") }
        try x.checkFinite()
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += x.storage[i * d + j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        var centred = x.storage
        for i in 0..<n { for j in 0..<d { centred[i * d + j] -= mean[j] } }
        // Upper triangle of XᵀX / (n − 1), row-major d × d.
        var covariance = [Double](repeating: 0, count: d * d)
        centred.withUnsafeBufferPointer { xs in
            covariance.withUnsafeMutableBufferPointer { c in
                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(n), 1 / Double(n - 1),
                            xs.baseAddress, Int32(d), 0, c.baseAddress, Int32(d))
            }
        }
        var eigenvalues = [Double](repeating: 0, count: d)
        let info = covariance.withUnsafeMutableBufferPointer { c in
            eigenvalues.withUnsafeMutableBufferPointer { w in
                LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")), Int32(d),
                               c.baseAddress, Int32(d), w.baseAddress)
            }
        }
        guard info == 0 else { throw NumericError.lapackFailure(routine: "dsyevd", info: Int(info)) }
        // Eigenvalues come in ascending order; eigenvector j is column j of `covariance`.
        let total = eigenvalues.reduce(0) { $0 + max(0, $1) }
        var rows = [Double]()
        var variances = [Double]()
        for rank in 0..<count {
            let j = d - 1 - rank
            var vector = (0..<d).map { covariance[$0 * d + j] }
            let largest = vector.indices.max { abs(vector[$0]) < abs(vector[$1]) } ?? 0
            if vector[largest] < 0 { vector = vector.map { -$0 } }
            rows += vector
            variances.append(max(0, eigenvalues[j]))
        }
        return PCA(mean: mean, components: Matrix(unchecked: count, d, rows), explainedVariance: variances,
                   explainedVarianceRatio: variances.map { total > 0 ? $0 / total : 0 })
    }

    /// Coordinates of each row of `x` on the components: `(x − mean) · componentsᵀ`.
    public func transform(_ x: Matrix) throws -> Matrix {
        guard x.columns == mean.count else {
            throw NumericError.shapeMismatch(operation: "the 2-D projection", expected: "\(mean.count) feature columns", got: "\(x.columns)")
        }
        let d = x.columns, c = components.rows
        var out = [Double](repeating: 0, count: x.rows * c)
        for i in 0..<x.rows {
            for r in 0..<c {
                var sum = 0.0
                for j in 0..<d { sum += (x.storage[i * d + j] - mean[j]) * components.storage[r * d + j] }
                out[i * c + r] = sum
            }
        }
        return Matrix(unchecked: x.rows, c, out)
    }
}
