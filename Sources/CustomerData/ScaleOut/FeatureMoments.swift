import CKernels
import NumericCore

/// Per feature: count, mean, sum of squared deviations, minimum and maximum of one partition's
/// encoded (and log1p-transformed) rows; partitions merge exactly in count, minimum and
/// maximum, and in mean and deviations by the pairwise update of Chan, Golub & LeVeque (1979),
/// which keeps the rounding error of a two-pass computation.
public struct FeatureMoments: Codable, Sendable, Equatable {
    public var count: Int
    public var means: [Double]
    /// Σ (x − mean)² per feature.
    public var squaredDeviations: [Double]
    public var minimums: [Double]
    public var maximums: [Double]

    enum CodingKeys: String, CodingKey {
        case count, means, minimums, maximums
        case squaredDeviations = "squared_deviations"
    }

    /// The moments of a matrix's columns (two passes, `ColumnStatistics.meansAndVariances`).
    /// - Complexity: O(rows · columns).
    public init(_ data: Matrix) {
        let d = data.columns
        count = data.rows
        guard data.rows > 0 else {
            (means, squaredDeviations) = ([Double](repeating: 0, count: d), [Double](repeating: 0, count: d))
            (minimums, maximums) = ([Double](repeating: .infinity, count: d), [Double](repeating: -.infinity, count: d))
            return
        }
        let (m, v) = ColumnStatistics.meansAndVariances(data)
        means = m
        squaredDeviations = v.map { $0 * Double(data.rows) }
        var low = [Double](repeating: .infinity, count: d), high = [Double](repeating: -.infinity, count: d)
        data.storage.withUnsafeBufferPointer { x in
            guard let x = x.baseAddress else { return }  // (no columns)
            persona_column_extremes(x, Int64(data.rows), Int64(d), &low, &high)
        }
        (minimums, maximums) = (low, high)
    }

    /// The population variance of every feature.
    public var variances: [Double] { squaredDeviations.map { count > 0 ? $0 / Double(count) : .nan } }

    /// Moments of consecutive partitions, merged in order.
    /// - Throws: `CustomerDataError.partsDisagree` for parts with different feature counts.
    public static func merged(_ parts: [FeatureMoments], file: String) throws -> FeatureMoments {
        guard var total = parts.first else { throw CustomerDataError.partsDisagree(file: file, problem: "there are no parts to merge") }
        for part in parts.dropFirst() {
            guard part.means.count == total.means.count else {
                throw CustomerDataError.partsDisagree(file: file, problem: "a partition has \(part.means.count) features, another \(total.means.count)")
            }
            guard part.count > 0 else { continue }
            guard total.count > 0 else { total = part; continue }
            let (na, nb) = (Double(total.count), Double(part.count))
            let n = na + nb
            for j in total.means.indices {
                let delta = part.means[j] - total.means[j]
                total.means[j] += delta * (nb / n)
                total.squaredDeviations[j] += part.squaredDeviations[j] + delta * delta * (na * nb / n)
                total.minimums[j] = min(total.minimums[j], part.minimums[j])
                total.maximums[j] = max(total.maximums[j], part.maximums[j])
            }
            total.count += part.count
        }
        return total
    }
}
