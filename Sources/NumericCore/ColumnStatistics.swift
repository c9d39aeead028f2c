import CKernels
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
    public static func meansAndVariances<Element: MatrixElement>(_ data: DenseMatrix<Element>, threads: Int = 1)
        -> (means: [Double], variances: [Double]) {
        let (n, d) = (data.rows, data.columns)
        guard n > 0 else { return ([Double](repeating: .nan, count: d), [Double](repeating: .nan, count: d)) }
        // Per chunk of 4096 rows a partial sum over its rows in order, on `threads` threads;
        // the partials added in chunk order: the same bits for any thread count.
        let chunks = RowChunks(rows: n)
        func chunkedSum(around centre: [Double]?) -> [Double] {
            let parts = SharedBuffer<Double>(repeating: 0, count: chunks.count * d)
            data.forEachWidenedChunk(threads: threads) { chunk, rows, x in
                let partial = parts.pointer + chunk * d
                if let centre {
                    centre.withUnsafeBufferPointer { c in persona_add_column_sums(x, Int64(rows.count), Int64(d), c.baseAddress, partial) }
                } else {
                    persona_add_column_sums(x, Int64(rows.count), Int64(d), nil, partial)
                }
            }
            var total = [Double](repeating: 0, count: d)
            for chunk in 0..<chunks.count {
                for j in 0..<d { total[j] += parts[chunk * d + j] }
            }
            return total
        }
        let means = chunkedSum(around: nil).map { $0 / Double(n) }
        let variances = chunkedSum(around: means).map { $0 / Double(n) }
        return (means, variances)
    }

    /// The `p`-quantile (0...1) with linear interpolation between order statistics
    /// (numpy's default `method="linear"`) of already sorted values.
    public static func quantile(sorted values: [Double], _ p: Double) -> Double {
        quantile(count: values.count, p) { values[$0] }
    }

    /// The `p`-quantile of `count` values given their order statistics (0-based ranks), for
    /// columns too large to sort in one place: `quantileRanks` says which ranks it reads.
    public static func quantile(count: Int, _ p: Double, orderStatistic: (Int) -> Double) -> Double {
        guard count > 0 else { return .nan }
        let position = Double(count - 1) * p
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, count - 1)
        let fraction = position - Double(lower)
        let low = orderStatistic(lower)
        return low + (orderStatistic(upper) - low) * fraction
    }

    /// The ranks `quantile(count:_:orderStatistic:)` reads.
    public static func quantileRanks(count: Int, _ p: Double) -> [Int] {
        guard count > 0 else { return [] }
        let lower = Int((Double(count - 1) * p).rounded(.down))
        return lower + 1 < count ? [lower, lower + 1] : [lower]
    }

    /// The median (numpy's: the mean of the two middle values for an even count) from order
    /// statistics; the same number `median(_:)` gives.
    public static func median(count: Int, orderStatistic: (Int) -> Double) -> Double {
        guard count > 0 else { return .nan }
        let upper = orderStatistic(count / 2)
        return count % 2 == 0 ? (orderStatistic(count / 2 - 1) + upper) / 2 : upper
    }

    /// The ranks `median(count:orderStatistic:)` reads.
    public static func medianRanks(count: Int) -> [Int] {
        guard count > 0 else { return [] }
        return count % 2 == 0 ? [count / 2 - 1, count / 2] : [count / 2]
    }

    /// The median of unsorted values (numpy's: the mean of the two middle values for an even
    /// count), by selection in O(n) expected time rather than a full sort.
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        if values.count >= sampledMedianMinimum, let median = sampledMedian(values) { return median }
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

    /// From this many values on, `median` first tries `sampledMedian`.
    static let sampledMedianMinimum = 1 << 18

    /// The median by Floyd and Rivest's sampling idea: two values of a strided sample of 16,384
    /// that bracket the middle ranks (six standard deviations of the sample rank either side),
    /// one pass that counts the values below the bracket and keeps those inside it (about 5 %),
    /// and quickselect on those. The result is the order statistics themselves, as `median`
    /// gives them. nil when the bracket misses the middle ranks (a sample that misrepresents
    /// the values, such as a pattern with the sample's stride): then quickselect on a copy.
    /// - Complexity: O(n) reads, no copy of the values.
    static func sampledMedian(_ values: [Double]) -> Double? {
        let n = values.count
        let upper = n / 2, lower = n % 2 == 0 ? n / 2 - 1 : n / 2
        let m = 16_384
        let stride = n / m
        guard stride >= 1 else { return nil }
        var sample = (0..<m).map { values[$0 * stride] }
        sample.sort()
        let centre = Int(Double(upper) / Double(n) * Double(m))
        let reach = 6 * Int(Double(m).squareRoot() / 2)
        let (low, high) = (sample[max(0, centre - reach)], sample[min(m - 1, centre + reach)])
        // One branch-free pass: every value is stored at the end of `inside`, which only
        // advances past values within the bracket. More than n/8 inside: the bracket is too
        // wide to help (ties), so quickselect instead.
        let capacity = n / 8
        var below = 0
        var overflow = false
        var inside = [Double](unsafeUninitializedCapacity: capacity + 1) { buffer, count in
            var under: Int64 = 0
            let copied = values.withUnsafeBufferPointer { v -> Int64 in
                guard let source = v.baseAddress, let out = buffer.baseAddress else { return -1 }
                return persona_bracket(source, Int64(n), low, high, out, Int64(capacity), &under)
            }
            overflow = copied < 0
            count = max(0, Int(copied))
            below = Int(under)
        }
        guard !overflow, below <= lower, below + inside.count > upper else { return nil }
        return inside.withUnsafeMutableBufferPointer { buffer -> Double in
            let u = select(buffer, upper - below)
            guard n % 2 == 0 else { return u }
            // Every value left of the selected one is <= it; the lower middle is their maximum
            // (there is one: below <= lower = upper - 1).
            var l = -Double.infinity
            for i in 0..<(upper - below) { l = max(l, buffer[i]) }
            return (l + u) / 2
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

    /// StandardScaler's centre and scale: the mean and the population sd (1 for a constant
    /// column, see `isConstant`).
    public static func standardCenterAndScale(mean: Double, variance: Double, count: Int) -> (Double, Double) {
        (mean, isConstant(variance: variance, mean: mean, count: count) ? 1 : variance.squareRoot())
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
        return robustCenterAndScale(count: sorted.count) { sorted[$0] }
    }

    /// RobustScaler's centre and scale from order statistics (ranks: `quantileRanks` of 0.25,
    /// 0.5 and 0.75).
    public static func robustCenterAndScale(count: Int, orderStatistic: (Int) -> Double) -> (Double, Double) {
        let iqr = quantile(count: count, 0.75, orderStatistic: orderStatistic) - quantile(count: count, 0.25, orderStatistic: orderStatistic)
        return (quantile(count: count, 0.5, orderStatistic: orderStatistic), iqr == 0 ? 1 : iqr)
    }

    /// MinMaxScaler's centre and scale: the minimum and the range (1 when 0).
    static func minimumAndRange(_ column: [Double]) -> (Double, Double) {
        minimumAndRange(minimum: column.min() ?? 0, maximum: column.max() ?? 0)
    }

    /// MinMaxScaler's centre and scale from a column's extremes.
    public static func minimumAndRange(minimum: Double, maximum: Double) -> (Double, Double) {
        let range = maximum - minimum
        return (minimum, range == 0 ? 1 : range)
    }
}
