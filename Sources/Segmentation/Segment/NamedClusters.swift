import CustomerData
import Foundation
import NumericCore

/// Clusters with names made from what sets them apart: the preference groups ("prefers: Toys")
/// and the joint personas ("high value · active · prefers: Toys"). Stores what `--apply`
/// needs to place new customers (medians, scaler, centroids).
public struct NamedClusters: Codable, Sendable {
    public struct Cluster: Codable, Sendable, Equatable {
        public let name: String
        public let size: Int
        /// The centroid in original units, by column.
        public let centroid: [String: Double]
        /// The columns that lift this cluster most against all customers (centroid ÷ mean).
        public let traits: [String]
        /// Base attributes of its customers: the mean of a number column, the most common
        /// value of a text column (`attributes:` in the config).
        public var attributes: [String: String]?
    }

    public let columns: [String]
    public let log1pColumns: [String]
    public let fills: [Double]
    public let scaler: Scaler
    public let centroidsScaled: [[Double]]
    public internal(set) var clusters: [Cluster]
    /// `--k auto` for personas: silhouette of each k tried.
    public let kSelection: [KSelection]?

    public struct KSelection: Codable, Sendable, Equatable {
        public let k: Int
        public let silhouette: Double?
    }

    enum CodingKeys: String, CodingKey {
        case columns, fills, scaler, clusters
        case log1pColumns = "log1p_columns"
        case centroidsScaled = "centroids_scaled"
        case kSelection = "k_selection"
    }

    /// Standardized matrix of the columns (log1p where asked), with the fills used.
    static func prepare(_ table: CustomerTable, columns: [String], log1p: [String], fills: [Double]?,
                        scaler: Scaler?, rows: [Int]? = nil) throws -> (raw: Matrix, scaled: Matrix, fills: [Double], scaler: Scaler) {
        let (raw, medians) = try TierDimension.matrix(table, columns: columns, fills: fills, rows: rows)
        try TierDimension.checkLog1p(raw, table: table, columns: columns, log1p: log1p, rows: rows)
        let indices = log1p.compactMap { columns.firstIndex(of: $0) }
        var scaled = raw
        do {
            let fitted = try scaler ?? Scaler.fit(raw, method: .zscore, log1pColumns: indices)
            try fitted.transform(&scaled)
            return (raw, scaled, medians, fitted)
        } catch NumericError.log1pDomain(let column, let row, let value) {
            throw SegmentationError.log1pNegative(file: table.source, line: table.line(ofRow: rows?[row] ?? row), column: columns[column], value: value)
        }
    }

    /// Fits k clusters (or chooses k by the highest mean silhouette on a seeded sample of at
    /// most 4,000 rows) and names each with `name(cluster rows, traits)`.
    static func fit(table: CustomerTable, columns: [String], log1p: [String], k: ClosedRange<Int>, seed: UInt64, threads: Int,
                    name: ([Int], [String]) -> String) throws -> (NamedClusters, [Int]) {
        let (raw, scaled, fills, scaler) = try prepare(table, columns: columns, log1p: log1p, fills: nil, scaler: nil)
        var chosen = k.lowerBound
        var selection: [KSelection]?
        // Choosing k needs more rows than the smallest k; with fewer, take what the rows allow.
        if k.count > 1, scaled.rows > k.lowerBound {
            // k is chosen on a seeded sample of 4,000 rows: exact silhouettes are quadratic in
            // the rows, and the choice of a handful of personas does not need more.
            var random = SeededRandom(seed: seed, stream: 0x5045_5253)  // "PERS"
            let sampleRows = scaled.rows > 4_000 ? random.sampleIndices(4_000, from: scaled.rows).sorted() : Array(0..<scaled.rows)
            let sample = scaled.selectingRows(sampleRows)
            let outcome = try KMeansModelSelection(range: k).evaluate(
                sample, configure: { try KMeans(k: $0, nInit: 3, seed: seed, threads: threads) })
            chosen = outcome.candidates[outcome.chosen].k
            selection = outcome.candidates.map { KSelection(k: $0.k, silhouette: $0.metrics.silhouette) }
        }
        let clusterCount = max(1, min(chosen, scaled.rows))
        let result = try KMeans(k: clusterCount, nInit: 3, seed: seed, threads: threads).fit(scaled).orderedBySize()
        let labels = result.labels.map(Int.init)
        let means = (0..<columns.count).map { j in (0..<raw.rows).reduce(0.0) { $0 + raw[$1, j] } / Double(max(1, raw.rows)) }
        let original = try scaler.inverseTransform(result.model.centroids)
        var members = [[Int]](repeating: [], count: clusterCount)
        for (i, label) in labels.enumerated() { members[label].append(i) }
        var used = [String: Int]()
        let clusters = (0..<clusterCount).map { c -> Cluster in
            // Lift against the population, on the raw columns (shares, spend …).
            let clusterMeans = columns.indices.map { j in members[c].reduce(0.0) { $0 + raw[$1, j] } / Double(max(1, members[c].count)) }
            let lifts = columns.indices.map { j -> Double in means[j] > 0 ? clusterMeans[j] / means[j] : 0 }
            let traits = columns.indices.sorted { lifts[$0] != lifts[$1] ? lifts[$0] > lifts[$1] : $0 < $1 }.prefix(3).map { columns[$0] }
            var label = name(members[c], traits)
            used[label, default: 0] += 1
            if let n = used[label], n > 1 { label += " (\(n))" }
            return Cluster(name: label, size: members[c].count,
                           centroid: Dictionary(columns.enumerated().map { ($0.element, original[c, $0.offset]) }, uniquingKeysWith: { a, _ in a }),
                           traits: traits)
        }
        return (NamedClusters(columns: columns, log1pColumns: log1p, fills: fills, scaler: scaler,
                              centroidsScaled: result.model.centroids.rowArrays, clusters: clusters, kSelection: selection), labels)
    }

    /// The table's rows (or only `rows`) in the standardized units of the fit (saved fills and scaler).
    public func scaled(_ table: CustomerTable, rows: [Int]? = nil) throws -> Matrix {
        try NamedClusters.prepare(table, columns: columns, log1p: log1pColumns, fills: fills, scaler: scaler, rows: rows).scaled
    }

    /// Each row's cluster for new data: the nearest saved centroid, by the fit's own kernel.
    func assign(_ table: CustomerTable, threads: Int = 1) throws -> [Int] {
        let (_, scaled, _, _) = try NamedClusters.prepare(table, columns: columns, log1p: log1pColumns, fills: fills, scaler: scaler)
        return try KMeansModel(centroids: try Matrix(rowArrays: centroidsScaled)).assign(scaled, threads: threads).labels.map(Int.init)
    }
}

extension NamedClusters {
    /// A readable name for a trait: `share:Toys` → `prefers: Toys`; a discount column →
    /// `price: discount-seeker`; order value or basket → `price: premium`; else `high <column>`.
    static func traitName(_ column: String) -> String {
        if column.hasPrefix("share:") { return "prefers: " + column.dropFirst("share:".count) }
        let lower = column.lowercased()
        if lower.contains("discount") { return "price: discount-seeker" }
        if lower.contains("order_value") || lower.contains("basket") { return "price: premium" }
        return "high " + column
    }
}
