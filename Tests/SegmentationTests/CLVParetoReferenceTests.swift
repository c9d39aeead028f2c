import CustomerData
import Foundation
import NumericCore
import Testing
@testable import Segmentation

/// lifetimes 0.11.3's ParetoNBDFitter on `Fixtures/clv/orders.csv` and on the unseen
/// `Fixtures/clv/pareto_orders.csv` (drawn from a Pareto/NBD process), made by
/// `Fixtures/clv/make_pareto_reference.py` (see its header for versions and how to rerun).
struct ParetoReference: Decodable {
    struct Customer: Decodable {
        let frequency, recency, T, monetary_value, expected_value: Double
        /// lifetimes' values at the parameters its own fit returned.
        let ll_at_fit, p_alive_at_fit, expected_purchases_at_fit, clv_at_fit: Double
        /// lifetimes' values at its likelihood's maximum (the polished parameters).
        let p_alive, expected_purchases, clv: Double
        /// 1 where lifetimes returned NaN (scipy's logsumexp overflows when recency = T and the
        /// frequency is large) and the values above are mpmath's, at 50 digits.
        let lifetimes_nan: Double
    }
    struct Case: Decodable {
        let log: String
        let period: String
        let calibration_end: String?
        let penalizer: Double
        let horizon_months: Int
        let discount: Double
        let lifetimes_fit: [String: Double]
        let polished: [String: Double]
        let polished_gradient: [Double]
        let log_likelihood_at_fit: Double
        let log_likelihood_at_polished: Double
        let customers: [String: Customer]

        func model(_ parameters: [String: Double]) -> ParetoNBDModel {
            ParetoNBDModel(r: parameters["r"] ?? .nan, alpha: parameters["alpha"] ?? .nan,
                           s: parameters["s"] ?? .nan, beta: parameters["beta"] ?? .nan)
        }
    }
    struct Hard: Decodable {
        let params: [String: Double]
        let frequency, recency, T, t: Double
        /// nil where lifetimes' hyp2f1 overflows.
        let lifetimes_ll, lifetimes_p_alive, lifetimes_expected_purchases: Double?
        /// The same formulas in mpmath at 50 digits.
        let exact_ll, exact_p_alive, exact_expected_purchases: Double
    }
    let daily, daily_penalized, weekly_calibration, generated_daily, generated_weekly_calibration: Case
    let hard: [Hard]

    static let caseNames = ["daily", "daily_penalized", "weekly_calibration", "generated_daily", "generated_weekly_calibration"]

    func named(_ name: String) -> Case? {
        switch name {
        case "daily": return daily
        case "daily_penalized": return daily_penalized
        case "weekly_calibration": return weekly_calibration
        case "generated_daily": return generated_daily
        case "generated_weekly_calibration": return generated_weekly_calibration
        default: return nil
        }
    }

    static func load() throws -> ParetoReference {
        try JSONDecoder().decode(ParetoReference.self,
                                 from: Data(contentsOf: CLVReference.directory.appendingPathComponent("pareto_reference.json")))
    }
}

/// |a − b| relative to b, with values below `floor` compared absolutely.
func closeness(_ a: Double, _ b: Double, floor: Double = 1e-300) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(b), floor)
}

@Suite("Pareto/NBD against lifetimes' ParetoNBDFitter")
struct CLVParetoReferenceTests {
    func run(_ reference: ParetoReference.Case, modelType: CLVModelType = .pareto) throws -> CLVResult {
        try clvRun(period: reference.period == "W" ? .week : .day,
                   calibrationEnd: reference.calibration_end,
                   penalizer: reference.penalizer, months: reference.horizon_months, discount: reference.discount,
                   log: CLVReference.directory.appendingPathComponent(reference.log).path, modelType: modelType)
    }

    @Test("lifetimes' formulas at lifetimes' own fit: log-likelihood, P(alive), expected purchases and CLV to 1e-9",
          arguments: ParetoReference.caseNames)
    func formulasAtLifetimesFit(name: String) throws {
        let reference = try #require(try ParetoReference.load().named(name))
        let model = reference.model(reference.lifetimes_fit)
        let summary = try run(reference).summary
        let period: BTYDPeriod = reference.period == "W" ? .week : .day
        let t = Double(reference.horizon_months) * period.perMonth
        var total = 0.0
        for i in 0..<summary.count {
            let (x, r, T) = (summary.frequency[i], summary.recency[i], summary.T[i])
            total += model.logLikelihood(frequency: x, recency: r, T: T)
            guard let expected = reference.customers[summary.ids[i]] else { continue }
            let id = summary.ids[i]
            if expected.lifetimes_nan == 1 { #expect(r == T, "\(name) \(id): lifetimes' NaN where recency < T") }
            let ll = model.logLikelihood(frequency: x, recency: r, T: T)
            #expect(closeness(ll, expected.ll_at_fit, floor: 1) < 1e-9, "\(name) \(id) log-likelihood \(ll) vs \(expected.ll_at_fit)")
            let alive = model.probabilityAlive(frequency: x, recency: r, T: T)
            #expect(closeness(alive, expected.p_alive_at_fit) < 1e-9, "\(name) \(id) p_alive \(alive) vs \(expected.p_alive_at_fit)")
            let purchases = model.expectedPurchases(in: t, frequency: x, recency: r, T: T)
            #expect(closeness(purchases, expected.expected_purchases_at_fit) < 1e-9,
                    "\(name) \(id) expected purchases \(purchases) vs \(expected.expected_purchases_at_fit)")
            let clv = customerLifetimeValue(months: reference.horizon_months, periodsPerMonth: period.perMonth,
                                            monthlyDiscount: reference.discount, expectedValue: expected.expected_value,
                                            cumulativePurchases: model.outlook(frequency: x, recency: r, T: T).expectedPurchases)
            #expect(closeness(clv, expected.clv_at_fit) < 1e-9, "\(name) \(id) clv \(clv) vs \(expected.clv_at_fit)")
        }
        #expect(closeness(total, reference.log_likelihood_at_fit) < 1e-11, "\(name) total log-likelihood \(total) vs \(reference.log_likelihood_at_fit)")
    }

    /// lifetimes' Nelder-Mead (tol 1e-4) stops 1e-6 to 2e-4 (relative) short of the maximum,
    /// so the fitted parameters are compared with lifetimes' to 1e-3 only, and to 2e-5 with
    /// the maximum of lifetimes' own likelihood (polished by repeated Nelder-Mead, whose
    /// central-difference gradient stays at 1e-6 to 3e-5 of a total of 2e3 to 2.5e4: the
    /// parameters along the flat s–β ridge are not pinned closer than that). Predictions
    /// move much less along that ridge: 1e-6 relative.
    @Test("the fit reaches the maximum of lifetimes' likelihood; predictions to 1e-6", arguments: ParetoReference.caseNames)
    func fitMatchesLifetimes(name: String) throws {
        let reference = try #require(try ParetoReference.load().named(name))
        let result = try run(reference)
        let pareto = try #require(result.paretoNBD)
        #expect(result.bgnbd == nil)
        #expect(pareto.converged && !pareto.atBoundary, "\(name): \(pareto)")
        // What both maximize: the log-likelihood minus lifetimes' penalty on (r, α/max T, s, β/max T).
        let maxT = result.summary.T.max() ?? 1
        func objective(_ logLikelihood: Double, _ p: [String: Double]) -> Double {
            let scaled = [p["r"] ?? .nan, (p["alpha"] ?? .nan) / maxT, p["s"] ?? .nan, (p["beta"] ?? .nan) / maxT]
            return logLikelihood - reference.penalizer * scaled.reduce(0) { $0 + $1 * $1 }
        }
        let ours = objective(pareto.logLikelihood, ["r": pareto.r, "alpha": pareto.alpha, "s": pareto.s, "beta": pareto.beta])
        let theirs = objective(reference.log_likelihood_at_polished, reference.polished)
        #expect(ours >= theirs - 1e-8, "\(name): penalized log-likelihood \(ours) below lifetimes' polished \(theirs)")
        for (key, value) in [("r", pareto.r), ("alpha", pareto.alpha), ("s", pareto.s), ("beta", pareto.beta)] {
            let lifetimes = reference.lifetimes_fit[key] ?? .nan, polished = reference.polished[key] ?? .nan
            #expect(closeness(value, lifetimes) < 1e-3, "\(name) \(key) \(value) vs lifetimes' fit \(lifetimes)")
            #expect(closeness(value, polished) < 2e-5, "\(name) \(key) \(value) vs lifetimes' maximum \(polished)")
        }
        var checked = 0
        for (i, id) in result.summary.ids.enumerated() {
            guard let expected = reference.customers[id] else { continue }
            checked += 1
            let summary = result.summary
            #expect(summary.frequency[i] == expected.frequency && summary.recency[i] == expected.recency && summary.T[i] == expected.T, "\(id)")
            #expect(closeness(summary.monetary[i], expected.monetary_value) < 1e-12, "\(id) monetary_value")
            #expect(closeness(result.expectedValue[i], expected.expected_value) < 1e-6, "\(id) expected_value")
            #expect(abs(result.probabilityAlive[i] - expected.p_alive) < 1e-6, "\(name) \(id) p_alive \(result.probabilityAlive[i]) vs \(expected.p_alive)")
            #expect(closeness(result.expectedPurchases[i], expected.expected_purchases) < 1e-6,
                    "\(name) \(id) expected purchases \(result.expectedPurchases[i]) vs \(expected.expected_purchases)")
            #expect(closeness(result.clv[i], expected.clv) < 1e-6, "\(name) \(id) clv \(result.clv[i]) vs \(expected.clv)")
        }
        #expect(checked == reference.customers.count)
    }

    @Test("--model-type both: BG/NBD's columns as before, Pareto/NBD's beside them")
    func both() throws {
        let reference = try ParetoReference.load().daily
        let both = try run(reference, modelType: .both)
        let bgnbd = try clvRun(period: .day)
        let pareto = try run(reference)
        #expect(both.bgnbd == bgnbd.bgnbd && both.paretoNBD == pareto.paretoNBD)
        #expect(both.probabilityAlive == bgnbd.probabilityAlive && both.clv == bgnbd.clv)
        let comparison = try #require(both.paretoComparison)
        #expect(comparison.probabilityAlive == pareto.probabilityAlive && comparison.clv == pareto.clv)
    }

    @Test("large frequency and T, α and β far apart: mpmath's value to 1e-10, lifetimes' where it does not overflow")
    func hardCustomers() throws {
        let reference = try ParetoReference.load()
        for c in reference.hard {
            let model = ParetoNBDModel(r: c.params["r"] ?? .nan, alpha: c.params["alpha"] ?? .nan,
                                       s: c.params["s"] ?? .nan, beta: c.params["beta"] ?? .nan)
            let label = "\(c.params) x \(c.frequency), recency \(c.recency), T \(c.T)"
            let ll = model.logLikelihood(frequency: c.frequency, recency: c.recency, T: c.T)
            let alive = model.probabilityAlive(frequency: c.frequency, recency: c.recency, T: c.T)
            let purchases = model.expectedPurchases(in: c.t, frequency: c.frequency, recency: c.recency, T: c.T)
            #expect(closeness(ll, c.exact_ll, floor: 1) < 1e-12, "\(label): log-likelihood \(ll) vs \(c.exact_ll)")
            #expect(closeness(alive, c.exact_p_alive) < 1e-10, "\(label): p_alive \(alive) vs \(c.exact_p_alive)")
            #expect(closeness(purchases, c.exact_expected_purchases) < 1e-10, "\(label): expected \(purchases) vs \(c.exact_expected_purchases)")
            if let lifetimes = c.lifetimes_p_alive { #expect(closeness(alive, lifetimes) < 1e-9, "\(label): lifetimes' p_alive \(lifetimes)") }
            if let lifetimes = c.lifetimes_expected_purchases {
                #expect(closeness(purchases, lifetimes) < 1e-9, "\(label): lifetimes' expected \(lifetimes)")
            }
        }
        #expect(reference.hard.contains { $0.lifetimes_p_alive == nil }, "a case where lifetimes overflows is covered")
    }
}

@Suite("Pareto/NBD on CDNOW",
       .enabled(if: cdnowDirectory != nil, "../shared/datasets is absent: skipping the CDNOW Pareto/NBD check"))
struct CLVParetoCDNOWTests {
    /// Fader, Hardie & Lee (2005), "'Counting your customers' the easy way: an alternative to
    /// the Pareto/NBD model", Marketing Science 24(2), section 4: the Pareto/NBD fitted to the
    /// 39-week calibration of the 1/10 CDNOW sample (2,357 customers) has r = 0.55, α = 10.58,
    /// s = 0.61, β = 11.67 (LL −9595.0). Those are rounded to two decimals, hence 1e-2.
    @Test("Pareto/NBD on the 39-week calibration: r 0.55, α 10.58, s 0.61, β 11.67 (1e-2 relative)")
    func pareto() throws {
        let path = try #require(cdnowDirectory).appendingPathComponent("cdnow_customers_summary_with_transactions.csv").path
        let summary = try CustomerSummary.read(path: path, columns: SummaryColumns(id: "ID", frequency: "x", recency: "t_x", T: "T", monetary: "zbar"),
                                               read: CSVReadOptions())
        let model = try ParetoNBD().fit(try summary.repeatPurchases())
        for (value, published) in [(model.r, 0.55), (model.alpha, 10.58), (model.s, 0.61), (model.beta, 11.67)] {
            #expect(relativeError(value, published) < 1e-2, "\(value) vs \(published)")
        }
        #expect(abs(model.logLikelihood - -9595.0) < 0.05, "log-likelihood \(model.logLikelihood)")
        #expect(model.converged && !model.atBoundary)
    }
}
