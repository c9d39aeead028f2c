/// How the customers of a resolution are made up: how many records each has and which sources
/// they span (for the report).
public struct IdentityStatistics: Sendable, Equatable {
    /// The largest size counted on its own; bigger customers are counted with it ("5+").
    public static let largestSize = 5

    /// Customers with 1, 2, 3, 4 and 5 or more records.
    public var customersBySize: [Int]
    /// Customers with at least one record in each source, by source index.
    public var customersPerSource: [Int]
    /// Customers with records in two or more sources.
    public var customersInSeveralSources: Int
    /// `overlap[a][b]`: customers with records in both source a and source b; the diagonal is
    /// `customersPerSource`.
    public var overlap: [[Int]]
}

extension IdentityProfiles {
    /// - Complexity: O(n + Σ per customer of (distinct sources)²), on the profiles' grouping of
    ///   records by customer.
    public func statistics() -> IdentityStatistics {
        let sourceCount = resolution.records.config.sources.count
        var stats = IdentityStatistics(customersBySize: Array(repeating: 0, count: IdentityStatistics.largestSize),
                                       customersPerSource: Array(repeating: 0, count: sourceCount), customersInSeveralSources: 0,
                                       overlap: Array(repeating: Array(repeating: 0, count: sourceCount), count: sourceCount))
        for c in 0..<count {
            stats.customersBySize[min(start[c + 1] - start[c], IdentityStatistics.largestSize) - 1] += 1
            let sources = sourceIndices(c)
            if sources.count > 1 { stats.customersInSeveralSources += 1 }
            for a in sources {
                stats.customersPerSource[a] += 1
                for b in sources { stats.overlap[a][b] += 1 }
            }
        }
        return stats
    }
}
