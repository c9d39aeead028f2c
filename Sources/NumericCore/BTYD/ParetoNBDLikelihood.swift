import Foundation

/// The Pareto/NBD log-likelihood and its analytic gradient in (r, α, s, β), as lifetimes'
/// `ParetoNBDFitter._conditional_log_likelihood` defines it (Fader & Hardie 2005, "A Note on
/// Deriving the Pareto/NBD Model and Related Expressions", equation (18)):
///
///     log L = log Γ(r+x) − log Γ(r) + r log α + s log β
///             + log[ (α+T)^−(r+x) (β+T)^−s + s·(I(tₓ) − I(T)) ]
///
/// with I the integral of `HypergeometricTail`. Customers with the same (frequency, recency,
/// T) are one weighted row; gamma-function terms are computed once per distinct frequency and
/// I once per distinct (frequency, time) pair.
struct ParetoNBDLikelihood {
    let rows: PurchasePatterns
    /// Per row, the index of its (x, tₓ) and (x, T) pair.
    let recencyPair: [Int32], agePair: [Int32]
    /// The distinct (x, t) pairs I is needed at.
    let pairFrequency: [Double], pairTime: [Double]
    let values: [Double], counts: [Double]

    init(_ data: RepeatPurchases) {
        rows = PurchasePatterns(data)
        struct Key: Hashable { let x, t: UInt64 }
        var position = [Key: Int32]()
        var pairFrequency = [Double](), pairTime = [Double]()
        func pair(_ x: Double, _ t: Double) -> Int32 {
            let key = Key(x: x.bitPattern, t: t.bitPattern)
            if let k = position[key] { return k }
            let k = Int32(pairFrequency.count)
            position[key] = k
            pairFrequency.append(x)
            pairTime.append(t)
            return k
        }
        var recencyPair = [Int32](), agePair = [Int32]()
        for i in rows.frequency.indices {
            recencyPair.append(pair(rows.frequency[i], rows.recency[i]))
            agePair.append(pair(rows.frequency[i], rows.T[i]))
        }
        (self.recencyPair, self.agePair) = (recencyPair, agePair)
        (self.pairFrequency, self.pairTime) = (pairFrequency, pairTime)
        (values, counts, _) = data.distinctFrequencies()
    }

    /// The total log-likelihood and its gradient; −∞ (and a zero gradient) outside the domain
    /// or where the integral's series does not settle.
    func evaluate(r: Double, alpha: Double, s: Double, beta: Double) -> (value: Double, gradient: [Double]) {
        let outside = (-Double.infinity, [0.0, 0.0, 0.0, 0.0])
        // Each tail on its own (no sums across them), in fixed chunks on all cores.
        let threads = ProcessInfo.processInfo.activeProcessorCount
        let pairChunks = (pairTime.count + Self.chunkRows - 1) / Self.chunkRows
        var tails = [HypergeometricTail]()
        tails.reserveCapacity(pairTime.count)
        for part in Parallel.map(count: pairChunks, threads: threads, { chunk -> [HypergeometricTail]? in
            var chunkTails = [HypergeometricTail]()
            for k in chunk * Self.chunkRows..<min(pairTime.count, (chunk + 1) * Self.chunkRows) {
                guard let tail = HypergeometricTail(r: r, alpha: alpha, s: s, beta: beta, x: pairFrequency[k], t: pairTime[k]) else {
                    return nil
                }
                chunkTails.append(tail)
            }
            return chunkTails
        }) {
            guard case .success(let chunkTails?) = part else { return outside }
            tails += chunkTails
        }
        var total = 0.0
        var g = [0.0, 0.0, 0.0, 0.0]
        let (logAlpha, logBeta): (Double, Double) = (log(alpha), log(beta))
        let (lgR, psiR) = (Special.logGamma(r), Special.digamma(r))
        for (k, x) in values.enumerated() {
            let w = counts[k]
            total += w * (Special.logGamma(r + x) - lgR + r * logAlpha + s * logBeta)
            g[0] += w * (Special.digamma(r + x) - psiR + logAlpha)
            g[1] += w * r / alpha
            g[2] += w * logBeta
            g[3] += w * s / beta
        }
        // The rows in fixed chunks, the chunks' sums added in chunk order: the same bits
        // whatever the thread count.
        let logS: Double = log(s)
        let rowChunks = (rows.frequency.count + Self.chunkRows - 1) / Self.chunkRows
        let allTails = tails
        for part in Parallel.map(count: rowChunks, threads: threads, { chunk in
            rowTerms(chunk * Self.chunkRows..<min(rows.frequency.count, (chunk + 1) * Self.chunkRows), tails: allTails,
                     r: r, alpha: alpha, s: s, beta: beta, logS: logS)
        }) {
            guard case .success(let (value, gradient)) = part else { return outside }
            total += value
            for j in 0..<4 { g[j] += gradient[j] }
        }
        return (total, g)
    }

    static let chunkRows = 8_192

    /// The NBD log-likelihood (Pareto/NBD's limit as s/β → 0: purchases, no deaths) and its
    /// gradient in (r, α).
    func noDeath(r: Double, alpha: Double) -> (value: Double, gradient: [Double]) {
        guard r > 0, alpha > 0 else { return (-.infinity, [0, 0]) }
        var total = 0.0, gR = 0.0, gAlpha = 0.0
        let (logAlpha, lgR, psiR) = (log(alpha), Special.logGamma(r), Special.digamma(r))
        for (k, x) in values.enumerated() {
            total += counts[k] * (Special.logGamma(r + x) - lgR + r * logAlpha)
            gR += counts[k] * (Special.digamma(r + x) - psiR + logAlpha)
            gAlpha += counts[k] * r / alpha
        }
        for i in rows.frequency.indices {
            let (x, w, T) = (rows.frequency[i], rows.weight[i], rows.T[i])
            total -= w * (r + x) * log(alpha + T)
            gR -= w * log(alpha + T)
            gAlpha -= w * (r + x) / (alpha + T)
        }
        return (total, [gR, gAlpha])
    }

    /// The per-row term of the log-likelihood and its gradient over some rows.
    private func rowTerms(_ range: Range<Int>, tails: [HypergeometricTail], r: Double, alpha: Double, s: Double, beta: Double,
                          logS: Double) -> (Double, [Double]) {
        var total = 0.0
        var g = [0.0, 0.0, 0.0, 0.0]
        for i in range {
            let x = rows.frequency[i], w = rows.weight[i], T = rows.T[i]
            let (logAT, logBT): (Double, Double) = (log(alpha + T), log(beta + T))
            let alive = -(r + x) * logAT - s * logBT
            // ∂(alive)/∂(r, α, s, β)
            let dAlive = (-logAT, -(r + x) / (alpha + T), -logBT, -s / (beta + T))
            guard let died = Self.died(tails[Int(recencyPair[i])], tails[Int(agePair[i])]) else {
                total += w * alive
                g[0] += w * dAlive.0
                g[1] += w * dAlive.1
                g[2] += w * dAlive.2
                g[3] += w * dAlive.3
                continue
            }
            let dead = logS + died.value
            let l = Special.logAddExp(alive, dead)
            let wd = exp(dead - l), wa = 1 - wd
            total += w * l
            g[0] += w * (wa * dAlive.0 + wd * died.gradient.r)
            g[1] += w * (wa * dAlive.1 + wd * died.gradient.alpha)
            g[2] += w * (wa * dAlive.2 + wd * (1 / s + died.gradient.s))
            g[3] += w * (wa * dAlive.3 + wd * died.gradient.beta)
        }
        return (total, g)
    }

    /// log(I(tₓ) − I(T)) and its gradient, from the two tails; nil when tₓ = T (the customer
    /// cannot have died in between).
    static func died(_ recency: HypergeometricTail, _ age: HypergeometricTail) -> HypergeometricTail? {
        let rho = exp(age.value - recency.value)
        guard rho < 1 else { return nil }
        let c = 1 / (1 - rho)
        let (g1, g2) = (recency.gradient, age.gradient)
        var died = recency
        died.value = recency.value + log1p(-rho)
        died.gradient = (r: c * (g1.r - rho * g2.r), alpha: c * (g1.alpha - rho * g2.alpha),
                         s: c * (g1.s - rho * g2.s), beta: c * (g1.beta - rho * g2.beta))
        return died
    }
}
