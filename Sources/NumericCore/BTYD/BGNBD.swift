import Foundation

/// The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your
/// customers the easy way"): while alive a customer buys at a Poisson rate λ ~ Gamma(r, α),
/// and after each purchase drops out with probability p ~ Beta(a, b).
///
/// The fit maximizes the log-likelihood of lifetimes' `BetaGeoFitter` (its mean over
/// customers, minus `penalizer · (r² + (α/max T)² + a² + b²)` as lifetimes' `penalizer_coef`,
/// which penalizes α in time scaled so that the oldest customer's T is 1) with analytic
/// gradients, by BFGS on the logs of the parameters.
public struct BGNBD: Sendable {
    public var penalizer: Double

    /// - Throws: `NumericError.invalidParameter` for a negative or non-finite penalizer.
    public init(penalizer: Double = 0) throws {
        self.penalizer = try checkedPenalizer(penalizer)
    }

    /// Fits the model to the customers' summaries.
    ///
    /// When nobody seems to drop out the maximum lies where a goes to 0 (lifetimes raises a
    /// convergence error there); the best point found is returned with `atBoundary` set.
    /// - Throws: `NumericError.tooFewSamples` without customers, or without any repeat purchase.
    /// - Complexity: O(customers) per likelihood evaluation, a few hundred evaluations.
    public func fit(_ data: RepeatPurchases) throws -> BGNBDModel {
        try data.checkFittable(model: "BG/NBD")
        let likelihood = BGNBDLikelihood(data)
        let maxT = data.T.max() ?? 1
        let timeScale = maxT > 0 ? 1 / maxT : 1
        let fit = PositiveParameterFit(start: [1, maxT > 0 ? maxT : 1, 1, 1], scales: [1, timeScale, 1, 1]) { p in
            let (ll, g) = likelihood.evaluate(r: p[0], alpha: p[1], a: p[2], b: p[3])
            return (-ll, g.map { -$0 })
        }
        let result = fit.minimize(customers: Double(data.count), penalizer: penalizer)
        let p = result.parameters
        return BGNBDModel(r: p[0], alpha: p[1], a: p[2], b: p[3],
                          logLikelihood: likelihood.evaluate(r: p[0], alpha: p[1], a: p[2], b: p[3]).value,
                          standardErrors: result.standardErrors.map { BGNBDModel.Parameters(r: $0[0], alpha: $0[1], a: $0[2], b: $0[3]) },
                          iterations: result.iterations, converged: result.converged, atBoundary: result.atBoundary)
    }
}

/// A fitted BG/NBD model.
public struct BGNBDModel: Sendable, Codable, Equatable {
    public struct Parameters: Sendable, Codable, Equatable {
        public var r, alpha, a, b: Double
    }
    public var r, alpha, a, b: Double
    /// Total log-likelihood of the data at the fit (without the penalty).
    public var logLikelihood: Double
    /// nil at the boundary or when the information matrix is singular.
    public var standardErrors: Parameters?
    public var iterations: Int
    public var converged: Bool
    /// A parameter went to 0 or ∞ (below 1e-6 or above 1e6): typically a → 0, nobody seems
    /// to drop out.
    public var atBoundary: Bool

    /// The mean dropout probability after a purchase, a / (a + b).
    public var meanDropout: Double { a / (a + b) }

    public init(r: Double, alpha: Double, a: Double, b: Double, logLikelihood: Double = .nan,
                standardErrors: Parameters? = nil, iterations: Int = 0, converged: Bool = true, atBoundary: Bool = false) {
        (self.r, self.alpha, self.a, self.b) = (r, alpha, a, b)
        self.logLikelihood = logLikelihood
        self.standardErrors = standardErrors
        self.iterations = iterations
        self.converged = converged
        self.atBoundary = atBoundary
    }

    /// P(alive | frequency, recency, T), lifetimes' `conditional_probability_alive`.
    public func probabilityAlive(frequency x: Double, recency: Double, T: Double) -> Double {
        guard x > 0 else { return 1 }
        let logDiv = (r + x) * log((alpha + T) / (alpha + recency)) + log(a / (b + x - 1))
        return 1 / (1 + exp(logDiv))
    }

    /// Expected purchases in the next `t` periods, lifetimes'
    /// `conditional_expected_number_of_purchases_up_to_time`.
    public func expectedPurchases(in t: Double, frequency x: Double, recency: Double, T: Double) -> Double {
        guard t > 0 else { return 0 }
        let (ha, hb, hc) = (r + x, b + x, a + b + x - 1)
        let z = t / (alpha + T + t)
        var logHyp = Special.hyp2f1(ha, hb, hc, z).map { log($0) } ?? .infinity
        if !logHyp.isFinite, let alt = Special.hyp2f1(hc - ha, hc - hb, hc, z) {
            logHyp = log(alt) + (hc - ha - hb) * log1p(-z)
        }
        let first = (a + b + x - 1) / (a - 1)
        let second = 1 - exp(logHyp + (r + x) * log((alpha + T) / (alpha + t + T)))
        let denominator = 1 + (x > 0 ? a / (b + x - 1) * pow((alpha + T) / (alpha + recency), r + x) : 0)
        return first * second / denominator
    }
}

/// The BG/NBD log-likelihood and its gradient in (r, α, a, b). Customers with the same
/// (frequency, recency, T) are one weighted row (as Fader and Hardie condense the data), and
/// gamma-function terms are computed once per distinct frequency.
struct BGNBDLikelihood {
    /// The distinct (frequency, recency, T) rows and how many customers each stands for.
    let frequency: [Double], recency: [Double], T: [Double], weight: [Double]
    let values: [Double], counts: [Double]

    init(_ data: RepeatPurchases) {
        let patterns = PurchasePatterns(data)
        (frequency, recency, T, weight) = (patterns.frequency, patterns.recency, patterns.T, patterns.weight)
        (values, counts, _) = data.distinctFrequencies()
    }

    func evaluate(r: Double, alpha: Double, a: Double, b: Double) -> (value: Double, gradient: [Double]) {
        var total = 0.0
        var g = [0.0, 0.0, 0.0, 0.0]
        let logAlpha = log(alpha)
        let (psiR, psiB, psiAB) = (Special.digamma(r), Special.digamma(b), Special.digamma(a + b))
        let (lgR, lgB, lgAB) = (Special.logGamma(r), Special.logGamma(b), Special.logGamma(a + b))
        for (k, x) in values.enumerated() {
            let w = counts[k]
            let a1 = Special.logGamma(r + x) - lgR + r * logAlpha
            let a2 = lgAB + Special.logGamma(b + x) - lgB - Special.logGamma(a + b + x)
            total += w * (a1 + a2)
            g[0] += w * (Special.digamma(r + x) - psiR + logAlpha)
            g[1] += w * r / alpha
            let psiABX = Special.digamma(a + b + x)
            g[2] += w * (psiAB - psiABX)
            g[3] += w * (psiAB + Special.digamma(b + x) - psiB - psiABX)
        }
        // The rows in fixed chunks on all cores, the chunks' sums added in chunk order: the
        // same bits whatever the thread count.
        let logA = log(a)
        let chunks = (frequency.count + Self.chunkRows - 1) / Self.chunkRows
        let parts = Parallel.map(count: chunks, threads: ProcessInfo.processInfo.activeProcessorCount) { chunk in
            rows(chunk * Self.chunkRows..<min(frequency.count, (chunk + 1) * Self.chunkRows), r: r, alpha: alpha, a: a, b: b, logA: logA)
        }
        for part in parts {
            guard case .success(let (value, gradient)) = part else { continue }
            total += value
            for j in 0..<4 { g[j] += gradient[j] }
        }
        return (total, g)
    }

    static let chunkRows = 16_384

    /// The last two terms of the log-likelihood and their gradient over some rows.
    private func rows(_ range: Range<Int>, r: Double, alpha: Double, a: Double, b: Double,
                      logA: Double) -> (Double, [Double]) {
        var total = 0.0
        var (g0, g1, g2, g3) = (0.0, 0.0, 0.0, 0.0)
        for i in range {
            let x = frequency[i], w = weight[i], ageT = alpha + T[i]
            let rx = r + x
            let logAT = log(ageT)
            let a3 = -rx * logAT
            if x > 0 {
                let ageR = alpha + recency[i]
                let logAR = log(ageR)
                let bx = b + x - 1
                let a4 = logA - log(bx) - rx * logAR
                // l = log(e^a3 + e^a4) and w4 = e^(a4 - l), from one exponential.
                let l: Double, w4: Double
                if a4 <= a3 {
                    let e = exp(a4 - a3)
                    (l, w4) = (a3 + log1p(e), e / (1 + e))
                } else {
                    let e = exp(a3 - a4)
                    (l, w4) = (a4 + log1p(e), 1 / (1 + e))
                }
                let w3 = 1 - w4
                total += w * l
                g0 -= w * (w3 * logAT + w4 * logAR)
                g1 -= w * rx * (w3 / ageT + w4 / ageR)
                g2 += w * w4 / a
                g3 -= w * w4 / bx
            } else {
                total += w * a3
                g0 -= w * logAT
                g1 -= w * rx / ageT
            }
        }
        return (total, [g0, g1, g2, g3])
    }
}
