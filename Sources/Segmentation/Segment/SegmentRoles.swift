import CustomerData

/// Resolves a config's roles against a table: a role left at its default uses the default
/// column names that are present (case-insensitive, with a few common synonyms), an optional
/// role with nothing present is skipped with a note, and a column named explicitly must exist.
/// The result is a config with every role spelled out, which the model saves, so `--apply`
/// reads exactly the columns the fit read.
enum SegmentRoles {
    /// Common names for each role, best first (`persona features` names come first).
    static let valueNames = [["monetary", "total_spend", "spend", "revenue", "total_revenue", "sales", "total_amount", "amount"],
                             ["frequency", "orders", "order_count", "num_orders", "purchases", "transactions"],
                             ["avg_order_value", "aov", "avg_basket", "average_order_value"]]
    static let recencyNames = ["recency_days", "recency", "days_since_last_order", "days_since_last_purchase", "days_since_purchase"]
    static let frequencyNames = valueNames[1]
    static let gapNames = ["mean_interpurchase_days", "interpurchase_days", "avg_days_between_orders"]
    static let tenureNames = ["tenure_days", "days_since_first_order", "days_since_first_purchase"]

    /// The resolved config and the notes for the summary.
    static func resolve(_ config: SegmentConfig, table: CustomerTable) throws -> (SegmentConfig, notes: [String]) {
        var resolved = config
        var notes = [String]()
        func numeric(_ name: String) -> Bool {
            guard let j = table.index(of: name), case .numeric = table.columns[j] else { return false }
            return true
        }
        /// The first present numeric column among `candidates` (exact name first, then any case).
        func find(_ candidates: [String]) -> String? {
            for name in candidates where numeric(name) { return name }
            let lowered = Dictionary(table.columnNames.map { ($0.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
            for name in candidates { if let real = lowered[name], numeric(real) { return real } }
            return nil
        }
        func require(_ names: [String], role: String) throws {
            for name in names where table.index(of: name) == nil {
                throw CustomerDataError.unknownColumn(file: table.source, option: config.section(role), name: name,
                                                      available: table.columnNames)
            }
        }

        // Derived columns count as present (they are added before roles are resolved).
        if let columns = config.value.columns {
            try require(columns, role: "value")
        } else {
            let found = valueNames.compactMap(find)
            guard !found.isEmpty else {
                throw SegmentationError.roleMissing(file: table.source, role: "value tiers",
                                                    expected: "a spend-like column such as monetary or total_spend",
                                                    key: "value: [COLUMN, ...]", available: table.columnNames)
            }
            resolved.value.columns = found
        }
        let valueColumns = resolved.value.columns ?? []
        if let log1p = config.value.log1p {
            for name in log1p where !valueColumns.contains(name) {
                throw SegmentationError.modelFile(file: config.file ?? "the segment config", problem: "value.log1p names '\(name)', which is not one of the value columns \(valueColumns.joined(separator: ", "))")
            }
        } else {
            resolved.value.log1p = try TierDimension.withoutNegatives(table, columns: valueColumns, option: config.section("value"))
        }

        let b = config.behavior
        if let recency = b.recency { try require([recency], role: "behavior") } else {
            guard let recency = find(recencyNames) else {
                throw SegmentationError.roleMissing(file: table.source, role: "behaviour tiers",
                                                    expected: "days since the last purchase, such as recency_days",
                                                    key: "behavior: {recency: COLUMN}", available: table.columnNames)
            }
            resolved.behavior.recency = recency
        }
        if let frequency = b.frequency { try require([frequency], role: "behavior") } else {
            resolved.behavior.frequency = find(frequencyNames)
            if resolved.behavior.frequency == nil {
                notes.append("behaviour: no purchase-count column (frequency): one-time buyers are not told apart, so 'potential' holds only customers without purchases")
            }
        }
        if let column = b.pAlive, table.index(of: column) == nil { throw BehaviorRule.noPAliveColumn(column, in: table) }
        if let gap = b.interpurchase { try require([gap], role: "behavior") } else {
            resolved.behavior.interpurchase = find(gapNames)
        }
        let tenure = config.lifecycle.tenure ?? find(tenureNames)
        if resolved.behavior.interpurchase == nil {
            notes.append(tenure != nil && resolved.behavior.frequency != nil
                ? "behaviour: usual gap from \(tenure ?? "") ÷ (frequency − 1) (no mean_interpurchase_days column)"
                : "behaviour: no usual-gap column: every customer is measured against the population's typical gap")
        }

        if config.lifecycle.enabled {
            if let named = config.lifecycle.tenure {
                try require([named], role: "lifecycle")
            } else if let tenure {
                resolved.lifecycle.tenure = tenure
            } else {
                resolved.lifecycle.enabled = false
                notes.append("lifecycle: skipped (no tenure column such as tenure_days; name one with lifecycle: {tenure: COLUMN})")
            }
            if resolved.lifecycle.enabled {
                try require([config.lifecycle.gap, config.lifecycle.trend].compactMap { $0 }, role: "lifecycle")
                if config.lifecycle.gap == nil, numeric("last_gap_days") { resolved.lifecycle.gap = "last_gap_days" }
                if config.lifecycle.trend == nil, numeric("spend_trend") { resolved.lifecycle.trend = "spend_trend" }
            }
        }

        if config.preference.enabled {
            if let columns = config.preference.columns {
                try require(columns, role: "preference")
                if columns.isEmpty { resolved.preference.enabled = false }
            } else {
                let shares = table.columnNames.filter { $0.hasPrefix("share:") && numeric($0) }
                resolved.preference.columns = shares
                if shares.isEmpty {
                    resolved.preference.enabled = false
                    notes.append("preference: skipped (no share:<category> columns; persona features --category makes them)")
                }
            }
        }
        try require(config.attributes, role: "attributes")
        try require(config.pii, role: "pii")
        return (resolved, notes)
    }
}
