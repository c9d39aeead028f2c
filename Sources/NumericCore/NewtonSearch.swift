import Foundation

/// `LogisticRegression.fit`'s Newton's method with the passes over the data done elsewhere:
/// on the partitions of a file (Spark), each returning `Statistics` at `candidate`, added in
/// partition order by the driver and given to `advance(with:)`. The same objective, steps,
/// step halving, Newton-decrement and step-size stopping rules as `fit`, from the zero vector
/// (no warm start), so the optimum it converges to is `fit`'s to the tolerance.
public struct NewtonSearch: Codable, Sendable {
    /// One pass over (some of) the rows at `candidate`: log-likelihood, gradient and XᵀWX
    /// (intercept first, row-major, full).
    public struct Statistics: Codable, Sendable {
        public var logLikelihood: Double
        public var gradient: [Double]
        public var hessian: [Double]

        enum CodingKeys: String, CodingKey {
            case gradient, hessian
            case logLikelihood = "log_likelihood"
        }

        /// The statistics of a design `x` (no intercept column) at `beta` (intercept first).
        public init(_ x: Matrix, labels: [Double], weights: [Double]?, beta: [Double]) throws {
            guard labels.count == x.rows, beta.count == x.columns + 1 else {
                throw NumericError.shapeMismatch(operation: "Newton statistics", expected: "\(x.rows) labels, \(x.columns + 1) coefficients",
                                                 got: "\(labels.count) labels, \(beta.count) coefficients")
            }
            try x.checkFinite()
            let w = weights ?? [Double](repeating: 1, count: x.rows)
            let state = NewtonPass(x: x, y: labels, w: w, threads: 1).evaluate(beta)
            logLikelihood = state.logLikelihood
            gradient = state.gradient
            hessian = state.hessian
        }

        /// The sum of partitions' statistics, added in the order given.
        public static func sum(_ parts: [Statistics], width m: Int) throws -> Statistics {
            var total = Statistics(logLikelihood: 0, gradient: [Double](repeating: 0, count: m),
                                   hessian: [Double](repeating: 0, count: m * m))
            for part in parts {
                guard part.gradient.count == m, part.hessian.count == m * m else {
                    throw NumericError.shapeMismatch(operation: "adding Newton statistics", expected: "\(m) coefficients",
                                                     got: "\(part.gradient.count)")
                }
                total.logLikelihood += part.logLikelihood
                for j in 0..<m { total.gradient[j] += part.gradient[j] }
                for j in 0..<(m * m) { total.hessian[j] += part.hessian[j] }
            }
            return total
        }

        init(logLikelihood: Double, gradient: [Double], hessian: [Double]) {
            self.logLikelihood = logLikelihood
            self.gradient = gradient
            self.hessian = hessian
        }
    }

    public let l2: Double
    public let maxIterations: Int
    public let tolerance: Double
    /// Σ weights of the rows (the separation test's scale).
    public let totalWeight: Double
    /// The accepted point, intercept first.
    public var beta: [Double]
    /// Where the next pass evaluates the statistics.
    public var candidate: [Double]
    /// The statistics and objective at `beta` (nil before the first pass).
    public var current: Statistics?
    public var objective: Double?
    public var direction: [Double]?
    public var decrement = 0.0
    public var step = 1.0
    public var halvings = 0
    public var iterations = 0
    public var converged = false
    /// True once no further pass is wanted.
    public var done = false

    enum CodingKeys: String, CodingKey {
        case l2, tolerance, beta, candidate, current, objective, direction, decrement, step, halvings, iterations, converged, done
        case maxIterations = "max_iterations"
        case totalWeight = "total_weight"
    }

    /// - Parameters: `width`: coefficients with the intercept; `totalWeight`, `positiveWeight`:
    ///   Σ w and Σ w·y over the rows, for the starting intercept (as `fit` starts).
    public init(l2: Double, width m: Int, totalWeight: Double, positiveWeight: Double,
                maxIterations: Int = 100, tolerance: Double = 1e-10) throws {
        guard positiveWeight > 0, positiveWeight < totalWeight else {
            throw LogisticRegression.Problem.oneClass(label: positiveWeight > 0 ? 1 : 0)
        }
        self.l2 = l2
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.totalWeight = totalWeight
        beta = [Double](repeating: 0, count: m)
        beta[0] = log(positiveWeight / (totalWeight - positiveWeight))
        candidate = beta
    }

    private func value(_ s: Statistics, _ b: [Double]) -> Double {
        var penalty = 0.0
        for j in 1..<b.count { penalty += b[j] * b[j] }
        return -s.logLikelihood + l2 / 2 * penalty
    }

    /// Takes the statistics at `candidate` (summed over every partition).
    /// - Throws: `LogisticRegression.Problem` as `fit` does.
    public mutating func advance(with s: Statistics) throws {
        let m = beta.count
        guard current != nil, let objective, let direction else {
            self.current = s
            objective = value(s, beta)
            if l2 == 0 {
                let dependent = LogisticRegression.dependentColumns(hessian: s.hessian, size: m)
                if !dependent.isEmpty { throw LogisticRegression.Problem.rankDeficient(dependent: dependent) }
            }
            try plan()
            return
        }
        let candidateValue = value(s, candidate)
        if candidateValue <= objective + 1e-13 * abs(objective) {
            var largestStep = 0.0, largestBeta = 0.0
            for j in 0..<m {
                largestStep = max(largestStep, abs(step * direction[j]))
                largestBeta = max(largestBeta, abs(candidate[j]))
            }
            beta = candidate
            self.current = s
            self.objective = candidateValue
            if l2 == 0, -s.logLikelihood <= 1e-9 * totalWeight { throw LogisticRegression.Problem.separated(iterations: iterations) }
            if largestStep <= tolerance * (1 + largestBeta) {
                converged = true
                done = true
                return
            }
            try plan()
            return
        }
        halvings += 1
        guard halvings < 40 else {
            converged = decrement <= 1e-12 * max(1, abs(objective))
            done = true
            return
        }
        step /= 2
        for j in 0..<m { candidate[j] = beta[j] + step * direction[j] }
    }

    /// The next Newton direction from the statistics at `beta`, or the end.
    private mutating func plan() throws {
        guard let current, let objective else { return }
        guard iterations < maxIterations else {
            done = true
            return
        }
        iterations += 1
        let m = beta.count
        guard let (rhs, decrement) = LogisticRegression.newtonDirection(hessian: current.hessian, gradient: current.gradient,
                                                                        beta: beta, l2: l2) else {
            throw LogisticRegression.Problem.rankDeficient(dependent: LogisticRegression.dependentColumns(hessian: current.hessian, size: m))
        }
        self.decrement = decrement
        if decrement <= 1e-20 * max(1, abs(objective)) {
            for j in 0..<m { beta[j] += rhs[j] }
            converged = true
            done = true
            return
        }
        direction = rhs
        step = 1
        halvings = 0
        for j in 0..<m { candidate[j] = beta[j] + rhs[j] }
    }

    /// The fitted model once `done`, with `fit`'s standard errors and its checks for
    /// separation without a penalty.
    public func fit() throws -> LogisticRegression.Fit {
        guard let current, let objective else { throw LogisticRegression.Problem.notConverged(iterations: iterations) }
        let m = beta.count
        if !converged, l2 == 0 {
            let largest = beta.dropFirst().map(abs).max() ?? 0
            if largest > 20 || -current.logLikelihood <= 1e-6 * totalWeight {
                throw LogisticRegression.Problem.separated(iterations: iterations)
            }
            throw LogisticRegression.Problem.notConverged(iterations: iterations)
        }
        var covariance = current.hessian
        for j in 1..<m { covariance[j * m + j] += l2 }
        let errors = LogisticRegression.inverseDiagonal(&covariance, size: m).map { $0.squareRoot() }
        if l2 == 0, zip(errors, beta).contains(where: { !$0.isFinite || $0 > 1e6 * (1 + abs($1)) }) {
            throw LogisticRegression.Problem.separated(iterations: iterations)
        }
        return LogisticRegression.Fit(intercept: beta[0], coefficients: Array(beta[1...]), interceptStandardError: errors.first ?? .nan,
                                      standardErrors: Array(errors.dropFirst()), iterations: iterations, converged: converged,
                                      logLikelihood: current.logLikelihood, objective: objective)
    }
}
