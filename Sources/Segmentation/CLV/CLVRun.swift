import CustomerData
import Foundation
import NumericCore

/// Which repeat-purchase model `persona clv` fits and scores with.
public enum CLVModelType: String, Sendable, CaseIterable {
    /// BG/NBD (Fader, Hardie & Lee 2005), the default.
    case bgnbd
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987): p_alive, expected_purchases and clv
    /// come from it.
    case pareto
    /// Both: the standard columns from BG/NBD, and Pareto/NBD's beside them
    /// (`p_alive_pareto`, `expected_purchases_pareto`, `clv_pareto`).
    case both

    /// The models' names, for messages.
    public var models: String {
        switch self {
        case .bgnbd: return "BG/NBD"
        case .pareto: return "Pareto/NBD"
        case .both: return "BG/NBD, Pareto/NBD"
        }
    }
}

/// What `persona clv` fits and predicts.
public struct CLVOptions: Sendable {
    public var period: BTYDPeriod = .day
    /// Prediction horizon in months (lifetimes' `time`).
    public var horizonMonths = 12
    /// Discount rate per month (lifetimes' `discount_rate`).
    public var monthlyDiscount = 0.01
    /// lifetimes' `penalizer_coef`, for every model (as each lifetimes fitter applies it).
    public var penalizer = 0.0
    public var modelType: CLVModelType = .bgnbd
    /// Threads that score customers (results do not depend on it).
    public var threads = 1

    public init() {}
}

/// One repeat-purchase model's predictions, per customer.
public struct CLVPredictions: Sendable {
    public let probabilityAlive: [Double]
    public let expectedPurchases: [Double]
    /// NaN without a Gamma-Gamma fit.
    public let clv: [Double]
}

/// Fitted models and per-customer predictions for a customer summary.
public struct CLVResult: Sendable {
    public let summary: CustomerSummary
    public let options: CLVOptions
    /// nil with `--model-type pareto`.
    public let bgnbd: BGNBDModel?
    /// nil with `--model-type bgnbd`.
    public let paretoNBD: ParetoNBDModel?
    /// nil when fewer than two customers have repeat purchases with a positive spend.
    public let gammaGamma: GammaGammaModel?
    /// From BG/NBD, or from Pareto/NBD with `.pareto`.
    public let probabilityAlive: [Double]
    public let expectedPurchases: [Double]
    /// NaN without a Gamma-Gamma fit.
    public let expectedValue: [Double]
    public let clv: [Double]
    /// With `.both`: Pareto/NBD's predictions beside BG/NBD's.
    public let paretoComparison: CLVPredictions?
    /// Repeat customers left out of the Gamma-Gamma fit because their mean spend is 0.
    public let zeroSpendRepeatCustomers: Int
    /// Predicted (by the model of `expectedPurchases`) against actual holdout purchases.
    public let holdout: HoldoutReport?
    /// With `.both`: the same for Pareto/NBD.
    public let paretoHoldout: HoldoutReport?
    /// Things the user should know (a boundary fit, no spend model).
    public let notes: [String]

    /// Fits BG/NBD and/or Pareto/NBD to every customer and Gamma-Gamma to the repeat
    /// customers with a positive mean spend, then scores every customer.
    /// - Throws: `SegmentationError.numeric` (naming the file) when a model cannot be fitted.
    /// - Complexity: O(customers) per likelihood evaluation; O(customers · months) to score.
    public static func fit(_ summary: CustomerSummary, options: CLVOptions) throws -> CLVResult {
        let repeats = summary.frequency.indices.filter { summary.frequency[$0] > 0 }
        let spenders = repeats.filter { summary.monetary[$0] > 0 }
        let models: (primary: any RepeatPurchaseModel, bgnbd: BGNBDModel?, pareto: ParetoNBDModel?)
        var gammaGamma: GammaGammaModel?
        do {
            let data = try summary.repeatPurchases()
            switch options.modelType {
            case .bgnbd:
                let bgnbd = try BGNBD(penalizer: options.penalizer).fit(data)
                models = (bgnbd, bgnbd, nil)
            case .pareto:
                let pareto = try ParetoNBD(penalizer: options.penalizer).fit(data)
                models = (pareto, nil, pareto)
            case .both:
                let bgnbd = try BGNBD(penalizer: options.penalizer).fit(data)
                models = (bgnbd, bgnbd, try ParetoNBD(penalizer: options.penalizer).fit(data))
            }
            if spenders.count >= 2 {
                gammaGamma = try GammaGamma(penalizer: options.penalizer).fit(
                    frequency: spenders.map { summary.frequency[$0] }, monetary: spenders.map { summary.monetary[$0] })
            }
        } catch let error as NumericError {
            throw SegmentationError.numeric(file: summary.file, error)
        }
        let (bgnbd, pareto) = (models.bgnbd, models.pareto)
        let notes = (bgnbd.map(Self.notes) ?? []) + (pareto.map(Self.notes) ?? []) + Self.notes(gammaGamma, spenders: spenders.count)
        let expectedValue = (0..<summary.count).map { i in
            gammaGamma?.expectedAverageValue(frequency: summary.frequency[i], monetary: summary.monetary[i]) ?? .nan
        }
        let primaryModel = models.primary
        let comparison = options.modelType == .both ? pareto : nil
        let primary = score(summary, model: primaryModel, expectedValue: expectedValue, options: options)
        let paretoComparison = comparison.map { score(summary, model: $0, expectedValue: expectedValue, options: options) }
        return CLVResult(summary: summary, options: options, bgnbd: bgnbd, paretoNBD: pareto, gammaGamma: gammaGamma,
                         probabilityAlive: primary.probabilityAlive, expectedPurchases: primary.expectedPurchases,
                         expectedValue: expectedValue, clv: primary.clv, paretoComparison: paretoComparison,
                         zeroSpendRepeatCustomers: repeats.count - spenders.count,
                         holdout: summary.holdout.map { HoldoutReport(summary: summary, holdout: $0, model: primaryModel) },
                         paretoHoldout: comparison.flatMap { model in summary.holdout.map { HoldoutReport(summary: summary, holdout: $0, model: model) } },
                         notes: notes)
    }

    /// Scores every customer: P(alive), expected purchases in the horizon and the discounted
    /// CLV, on chunks of customers on several threads, joined in order.
    static func score(_ summary: CustomerSummary, model: any RepeatPurchaseModel, expectedValue: [Double],
                      options: CLVOptions) -> CLVPredictions {
        let t = Double(options.horizonMonths) * options.period.perMonth
        let period = options.period, months = options.horizonMonths, discount = options.monthlyDiscount
        let chunk = 16_384
        let parts = Parallel.map(count: (summary.count + chunk - 1) / chunk, threads: options.threads) { part in
            var rows = [(alive: Double, purchases: Double, clv: Double)]()
            for i in (part * chunk)..<min(summary.count, (part + 1) * chunk) {
                let outlook = model.outlook(frequency: summary.frequency[i], recency: summary.recency[i], T: summary.T[i])
                let value = expectedValue[i]
                let clv = value.isNaN ? .nan : customerLifetimeValue(months: months, periodsPerMonth: period.perMonth,
                                                                     monthlyDiscount: discount, expectedValue: value,
                                                                     cumulativePurchases: outlook.expectedPurchases)
                rows.append((outlook.probabilityAlive, outlook.expectedPurchases(t), clv))
            }
            return rows
        }
        var alive = [Double](), purchases = [Double](), clv = [Double]()
        for part in parts {
            guard case .success(let rows) = part else { continue }
            for row in rows {
                alive.append(row.alive)
                purchases.append(row.purchases)
                clv.append(row.clv)
            }
        }
        return CLVPredictions(probabilityAlive: alive, expectedPurchases: purchases, clv: clv)
    }

    static func format(_ x: Double) -> String { String(format: "%.3f", x) }

    /// The loyalty tier names, best first.
    public static let loyaltyTierNames = ["loyal", "regular", "occasional"]

    /// Each customer's loyalty tier by expected purchases in the horizon (which weighs the
    /// purchase rate by P(alive)), cut at its terciles over all customers: `loyal` (top third),
    /// `regular`, `occasional`. Checked on CDNOW and Online Retail against the holdout period:
    /// the share buying again rises from occasional to regular to loyal (Benchmarks/RESULTS.md).
    /// A rule on P(alive) alone does not order that way: a one-time buyer has P(alive) = 1
    /// under BG/NBD, yet buys again less often than a quiet repeat buyer.
    public var loyaltyTiers: [String] {
        let sorted = expectedPurchases.filter(\.isFinite).sorted()
        let names = Self.loyaltyTierNames
        guard !sorted.isEmpty else { return expectedPurchases.map { _ in names[2] } }
        let (low, high) = (ColumnStatistics.quantile(sorted: sorted, 1.0 / 3), ColumnStatistics.quantile(sorted: sorted, 2.0 / 3))
        return expectedPurchases.map { e in
            guard e.isFinite else { return names[2] }
            return e >= high ? names[0] : e >= low ? names[1] : names[2]
        }
    }

    /// CLV.csv: the id column as in the input, then frequency, recency, T, monetary_value,
    /// p_alive, expected_purchases, expected_value, clv (shortest round-trip numbers; empty
    /// cells where there is no value); with `.both` also p_alive_pareto,
    /// expected_purchases_pareto, clv_pareto; with a holdout also frequency_holdout and
    /// monetary_value_holdout; last, loyalty_tier (`loyaltyTiers`).
    public func csv() -> [UInt8] {
        var writer = CSVWriter(reserve: summary.count * 120)
        var header = [summary.idName, "frequency", "recency", "T", "monetary_value", "p_alive",
                      "expected_purchases", "expected_value", "clv"]
        if paretoComparison != nil { header += ["p_alive_pareto", "expected_purchases_pareto", "clv_pareto"] }
        if summary.holdout != nil { header += ["frequency_holdout", "monetary_value_holdout"] }
        header.append("loyalty_tier")
        header.forEach { writer.field($0) }
        let loyalty = loyaltyTiers
        writer.endRow()
        for i in 0..<summary.count {
            writer.field(summary.ids[i])
            for value in [summary.frequency[i], summary.recency[i], summary.T[i], summary.monetary[i], probabilityAlive[i],
                          expectedPurchases[i], expectedValue[i], clv[i]] { writer.field(value) }
            if let pareto = paretoComparison {
                for value in [pareto.probabilityAlive[i], pareto.expectedPurchases[i], pareto.clv[i]] { writer.field(value) }
            }
            if let holdout = summary.holdout {
                writer.field(holdout.frequency[i])
                writer.field(holdout.monetary[i])
            }
            writer.field(loyalty[i])
            writer.endRow()
        }
        return writer.finished()
    }
}
