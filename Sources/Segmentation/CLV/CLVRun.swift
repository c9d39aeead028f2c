import CustomerData
import Foundation
import NumericCore

/// What `persona clv` fits and predicts.
public struct CLVOptions: Sendable {
    public var period: BTYDPeriod = .day
    /// Prediction horizon in months (lifetimes' `time`).
    public var horizonMonths = 12
    /// Discount rate per month (lifetimes' `discount_rate`).
    public var monthlyDiscount = 0.01
    /// lifetimes' `penalizer_coef`, for BG/NBD and Gamma-Gamma.
    public var penalizer = 0.0
    /// Threads that score customers (results do not depend on it).
    public var threads = 1

    public init() {}
}

/// Fitted models and per-customer predictions for a customer summary.
public struct CLVResult: Sendable {
    public let summary: CustomerSummary
    public let options: CLVOptions
    public let bgnbd: BGNBDModel
    /// nil when fewer than two customers have repeat purchases with a positive spend.
    public let gammaGamma: GammaGammaModel?
    public let probabilityAlive: [Double]
    public let expectedPurchases: [Double]
    /// NaN without a Gamma-Gamma fit.
    public let expectedValue: [Double]
    public let clv: [Double]
    /// Repeat customers left out of the Gamma-Gamma fit because their mean spend is 0.
    public let zeroSpendRepeatCustomers: Int
    public let holdout: HoldoutReport?
    /// Things the user should know (a boundary fit, no spend model).
    public let notes: [String]

    /// Fits BG/NBD to every customer and Gamma-Gamma to the repeat customers with a positive
    /// mean spend, then scores every customer.
    /// - Throws: `SegmentationError.numeric` (naming the file) when a model cannot be fitted.
    /// - Complexity: O(customers) per likelihood evaluation; O(customers · months) to score.
    public static func fit(_ summary: CustomerSummary, options: CLVOptions) throws -> CLVResult {
        var notes = [String]()
        let bgnbd: BGNBDModel
        var gammaGamma: GammaGammaModel?
        let repeats = summary.frequency.indices.filter { summary.frequency[$0] > 0 }
        let spenders = repeats.filter { summary.monetary[$0] > 0 }
        do {
            bgnbd = try BGNBD(penalizer: options.penalizer).fit(try summary.repeatPurchases())
            if spenders.count >= 2 {
                gammaGamma = try GammaGamma(penalizer: options.penalizer).fit(
                    frequency: spenders.map { summary.frequency[$0] }, monetary: spenders.map { summary.monetary[$0] })
            }
        } catch let error as NumericError {
            throw SegmentationError.numeric(file: summary.file, error)
        }
        if bgnbd.atBoundary, bgnbd.meanDropout < 1e-6 {
            notes.append("BG/NBD: nobody seems to drop out: the likelihood is largest as a → 0 (mean dropout probability a/(a+b) = \(bgnbd.meanDropout)); the best fit found is kept, and P(alive) is close to 1 for everyone")
        } else if bgnbd.atBoundary {
            notes.append("BG/NBD: the likelihood is largest at the edge of the parameter space (a parameter going to 0 or infinity); the best fit found is kept, but its predictions are limits: check that the log has enough customers and repeat purchases")
        } else if !bgnbd.converged {
            notes.append("BG/NBD: the fit stopped after \(bgnbd.iterations) iterations without meeting the gradient tolerance")
        }
        if let gg = gammaGamma {
            if [gg.p, gg.q, gg.v].contains(where: { $0 < 1e-6 || $0 > 1e6 }) {
                notes.append("Gamma-Gamma: the likelihood is largest at the edge of the parameter space (p = \(gg.p), q = \(gg.q), v = \(gg.v)): spend hardly varies within or between customers; expected values are close to the customers' own means")
            }
            if gg.q <= 1 { notes.append("Gamma-Gamma: q = \(gg.q) ≤ 1, so the population mean spend is not finite; expected values are not meaningful") }
            if abs(gg.frequencySpendCorrelation) > 0.3 {
                notes.append("Gamma-Gamma assumes spend does not depend on frequency, but their correlation is \(format(gg.frequencySpendCorrelation))")
            }
        } else {
            notes.append("Gamma-Gamma not fitted: it needs at least 2 customers with repeat purchases and a positive mean spend (found \(spenders.count)); expected_value and clv are left empty")
        }
        let t = Double(options.horizonMonths) * options.period.perMonth
        let period = options.period, months = options.horizonMonths, discount = options.monthlyDiscount
        let model = bgnbd, spend = gammaGamma
        // Customers are scored independently: chunks on several threads, joined in order.
        let chunk = 16_384
        let parts = Parallel.map(count: (summary.count + chunk - 1) / chunk, threads: options.threads) { part in
            var rows = [(alive: Double, purchases: Double, value: Double, clv: Double)]()
            for i in (part * chunk)..<min(summary.count, (part + 1) * chunk) {
                let (x, r, T) = (summary.frequency[i], summary.recency[i], summary.T[i])
                let alive = model.probabilityAlive(frequency: x, recency: r, T: T)
                let purchases = model.expectedPurchases(in: t, frequency: x, recency: r, T: T)
                guard let gg = spend else {
                    rows.append((alive, purchases, .nan, .nan))
                    continue
                }
                let v = gg.expectedAverageValue(frequency: x, monetary: summary.monetary[i])
                let clv = customerLifetimeValue(months: months, periodsPerMonth: period.perMonth, monthlyDiscount: discount,
                                                expectedValue: v) { model.expectedPurchases(in: $0, frequency: x, recency: r, T: T) }
                rows.append((alive, purchases, v, clv))
            }
            return rows
        }
        var alive = [Double](), purchases = [Double](), value = [Double](), clv = [Double]()
        for part in parts {
            guard case .success(let rows) = part else { continue }
            for row in rows {
                alive.append(row.alive)
                purchases.append(row.purchases)
                value.append(row.value)
                clv.append(row.clv)
            }
        }
        let holdout = summary.holdout.map { HoldoutReport(summary: summary, holdout: $0, model: bgnbd) }
        return CLVResult(summary: summary, options: options, bgnbd: bgnbd, gammaGamma: gammaGamma,
                         probabilityAlive: alive, expectedPurchases: purchases, expectedValue: value, clv: clv,
                         zeroSpendRepeatCustomers: repeats.count - spenders.count, holdout: holdout, notes: notes)
    }

    static func format(_ x: Double) -> String { String(format: "%.3f", x) }

    /// CLV.csv: the id column as in the input, then frequency, recency, T, monetary_value,
    /// p_alive, expected_purchases, expected_value, clv (shortest round-trip numbers; empty
    /// cells where there is no value); with a holdout also frequency_holdout and
    /// monetary_value_holdout.
    public func csv() -> [UInt8] {
        var writer = CSVWriter(reserve: summary.count * 120)
        var header = [summary.idName, "frequency", "recency", "T", "monetary_value", "p_alive",
                      "expected_purchases", "expected_value", "clv"]
        if summary.holdout != nil { header += ["frequency_holdout", "monetary_value_holdout"] }
        header.forEach { writer.field($0) }
        writer.endRow()
        for i in 0..<summary.count {
            writer.field(summary.ids[i])
            for value in [summary.frequency[i], summary.recency[i], summary.T[i], summary.monetary[i], probabilityAlive[i],
                          expectedPurchases[i], expectedValue[i], clv[i]] { writer.field(value) }
            if let holdout = summary.holdout {
                writer.field(holdout.frequency[i])
                writer.field(holdout.monetary[i])
            }
            writer.endRow()
        }
        return writer.bytes
    }
}
