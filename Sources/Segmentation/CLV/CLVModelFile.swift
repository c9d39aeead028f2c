import NumericCore

/// CLV.json: `{"format": "persona.clv", "version": 1, "bg_nbd": {r, alpha, a, b, ...},
/// "gamma_gamma": {p, q, v, ...}, ...}`; when Pareto/NBD is fitted also
/// `"pareto_nbd": {r, alpha, s, beta, ...}` and `"predictions_from"` (`bg_nbd` or
/// `pareto_nbd`: the model of CLV.csv's p_alive, expected_purchases and clv), and without
/// BG/NBD (`--model-type pareto`) no `bg_nbd`. Keys that are absent keep the default output
/// as it was before Pareto/NBD.
struct CLVModelFile: Encodable {
    struct BGNBDPart: Encodable {
        let r, alpha, a, b: Double
        let log_likelihood: Double
        let standard_errors: BGNBDModel.Parameters?
        let iterations: Int
        let converged: Bool
        let at_boundary: Bool
    }
    struct ParetoNBDPart: Encodable {
        let r, alpha, s, beta: Double
        let log_likelihood: Double
        let standard_errors: ParetoNBDModel.Parameters?
        let iterations: Int
        let converged: Bool
        let at_boundary: Bool
    }
    struct GammaGammaPart: Encodable {
        let p, q, v: Double
        let log_likelihood: Double
        let standard_errors: GammaGammaModel.Parameters?
        let frequency_spend_correlation: Double
        let customers: Int
        let zero_spend_repeat_customers_left_out: Int
        let iterations: Int
        let converged: Bool
    }
    let format = "persona.clv"
    let version = 1
    let source: String
    let id_column: String
    let period: BTYDPeriod
    let horizon_months: Int
    let discount_per_month: Double
    let penalizer: Double
    let customers: Int
    let bg_nbd: BGNBDPart?
    let pareto_nbd: ParetoNBDPart?
    let predictions_from: String?
    let gamma_gamma: GammaGammaPart?
    let holdout: HoldoutReport?
    let holdout_pareto_nbd: HoldoutReport?
    let notes: [String]
}

extension CLVResult {
    /// The fitted models as JSON (keys sorted).
    public func modelJSON() throws -> [UInt8] {
        let file = CLVModelFile(
            source: summary.file, id_column: summary.idName, period: options.period, horizon_months: options.horizonMonths,
            discount_per_month: options.monthlyDiscount, penalizer: options.penalizer, customers: summary.count,
            bg_nbd: bgnbd.map {
                .init(r: $0.r, alpha: $0.alpha, a: $0.a, b: $0.b, log_likelihood: $0.logLikelihood,
                      standard_errors: $0.standardErrors, iterations: $0.iterations, converged: $0.converged,
                      at_boundary: $0.atBoundary)
            },
            pareto_nbd: paretoNBD.map {
                .init(r: $0.r, alpha: $0.alpha, s: $0.s, beta: $0.beta, log_likelihood: $0.logLikelihood,
                      standard_errors: $0.standardErrors, iterations: $0.iterations, converged: $0.converged,
                      at_boundary: $0.atBoundary)
            },
            predictions_from: paretoNBD == nil ? nil : (bgnbd == nil ? "pareto_nbd" : "bg_nbd"),
            gamma_gamma: gammaGamma.map {
                .init(p: $0.p, q: $0.q, v: $0.v, log_likelihood: $0.logLikelihood, standard_errors: $0.standardErrors,
                      frequency_spend_correlation: $0.frequencySpendCorrelation, customers: $0.customers,
                      zero_spend_repeat_customers_left_out: zeroSpendRepeatCustomers, iterations: $0.iterations,
                      converged: $0.converged)
            },
            holdout: holdout, holdout_pareto_nbd: paretoHoldout, notes: notes)
        return try ModelFile.json(file)
    }
}
