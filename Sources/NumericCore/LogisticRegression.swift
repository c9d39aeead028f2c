internal import COpenBLAS
import Foundation

/// Binary logistic regression fitted by Newton's method (IRLS): each step forms the Hessian
/// XᵀWX with BLAS `dsyrk` over fixed row chunks (in parallel, reduced in chunk order, so the
/// result does not depend on the thread count) and solves it by Cholesky (LAPACK `dpotrf` /
/// `dpotrs`). Steps are halved until the objective improves, so the fit converges from any
/// start. The objective is the (weighted) negative log-likelihood plus `l2/2·‖β‖²` on the
/// coefficients, never on the intercept — scikit-learn's `LogisticRegression(C = 1/l2)`, and
/// statsmodels' `Logit` when `l2 = 0`.
public struct LogisticRegression: Sendable {
    public let l2: Double
    public let maxIterations: Int
    /// Converged when the largest step is at most `tolerance · (1 + max |β|)`.
    public let tolerance: Double
    public let threads: Int
    /// Whether large fits start from a fit on every 8th row (tests compare both ways).
    var usesWarmStart = true

    /// - Throws: `NumericError.invalidParameter` for a negative or non-finite `l2` or
    ///   `tolerance`, or `maxIterations` below 1.
    public init(l2: Double = 0, maxIterations: Int = 100, tolerance: Double = 1e-10, threads: Int = 1) throws {
        guard tolerance >= 0, tolerance.isFinite else {
            throw NumericError.invalidParameter(name: "tol", allowed: "a finite number >= 0", got: "\(tolerance)")
        }
        guard l2 >= 0, l2.isFinite else {
            throw NumericError.invalidParameter(name: "l2", allowed: "a finite number >= 0", got: "\(l2)")
        }
        guard maxIterations >= 1 else {
            throw NumericError.invalidParameter(name: "max_iter", allowed: "an int in the range [1, inf)", got: "\(maxIterations)")
        }
        self.l2 = l2
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.threads = max(1, threads)
    }

    /// A fitted model.
    public struct Fit: Sendable, Equatable, Codable {
        public let intercept: Double
        public let coefficients: [Double]
        /// From the inverse of the (penalized) Hessian at the solution.
        public let interceptStandardError: Double
        public let standardErrors: [Double]
        public let iterations: Int
        public let converged: Bool
        /// Σ wᵢ (yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)).
        public let logLikelihood: Double
        /// −logLikelihood + l2/2·‖β‖².
        public let objective: Double

        public init(intercept: Double, coefficients: [Double], interceptStandardError: Double, standardErrors: [Double],
                    iterations: Int, converged: Bool, logLikelihood: Double, objective: Double) {
            self.intercept = intercept
            self.coefficients = coefficients
            self.interceptStandardError = interceptStandardError
            self.standardErrors = standardErrors
            self.iterations = iterations
            self.converged = converged
            self.logLikelihood = logLikelihood
            self.objective = objective
        }

        /// P(y = 1) for each row of `x`.
        public func probabilities(_ x: Matrix, threads: Int = 1) throws -> [Double] {
            guard x.columns == coefficients.count else {
                throw NumericError.shapeMismatch(operation: "logistic regression scoring",
                                                 expected: "\(coefficients.count) columns", got: "\(x.columns)")
            }
            let chunks = RowChunks(rows: x.rows)
            let out = SharedBuffer<Double>(repeating: 0, count: x.rows)
            let (beta, b0, p) = (coefficients, intercept, x.columns)
            x.storage.withReadOnly { data in
                beta.withReadOnly { b in
                    chunks.forEach(threads: threads) { c in
                        let rows = chunks.range(c)
                        let eta = out.pointer + rows.lowerBound
                        eta.update(repeating: b0, count: rows.count)
                        if p > 0 {
                            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(rows.count), Int32(p), 1,
                                        data.base + rows.lowerBound * p, Int32(p), b.base, 1, 1, eta, 1)
                        }
                        for i in 0..<rows.count { eta[i] = LogisticRegression.sigmoid(eta[i]) }
                    }
                }
            }
            return out.array
        }
    }

    /// What stops a fit.
    public enum Problem: Error, Equatable, Sendable {
        /// Columns (0-based, into `x`) that are linear combinations of the intercept and the
        /// columns before them: their coefficients are not identifiable without a penalty.
        case rankDeficient(dependent: [Int])
        /// The likelihood keeps rising as coefficients grow: the classes are separated by some
        /// combination of the columns, and no finite maximum exists.
        case separated(iterations: Int)
        case notConverged(iterations: Int)
        case oneClass(label: Double)
    }

    /// The logistic function 1 / (1 + e^−η), without overflow for large |η|.
    @inline(__always)
    public static func sigmoid(_ eta: Double) -> Double {
        eta >= 0 ? 1 / (1 + exp(-eta)) : { let e = exp(eta); return e / (1 + e) }()
    }

    /// Fits the model. `labels` are 0 or 1; `weights` (optional) multiply each row's
    /// contribution, as scikit-learn's `sample_weight`.
    /// - Throws: `Problem.oneClass` when every label is the same; with `l2 = 0`,
    ///   `Problem.rankDeficient` (naming the dependent columns) and `Problem.separated` /
    ///   `.notConverged` when no finite maximum is reached; `NumericError` for NaN/∞, labels
    ///   other than 0/1 or mismatched lengths.
    /// - Complexity: O(iterations · rows · (p+1)²) for the Hessians, usually 5–10 iterations;
    ///   memory O(rows · p) for the data plus O(32 · (p+1)²) for the partial sums.
    /// - Reference: the Newton–Raphson / IRLS method of McCullagh & Nelder, *Generalized Linear
    ///   Models* (2nd ed., 1989), §4.4; step halving as in statsmodels' and R's `glm.fit`.
    ///   `progress` hears each Newton iteration (unit `.iterations`, up to `maxIterations`).
    public func fit(_ x: Matrix, labels: [Double], weights: [Double]? = nil,
                    progress: (WorkProgress) -> Void = { _ in }) throws -> Fit {
        let (n, p) = (x.rows, x.columns)
        guard labels.count == n, weights.map({ $0.count == n }) ?? true else {
            throw NumericError.shapeMismatch(operation: "logistic regression", expected: "\(n) labels and weights",
                                             got: "\(labels.count) labels")
        }
        try x.checkFinite()
        let w = weights ?? [Double](repeating: 1, count: n)
        var positive = 0.0, total = 0.0
        for i in 0..<n {
            guard labels[i] == 0 || labels[i] == 1 else {
                throw NumericError.invalidParameter(name: "y", allowed: "0 or 1", got: "\(labels[i]) at row \(i)")
            }
            positive += w[i] * labels[i]
            total += w[i]
        }
        guard positive > 0, positive < total else { throw Problem.oneClass(label: positive > 0 ? 1 : 0) }

        let passes = NewtonPass(x: x, y: labels, w: w, threads: threads)
        let m = p + 1
        var beta = [Double](repeating: 0, count: m)
        beta[0] = log(positive / (total - positive))
        if let warm = warmStart(x, labels: labels, weights: weights) { beta = warm }
        var state = passes.evaluate(beta)
        if l2 == 0 {
            let dependent = LogisticRegression.dependentColumns(hessian: state.hessian, size: m)
            if !dependent.isEmpty { throw Problem.rankDeficient(dependent: dependent) }
        }
        func objective(_ s: NewtonPass.State, _ b: [Double]) -> Double {
            var penalty = 0.0
            for j in 1..<m { penalty += b[j] * b[j] }
            return -s.logLikelihood + l2 / 2 * penalty
        }
        var current = objective(state, beta)
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            progress(WorkProgress(step: "Newton's method", done: iterations, total: maxIterations, unit: .iterations))
            iterations += 1
            guard let (rhs, decrement) = LogisticRegression.newtonDirection(hessian: state.hessian, gradient: state.gradient,
                                                                            beta: beta, l2: l2) else {
                throw Problem.rankDeficient(dependent: LogisticRegression.dependentColumns(hessian: state.hessian, size: m))
            }
            // The Newton decrement gᵀH⁻¹g is twice the objective left to gain. When it is at
            // rounding level the full step lands on the optimum to machine precision (Newton
            // converges quadratically): take it without another pass over the data.
            if decrement <= 1e-20 * max(1, abs(current)) {
                for j in 0..<m { beta[j] += rhs[j] }
                converged = true
                break
            }
            var step = 1.0
            var candidate = beta, next = state, value = current
            var improved = false
            for _ in 0..<40 {
                for j in 0..<m { candidate[j] = beta[j] + step * rhs[j] }
                next = passes.evaluate(candidate)
                value = objective(next, candidate)
                if value <= current + 1e-13 * abs(current) {
                    improved = true
                    break
                }
                step /= 2
            }
            // No step along the Newton direction helps: rounding has the last word. Keep the
            // current point; it is the optimum if the decrement is small.
            guard improved else {
                converged = decrement <= 1e-12 * max(1, abs(current))
                break
            }
            var largestStep = 0.0, largestBeta = 0.0
            for j in 0..<m {
                largestStep = max(largestStep, abs(step * rhs[j]))
                largestBeta = max(largestBeta, abs(candidate[j]))
            }
            beta = candidate
            state = next
            current = value
            if l2 == 0, -state.logLikelihood <= 1e-9 * total { throw Problem.separated(iterations: iterations) }
            if largestStep <= tolerance * (1 + largestBeta) {
                converged = true
                break
            }
        }
        if !converged, l2 == 0 {
            // Without a penalty, coefficients still growing at the iteration limit mean separation.
            let largest = beta.dropFirst().map(abs).max() ?? 0
            if largest > 20 || -state.logLikelihood <= 1e-6 * total { throw Problem.separated(iterations: iterations) }
            throw Problem.notConverged(iterations: iterations)
        }

        // Standard errors: the diagonal of (H + λI′)⁻¹.
        var covariance = state.hessian
        for j in 1..<m { covariance[j * m + j] += l2 }
        let errors = LogisticRegression.inverseDiagonal(&covariance, size: m).map { $0.squareRoot() }
        // Quasi-separation can also look converged: the gradient vanishes as probabilities
        // saturate while a coefficient drifts off. Its standard error gives it away.
        if l2 == 0, zip(errors, beta).contains(where: { !$0.isFinite || $0 > 1e6 * (1 + abs($1)) }) {
            throw Problem.separated(iterations: iterations)
        }
        return Fit(intercept: beta[0], coefficients: Array(beta[1...]), interceptStandardError: errors.first ?? .nan,
                   standardErrors: Array(errors.dropFirst()), iterations: iterations, converged: converged,
                   logLikelihood: state.logLikelihood, objective: current)
    }

    /// Rows from which a warm start pays: below this, the full data converge fast enough.
    static let warmStartRows = 200_000

    /// A starting point from every 8th row: the same model fitted there (with the penalty
    /// scaled to the smaller sum of losses) lands close to the full-data optimum for an eighth
    /// of the cost per step, so the full-data Newton steps that follow are few — they still
    /// run to full convergence, so the result is the full-data optimum. Nil when the data are
    /// small or the subsample cannot be fitted (one class, separated, …): then the fit starts
    /// from the intercept alone.
    private func warmStart(_ x: Matrix, labels: [Double], weights: [Double]?) -> [Double]? {
        guard usesWarmStart, x.rows >= LogisticRegression.warmStartRows else { return nil }
        let rows = Array(Swift.stride(from: 0, to: x.rows, by: 8))
        let share = Double(rows.count) / Double(x.rows)
        guard let model = try? LogisticRegression(l2: l2 * share, maxIterations: maxIterations, tolerance: 1e-6, threads: threads),
              let fit = try? model.fit(x.selectingRows(rows), labels: rows.map { labels[$0] }, weights: weights.map { w in rows.map { w[$0] } })
        else { return nil }
        return [fit.intercept] + fit.coefficients
    }

    /// The Newton direction δ of (H + λI′) δ = g − λβ′ (′: without the intercept) at `beta`,
    /// and the Newton decrement (g − λβ′)ᵀδ; nil when H + λI′ is not positive definite.
    static func newtonDirection(hessian: [Double], gradient: [Double], beta: [Double], l2: Double) -> (direction: [Double], decrement: Double)? {
        let m = beta.count
        var a = hessian
        var rhs = gradient
        for j in 1..<m {
            a[j * m + j] += l2
            rhs[j] -= l2 * beta[j]
        }
        let penalized = rhs
        guard solve(&a, &rhs, size: m) else { return nil }
        var decrement = 0.0
        for j in 0..<m { decrement += penalized[j] * rhs[j] }
        return (rhs, decrement)
    }

    // MARK: LAPACK

    /// Solves `a · x = b` for symmetric positive definite `a` (row-major, overwritten) by
    /// Cholesky; `b` becomes `x`. False when `a` is not positive definite.
    static func solve(_ a: inout [Double], _ b: inout [Double], size m: Int) -> Bool {
        let info = a.withUnsafeMutableBufferPointer { pa in
            b.withUnsafeMutableBufferPointer { pb in
                LAPACKE_dposv(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), Int32(m), 1,
                              pa.baseAddress, Int32(m), pb.baseAddress, 1)
            }
        }
        return info == 0
    }

    /// The diagonal of the inverse of a positive definite matrix (`dpotrf` + `dpotri`); NaN
    /// where it cannot be inverted.
    static func inverseDiagonal(_ a: inout [Double], size m: Int) -> [Double] {
        let info = a.withUnsafeMutableBufferPointer { pa -> Int32 in
            let factor = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), Int32(m), pa.baseAddress, Int32(m))
            guard factor == 0 else { return factor }
            return LAPACKE_dpotri(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), Int32(m), pa.baseAddress, Int32(m))
        }
        guard info == 0 else { return [Double](repeating: .nan, count: m) }
        return (0..<m).map { a[$0 * m + $0] }
    }

    /// Columns of the design (0-based, intercept excluded) that are linear combinations of the
    /// intercept and other columns, from a pivoted Cholesky factorization (`dpstrf`) of the
    /// Hessian scaled to unit diagonal. The intercept is pivoted first, then columns in order
    /// of how much they add; what is left below the tolerance depends on the rest.
    static func dependentColumns(hessian: [Double], size m: Int) -> [Int] {
        var dependent = Set<Int>()
        var scale = [Double](repeating: 0, count: m)
        for j in 0..<m {
            let d = hessian[j * m + j]
            if d > 1e-300 { scale[j] = 1 / d.squareRoot() } else if j > 0 { dependent.insert(j - 1) }
        }
        var a = [Double](repeating: 0, count: m * m)
        for i in 0..<m { for j in 0..<m { a[i * m + j] = hessian[i * m + j] * scale[i] * scale[j] } }
        // A zero column would break the factorization: give it a unit diagonal of its own.
        for j in 1..<m where scale[j] == 0 { a[j * m + j] = 1 }
        // All diagonals are 1, so the first pivot is the intercept (ties go to the first).
        var pivots = [Int32](repeating: 0, count: m)
        var rank: Int32 = 0
        _ = a.withUnsafeMutableBufferPointer { pa in
            pivots.withUnsafeMutableBufferPointer { pp in
                LAPACKE_dpstrf(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), Int32(m), pa.baseAddress, Int32(m),
                               pp.baseAddress, &rank, 1e-10)
            }
        }
        for k in Int(rank)..<m {
            let column = Int(pivots[k]) - 1
            if column > 0 { dependent.insert(column - 1) }
        }
        return dependent.sorted()
    }
}

/// One pass over the data at given coefficients: log-likelihood, gradient and Hessian of the
/// design with an intercept column. Rows are cut into 2,048-row chunks; the chunks are split
/// into at most 32 contiguous groups, each summed in chunk order by one worker, and the groups
/// are added in group order — the same bits on any thread count, with memory for 32 partial
/// Hessians rather than one per chunk.
struct NewtonPass: @unchecked Sendable {
    // @unchecked: the arrays are only read; each chunk writes its own slots of a SharedBuffer.
    let x: Matrix
    let y: [Double]
    let w: [Double]
    let threads: Int
    let chunks: RowChunks

    init(x: Matrix, y: [Double], w: [Double], threads: Int) {
        self.x = x
        self.y = y
        self.w = w
        self.threads = threads
        chunks = RowChunks(rows: x.rows, chunkRows: 2048)
    }

    struct State {
        var logLikelihood: Double
        /// ∂ℓ/∂β, intercept first.
        var gradient: [Double]
        /// XᵀWX, (p+1)², row-major, full.
        var hessian: [Double]
    }

    static let groups = 32

    func evaluate(_ beta: [Double]) -> State {
        let (p, m) = (x.columns, x.columns + 1)
        let stride = m * m + m + 1
        let groups = min(NewtonPass.groups, max(1, chunks.count))
        let perGroup = (chunks.count + groups - 1) / groups
        let partial = SharedBuffer<Double>(repeating: 0, count: groups * stride)
        let chunks = self.chunks
        x.storage.withReadOnly { data in
            y.withReadOnly { labels in
                w.withReadOnly { weights in
                    beta.withReadOnly { b in
                        _ = Parallel.map(count: groups, threads: threads) { g in
                            let out = partial.pointer + g * stride
                            let z = UnsafeMutablePointer<Double>.allocate(capacity: chunks.chunkRows * (m + 2))
                            defer { z.deallocate() }
                            // The last groups may be short or empty when chunks do not divide evenly.
                            for c in min(chunks.count, g * perGroup)..<min(chunks.count, (g + 1) * perGroup) {
                                NewtonPass.accumulate(rows: chunks.range(c), p: p, data: data, labels: labels,
                                                      weights: weights, beta: b, scratch: z, into: out)
                            }
                        }
                    }
                }
            }
        }
        var state = State(logLikelihood: 0, gradient: [Double](repeating: 0, count: m),
                          hessian: [Double](repeating: 0, count: m * m))
        for g in 0..<groups {
            let base = partial.pointer + g * stride
            for i in 0..<m { for j in i..<m { state.hessian[i * m + j] += base[i * m + j] } }
            for j in 0..<m { state.gradient[j] += base[m * m + j] }
            state.logLikelihood += base[m * m + m]
        }
        for i in 0..<m { for j in 0..<i { state.hessian[i * m + j] = state.hessian[j * m + i] } }
        return state
    }

    /// Adds one chunk's Hessian (upper triangle), gradient and log-likelihood to `out`
    /// (laid out as H[m·m], g[m], ℓ).
    private static func accumulate(rows: Range<Int>, p: Int, data: ReadOnlyPointer<Double>, labels: ReadOnlyPointer<Double>,
                                   weights: ReadOnlyPointer<Double>, beta b: ReadOnlyPointer<Double>,
                                   scratch z: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let m = p + 1
        let count = rows.count
        let eta = z + count * m, residual = eta + count
        let block = data.base + rows.lowerBound * p
        eta.update(repeating: b[0], count: count)
        if p > 0 {
            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(count), Int32(p), 1, block, Int32(p), b.base + 1, 1, 1, eta, 1)
        }
        var logLikelihood = 0.0, residualSum = 0.0
        for i in 0..<count {
            let e = eta[i], yi = labels[rows.lowerBound + i], wi = weights[rows.lowerBound + i]
            let t = exp(-abs(e))
            let probability = e >= 0 ? 1 / (1 + t) : t / (1 + t)
            // log(1 + exp(e)), stably. log(1 + t) rather than log1p(t): t ≤ 1, so the absolute
            // error stays below 3e-16 per row, and glibc's log is three times faster.
            let softplus = max(e, 0) + log(1 + t)
            logLikelihood += wi * (yi * e - softplus)
            let r = wi * (yi - probability)
            residual[i] = r
            residualSum += r
            let root = (wi * probability * (1 - probability)).squareRoot()
            let zi = z + i * m
            zi[0] = root
            let xi = block + i * p
            for j in 0..<p { zi[j + 1] = root * xi[j] }
        }
        // Hessian ZᵀZ (upper triangle) and gradient Xᵀr, added to what the group has so far.
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(m), Int32(count), 1, z, Int32(m), 1, out, Int32(m))
        out[m * m] += residualSum
        if p > 0 {
            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(count), Int32(p), 1, block, Int32(p), residual, 1, 1, out + m * m + 1, 1)
        }
        out[m * m + m] += logLikelihood
    }
}

extension LogisticRegression {
    /// A column that on its own orders the classes: every value of one class ≤ every value of
    /// the other. `complete` when the inequality is strict (a threshold splits them perfectly);
    /// otherwise they touch (quasi-separation, e.g. a one-hot level seen in one class only).
    public struct SeparatingColumn: Sendable, Equatable {
        public let column: Int
        public let complete: Bool
    }

    /// The columns that separate the classes on their own: with them the unpenalized maximum
    /// likelihood does not exist (the coefficient runs off to ±∞).
    public static func separatingColumns(_ x: Matrix, labels: [Double]) -> [SeparatingColumn] {
        let p = x.columns
        var low = [[Double]](repeating: [Double](repeating: .infinity, count: p), count: 2)
        var high = [[Double]](repeating: [Double](repeating: -.infinity, count: p), count: 2)
        x.storage.withUnsafeBufferPointer { data in
            for i in 0..<x.rows {
                let k = labels[i] == 1 ? 1 : 0
                for j in 0..<p {
                    let v = data[i * p + j]
                    if v < low[k][j] { low[k][j] = v }
                    if v > high[k][j] { high[k][j] = v }
                }
            }
        }
        var found = [SeparatingColumn]()
        for j in 0..<p {
            // A constant column orders nothing.
            if min(low[0][j], low[1][j]) == max(high[0][j], high[1][j]) { continue }
            if high[0][j] < low[1][j] || high[1][j] < low[0][j] {
                found.append(.init(column: j, complete: true))
            } else if high[0][j] <= low[1][j] || high[1][j] <= low[0][j] {
                found.append(.init(column: j, complete: false))
            }
        }
        return found
    }
}
