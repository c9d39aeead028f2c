import Foundation

/// The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV";
/// Colombo & Jiang 1999): a customer's transaction values are Gamma(p, ν) with
/// ν ~ Gamma(q, v). Fitted on repeat customers, by maximum likelihood as lifetimes'
/// `GammaGammaFitter` (mean log-likelihood minus `penalizer · (p² + q² + v²)`).
public struct GammaGamma: Sendable {
    public var penalizer: Double

    /// - Throws: `NumericError.invalidParameter` for a negative or non-finite penalizer.
    public init(penalizer: Double = 0) throws {
        self.penalizer = try checkedPenalizer(penalizer)
    }

    /// Fits the model to customers with `frequency` > 0 repeat purchases of mean value
    /// `monetary` > 0 (callers leave the others out and count them).
    /// - Throws: `NumericError.tooFewSamples` with fewer than 2 customers;
    ///   `NumericError.invalidParameter` for a frequency or value that is not positive.
    public func fit(frequency: [Double], monetary: [Double]) throws -> GammaGammaModel {
        guard frequency.count == monetary.count else {
            throw NumericError.shapeMismatch(operation: "fitting Gamma-Gamma", expected: "\(frequency.count) values", got: "\(monetary.count)")
        }
        guard frequency.count >= 2 else {
            throw NumericError.tooFewSamples(samples: frequency.count, required: 2, reason: "Gamma-Gamma is fitted on customers with repeat purchases")
        }
        for (i, (x, m)) in zip(frequency, monetary).enumerated() where !(x > 0 && m > 0 && x.isFinite && m.isFinite) {
            throw NumericError.invalidParameter(name: "customer \(i + 1)", allowed: "frequency > 0 and monetary value > 0", got: "frequency \(x), monetary value \(m)")
        }
        let likelihood = GammaGammaLikelihood(frequency: frequency, monetary: monetary)
        let n = Double(frequency.count), penalizer = self.penalizer
        let result = LogSpaceMinimizer().minimize(from: [0, 0, 0]) { logs in
            let p = logs.map { exp($0) }
            let (ll, g) = likelihood.evaluate(p: p[0], q: p[1], v: p[2])
            let value = -ll / n + penalizer * p.reduce(0) { $0 + $1 * $1 }
            return (value.isNaN ? .infinity : value, (0..<3).map { -g[$0] / n * p[$0] + 2 * penalizer * p[$0] * p[$0] })
        }
        let p = result.point.map { exp($0) }
        let errors = StandardErrors.of(p) { q in
            likelihood.evaluate(p: q[0], q: q[1], v: q[2]).gradient.enumerated().map { -$1 + 2 * penalizer * n * q[$0] }
        }
        return GammaGammaModel(p: p[0], q: p[1], v: p[2],
                               logLikelihood: likelihood.evaluate(p: p[0], q: p[1], v: p[2]).value,
                               standardErrors: errors.map { GammaGammaModel.Parameters(p: $0[0], q: $0[1], v: $0[2]) },
                               frequencySpendCorrelation: pearson(frequency, monetary),
                               customers: frequency.count, iterations: result.iterations, converged: result.converged)
    }
}

/// A fitted Gamma-Gamma spend model.
public struct GammaGammaModel: Sendable, Codable, Equatable {
    public struct Parameters: Sendable, Codable, Equatable {
        public var p, q, v: Double
    }
    public var p, q, v: Double
    public var logLikelihood: Double
    public var standardErrors: Parameters?
    /// Pearson correlation of frequency and mean spend among the customers fitted: the model
    /// assumes they are independent, so a value far from 0 warns against it.
    public var frequencySpendCorrelation: Double
    public var customers: Int
    public var iterations: Int
    public var converged: Bool

    public init(p: Double, q: Double, v: Double, logLikelihood: Double = .nan, standardErrors: Parameters? = nil,
                frequencySpendCorrelation: Double = .nan, customers: Int = 0, iterations: Int = 0, converged: Bool = true) {
        (self.p, self.q, self.v) = (p, q, v)
        self.logLikelihood = logLikelihood
        self.standardErrors = standardErrors
        self.frequencySpendCorrelation = frequencySpendCorrelation
        self.customers = customers
        self.iterations = iterations
        self.converged = converged
    }

    /// E[mean spend | frequency, monetary value], lifetimes'
    /// `conditional_expected_average_profit` (the population mean v·p/(q − 1) at frequency 0).
    public func expectedAverageValue(frequency x: Double, monetary m: Double) -> Double {
        let weight = p * x / (p * x + q - 1)
        return (1 - weight) * (v * p / (q - 1)) + weight * m
    }
}

/// The Gamma-Gamma log-likelihood and its gradient in (p, q, v); gamma-function terms are
/// computed once per distinct frequency.
struct GammaGammaLikelihood {
    let frequency: [Double], monetary: [Double]
    /// Per customer x·(log m + log x), and log m.
    let xLogMX: [Double], logM: [Double]
    let values: [Double], counts: [Double]

    init(frequency: [Double], monetary: [Double]) {
        self.frequency = frequency
        self.monetary = monetary
        var logM = [Double](), xLogMX = [Double]()
        for (x, m) in zip(frequency, monetary) {
            let lm: Double = log(m)
            let lx: Double = log(x)
            logM.append(lm)
            xLogMX.append(x * (lm + lx))
        }
        self.logM = logM
        self.xLogMX = xLogMX
        var position = [Double: Int]()
        var values = [Double](), counts = [Double]()
        for x in frequency {
            if let k = position[x] {
                counts[k] += 1
            } else {
                position[x] = values.count
                values.append(x)
                counts.append(1)
            }
        }
        self.values = values
        self.counts = counts
    }

    func evaluate(p: Double, q: Double, v: Double) -> (value: Double, gradient: [Double]) {
        var total = 0.0
        var g = [0.0, 0.0, 0.0]
        let lgQ = Special.logGamma(q), psiQ = Special.digamma(q)
        let logV: Double = log(v)
        for (k, x) in values.enumerated() {
            let px = p * x
            let w = counts[k]
            let psiPXQ = Special.digamma(px + q)
            let terms = Special.logGamma(px + q) - Special.logGamma(px) - lgQ + q * logV
            total += w * terms
            g[0] += w * x * (psiPXQ - Special.digamma(px))
            g[1] += w * (psiPXQ - psiQ + logV)
        }
        for i in frequency.indices {
            let x = frequency[i], m = monetary[i]
            let px = p * x
            let xmv = x * m + v
            let logXMV: Double = log(xmv)
            total += p * xLogMX[i] - logM[i] - (px + q) * logXMV
            g[0] += xLogMX[i] - x * logXMV
            g[1] -= logXMV
            g[2] += q / v - (px + q) / xmv
        }
        return (total, g)
    }
}

/// Pearson correlation; NaN when either series is constant.
func pearson(_ x: [Double], _ y: [Double]) -> Double {
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for (a, b) in zip(x, y) {
        sxy += (a - mx) * (b - my)
        sxx += (a - mx) * (a - mx)
        syy += (b - my) * (b - my)
    }
    return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : .nan
}

/// Customer lifetime value as lifetimes' `customer_lifetime_value`: over `months` months,
/// each month's expected purchases (the difference of the cumulative expectation at its end
/// and its start, a month being `periodsPerMonth` periods: 30 days or 4.345 weeks) times the
/// expected value per purchase, discounted by (1 + `monthlyDiscount`)^month.
public func customerLifetimeValue(months: Int, periodsPerMonth: Double, monthlyDiscount: Double,
                                  expectedValue: Double, cumulativePurchases: (Double) -> Double) -> Double {
    var clv = 0.0
    var previous = cumulativePurchases(0)
    for month in 1...max(months, 1) where months >= 1 {
        let t = Double(month) * periodsPerMonth
        let cumulative = cumulativePurchases(t)
        clv += expectedValue * (cumulative - previous) / pow(1 + monthlyDiscount, t / periodsPerMonth)
        previous = cumulative
    }
    return clv
}
