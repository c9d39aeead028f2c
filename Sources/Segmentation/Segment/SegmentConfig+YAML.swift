import Foundation

extension SegmentConfig {
    /// The config as commented YAML that `read(path:)` reads back to an equal config: plain
    /// decimals (90, 0.2 — never 9e+1), roles left to the defaults shown as comments.
    public func yaml() -> String {
        var lines = [String]()
        func add(_ line: String) { lines.append(line) }
        func list(_ values: [String]) -> String { "[" + values.map(Self.scalar).joined(separator: ", ") + "]" }
        func role(_ key: String, _ value: String?, default text: String, indent: String = "  ") {
            if let value { add("\(indent)\(key): \(Self.scalar(value))") } else { add("\(indent)# \(key): \(text)") }
        }
        func number(_ x: Double) -> String { Format.plain(x) }

        add("# persona segment config. Roles left as comments use the defaults: the first of the")
        add("# listed names present in the table; lifecycle and preference are skipped when absent.")
        add("value:")
        if let columns = value.columns { add("  columns: \(list(columns))") } else {
            add("  # columns: the present ones of \(list(SegmentRoles.valueNames.map { $0[0] })) (or total_spend, orders, ...)")
        }
        if let log1p = value.log1p { add("  log1p: \(list(log1p))") } else { add("  # log1p: every value column without negative values") }
        add("  tiers: \(list(value.tiers))   # best first; their number is k")
        add("behavior:   # rule on recency against each customer's own purchase rhythm (README)")
        role("recency", behavior.recency, default: "recency_days")
        role("frequency", behavior.frequency, default: "frequency")
        role("interpurchase", behavior.interpurchase, default: "mean_interpurchase_days, else tenure_days / (frequency - 1)")
        let r = behavior.rule
        add("  active_gaps: \(number(r.activeGaps))   # active: silent at most this many usual gaps")
        add("  churned_gaps: \(number(r.churnedGaps))   # churned: silent more than this many usual gaps ...")
        add("  never_churned_within_days: \(number(r.neverChurnedWithinDays))   # ... and more than this many days")
        add("  churned_after_days: \(number(r.churnedAfterDays))   # churned whatever the rhythm")
        add("  potential_max_purchases: \(number(r.potentialMaxPurchases))   # potential: at most this many purchases")
        role("p_alive", behavior.pAlive, default: "a P(alive) column (persona clv's p_alive_pareto, via --join CLV.csv): churned and at risk from it instead")
        add("  p_alive_churned_below: \(number(r.pAliveChurnedBelow))   # with p_alive: churned below this")
        add("  p_alive_at_risk_below: \(number(r.pAliveAtRiskBelow))   # with p_alive: at risk below this (more purchases than potential)")
        add("  tiers: \(list(behavior.tiers))   # active, potential, at risk, churned")
        if !lifecycle.enabled {
            add("lifecycle: off")
        } else {
            add("lifecycle:")
            role("tenure", lifecycle.tenure, default: "tenure_days (skipped when absent)")
            add("  new_days: \(number(lifecycle.newDays))")
            add("  growing_days: \(number(lifecycle.growingDays))")
            add("  vip_tier: \(Self.scalar(lifecycle.vipTier))")
            add("  declining_tiers: \(list(lifecycle.decliningTiers))")
            role("gap", lifecycle.gap, default: "last_gap_days when present")
            add("  churn_days: \(number(lifecycle.churnDays))")
            role("trend", lifecycle.trend, default: "spend_trend when present")
            add("  growth_trend: \(number(lifecycle.growthTrend))")
            add("  decline_trend: \(number(lifecycle.declineTrend))")
        }
        if !preference.enabled {
            add("preference: off")
        } else {
            add("preference:")
            if let columns = preference.columns { add("  columns: \(list(columns))") } else { add("  # columns: every share:<category> column") }
            add("  k: \(preference.k)")
        }
        add("persona:")
        if let k = persona.k { add("  k: \(k)") } else { add("  # k: a fixed number of personas instead of choosing one in k_range") }
        add("  k_range: [\(persona.kRange.map(String.init).joined(separator: ", "))]")
        add("  criterion: \(persona.criterion.rawValue)   # elbow, silhouette or calinski_harabasz")
        add("min_share: \(number(minShare))   # smallest tier, group or persona, as a share of customers")
        if derived.isEmpty {
            add("# derived:   # columns computed before anything else, in order")
            add("#   spend_per_visit: monetary / frequency")
        } else {
            add("derived:")
            for d in derived { add("  \(Self.scalar(d.name)): \(Self.scalar(d.expression))") }
        }
        add("attributes: \(list(attributes))")
        add("pii: \(list(pii))")
        add("seed: \(seed)")
        if let tags, !tags.isEmpty {
            add("tags:")
            for tag in tags {
                add("  - name: \(Self.scalar(tag.name))")
                add("    when: \(Self.scalar(tag.when))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML scalar: plain when it is a simple word, else double-quoted with escapes.
    static func scalar(_ text: String) -> String {
        let simple = !text.isEmpty && text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }
            && !(text.first?.isNumber ?? false) && !["yes", "no", "on", "off", "true", "false", "null", "y", "n"].contains(text.lowercased())
        guard !simple else { return text }
        var out = "\""
        for ch in text.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                // Escaped: what YAML does not allow raw in a quoted scalar (controls, DEL, C1,
                // the byte-order mark, U+FFFE/U+FFFF) and the line breaks it would fold into a
                // space (U+0085, U+2028, U+2029).
                if ch.value < 0x20 || (0x7F...0x9F).contains(ch.value) {
                    out += String(format: "\\x%02X", ch.value)
                } else if [0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF].contains(ch.value) {
                    out += String(format: "\\u%04X", ch.value)
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out + "\""
    }
}
