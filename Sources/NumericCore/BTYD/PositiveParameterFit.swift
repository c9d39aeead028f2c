import Foundation

/// Maximum likelihood for a model with positive parameters, as BG/NBD and Pareto/NBD are
/// fitted: BFGS (`LogSpaceMinimizer`) on the logs of the parameters from a fixed start, an
/// L2 penalty on the parameters in scaled units (lifetimes' `penalizer_coef`, with time
/// parameters divided by the oldest customer's T), the boundary verdict, and standard errors.
struct PositiveParameterFit {
    /// Where BFGS starts, in the model's units.
    let start: [Double]
    /// Each parameter's factor in the penalty (1, or 1 / max T for a time scale).
    let scales: [Double]
    /// The total negative log-likelihood and its gradient in the model's parameters; an
    /// infinite or NaN value means "outside the domain".
    let negativeLogLikelihood: ([Double]) -> (value: Double, gradient: [Double])

    init(start: [Double], scales: [Double], _ negativeLogLikelihood: @escaping ([Double]) -> (value: Double, gradient: [Double])) {
        self.start = start
        self.scales = scales
        self.negativeLogLikelihood = negativeLogLikelihood
    }

    struct Result {
        var parameters: [Double]
        /// nil at the boundary or when the information matrix is not positive definite.
        var standardErrors: [Double]?
        var iterations: Int
        var converged: Bool
        var atBoundary: Bool
        /// Stopped by `atEdge` (see `minimize`).
        var reachedEdge = false
    }

    /// What `atEdge` is given after a step: the parameters, and the total negative
    /// log-likelihood there (without the penalty) with its gradient in the parameters' logs
    /// (`parameter · ∂/∂parameter`).
    struct Step {
        let parameters: [Double]
        let negativeLogLikelihood: Double
        let logGradient: [Double]
    }

    /// Minimizes the mean negative log-likelihood over `customers` plus
    /// `penalizer · Σ (parameter · scale)²`. With `atEdge`, the fit stops after a step where
    /// it holds and reports a boundary maximum.
    func minimize(customers n: Double, penalizer: Double, atEdge: ((Step) -> Bool)? = nil) -> Result {
        let scales = self.scales
        let nll = negativeLogLikelihood
        var minimizer = LogSpaceMinimizer()
        if let atEdge {
            minimizer.atEdge = { logs, objective, gradient in
                let p = logs.map { exp($0) }
                let scaled = zip(p, scales).map { $0 * $1 }
                let penalty = penalizer * scaled.reduce(0) { $0 + $1 * $1 }
                let logGradient = p.indices.map { (gradient[$0] - 2 * penalizer * scaled[$0] * scaled[$0]) * n }
                return atEdge(Step(parameters: p, negativeLogLikelihood: (objective - penalty) * n, logGradient: logGradient))
            }
        }
        let result = minimizer.minimize(from: start.map { log($0) }) { logs in
            let p = logs.map { exp($0) }
            let (value, g) = nll(p)
            let scaled = zip(p, scales).map { $0 * $1 }
            let objective = value / n + penalizer * scaled.reduce(0) { $0 + $1 * $1 }
            let gradient = p.indices.map { g[$0] / n * p[$0] + 2 * penalizer * scaled[$0] * scaled[$0] }
            return (objective.isNaN ? .infinity : objective, gradient)
        }
        let p = result.point.map { exp($0) }
        // The maximum lies at an edge when a parameter runs off to 0 or ∞ (on a log scale).
        let atBoundary = result.reachedEdge || p.contains { $0 < 1e-6 || $0 > 1e6 }
        let errors = atBoundary ? nil : StandardErrors.of(p) { q in
            let g = nll(q).gradient
            return q.indices.map { g[$0] + 2 * penalizer * n * q[$0] * scales[$0] * scales[$0] }
        }
        return Result(parameters: p, standardErrors: errors, iterations: result.iterations,
                      converged: result.converged || atBoundary, atBoundary: atBoundary, reachedEdge: result.reachedEdge)
    }
}

extension RepeatPurchases {
    /// - Throws: `NumericError.tooFewSamples` without customers, or without any repeat purchase.
    func checkFittable(model: String) throws {
        guard count > 0 else {
            throw NumericError.tooFewSamples(samples: 0, required: 1, reason: "\(model) needs customers")
        }
        guard frequency.contains(where: { $0 > 0 }) else {
            throw NumericError.tooFewSamples(samples: 0, required: 1, reason: "\(model) needs at least one customer with a repeat purchase")
        }
    }
}
