import CustomerData
import NumericCore

/// Behaviour tiers by a rule on recency measured against the customer's own purchase rhythm,
/// so a tier never contradicts recency. With `g` the customer's usual gap (their mean days
/// between purchases; the population's typical gap `G` — the median usual gap of repeat
/// buyers — for customers with one purchase or no gap column):
///
/// - **churned**: silent more than `churned_gaps` × g and more than
///   `never_churned_within_days`, or silent more than `churned_after_days`;
/// - **potential**: at most `potential_max_purchases` purchases (or none yet), not churned —
///   new or light customers;
/// - **active**: a regular (more purchases than that) who buys at least as often as the typical
///   customer (g ≤ G) and is silent at most `active_gaps` × g;
/// - **at_risk**: everyone else — regulars past their rhythm, or slower than typical.
///
/// Chosen on 14 cuts of 5 order logs (UCI Online Retail, CDNOW, lifetimes' example, two
/// synthetic), follow-up 90–180 days: on every cut churned has the lowest next-period purchase
/// rate and active the highest, and every tier holds at least 1 % (README, "Behaviour tiers").
/// Without a frequency column every buyer counts as a regular.
public struct BehaviorRule: Codable, Sendable, Equatable {
    public struct Thresholds: Codable, Sendable, Equatable {
        public var activeGaps: Double = 2
        public var churnedGaps: Double = 4
        public var churnedAfterDays: Double = 365
        public var neverChurnedWithinDays: Double = 60
        public var potentialMaxPurchases: Double = 2

        enum CodingKeys: String, CodingKey, CaseIterable {
            case activeGaps = "active_gaps"
            case churnedGaps = "churned_gaps"
            case churnedAfterDays = "churned_after_days"
            case neverChurnedWithinDays = "never_churned_within_days"
            case potentialMaxPurchases = "potential_max_purchases"
        }

        public init() {}

        /// Every key is optional: an absent one keeps its default.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func value(_ key: CodingKeys, _ fallback: Double) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? fallback }
            activeGaps = try value(.activeGaps, activeGaps)
            churnedGaps = try value(.churnedGaps, churnedGaps)
            churnedAfterDays = try value(.churnedAfterDays, churnedAfterDays)
            neverChurnedWithinDays = try value(.neverChurnedWithinDays, neverChurnedWithinDays)
            potentialMaxPurchases = try value(.potentialMaxPurchases, potentialMaxPurchases)
        }

        /// What is wrong with the thresholds: the key at fault and the problem (which starts
        /// with the key), or nil.
        func problem() -> (key: String, problem: String)? {
            for (key, number) in [("active_gaps", activeGaps), ("churned_gaps", churnedGaps), ("churned_after_days", churnedAfterDays),
                                  ("never_churned_within_days", neverChurnedWithinDays), ("potential_max_purchases", potentialMaxPurchases)]
            where !number.isFinite || number < 0 {
                return (key, "\(key) must be a finite number >= 0; got \(Format.plain(number))")
            }
            guard churnedGaps > activeGaps else {
                return ("churned_gaps", "churned_gaps (\(Format.plain(churnedGaps))) must be above active_gaps (\(Format.plain(activeGaps)))")
            }
            guard churnedAfterDays > neverChurnedWithinDays else {
                return ("churned_after_days",
                        "churned_after_days (\(Format.plain(churnedAfterDays))) must be above never_churned_within_days (\(Format.plain(neverChurnedWithinDays)))")
            }
            return nil
        }
    }

    /// Tier indices, in the order of `SegmentConfig.Behavior.tiers`.
    public enum Role: Int, CaseIterable, Sendable {
        case active, potential, atRisk, churned
    }

    public let recency: String
    public let frequency: String?
    /// The usual-gap column, or nil when the gap comes from `tenure` (or is unknown).
    public let interpurchase: String?
    /// With no usual-gap column: the tenure column, gap = tenure ÷ (frequency − 1).
    public let tenure: String?
    public let thresholds: Thresholds
    /// The population's typical gap `G`, in days, fitted on the training customers.
    public let typicalGap: Double
    /// How `typicalGap` was found, for the summary and the model file.
    public let typicalGapSource: String

    enum CodingKeys: String, CodingKey {
        case recency, frequency, interpurchase, tenure, thresholds
        case typicalGap = "typical_gap_days"
        case typicalGapSource = "typical_gap_source"
    }

    /// The columns the rule reads, per customer.
    struct Inputs {
        let recency: [Double]
        let frequency: [Double]?
        let ownGap: [Double]?
    }

    /// Fits `G` on the table.
    static func fit(table: CustomerTable, recency: String, frequency: String?, interpurchase: String?, tenure: String?,
                    thresholds: Thresholds) throws -> BehaviorRule {
        let unfitted = BehaviorRule(recency: recency, frequency: frequency, interpurchase: interpurchase, tenure: tenure,
                                    thresholds: thresholds, typicalGap: .nan, typicalGapSource: "")
        let inputs = try unfitted.inputs(table)
        var gaps = [Double]()
        if let own = inputs.ownGap {
            for i in own.indices where own[i].isFinite && own[i] > 0 && (inputs.frequency?[i] ?? 2) >= 2 { gaps.append(own[i]) }
        }
        let (gap, source): (Double, String)
        if gaps.count >= 10 {
            (gap, source) = (ColumnStatistics.median(gaps), "median usual gap of \(gaps.count) repeat buyers")
        } else {
            let recencies = inputs.recency.filter(\.isFinite)
            let median = recencies.isEmpty ? 30 : ColumnStatistics.median(recencies)
            (gap, source) = (median, "median recency of \(recencies.count) customers (fewer than 10 repeat buyers with a usual gap)")
        }
        return BehaviorRule(recency: recency, frequency: frequency, interpurchase: interpurchase, tenure: tenure,
                            thresholds: thresholds, typicalGap: max(gap, 1), typicalGapSource: source)
    }

    /// Each row's tier role index (`Role.rawValue`).
    func assign(_ table: CustomerTable) throws -> [Int] {
        let inputs = try inputs(table)
        return inputs.recency.indices.map { i in
            role(recency: inputs.recency[i], frequency: inputs.frequency?[i], ownGap: inputs.ownGap?[i]).rawValue
        }
    }

    /// The rule for one customer.
    func role(recency r: Double, frequency n: Double?, ownGap: Double?) -> Role {
        let t = thresholds
        // Never bought (no recency) or a count of 0: engaged, not a buyer yet.
        if r.isNaN || n == 0 { return .potential }
        var gap = typicalGap
        if let own = ownGap, own.isFinite, own > 0, (n ?? 2) >= 2 { gap = own }
        if r > t.churnedAfterDays || (r > t.neverChurnedWithinDays && r > t.churnedGaps * gap) { return .churned }
        if let n, !n.isNaN, n <= t.potentialMaxPurchases { return .potential }
        return r <= t.activeGaps * gap && gap <= typicalGap ? .active : .atRisk
    }

    private func inputs(_ table: CustomerTable) throws -> Inputs {
        func numbers(_ name: String) throws -> [Double] {
            guard let j = table.index(of: name) else {
                throw CustomerDataError.unknownColumn(file: table.source, option: "the segment config (behavior)", name: name,
                                                      available: table.columnNames)
            }
            guard case .numeric(let column) = table.columns[j] else {
                throw CustomerDataError.notNumbers(file: table.source, column: j + 1, name: name, purpose: "behaviour tiers")
            }
            return column.values
        }
        let r = try numbers(recency)
        let n = try frequency.map(numbers)
        var own = try interpurchase.map(numbers)
        if own == nil, let tenure, let n {
            let days = try numbers(tenure)
            own = days.indices.map { n[$0] >= 2 ? days[$0] / (n[$0] - 1) : .nan }
        }
        return Inputs(recency: r, frequency: n, ownGap: own)
    }
}
