import CustomerData
import Foundation
import NumericCore
import Testing
@testable import Segmentation

/// lifetimes 0.11.3's values for `Fixtures/clv/orders.csv`, made by
/// `Fixtures/clv/make_reference.py` (see its header for versions and how to rerun).
struct CLVReference: Decodable {
    struct Customer: Decodable {
        let frequency, recency, T, monetary_value: Double
        let p_alive, expected_purchases, expected_value, clv: Double
    }
    struct Case: Decodable {
        let penalizer: Double
        let horizon_months: Int
        let discount: Double
        let bg_nbd: [String: Double]
        let gamma_gamma: [String: Double]
        let gamma_gamma_customers: Int
        let customers: [String: Customer]
    }
    struct Holdout: Decodable {
        let frequency_holdout, monetary_value_holdout, duration_holdout: Double
    }
    let daily: Case
    let daily_penalized: Case
    let weekly_calibration: Case
    let weekly_holdout: [String: Holdout]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/clv")
    static var log: String { directory.appendingPathComponent("orders.csv").path }

    static func load() throws -> CLVReference {
        try JSONDecoder().decode(CLVReference.self, from: Data(contentsOf: directory.appendingPathComponent("reference.json")))
    }
}

func relativeError(_ a: Double, _ b: Double) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(b), 1e-300)
}

/// Summarizes, fits and scores the fixture log as `persona clv` does.
func clvRun(period: BTYDPeriod, calibrationEnd: String? = nil, penalizer: Double = 0, months: Int = 12,
            discount: Double = 0.01, log: String = CLVReference.log, modelType: CLVModelType = .bgnbd) throws -> CLVResult {
    let days = try OrderLogReader.purchaseDays(path: log,
                                               options: OrderLogOptions(customer: "customer", date: "date", amount: .column("amount")))
    let end = calibrationEnd.map { text -> Int32 in
        let parts = text.split(separator: "-").compactMap { Int($0) }
        var components = DateComponents()
        (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
        components.timeZone = TimeZone(identifier: "UTC")
        let date = Calendar(identifier: .gregorian).date(from: components) ?? Date(timeIntervalSince1970: 0)
        return Int32(date.timeIntervalSince1970 / 86_400)
    }
    let summary = try CustomerSummary.summarize(days, options: SummaryOptions(period: period, calibrationEnd: end))
    var options = CLVOptions()
    options.period = period
    options.penalizer = penalizer
    options.horizonMonths = months
    options.monthlyDiscount = discount
    options.modelType = modelType
    return try CLVResult.fit(summary, options: options)
}

@Suite("CLV against lifetimes")
struct CLVReferenceTests {
    /// Every summary column equal, parameters to 1e-6 relative, predictions to 1e-6.
    func check(_ result: CLVResult, _ reference: CLVReference.Case, summaryOnly: Bool = false) {
        let summary = result.summary
        guard let bg = result.bgnbd else {
            Issue.record("BG/NBD not fitted")
            return
        }
        for (name, value) in [("r", bg.r), ("alpha", bg.alpha), ("a", bg.a), ("b", bg.b)] {
            #expect(relativeError(value, reference.bg_nbd[name] ?? .nan) < 1e-6, "BG/NBD \(name): \(value) vs \(reference.bg_nbd[name] ?? .nan)")
        }
        if let gg = result.gammaGamma {
            for (name, value) in [("p", gg.p), ("q", gg.q), ("v", gg.v)] {
                #expect(relativeError(value, reference.gamma_gamma[name] ?? .nan) < 1e-6, "Gamma-Gamma \(name): \(value) vs \(reference.gamma_gamma[name] ?? .nan)")
            }
            #expect(gg.customers == reference.gamma_gamma_customers)
        } else {
            Issue.record("Gamma-Gamma not fitted")
        }
        var checked = 0
        for (i, id) in summary.ids.enumerated() {
            guard let expected = reference.customers[id] else { continue }
            checked += 1
            #expect(summary.frequency[i] == expected.frequency, "\(id) frequency")
            #expect(summary.recency[i] == expected.recency, "\(id) recency")
            #expect(summary.T[i] == expected.T, "\(id) T")
            #expect(relativeError(summary.monetary[i], expected.monetary_value) < 1e-12, "\(id) monetary_value")
            #expect(abs(result.probabilityAlive[i] - expected.p_alive) < 1e-6, "\(id) p_alive \(result.probabilityAlive[i]) vs \(expected.p_alive)")
            #expect(relativeError(result.expectedPurchases[i], expected.expected_purchases) < 1e-6, "\(id) expected_purchases")
            #expect(relativeError(result.expectedValue[i], expected.expected_value) < 1e-6, "\(id) expected_value")
            #expect(relativeError(result.clv[i], expected.clv) < 1e-6, "\(id) clv \(result.clv[i]) vs \(expected.clv)")
        }
        #expect(checked == reference.customers.count, "every reference customer is in the summary")
    }

    @Test("daily summary, BG/NBD, Gamma-Gamma and CLV match lifetimes")
    func daily() throws {
        let reference = try CLVReference.load()
        let result = try clvRun(period: .day)
        #expect(result.summary.count == reference.daily.customers.count)
        check(result, reference.daily)
    }

    @Test("penalizer_coef 0.01, 6 months at 2 % a month match lifetimes")
    func penalized() throws {
        let reference = try CLVReference.load()
        check(try clvRun(period: .day, penalizer: 0.01, months: 6, discount: 0.02), reference.daily_penalized)
    }

    @Test("weekly calibration and holdout match lifetimes' calibration_and_holdout_data")
    func weeklyHoldout() throws {
        let reference = try CLVReference.load()
        let result = try clvRun(period: .week, calibrationEnd: "2021-12-31")
        check(result, reference.weekly_calibration)
        let holdout = try #require(result.summary.holdout)
        #expect(result.summary.count == reference.weekly_holdout.count)
        for (i, id) in result.summary.ids.enumerated() {
            let expected = try #require(reference.weekly_holdout[id])
            #expect(holdout.frequency[i] == expected.frequency_holdout, "\(id)")
            #expect(relativeError(holdout.monetary[i], expected.monetary_value_holdout) < 1e-12, "\(id)")
            #expect(holdout.duration == expected.duration_holdout)
        }
    }

    @Test("ids keep their leading zeros")
    func leadingZeros() throws {
        let result = try clvRun(period: .day)
        #expect(result.summary.ids.contains("00007"))
        #expect(result.summary.ids.allSatisfy { $0.count == 5 })
    }
}

/// `../shared/datasets/cdnow` beside the repository, when it is there.
let cdnowDirectory: URL? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let shared = root.deletingLastPathComponent().appendingPathComponent("shared/datasets/cdnow")
    return FileManager.default.fileExists(atPath: shared.path) ? shared : nil
}()

@Suite("CLV on CDNOW (Fader, Hardie & Lee 2005)",
       .enabled(if: cdnowDirectory != nil, "../shared/datasets is absent: skipping the CDNOW BG/NBD and Gamma-Gamma checks"))
struct CLVCDNOWTests {

    func summary() throws -> CustomerSummary {
        let path = try #require(cdnowDirectory).appendingPathComponent("cdnow_customers_summary_with_transactions.csv").path
        return try CustomerSummary.read(path: path, columns: SummaryColumns(id: "ID", frequency: "x", recency: "t_x", T: "T", monetary: "zbar"),
                                        read: CSVReadOptions())
    }

    @Test("BG/NBD on the 39-week calibration: r 0.2426, α 4.4135, a 0.7929, b 2.4258 (1e-3 relative)")
    func bgnbd() throws {
        let model = try BGNBD().fit(try summary().repeatPurchases())
        for (value, published) in [(model.r, 0.2426), (model.alpha, 4.4135), (model.a, 0.7929), (model.b, 2.4258)] {
            #expect(relativeError(value, published) < 1e-3, "\(value) vs \(published)")
        }
        #expect(abs(model.logLikelihood - -9582.43) < 0.01)
        #expect(model.converged && !model.atBoundary)
    }

    @Test("Gamma-Gamma on the repeat customers: p 6.25, q 3.74, v 15.44 (1e-3 relative)")
    func gammaGamma() throws {
        let s = try summary()
        let repeats = s.frequency.indices.filter { s.frequency[$0] > 0 }
        let model = try GammaGamma().fit(frequency: repeats.map { s.frequency[$0] }, monetary: repeats.map { s.monetary[$0] })
        // The published values have three significant digits: 1e-3 relative of the rounded values.
        for (value, published) in [(model.p, 6.25), (model.q, 3.74), (model.v, 15.44)] {
            #expect(abs(value - published) <= 1e-3 * published + 0.005, "\(value) vs \(published)")
        }
        #expect(model.customers == 946)
    }
}
