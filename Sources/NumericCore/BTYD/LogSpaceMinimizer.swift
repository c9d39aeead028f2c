/// Quasi-Newton minimization (BFGS with a backtracking Armijo line search) of a smooth
/// function of a few parameters, used on the log of positive model parameters so that every
/// step stays inside the domain. Deterministic: no random restarts.
///
/// Nocedal & Wright (2006), *Numerical Optimization*, algorithm 6.1.
struct LogSpaceMinimizer {
    /// Stop when every gradient component is at most this (in the objective's units per unit
    /// of log-parameter).
    var gradientTolerance = 1e-11
    var maxIterations = 2_000
    /// Stop after a step whose point, value and gradient satisfy this: a model's test for
    /// having run into a limit at the edge of its domain (a boundary optimum).
    var atEdge: (([Double], Double, [Double]) -> Bool)?

    struct Result {
        var point: [Double]
        var value: Double
        var gradient: [Double]
        var iterations: Int
        var converged: Bool
        /// Stopped because `atEdge` said so.
        var reachedEdge = false
    }

    /// Minimizes `objective`, which returns the value and its gradient at a point (an
    /// infinite or NaN value means "outside the domain").
    func minimize(from start: [Double], _ objective: ([Double]) -> (Double, [Double])) -> Result {
        let n = start.count
        var x = start
        var (f, g) = objective(x)
        var h = identity(n)
        var iteration = 0
        var stalls = 0
        while iteration < maxIterations {
            if g.allSatisfy({ abs($0) <= gradientTolerance }) {
                return Result(point: x, value: f, gradient: g, iterations: iteration, converged: true)
            }
            iteration += 1
            var p = (0..<n).map { i in -(0..<n).reduce(0.0) { $0 + h[i][$1] * g[$1] } }
            var slope = zip(p, g).reduce(0.0) { $0 + $1.0 * $1.1 }
            if !(slope < 0) {  // not a descent direction: restart from steepest descent
                h = identity(n)
                p = g.map { -$0 }
                slope = -g.reduce(0.0) { $0 + $1 * $1 }
            }
            // Keep single steps in log space moderate (a factor e⁵ at most).
            let longest = p.reduce(0.0) { max($0, abs($1)) }
            var t = longest > 5 ? 5 / longest : 1.0
            var accepted: (x: [Double], f: Double, g: [Double])?
            for _ in 0..<60 {
                let trial = zip(x, p).map { $0 + t * $1 }
                let (ft, gt) = objective(trial)
                if ft.isFinite, ft <= f + 1e-4 * t * slope {
                    accepted = (trial, ft, gt)
                    break
                }
                t *= 0.5
            }
            guard let step = accepted else {
                // No decrease is representable: we are at the minimum to working precision
                // unless the gradient says otherwise.
                let small = g.allSatisfy { abs($0) <= 1e-6 }
                return Result(point: x, value: f, gradient: g, iterations: iteration, converged: small)
            }
            let s = zip(step.x, x).map { $0 - $1 }
            let y = zip(step.g, g).map { $0 - $1 }
            stalls = f - step.f <= 1e-16 * max(1, abs(f)) ? stalls + 1 : 0
            (x, f, g) = step
            if let atEdge, atEdge(x, f, g) {
                return Result(point: x, value: f, gradient: g, iterations: iteration, converged: true, reachedEdge: true)
            }
            if stalls >= 20 {
                let small = g.allSatisfy { abs($0) <= 1e-6 }
                return Result(point: x, value: f, gradient: g, iterations: iteration, converged: small)
            }
            let sy = zip(s, y).reduce(0.0) { $0 + $1.0 * $1.1 }
            guard sy > 1e-300 else { continue }
            // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
            let rho = 1 / sy
            let hy = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + h[i][$1] * y[$1] } }
            let yhy = zip(y, hy).reduce(0.0) { $0 + $1.0 * $1.1 }
            for i in 0..<n {
                for j in 0..<n {
                    h[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
                }
            }
        }
        return Result(point: x, value: f, gradient: g, iterations: iteration, converged: false)
    }

    private func identity(_ n: Int) -> [[Double]] {
        (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
    }
}

/// lifetimes' `penalizer_coef`, checked: a finite number ≥ 0.
func checkedPenalizer(_ penalizer: Double) throws -> Double {
    guard penalizer.isFinite, penalizer >= 0 else {
        throw NumericError.invalidParameter(name: "penalizer", allowed: "a number ≥ 0", got: "\(penalizer)")
    }
    return penalizer
}
