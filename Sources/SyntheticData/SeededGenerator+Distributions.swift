/// Draws from the distributions the generators need.
///
/// Every method is a pure function of the generator state: the same state gives the same
/// value. None relies on the standard library's `random(in:using:)`, whose algorithm may
/// change between Swift versions.
extension SeededGenerator {
    /// A uniform double in [0, 1), with 53 random bits.
    @inline(__always)
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in the open interval (0, 1): safe to take the logarithm of.
    @inline(__always)
    public mutating func uniformOpen() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// A uniform double in [`lower`, `upper`).
    @inline(__always)
    public mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * uniform()
    }

    /// A uniform double in `range` (its upper bound excluded).
    @inline(__always)
    public mutating func uniform(in range: ClosedRange<Double>) -> Double {
        uniform(range.lowerBound, range.upperBound)
    }

    /// A uniform integer in 0..<`bound`; 0 when `bound` ≤ 1.
    ///
    /// Lemire's multiply-and-reject method: unbiased. D. Lemire, "Fast random integer
    /// generation in an interval", ACM TOMACS 29(1), 2019.
    public mutating func integer(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform integer in `range`.
    @inline(__always)
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + integer(below: range.upperBound - range.lowerBound + 1)
    }

    /// `true` with probability `p`.
    @inline(__always)
    public mutating func bernoulli(_ p: Double) -> Bool {
        uniform() < p
    }

    /// A standard normal deviate, by the Marsaglia polar method (G. Marsaglia & T. Bray,
    /// "A convenient method for generating normal variables", SIAM Review 6(3), 1964).
    ///
    /// Deviates come in pairs; the second is kept in the generator for the next call.
    public mutating func standardNormal() -> Double {
        if hasSpareNormal {
            hasSpareNormal = false
            return spareNormal
        }
        while true {
            let u = 2 * uniform() - 1
            let v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * Libm.log(s) / s).squareRoot()
                spareNormal = v * factor
                hasSpareNormal = true
                return u * factor
            }
        }
    }

    /// A normal deviate with the given mean and standard deviation.
    @inline(__always)
    public mutating func normal(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * standardNormal()
    }

    /// A log-normal deviate: `exp(N(mu, sigma²))`; its median is `exp(mu)`.
    @inline(__always)
    public mutating func logNormal(mu: Double, sigma: Double) -> Double {
        Libm.exp(mu + sigma * standardNormal())
    }

    /// A log-normal deviate given by its median instead of `mu`.
    @inline(__always)
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * Libm.exp(sigma * standardNormal())
    }

    /// An exponential deviate with the given mean (≥ 0).
    @inline(__always)
    public mutating func exponential(mean: Double) -> Double {
        -mean * Libm.log(uniformOpen())
    }

    /// The number of failures before the first success in Bernoulli(`p`) trials.
    ///
    /// Its mean is (1 − p)/p. Returns 0 when `p` ≥ 1; `p` ≤ 0 is treated as 1e-12.
    public mutating func geometric(successProbability p: Double) -> Int {
        guard p < 1 else { return 0 }
        let q = Libm.log1p(-max(p, 1e-12))
        let failures = (Libm.log(uniformOpen()) / q).rounded(.down)
        return failures >= Double(Int.max / 2) ? Int.max / 2 : Int(failures)
    }

    /// A Poisson deviate with the given mean (≤ 0 gives 0).
    ///
    /// Inversion by sequential search below a mean of 10; above it, Hörmann's transformed
    /// rejection PTRS (W. Hörmann, "The transformed rejection method for generating Poisson
    /// random variables", Insurance: Mathematics and Economics 12(1), 1993), as NumPy does.
    public mutating func poisson(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean < 10 {
            let u = uniform()
            var term = Libm.exp(-mean)
            var cumulative = term
            var k = 0
            while u > cumulative && k < 200 {
                k += 1
                term *= mean / Double(k)
                cumulative += term
            }
            return k
        }
        let rootMean = mean.squareRoot()
        let logMean = Libm.log(mean)
        let b = 0.931 + 2.53 * rootMean
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = uniform() - 0.5
            let v = uniform()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + mean + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            let lhs = Libm.log(v) + Libm.log(inverseAlpha) - Libm.log(a / (us * us) + b)
            if lhs <= -mean + k * logMean - Libm.lgamma(k + 1) { return Int(k) }
        }
    }

    /// A probability drawn around `mean` on the logit scale: `σ(logit(mean) + spread·N(0,1))`.
    ///
    /// A cheap stand-in for a beta distribution: always strictly inside (0, 1).
    public mutating func proportion(mean: Double, spread: Double) -> Double {
        let clamped = min(max(mean, 1e-6), 1 - 1e-6)
        let logit = Libm.log(clamped / (1 - clamped)) + spread * standardNormal()
        return 1 / (1 + Libm.exp(-logit))
    }

    /// An index drawn from a categorical distribution.
    @inline(__always)
    public mutating func pick(_ table: WeightedIndex) -> Int {
        table.index(forUniform: uniform())
    }
}
