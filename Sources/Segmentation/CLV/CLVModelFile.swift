import NumericCore

/// CLV.json: `{"format": "persona.clv", "version": 1, "bg_nbd": {r, alpha, a, b, ...},
/// "gamma_gamma": {p, q, v, ...}, ...}`.
struct CLVModelFile: Encodable {
    struct BGNBDPart: Encodable {
        let r, alpha, a, b: Double
        let log_likelihood: Double
        let standard_errors: BGNBDModel.Parameters?
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
    let bg_nbd: BGNBDPart
    let gamma_gamma: GammaGammaPart?
    let holdout: HoldoutReport?
    let notes: [String]
}

extension CLVResult {
    /// The fitted models as JSON (keys sorted).
    public func modelJSON() throws -> [UInt8] {
        let bg = bgnbd
        let file = CLVModelFile(
            source: summary.file, id_column: summary.idName, period: options.period, horizon_months: options.horizonMonths,
            discount_per_month: options.monthlyDiscount, penalizer: options.penalizer, customers: summary.count,
            bg_nbd: .init(r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b, log_likelihood: bg.logLikelihood,
                          standard_errors: bg.standardErrors, iterations: bg.iterations, converged: bg.converged,
                          at_boundary: bg.atBoundary),
            gamma_gamma: gammaGamma.map {
                .init(p: $0.p, q: $0.q, v: $0.v, log_likelihood: $0.logLikelihood, standard_errors: $0.standardErrors,
                      frequency_spend_correlation: $0.frequencySpendCorrelation, customers: $0.customers,
                      zero_spend_repeat_customers_left_out: zeroSpendRepeatCustomers, iterations: $0.iterations,
                      converged: $0.converged)
            },
            holdout: holdout, notes: notes)
        return try ModelFile.json(file)
    }
}
