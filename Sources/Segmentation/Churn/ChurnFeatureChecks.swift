import Foundation
import NumericCore

/// Encoded features that add nothing to a churn model: columns constant on the training rows
/// and columns identical to another. With `--l2 0` they make the fit rank-deficient (an error
/// naming them comes from the fit); with a penalty the fit succeeds and only these warnings say
/// what happened.
///
/// Exact comparisons, no tolerance: a column is constant when its minimum equals its maximum,
/// two columns are identical when they are `==` on every row (so `0` and `-0` match). Nearly
/// constant or strongly correlated columns are not reported.
///
/// Complexity: one O(n·p) pass (min, max and a hash per column), then a row-by-row comparison
/// only for columns whose hashes agree (found through a dictionary, not by pairs).
enum ChurnFeatureChecks {
    /// The warnings for `x` (training rows × encoded features named `names`), constant columns
    /// first, then each group of identical columns in feature order.
    /// - Parameter featuresGiven: whether `--features` chose the columns (then the advice is
    ///   to leave them out of it, as `--exclude` only applies without it).
    /// - Throws: `SegmentationError.noVaryingFeature` when every column is constant: the
    ///   model could then only predict the overall rate, the same for every customer.
    static func warnings(_ x: Matrix, names: [String], featuresGiven: Bool, file: String) throws(SegmentationError) -> [String] {
        let p = x.columns
        guard x.rows > 0, p > 0 else { return [] }
        var low = [Double](repeating: .infinity, count: p), high = [Double](repeating: -.infinity, count: p)
        var hash = [UInt64](repeating: 0xcbf2_9ce4_8422_2325, count: p)
        x.storage.withUnsafeBufferPointer { data in
            for i in 0..<x.rows {
                for j in 0..<p {
                    let v = data[i * p + j]
                    low[j] = min(low[j], v)
                    high[j] = max(high[j], v)
                    let bits = v == 0 ? 0 : v.bitPattern
                    hash[j] = (hash[j] ^ bits) &* 0x0000_0100_0000_01b3
                }
            }
        }
        var warnings = [String]()
        let constant = (0..<p).filter { low[$0] == high[$0] }
        let described = constant.map { "'\(names[$0])' (always \(shortNumber(low[$0])))" }
        if constant.count == p, x.rows > 1 { throw .noVaryingFeature(file: file, features: described) }
        if !constant.isEmpty {
            let list = described.joined(separator: ", ")
            let one = constant.count == 1
            warnings.append("\(list) \(one ? "is" : "are") constant on the training rows: \(one ? "it carries" : "they carry") no information "
                + "and \(one ? "its coefficient is" : "their coefficients are") 0; leave \(one ? "it" : "them") "
                + (featuresGiven ? "out of --features" : "out with --exclude"))
        }
        // Identical columns, grouped under the first of them; constant ones are reported above.
        // Only columns with the same hash are compared, so p columns cost O(p), not O(p²).
        var grouped = Set<Int>(constant)
        var byHash = [UInt64: [Int]]()
        for j in 0..<p where !grouped.contains(j) { byHash[hash[j], default: []].append(j) }
        for j in 0..<p where !grouped.contains(j) {
            let same = (byHash[hash[j]] ?? []).filter { k in
                k > j && !grouped.contains(k) && (0..<x.rows).allSatisfy { x[$0, j] == x[$0, k] }
            }
            guard !same.isEmpty else { continue }
            grouped.formUnion(same)
            let quotedNames = ([j] + same).map { "'\(names[$0])'" }
            let list = quotedNames.dropLast().joined(separator: ", ") + " and " + (quotedNames.last ?? "")
            warnings.append("\(list) are identical on every training row: together they carry the information of one column, "
                + "and the penalty splits its effect between their coefficients")
        }
        return warnings
    }

    /// `3`, `0.25`, `-1`: whole numbers without a decimal point.
    static func shortNumber(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
