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
///
/// With a P(alive) column (`pAlive`: persona clv's, joined by id) churned and at risk come
/// from it instead: **churned** below `p_alive_churned_below`, **potential** at most
/// `potential_max_purchases` purchases (or none yet, or no P(alive)), **at_risk** below
/// `p_alive_at_risk_below`, **active** the rest. A column that puts fewer than 1 % of the
/// buyers below the at-risk cut is refused: the purchase model saw nobody drop out.
public struct BehaviorRule: Codable, Sendable, Equatable {
    public struct Thresholds: Codable, Sendable, Equatable {
        public var activeGaps: Double = 2
        public var churnedGaps: Double = 4
        public var churnedAfterDays: Double = 365
        public var neverChurnedWithinDays: Double = 60
        public var potentialMaxPurchases: Double = 2
        public var pAliveChurnedBelow: Double = 0.5
        public var pAliveAtRiskBelow: Double = 0.8

        enum CodingKeys: String, CodingKey, CaseIterable {
            case activeGaps = "active_gaps"
            case churnedGaps = "churned_gaps"
            case churnedAfterDays = "churned_after_days"
            case neverChurnedWithinDays = "never_churned_within_days"
            case potentialMaxPurchases = "potential_max_purchases"
            case pAliveChurnedBelow = "p_alive_churned_below"
            case pAliveAtRiskBelow = "p_alive_at_risk_below"
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
            pAliveChurnedBelow = try value(.pAliveChurnedBelow, pAliveChurnedBelow)
            pAliveAtRiskBelow = try value(.pAliveAtRiskBelow, pAliveAtRiskBelow)
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
            guard pAliveChurnedBelow > 0, pAliveAtRiskBelow > pAliveChurnedBelow, pAliveAtRiskBelow <= 1 else {
                return ("p_alive_churned_below",
                        "p_alive_churned_below (\(Format.plain(pAliveChurnedBelow))) and p_alive_at_risk_below (\(Format.plain(pAliveAtRiskBelow))) must satisfy 0 < p_alive_churned_below < p_alive_at_risk_below <= 1")
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
    /// With a P(alive) column, churned and at risk come from it (see above).
    public let pAlive: String?
    public let thresholds: Thresholds
    /// The population's typical gap `G`, in days, fitted on the training customers.
    public let typicalGap: Double
    /// How `typicalGap` was found, for the summary and the model file.
    public let typicalGapSource: String

    enum CodingKeys: String, CodingKey {
        case recency, frequency, interpurchase, tenure, thresholds
        case pAlive = "p_alive"
        case typicalGap = "typical_gap_days"
        case typicalGapSource = "typical_gap_source"
    }

    /// The columns the rule reads, per customer.
    struct Inputs {
        let recency: [Double]
        let frequency: [Double]?
        let ownGap: [Double]?
        let pAlive: [Double]?
    }

    /// Fits `G` on the table; with a P(alive) column, checks that it can name churned and at
    /// risk customers. Returns the notes for the summary.
    static func fit(table: CustomerTable, recency: String, frequency: String?, interpurchase: String?, tenure: String?,
                    pAlive: String?, thresholds: Thresholds) throws -> (BehaviorRule, notes: [String]) {
        let unfitted = BehaviorRule(recency: recency, frequency: frequency, interpurchase: interpurchase, tenure: tenure,
                                    pAlive: pAlive, thresholds: thresholds, typicalGap: .nan, typicalGapSource: "")
        let inputs = try unfitted.inputs(table)
        let notes = try pAlive.map { try checkPAlive(column: $0, inputs, table: table, thresholds: thresholds) } ?? []
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
        return (BehaviorRule(recency: recency, frequency: frequency, interpurchase: interpurchase, tenure: tenure,
                             pAlive: pAlive, thresholds: thresholds, typicalGap: max(gap, 1), typicalGapSource: source), notes)
    }

    /// Refuses a P(alive) column that cannot tell churned and at-risk customers from the
    /// rest: fewer than 1 % of the buyers below the at-risk cut (a purchase model that saw
    /// nobody drop out, as BG/NBD and Pareto/NBD on UCI Online Retail), or no buyer with a
    /// value. Notes the customers without a value and one-time buyers held at P(alive) = 1.
    private static func checkPAlive(column: String, _ inputs: Inputs, table: CustomerTable, thresholds t: Thresholds) throws -> [String] {
        guard let p = inputs.pAlive else { return [] }
        var buyers = 0, below = 0, blank = 0, oneTime = 0, oneTimeCertain = 0
        for i in p.indices where !inputs.recency[i].isNaN && inputs.frequency?[i] != 0 {
            guard !p[i].isNaN else {
                blank += 1
                continue
            }
            buyers += 1
            if p[i] < t.pAliveAtRiskBelow { below += 1 }
            if inputs.frequency?[i] == 1 {
                oneTime += 1
                if p[i] == 1 { oneTimeCertain += 1 }
            }
        }
        guard buyers > 0 else {
            throw SegmentationError.behaviorColumn(file: table.source, line: nil, column: column,
                                                   problem: "no customer with purchases has a value: do the joined file's ids match the input's?")
        }
        let share = Double(below) / Double(buyers)
        guard share >= 0.01 else {
            throw SegmentationError.behaviorColumn(
                file: table.source, line: nil, column: column,
                problem: "only \(below) of \(buyers) buyers have P(alive) below \(Format.plain(t.pAliveAtRiskBelow)) (\(String(format: "%.2f", 100 * share)) %), so it cannot name at-risk or churned customers: the purchase model sees almost nobody drop out of this log (persona clv notes 'nobody seems to drop out' or 'to die'). Leave behavior.p_alive out to use the recency rule")
        }
        var notes = [String]()
        if blank > 0 {
            notes.append("behaviour: \(blank) customers with purchases have no \(column) (not in the joined file): they count as potential")
        }
        if oneTime >= 10, oneTimeCertain == oneTime {
            notes.append("behaviour: every one-time buyer has \(column) = 1 (as BG/NBD gives them), so none of them can be churned or at risk; Pareto/NBD's P(alive) has no such limit (persona clv --model-type both writes p_alive_pareto)")
        }
        return notes
    }

    /// Each row's tier role index (`Role.rawValue`).
    func assign(_ table: CustomerTable) throws -> [Int] {
        let inputs = try inputs(table)
        return inputs.recency.indices.map { i in
            role(recency: inputs.recency[i], frequency: inputs.frequency?[i], ownGap: inputs.ownGap?[i], pAlive: inputs.pAlive?[i]).rawValue
        }
    }

    /// The rule for one customer.
    func role(recency r: Double, frequency n: Double?, ownGap: Double?, pAlive p: Double? = nil) -> Role {
        let t = thresholds
        // Never bought (no recency) or a count of 0: engaged, not a buyer yet.
        if r.isNaN || n == 0 { return .potential }
        if let p {
            if p.isNaN { return .potential }
            if p < t.pAliveChurnedBelow { return .churned }
            if let n, !n.isNaN, n <= t.potentialMaxPurchases { return .potential }
            return p < t.pAliveAtRiskBelow ? .atRisk : .active
        }
        var gap = typicalGap
        if let own = ownGap, own.isFinite, own > 0, (n ?? 2) >= 2 { gap = own }
        if r > t.churnedAfterDays || (r > t.neverChurnedWithinDays && r > t.churnedGaps * gap) { return .churned }
        if let n, !n.isNaN, n <= t.potentialMaxPurchases { return .potential }
        return r <= t.activeGaps * gap && gap <= typicalGap ? .active : .atRisk
    }

    /// The error for a table without the rule's P(alive) column.
    static func noPAliveColumn(_ column: String, in table: CustomerTable) -> SegmentationError {
        .behaviorColumn(file: table.source, line: nil, column: column,
                        problem: "the input has no such column; add persona clv's CLV.csv with --join CLV.csv (its p_alive, and p_alive_pareto with --model-type both). Columns: \(table.columnNames.joined(separator: ", "))")
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
        if let pAlive, table.index(of: pAlive) == nil { throw Self.noPAliveColumn(pAlive, in: table) }
        let p = try pAlive.map(numbers)
        if let p, let pAlive {
            for i in p.indices where !p[i].isNaN && !(0...1).contains(p[i]) {
                throw SegmentationError.behaviorColumn(file: table.source, line: table.line(ofRow: i), column: pAlive,
                                                       problem: "\(Format.plain(p[i])) is not a probability (0 to 1)")
            }
        }
        var own = try interpurchase.map(numbers)
        if own == nil, let tenure, let n {
            let days = try numbers(tenure)
            own = days.indices.map { n[$0] >= 2 ? days[$0] / (n[$0] - 1) : .nan }
        }
        return Inputs(recency: r, frequency: n, ownGap: own, pAlive: p)
    }
}
