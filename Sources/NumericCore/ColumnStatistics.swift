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

    /// Mean and population variance of every column, in two row-major passes. Rows are summed
    /// per 4,096-row chunk and the chunk sums added in order, which keeps rounding error small
    /// and the result independent of how the work is split.
    public static func meansAndVariances(_ data: Matrix) -> (means: [Double], variances: [Double]) {
        let (n, d) = (data.rows, data.columns)
        guard n > 0 else { return ([Double](repeating: .nan, count: d), [Double](repeating: .nan, count: d)) }
        let chunks = RowChunks(rows: n)
        func chunkedSum(_ term: (Double, Int) -> Double) -> [Double] {
            var total = [Double](repeating: 0, count: d)
            var partial = [Double](repeating: 0, count: d)
            data.storage.withUnsafeBufferPointer { x in
                for c in 0..<chunks.count {
                    for j in 0..<d { partial[j] = 0 }
                    for i in chunks.range(c) {
                        let base = i * d
                        for j in 0..<d { partial[j] += term(x[base + j], j) }
                    }
                    for j in 0..<d { total[j] += partial[j] }
                }
            }
            return total
        }
        let means = chunkedSum { v, _ in v }.map { $0 / Double(n) }
        let variances = chunkedSum { v, j in (v - means[j]) * (v - means[j]) }.map { $0 / Double(n) }
        return (means, variances)
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

    /// The median of unsorted values (numpy's: the mean of the two middle values for an even
    /// count), by selection in O(n) expected time rather than a full sort.
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        var work = values
        let upperMiddle = values.count / 2
        return work.withUnsafeMutableBufferPointer { buffer -> Double in
            let upper = select(buffer, upperMiddle)
            guard values.count % 2 == 0 else { return upper }
            // After selection every element left of the k-th is <= it: the lower middle is their maximum.
            var lower = -Double.infinity
            for i in 0..<upperMiddle { lower = max(lower, buffer[i]) }
            return (lower + upper) / 2
        }
    }

    /// Hoare's quickselect with a median-of-three pivot: afterwards `buffer[k]` holds the k-th
    /// smallest value, smaller-or-equal values to its left.
    static func select(_ buffer: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var low = 0, high = buffer.count - 1
        while high > low {
            let mid = low + (high - low) / 2
            if buffer[mid] < buffer[low] { buffer.swapAt(mid, low) }
            if buffer[high] < buffer[low] { buffer.swapAt(high, low) }
            if buffer[high] < buffer[mid] { buffer.swapAt(high, mid) }
            let pivot = buffer[mid]
            var i = low, j = high
            while i <= j {
                while buffer[i] < pivot { i += 1 }
                while buffer[j] > pivot { j -= 1 }
                if i <= j {
                    buffer.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                break
            }
        }
        return buffer[k]
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

    /// RobustScaler's centre and scale: the median and the interquartile range (1 when 0).
    static func medianAndIQR(_ column: [Double]) -> (Double, Double) {
        let sorted = column.sorted()
        let iqr = quantile(sorted: sorted, 0.75) - quantile(sorted: sorted, 0.25)
        return (quantile(sorted: sorted, 0.5), iqr == 0 ? 1 : iqr)
    }

    /// MinMaxScaler's centre and scale: the minimum and the range (1 when 0).
    static func minimumAndRange(_ column: [Double]) -> (Double, Double) {
        let low = column.min() ?? 0
        let range = (column.max() ?? 0) - low
        return (low, range == 0 ? 1 : range)
    }
}
