import Foundation

/// The Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo 1987, "Counting
/// your customers: who are they and what will they do next?"): while alive a customer buys at
/// a Poisson rate λ ~ Gamma(r, α) and dies at an exponential rate μ ~ Gamma(s, β), at any
/// time (BG/NBD lets customers drop out only just after a purchase).
///
/// The fit maximizes the log-likelihood of lifetimes' `ParetoNBDFitter` with an analytic
/// gradient (`ParetoNBDLikelihood`), by BFGS on the logs of the parameters. lifetimes'
/// `penalizer_coef` is reproduced as lifetimes writes it for this model, which differs from
/// BG/NBD and Gamma-Gamma: the penalty `penalizer · (r² + (α/max T)² + s² + (β/max T)²)` is
/// added to the *total* negative log-likelihood (lifetimes divides the weighted sum by the
/// mean weight, 1 for one row per customer), not to its mean, so the same coefficient
/// shrinks a Pareto/NBD fit far less.
public struct ParetoNBD: Sendable {
    public var penalizer: Double

    /// - Throws: `NumericError.invalidParameter` for a negative or non-finite penalizer.
    public init(penalizer: Double = 0) throws {
        self.penalizer = try checkedPenalizer(penalizer)
    }

    /// The no-death limit is taken when the likelihood is within this (in total
    /// log-likelihood: a likelihood-ratio statistic of 0.02, which no test tells from zero) of
    /// the NBD's maximum while the mean death rate s/β times the oldest customer's T is below
    /// `noDeathShare` (about that share of customers could have died within the data's span).
    static let noDeathTolerance = 0.01
    static let noDeathShare = 1e-3

    /// The other edge: every customer dies at about the same rate. As s and β grow together
    /// the gamma of death rates narrows to a point at s/β (its coefficient of variation is
    /// 1/√s), and the likelihood approaches its limit from below as ℓ∞ − c/s, so the gain
    /// still to come is about the likelihood's slope along that ridge, s ∂ℓ/∂s + β ∂ℓ/∂β.
    /// The integral's series grows with s (about 40·s/(r+x) terms), so the fit stops once
    /// s ≥ `commonDeathMinimumS` (death rates within 10 % of each other) and that gain is
    /// below `commonDeathTolerance` (a likelihood-ratio statistic of 0.1, which no test
    /// tells from zero).
    static let commonDeathMinimumS = 100.0
    static let commonDeathTolerance = 0.05

    /// Fits the model to the customers' summaries.
    ///
    /// lifetimes minimizes with Nelder-Mead to `tol=1e-4` from a random start; this fit is
    /// deterministic and goes on to a gradient of 1e-11 per customer, so it reaches the same
    /// maximum more closely. When the maximum lies at the edge of the parameter space (a
    /// parameter below 1e-6 or above 1e6, α and β in the data's periods, as for BG/NBD — e.g.
    /// s → 0 or β → ∞ when nobody seems to die) the best point found is returned with
    /// `atBoundary` set.
    /// - Throws: `NumericError.tooFewSamples` without customers, or without any repeat purchase.
    /// - Complexity: O(customer patterns + distinct (frequency, time) pairs × series terms)
    ///   per likelihood evaluation, a few hundred evaluations.
    public func fit(_ data: RepeatPurchases) throws -> ParetoNBDModel {
        try data.checkFittable(model: "Pareto/NBD")
        let likelihood = ParetoNBDLikelihood(data)
        let penalizer = self.penalizer
        let n = Double(data.count)
        let maxT = data.T.max() ?? 1
        let timeScale = maxT > 0 ? 1 / maxT : 1
        let scales = [1, timeScale, 1, timeScale]
        let fit = PositiveParameterFit(start: [1, 1 / timeScale, 1, 1 / timeScale], scales: scales) { p in
            let (ll, g) = likelihood.evaluate(r: p[0], alpha: p[1], s: p[2], beta: p[3])
            return (-ll, g.map { -$0 })
        }
        // As s/β → 0 nobody dies and the likelihood tends to the NBD's (purchases only). When
        // the data show no deaths the maximum lies in that limit, where the integral's series
        // grows without bound: the fit stops once hardly anyone could have died within the
        // data's span and the likelihood is within `noDeathTolerance` of the NBD's maximum.
        let nbd = PositiveParameterFit(start: [1, 1 / timeScale], scales: [1, timeScale]) { p in
            let (ll, g) = likelihood.noDeath(r: p[0], alpha: p[1])
            return (-ll, g.map { -$0 })
        }.minimize(customers: n, penalizer: 0).parameters
        let noDeathMaximum = likelihood.noDeath(r: nbd[0], alpha: nbd[1]).value
        // lifetimes' penalty is on the total: per customer it is penalizer / n.
        func noDeath(_ p: [Double]) -> Bool { p[2] / p[3] * maxT < Self.noDeathShare }
        let result = fit.minimize(customers: n, penalizer: penalizer / n) { step in
            let p = step.parameters
            if noDeath(p) { return -step.negativeLogLikelihood >= noDeathMaximum - Self.noDeathTolerance }
            // The likelihood's slope along the ridge s, β → ∞ (both logs up by one).
            let ridgeGain = -(step.logGradient[2] + step.logGradient[3])
            return p[2] >= Self.commonDeathMinimumS && ridgeGain >= 0 && ridgeGain < Self.commonDeathTolerance
        }
        let p = result.parameters
        return ParetoNBDModel(r: p[0], alpha: p[1], s: p[2], beta: p[3],
                              logLikelihood: likelihood.evaluate(r: p[0], alpha: p[1], s: p[2], beta: p[3]).value,
                              standardErrors: result.standardErrors.map { ParetoNBDModel.Parameters(r: $0[0], alpha: $0[1], s: $0[2], beta: $0[3]) },
                              iterations: result.iterations, converged: result.converged, atBoundary: result.atBoundary,
                              noDeath: result.reachedEdge && noDeath(p), commonDeathRate: result.reachedEdge && !noDeath(p))
    }
}

/// A fitted Pareto/NBD model.
public struct ParetoNBDModel: Sendable, Codable, Equatable {
    public struct Parameters: Sendable, Codable, Equatable {
        public var r, alpha, s, beta: Double
    }
    public var r, alpha, s, beta: Double
    /// Total log-likelihood of the data at the fit (without the penalty).
    public var logLikelihood: Double
    /// nil at the boundary or when the information matrix is singular.
    public var standardErrors: Parameters?
    public var iterations: Int
    public var converged: Bool
    /// A parameter went to 0 or ∞ (below 1e-6 or above 1e6, α and β in the data's periods),
    /// or the fit stopped in the no-death limit (`noDeath`).
    public var atBoundary: Bool
    /// The likelihood came within 0.01 of its no-death limit (s/β → 0, the NBD model's
    /// maximum) while s/β was falling: nobody seems to die, and the fit stopped there.
    public var noDeath: Bool
    /// s and β grew together until the likelihood was within 0.05 of its limit: every
    /// customer seems to die at the same rate, s/β, and the fit stopped there.
    public var commonDeathRate: Bool

    /// The mean death rate per period, s / β (a gamma mean).
    public var meanDeathRate: Double { s / beta }

    public init(r: Double, alpha: Double, s: Double, beta: Double, logLikelihood: Double = .nan,
                standardErrors: Parameters? = nil, iterations: Int = 0, converged: Bool = true, atBoundary: Bool = false,
                noDeath: Bool = false, commonDeathRate: Bool = false) {
        (self.r, self.alpha, self.s, self.beta) = (r, alpha, s, beta)
        self.noDeath = noDeath
        self.commonDeathRate = commonDeathRate
        self.logLikelihood = logLikelihood
        self.standardErrors = standardErrors
        self.iterations = iterations
        self.converged = converged
        self.atBoundary = atBoundary
    }

    /// The two parts of one customer's likelihood (without the common factor
    /// Γ(r+x)α^r β^s / Γ(r)): alive at T, and died between tₓ and T; nil where the
    /// integral's series does not settle.
    private func parts(frequency x: Double, recency: Double, T: Double) -> (alive: Double, died: Double)? {
        let alive = -(r + x) * log(alpha + T) - s * log(beta + T)
        guard let atRecency = HypergeometricTail(r: r, alpha: alpha, s: s, beta: beta, x: x, t: recency),
              let atAge = HypergeometricTail(r: r, alpha: alpha, s: s, beta: beta, x: x, t: T) else { return nil }
        let died = ParetoNBDLikelihood.died(atRecency, atAge).map { log(s) + $0.value } ?? -.infinity
        return (alive, died)
    }

    /// One customer's log-likelihood, lifetimes' `_conditional_log_likelihood`.
    public func logLikelihood(frequency x: Double, recency: Double, T: Double) -> Double {
        guard let (alive, died) = parts(frequency: x, recency: recency, T: T) else { return .nan }
        let common = Special.logGamma(r + x) - Special.logGamma(r) + r * log(alpha) + s * log(beta)
        return common + (died == -.infinity ? alive : Special.logAddExp(alive, died))
    }

    /// P(alive | frequency, recency, T), lifetimes' `conditional_probability_alive` (Fader &
    /// Hardie 2005, equations (36)–(37)); NaN where the integral's series does not settle.
    public func probabilityAlive(frequency x: Double, recency: Double, T: Double) -> Double {
        guard let (alive, died) = parts(frequency: x, recency: recency, T: T) else { return .nan }
        return 1 / (1 + exp(died - alive))
    }

    /// Expected purchases in the next `t` periods, lifetimes'
    /// `conditional_expected_number_of_purchases_up_to_time` (equation (41)).
    public func expectedPurchases(in t: Double, frequency x: Double, recency: Double, T: Double) -> Double {
        outlook(frequency: x, recency: recency, T: T).expectedPurchases(t)
    }

    /// P(alive) once, and t ↦ expected purchases in closed form from it:
    /// E = P(alive) · (r+x)(β+T) / ((α+T)(s−1)) · (1 − ((β+T)/(β+T+t))^(s−1)).
    public func outlook(frequency x: Double, recency: Double, T: Double) -> PurchaseOutlook {
        let alive = probabilityAlive(frequency: x, recency: recency, T: T)
        let (r, alpha, s, beta) = (r, alpha, s, beta)
        return PurchaseOutlook(probabilityAlive: alive) { t in
            guard t > 0 else { return 0 }
            // (1 − y^(s−1)) / (s−1) with y = (β+T)/(β+T+t), written so that s near 1 loses
            // nothing (and s = 1 gives its limit, log(1/y), where lifetimes divides 0 by 0).
            let logInverseY = log1p(t / (beta + T))
            let horizon = s == 1 ? logInverseY : -expm1(-(s - 1) * logInverseY) / (s - 1)
            return alive * (r + x) * (beta + T) / (alpha + T) * horizon
        }
    }
}
