import CustomerData

/// The time unit of a buy-till-you-die summary, as lifetimes' `freq`.
public enum BTYDPeriod: String, Sendable, CaseIterable, Codable {
    /// Calendar days (`freq="D"`).
    case day
    /// pandas weeks (`freq="W"`, weeks ending on Sunday): a date counts as the Monday that
    /// starts its week, so recency and T are whole weeks.
    case week

    /// The period holding a day (days since 1970-01-01, a Thursday).
    func index(ofDay day: Int32) -> Int64 {
        switch self {
        case .day: return Int64(day)
        case .week: return (Int64(day) + 3).floorDiv(7)
        }
    }

    /// Periods per month in lifetimes' `customer_lifetime_value` (30 days, 4.345 weeks).
    public var perMonth: Double {
        switch self {
        case .day: return 30
        case .week: return 4.345
        }
    }
}

