import Foundation

/// Column summaries with the same definitions numpy and sklearn use.
public enum ColumnStatistics {
    /// Arithmetic mean by pairwise summation (numpy's `sum` algorithm), which keeps the error
    /// at O(log n · ε) rather than O(n · ε).
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : pairwiseSum(values[...]) / Double(values.count)
    }

    /// Population variance (ddof = 0), two-pass.
    public static func variance(_ values: [Double]) -> Double {
        let m = mean(values)
        return pairwiseSum(values.map { ($0 - m) * ($0 - m) }[...]) / Double(values.count)
    }

    /// The `p`-quantile (0...1) with linear interpolation between order statistics
    /// (numpy's default `method="linear"`) of already sorted values.
    public static func quantile(sorted values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let position = Double(values.count - 1) * p
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        return values[lower] + (values[upper] - values[lower]) * fraction
    }

    /// The median of unsorted values (ignoring none: the caller filters missing values).
    public static func median(_ values: [Double]) -> Double {
        quantile(sorted: values.sorted(), 0.5)
    }

    static func pairwiseSum(_ values: ArraySlice<Double>) -> Double {
        if values.count <= 128 {
            var s = 0.0
            for v in values { s += v }
            return s
        }
        let mid = values.startIndex + values.count / 2
        return pairwiseSum(values[values.startIndex..<mid]) + pairwiseSum(values[mid...])
    }

    /// sklearn's `_is_constant_feature`: a variance within rounding error of zero
    /// (`var <= n·ε·var + (n·|mean|·ε)²`) means a constant column, which gets scale 1 and so
    /// maps to 0 instead of blowing up.
    static func isConstant(variance: Double, mean: Double, count: Int) -> Bool {
        let eps = Double.ulpOfOne
        let n = Double(count)
        return variance <= n * eps * variance + (n * mean * eps) * (n * mean * eps)
    }

    static func centerAndScale(_ column: [Double], method: ScalingMethod) -> (Double, Double) {
        switch method {
        case .none:
            return (0, 1)
        case .zscore:
            let m = mean(column)
            let v = variance(column)
            return (m, isConstant(variance: v, mean: m, count: column.count) ? 1 : v.squareRoot())
        case .robust:
            let sorted = column.sorted()
            let median = quantile(sorted: sorted, 0.5)
            let iqr = quantile(sorted: sorted, 0.75) - quantile(sorted: sorted, 0.25)
            return (median, iqr == 0 ? 1 : iqr)
        case .minmax:
            let lo = column.min() ?? 0
            let hi = column.max() ?? 0
            let range = hi - lo
            return (lo, range == 0 ? 1 : range)
        }
    }
}
