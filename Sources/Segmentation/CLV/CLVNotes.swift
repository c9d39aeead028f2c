import NumericCore

/// What `persona clv` tells the user about a fit: boundary maxima, non-convergence, a spend
/// model that does not apply.
extension CLVResult {
    static func notes(_ bgnbd: BGNBDModel) -> [String] {
        if bgnbd.atBoundary, bgnbd.meanDropout < 1e-6 {
            return ["BG/NBD: nobody seems to drop out: the likelihood is largest as a → 0 (mean dropout probability a/(a+b) = \(bgnbd.meanDropout)); the best fit found is kept, and P(alive) is close to 1 for everyone"]
        } else if bgnbd.atBoundary {
            return ["BG/NBD: the likelihood is largest at the edge of the parameter space (a parameter going to 0 or infinity); the best fit found is kept, but its predictions are limits: check that the log has enough customers and repeat purchases"]
        } else if !bgnbd.converged {
            return ["BG/NBD: the fit stopped after \(bgnbd.iterations) iterations without meeting the gradient tolerance"]
        }
        return []
    }

    static func notes(_ pareto: ParetoNBDModel) -> [String] {
        if pareto.atBoundary, pareto.commonDeathRate {
            return ["Pareto/NBD: customers seem to die at one common rate: the likelihood is largest as s and β grow together (s = \(pareto.s), mean death rate s/β = \(pareto.meanDeathRate) per period); the fit stopped within 0.05 of that limit, and its predictions are those of a common death rate"]
        } else if pareto.atBoundary, pareto.noDeath || pareto.s < 1e-6 || pareto.beta > 1e6 {
            return ["Pareto/NBD: nobody seems to die: the likelihood is largest as s → 0 or β → ∞ (mean death rate s/β = \(pareto.meanDeathRate) per period); the best fit found is kept, and P(alive) is close to 1 for everyone"]
        } else if pareto.atBoundary {
            return ["Pareto/NBD: the likelihood is largest at the edge of the parameter space (r = \(pareto.r), alpha = \(pareto.alpha), s = \(pareto.s), beta = \(pareto.beta)); the best fit found is kept, but its predictions are limits: check that the log has enough customers and repeat purchases"]
        } else if !pareto.converged {
            return ["Pareto/NBD: the fit stopped after \(pareto.iterations) iterations without meeting the gradient tolerance"]
        }
        return []
    }

    static func notes(_ gammaGamma: GammaGammaModel?, spenders: Int) -> [String] {
        guard let gg = gammaGamma else {
            return ["Gamma-Gamma not fitted: it needs at least 2 customers with repeat purchases and a positive mean spend (found \(spenders)); expected_value and clv are left empty"]
        }
        var notes = [String]()
        if [gg.p, gg.q, gg.v].contains(where: { $0 < 1e-6 || $0 > 1e6 }) {
            notes.append("Gamma-Gamma: the likelihood is largest at the edge of the parameter space (p = \(gg.p), q = \(gg.q), v = \(gg.v)): spend hardly varies within or between customers; expected values are close to the customers' own means")
        }
        if gg.q <= 1 { notes.append("Gamma-Gamma: q = \(gg.q) ≤ 1, so the population mean spend is not finite; expected values are not meaningful") }
        if abs(gg.frequencySpendCorrelation) > 0.3 {
            notes.append("Gamma-Gamma assumes spend does not depend on frequency, but their correlation is \(format(gg.frequencySpendCorrelation))")
        }
        return notes
    }
}
