import Foundation

/// The Pareto/NBD's integral over the time of death, in log space, with its gradient:
///
///     I(t) = ∫ₜ^∞ (α + τ)^−(r+x) (β + τ)^−(s+1) dτ,
///
/// so that the likelihood's "died between the last purchase and T" part is s·(I(tₓ) − I(T)).
/// Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions",
/// equations (19)–(20), write it, as lifetimes' `ParetoNBDFitter._log_A_0` evaluates it, as
///
///     I(t) = ₂F₁(r+s+x, b; r+s+x+1; z) / ((r+s+x)·(M + t)^(r+s+x)),   z = |α − β| / (M + t),
///
/// with M = max(α, β), b = s + 1 when α ≥ β and b = r + x when α < β. Here the ₂F₁ goes
/// through Euler's transformation, ₂F₁(a, b; a+1; z) = (1 − z)^(1−b) ₂F₁(1, a+1−b; a+1; z):
/// the second series has positive terms that shrink by at least z each, its sum lies in
/// [1, 1/(1 − z)], so it never overflows however large x and T are, where lifetimes' `hyp2f1`
/// overflows to inf (x in the thousands). Its derivatives in (p, q, z) are summed along with
/// it, which gives the gradient analytically.
///
/// Cost: about log(ε)/log(z) terms — a handful when α and β are alike, more as
/// min(α, β) + t becomes small against max(α, β) + t. Not guaranteed beyond
/// `HypergeometricTail.maxTerms` terms (z within ~4e-6 of 1): then `nil`.
struct HypergeometricTail {
    /// log I(t).
    var value: Double
    /// ∂ log I(t) / ∂(r, α, s, β).
    var gradient: (r: Double, alpha: Double, s: Double, beta: Double)

    static let maxTerms = 10_000_000

    /// - Returns: nil when the series needs more than `maxTerms` terms or a parameter is not
    ///   positive (a step outside the domain during a fit).
    init?(r: Double, alpha: Double, s: Double, beta: Double, x: Double, t: Double) {
        guard r > 0, alpha > 0, s > 0, beta > 0, t >= 0 else { return nil }
        let alphaIsMax = alpha >= beta
        let (big, small) = alphaIsMax ? (alpha, beta) : (beta, alpha)
        let a = r + s + x
        let b = alphaIsMax ? s + 1 : r + x
        let logBig: Double = log(big + t)
        let logSmall: Double = log(small + t)
        let logOneMinusZ = logSmall - logBig
        let z = (big - small) / (big + t)
        guard let series = Self.series(p: a + 1 - b, q: a + 1, z: z, oneMinusZ: exp(logOneMinusZ)) else { return nil }
        value = (1 - b) * logOneMinusZ - a * logBig - log(a) + series.log
        // Partial derivatives in (a, b, M, m); p = a + 1 − b and q = a + 1.
        let dA = -logBig - 1 / a + series.dp + series.dq
        let dB = -logOneMinusZ - series.dp
        let dBig = -(1 - b + a) / (big + t) + series.dz * (small + t) / ((big + t) * (big + t))
        let dSmall = (1 - b) / (small + t) - series.dz / (big + t)
        gradient = alphaIsMax
            ? (r: dA, alpha: dBig, s: dA + dB, beta: dSmall)
            : (r: dA + dB, alpha: dSmall, s: dA, beta: dBig)
    }

    /// log ₂F₁(1, p; q; z) and its derivatives in p, q and z, for 0 < p < q and 0 ≤ z < 1.
    static func series(p: Double, q: Double, z: Double, oneMinusZ: Double) -> (log: Double, dp: Double, dq: Double, dz: Double)? {
        guard z > 0 else { return (0, 0, 0, p / q) }
        var term = 1.0, sum = 1.0
        var sumP = 0.0, sumQ = 0.0, sumN = 0.0   // Σ term·∂log(term)/∂p, …/∂q, Σ n·term
        var logP = 0.0, logQ = 0.0               // ∂log(term)/∂p and −∂log(term)/∂q so far
        var n = 0.0
        // The tail after a term is at most term·z/(1 − z); stop when it cannot move the sums.
        let stop = 1e-17 * oneMinusZ
        var converged = false
        for _ in 0..<maxTerms {
            let ratio = (p + n) / (q + n) * z
            logP += 1 / (p + n)
            logQ += 1 / (q + n)
            n += 1
            term *= ratio
            sum += term
            sumP += term * logP
            sumQ += term * logQ
            sumN += term * n
            if term * (n + 1) <= stop * sum {
                converged = true
                break
            }
        }
        guard converged, sum.isFinite else { return nil }
        return (log(sum), sumP / sum, -sumQ / sum, sumN / (z * sum))
    }
}
