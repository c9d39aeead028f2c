import CustomerData
import Foundation

/// The behaviour dimension of a segment model: the fitted `BehaviorRule`, the tier names in
/// role order (active, potential, at risk, churned), and what each tier holds.
public struct BehaviorTiers: Codable, Sendable {
    public struct Tier: Codable, Sendable, Equatable {
        public let name: String
        /// The rule that puts a customer here, in words.
        public let definition: String
        public let size: Int
        /// Means of the rule's columns over the tier's customers (blank cells left out).
        public let means: [String: Double]
    }

    public let rule: BehaviorRule
    public let tiers: [Tier]

    /// The columns the rule reads.
    public var columns: [String] { [rule.recency] + [rule.frequency, rule.interpurchase ?? rule.tenure, rule.pAlive].compactMap { $0 } }

    /// Fits the rule (the population's typical gap) and returns each row's tier and the notes
    /// for the summary.
    static func fit(table: CustomerTable, behavior: SegmentConfig.Behavior, tenure: String?) throws -> (BehaviorTiers, [Int], notes: [String]) {
        let (rule, notes) = try BehaviorRule.fit(table: table, recency: behavior.recency ?? "recency_days", frequency: behavior.frequency,
                                                 interpurchase: behavior.interpurchase,
                                                 tenure: behavior.interpurchase == nil ? tenure : nil, pAlive: behavior.pAlive,
                                                 thresholds: behavior.rule)
        let assigned = try rule.assign(table)
        return (BehaviorTiers(rule: rule, names: behavior.tiers, table: table, assigned: assigned), assigned, notes)
    }

    init(rule: BehaviorRule, names: [String], table: CustomerTable, assigned: [Int]) {
        self.rule = rule
        let t = rule.thresholds
        let g = Format.days(rule.typicalGap)
        let most = Format.plain(t.potentialMaxPurchases)
        let (churnedBelow, atRiskBelow) = (Format.plain(t.pAliveChurnedBelow), Format.plain(t.pAliveAtRiskBelow))
        let definitions = rule.pAlive.map { p in [
            "more than \(most) purchases, \(p) at least \(atRiskBelow)",
            "at most \(most) purchases (or none yet, or no \(p)), \(p) at least \(churnedBelow)",
            "more than \(most) purchases, \(p) at least \(churnedBelow) and below \(atRiskBelow)",
            "\(p) below \(churnedBelow)",
        ] } ?? [
            "more than \(most) purchases, buying at least as often as the typical customer (every \(g) days), silent at most \(Format.plain(t.activeGaps)) × their usual gap",
            "at most \(most) purchases (or none yet), not churned",
            "more than \(most) purchases, past their rhythm or slower than typical, not churned",
            "silent over \(Format.plain(t.churnedGaps)) × their usual gap and over \(Format.plain(t.neverChurnedWithinDays)) days, or over \(Format.plain(t.churnedAfterDays)) days",
        ]
        var sums = [[String: (Double, Int)]](repeating: [:], count: 4)
        let columns = [rule.recency] + [rule.frequency, rule.interpurchase, rule.pAlive].compactMap { $0 }
        for name in columns {
            guard let j = table.index(of: name), case .numeric(let column) = table.columns[j] else { continue }
            for (i, tier) in assigned.enumerated() where !column.values[i].isNaN {
                let (s, n) = sums[tier][name] ?? (0, 0)
                sums[tier][name] = (s + column.values[i], n + 1)
            }
        }
        tiers = (0..<4).map { role in
            Tier(name: names[role], definition: definitions[role], size: assigned.count { $0 == role },
                 means: sums[role].mapValues { $0.1 > 0 ? $0.0 / Double($0.1) : .nan })
        }
    }

    func assign(_ table: CustomerTable) throws -> [Int] { try rule.assign(table) }
}

/// Plain number formatting for definitions written into model files and summaries.
enum Format {
    /// `1.5`, `3`, `365`: no exponent, no trailing zeros.
    static func plain(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.4f", x).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
    }

    static func days(_ x: Double) -> String { String(format: "%.1f", x) }
}
