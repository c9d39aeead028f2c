import Foundation

/// Special functions the buy-till-you-die likelihoods need, in double precision.
enum Special {
    /// log Γ(x) for x > 0.
    @inline(__always)
    static func logGamma(_ x: Double) -> Double {
        let value: Double = lgamma(x)
        return value
    }

    /// ψ(x), the digamma function, for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to
    /// x ≥ 10, then the asymptotic series (error below 1e-15 there).
    static func digamma(_ x: Double) -> Double {
        var x = x, shift = 0.0
        while x < 10 {
            shift -= 1 / x
            x += 1
        }
        let inv = 1 / x, inv2 = inv * inv
        let series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 / 132))))
        return shift + log(x) - 0.5 * inv - series
    }

    /// log(eᵃ + eᵇ) without overflow.
    @inline(__always)
    static func logAddExp(_ a: Double, _ b: Double) -> Double {
        let m = max(a, b)
        return m + log1p(exp(-abs(a - b)))
    }

    /// The Gauss hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1, by its power series
    /// (terms are added until they no longer change the sum). `nil` when the series does not
    /// settle in 1,000,000 terms or overflows.
    static func hyp2f1(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double? {
        var term = 1.0, sum = 1.0
        var n = 0.0
        while n < 1_000_000 {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
            sum += term
            guard sum.isFinite else { return nil }
            if abs(term) <= 1e-17 * abs(sum) { return sum }
            n += 1
        }
        return nil
    }
}
