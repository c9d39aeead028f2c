/// A categorical distribution over the indices 0..<count, built once and sampled many times.
///
/// Sampling is one uniform draw and a binary search over the cumulative weights:
/// O(log count).
public struct WeightedIndex: Sendable, Equatable {
    /// Cumulative weights, normalised so the last one is 1.
    private let cumulative: [Double]

    /// Creates the distribution from relative weights.
    ///
    /// Negative and NaN weights count as zero. If no weight is positive every index is
    /// equally likely. An empty list makes a distribution that always returns 0.
    /// - Parameter weights: one relative weight per index; they need not sum to 1.
    public init(_ weights: [Double]) {
        let cleaned = weights.map { $0 > 0 ? $0 : 0 }
        let total = cleaned.reduce(0, +)
        let usable =
            total > 0 && total.isFinite ? cleaned : Array(repeating: 1, count: weights.count)
        let sum = usable.reduce(0, +)
        var running = 0.0
        var cumulative: [Double] = []
        cumulative.reserveCapacity(usable.count)
        for weight in usable {
            running += weight
            cumulative.append(running / sum)
        }
        if !cumulative.isEmpty { cumulative[cumulative.count - 1] = 1 }
        self.cumulative = cumulative
    }

    /// The number of categories.
    public var count: Int { cumulative.count }

    /// The index whose cumulative interval holds `u` ∈ [0, 1).
    @inline(__always)
    func index(forUniform u: Double) -> Int {
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) >> 1
            if u < cumulative[middle] { high = middle } else { low = middle + 1 }
        }
        return max(low, 0)
    }
}
