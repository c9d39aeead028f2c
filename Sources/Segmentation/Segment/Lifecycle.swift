import Foundation
import CustomerData

/// Lifecycle stages by documented rules, first match wins:
/// `potential` (never bought: frequency 0 or missing) → `new` (tenure ≤ new_days) →
/// `won_back` (gap before the latest purchase above churn_days) → `VIP` (vip_tier and the
/// best behaviour tier) → `declining` (a declining behaviour tier, or spend trend ≤
/// decline_trend) → `growing` (spend trend ≥ growth_trend, or tenure ≤ growing_days with 2+
/// purchases) → `mature`. Gap and trend come from `last_gap_days` / `spend_trend` of
/// `persona features` unless the config names other columns; without them those rules are
/// skipped. Without a frequency column every customer with a recency counts as a buyer.
/// Returns nil when the config switches lifecycle off (or no tenure column was found).
enum Lifecycle {
    static func stages(table: CustomerTable, config: SegmentConfig, valueTiers: [String], behaviorTiers: [String]) throws -> [String]? {
        let l = config.lifecycle
        guard l.enabled else { return nil }
        func numbers(_ name: String) throws -> [Double] {
            guard let j = table.index(of: name) else {
                throw CustomerDataError.unknownColumn(file: table.source, option: config.section("lifecycle"), name: name, available: table.columnNames)
            }
            guard case .numeric(let column) = table.columns[j] else {
                throw CustomerDataError.notNumbers(file: table.source, column: j + 1, name: name, purpose: "lifecycle stages")
            }
            return column.values
        }
        let recency = try numbers(config.behavior.recency ?? "recency_days")
        let frequency = try config.behavior.frequency.map(numbers) ?? recency.map { $0.isNaN ? 0 : 2 }
        let tenure = try numbers(l.tenure ?? "tenure_days")
        let gap = try l.gap.map(numbers)
        let trend = try l.trend.map(numbers)
        let best = config.behavior.tiers.first ?? "active"
        return (0..<table.rowCount).map { i in
            let f = frequency[i]
            if f.isNaN || f == 0 { return "potential" }
            if !tenure[i].isNaN, tenure[i] <= l.newDays { return "new" }
            // Won back: a long gap before the latest purchase, and that purchase is recent.
            if let gap, !gap[i].isNaN, gap[i] > l.churnDays, !(recency[i] > l.churnDays) { return "won_back" }
            if valueTiers[i] == l.vipTier, behaviorTiers[i] == best { return "VIP" }
            let t = trend?[i] ?? .nan
            if l.decliningTiers.contains(behaviorTiers[i]) || (!t.isNaN && t <= l.declineTrend) { return "declining" }
            if (!t.isNaN && t >= l.growthTrend) || (!tenure[i].isNaN && tenure[i] <= l.growingDays && f >= 2) { return "growing" }
            return "mature"
        }
    }
}

/// Per persona: the mean of each numeric attribute, the most common value of each text one.
enum PersonaAttributes {
    static func describe(_ attributes: [String], table: CustomerTable, labels: [Int], clusters: inout NamedClusters) throws {
        guard !attributes.isEmpty else { return }
        var described = clusters.clusters.map { _ in [String: String]() }
        var members = [[Int]](repeating: [], count: described.count)
        for (i, label) in labels.enumerated() { members[label].append(i) }
        for name in attributes {
            guard let j = table.index(of: name) else {
                throw CustomerDataError.unknownColumn(file: table.source, option: "the segment config (attributes)", name: name,
                                                      available: table.columnNames)
            }
            for c in described.indices {
                let rows = members[c]
                switch table.columns[j] {
                case .numeric(let column):
                    let values = rows.map { column.values[$0] }.filter { !$0.isNaN }
                    described[c][name] = values.isEmpty ? "" : String(format: "%.2f", values.reduce(0, +) / Double(values.count))
                case .text(let column):
                    var counts = [Int32: Int]()
                    for i in rows where column.codes[i] >= 0 { counts[column.codes[i], default: 0] += 1 }
                    let top = counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }
                    described[c][name] = top.map { column.levels[Int($0.key)] } ?? ""
                case .identifier, .skipped:
                    described[c][name] = ""
                }
            }
        }
        for c in described.indices { clusters.clusters[c].attributes = described[c] }
    }
}
