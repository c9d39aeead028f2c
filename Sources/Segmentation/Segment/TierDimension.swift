import CustomerData
import Foundation
import NumericCore

/// One segmentation dimension (value, behaviour): k-means on its standardized columns
/// (log1p first where asked; k-means++ with 3 restarts), with clusters turned into named tiers by explicit rules rather
/// than by cluster number. The score of a cluster is the weighted mean of its centroid in
/// standardized units (value: +spend, +frequency; behaviour: −recency, +frequency,
/// +engagement).
///
/// - value (and any dimension ranked `.byScore`): best score first.
/// - behaviour with four tiers (`.behavior`): `churned` is the cluster whose customers bought
///   longest ago (highest centroid recency); of the rest, `active` has the best score; of the
///   two left, `at_risk` bought longer ago and `potential` more recently (recent, but little
///   engagement yet).
public struct TierDimension: Codable, Sendable {
    public struct Tier: Codable, Sendable, Equatable {
        public let name: String
        public let score: Double
        public let size: Int
        /// The centroid in original units, by column: what the tier "means".
        public let centroid: [String: Double]
    }

    public let name: String
    public let columns: [String]
    public let weights: [Double]
    public let log1pColumns: [String]
    /// Medians used for missing cells.
    public let fills: [Double]
    public let scaler: Scaler
    public let centroidsScaled: [[Double]]
    /// Per k-means cluster, its tier (index into `tiers`).
    public let clusterTier: [Int]
    public let tiers: [Tier]

    enum CodingKeys: String, CodingKey {
        case name, columns, weights, fills, scaler, tiers
        case log1pColumns = "log1p_columns"
        case centroidsScaled = "centroids_scaled"
        case clusterTier = "cluster_tier"
    }

    /// The dimension's columns as a matrix (missing cells: the median, or the given fills),
    /// for all rows or only `rows` (then with the given fills).
    static func matrix(_ table: CustomerTable, columns: [String], fills: [Double]?, rows: [Int]? = nil) throws -> (Matrix, [Double]) {
        var values = [[Double]]()
        var medians = [Double]()
        for (k, name) in columns.enumerated() {
            guard let j = table.index(of: name) else {
                throw CustomerDataError.unknownColumn(file: table.source, option: "the segment config", name: name, available: table.columnNames)
            }
            guard case .numeric(let column) = table.columns[j] else {
                throw SegmentationError.modelFile(file: table.source, problem: "column '\(name)' must hold numbers to be used for tiers")
            }
            let fill = try fills?[k] ?? {
                guard rows == nil else { throw SegmentationError.modelFile(file: table.source, problem: "a row subset needs saved fills") }
                let present = column.values.filter { !$0.isNaN }
                return present.isEmpty ? 0 : ColumnStatistics.median(present)
            }()
            medians.append(fill)
            values.append((rows.map { $0.map { column.values[$0] } } ?? column.values).map { $0.isNaN ? fill : $0 })
        }
        let n = rows?.count ?? table.rowCount, d = columns.count
        var storage = [Double](repeating: 0, count: n * d)
        for j in 0..<d { for i in 0..<n { storage[i * d + j] = values[j][i] } }
        return (try Matrix(rows: n, columns: d, storage: storage), medians)
    }

    /// Each row's tier for new data, by the nearest centroid (no refitting): the saved
    /// medians fill missing cells and the saved scaler standardizes. The same assignment
    /// kernel as the fit, so applied to the fitted data it gives the fitted tiers.
    func assign(_ table: CustomerTable, threads: Int = 1) throws -> [Int] {
        let (_, scaled, _, _) = try NamedClusters.prepare(table, columns: columns, log1p: log1pColumns, fills: fills, scaler: scaler)
        let labels = try KMeansModel(centroids: try Matrix(rowArrays: centroidsScaled)).assign(scaled, threads: threads).labels
        return labels.map { clusterTier[Int($0)] }
    }

    /// The default log1p columns of a value dimension: the numeric ones without negative values.
    /// `option` names where the columns came from, for the unknown-column error.
    static func withoutNegatives(_ table: CustomerTable, columns: [String], option: String) throws -> [String] {
        try columns.filter { name in
            guard let j = table.index(of: name) else {
                throw CustomerDataError.unknownColumn(file: table.source, option: option, name: name, available: table.columnNames)
            }
            if case .numeric(let column) = table.columns[j] { return !column.values.contains { $0 < 0 } }
            return false
        }
    }

    /// log1p needs values above −1: name the first one that is not.
    /// `rows`: the table rows the matrix holds, when it holds a subset.
    static func checkLog1p(_ raw: Matrix, table: CustomerTable, columns: [String], log1p: [String], rows: [Int]? = nil) throws {
        for name in log1p {
            guard let j = columns.firstIndex(of: name) else { continue }
            for i in 0..<raw.rows where raw[i, j] <= -1 {
                throw SegmentationError.log1pNegative(file: table.source, line: table.line(ofRow: rows?[i] ?? i), column: name, value: raw[i, j])
            }
        }
    }

    enum Ranking {
        case byScore
        /// Column 0 is recency: the cluster with the highest recency gets the last tier
        /// (churned), the best score of the rest the first (active), and the others the tiers
        /// between in order of recency (most recent first).
        case behavior
    }

    /// Fits the dimension and returns it with each row's tier index.
    static func fit(name: String, table: CustomerTable, columns: [String], weights: [Double], log1p: [String],
                    tierNames: [String], ranking: Ranking, seed: UInt64, threads: Int) throws -> (TierDimension, [Int]) {
        let (_, scaled, fills, scaler) = try NamedClusters.prepare(table, columns: columns, log1p: log1p, fills: nil, scaler: nil)
        let k = min(tierNames.count, max(1, table.rowCount))
        let result = try KMeans(k: k, nInit: 3, seed: seed, threads: threads).fit(scaled)
        let centroids = result.model.centroids
        let total = weights.reduce(0) { $0 + abs($1) }
        let scores = (0..<k).map { c in (0..<columns.count).reduce(0.0) { $0 + weights[$1] * centroids[c, $1] } / max(total, 1e-300) }
        var ranked = (0..<k).sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        if case .behavior = ranking, k >= 2 {
            let byRecency = (0..<k).sorted { centroids[$0, 0] != centroids[$1, 0] ? centroids[$0, 0] > centroids[$1, 0] : $0 < $1 }
            let churned = byRecency[0]
            let active = ranked.first { $0 != churned } ?? 0
            let rest = byRecency.reversed().filter { $0 != churned && $0 != active }   // most recent first
            ranked = [active] + rest + [churned]
        }
        // Fewer distinct customers than tiers: every row sits in one cluster, which says
        // nothing about rank; give it the middle tier rather than the best or the worst.
        let sizes = result.clusterSizes
        let occupied = (0..<k).filter { sizes[$0] > 0 }
        if occupied.count == 1, k > 1 {
            let only = occupied[0]
            ranked = (0..<k).filter { $0 != only }
            ranked.insert(only, at: k / 2)
        }
        var clusterTier = [Int](repeating: 0, count: k)
        for (tier, cluster) in ranked.enumerated() { clusterTier[cluster] = tier }
        let original = try scaler.inverseTransform(centroids)
        let tiers = ranked.enumerated().map { tier, cluster in
            Tier(name: tierNames[tier], score: scores[cluster], size: sizes[cluster],
                 centroid: Dictionary(columns.enumerated().map { ($0.element, original[cluster, $0.offset]) }, uniquingKeysWith: { a, _ in a }))
        }
        let dimension = TierDimension(name: name, columns: columns, weights: weights, log1pColumns: log1p, fills: fills,
                                      scaler: scaler, centroidsScaled: centroids.rowArrays, clusterTier: clusterTier, tiers: tiers)
        return (dimension, result.labels.map { clusterTier[Int($0)] })
    }
}
