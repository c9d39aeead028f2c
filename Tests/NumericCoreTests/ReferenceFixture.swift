import Foundation
import NumericCore

/// The scikit-learn reference values in `Fixtures/reference.json`, made by
/// `Fixtures/make_reference.py` (see its header for versions and how to rerun).
struct ReferenceFixture: Decodable {
    struct LloydCase: Decodable {
        let name: String?
        let X: [[Double]]
        let initial: [[Double]]
        let max_iter: Int
        let tol: Double
        let labels: [Int32]
        let inertia: Double
        let centers: [[Double]]
        let n_iter: Int
        enum CodingKeys: String, CodingKey { case name, X, initial = "init", max_iter, tol, labels, inertia, centers, n_iter }
    }
    struct Planted: Decodable {
        let X: [[Double]]
        let true_labels: [Int32]
        let k: Int
        let best_of_10_inertia: Double
    }
    struct ScalerCase: Decodable {
        let mean: [Double]?
        let center: [Double]?
        let scale: [Double]?
        let data_min: [Double]?
        let data_max: [Double]?
        let log1p_columns: [Int]?
        let transformed: [[Double]]
    }
    struct Scalers: Decodable {
        let X: [[Double]]
        let zscore: ScalerCase
        let robust: ScalerCase
        let minmax: ScalerCase
        let log1p_zscore: ScalerCase
    }
    struct MetricsCase: Decodable {
        let name: String
        let X: [[Double]]
        let labels: [Int32]
        let silhouette: Double
        let calinski_harabasz: Double
        let davies_bouldin: Double
    }
    let sklearn_version: String
    let lloyd_cases: [LloydCase]
    let planted: Planted
    let empty_cluster_case: LloydCase
    let scalers: Scalers
    let metrics: [MetricsCase]

    static let shared: ReferenceFixture = {
        guard let url = Bundle.module.url(forResource: "reference", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let fixture = try? JSONDecoder().decode(ReferenceFixture.self, from: data)
        else { fatalError("Fixtures/reference.json is missing or unreadable: rerun Fixtures/make_reference.py") }
        return fixture
    }()
}

/// |a − b| ≤ tolerance · max(1, |b|).
func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
}

/// Fixture rows are rectangular; a ragged one is a broken fixture and should stop the tests.
func matrix(_ rows: [[Double]]) -> Matrix {
    do {
        return try Matrix(rowArrays: rows)
    } catch {
        fatalError("broken fixture: \(error)")
    }
}

/// Adjusted Rand index (Hubert & Arabie 1985), computed from the contingency table.
func adjustedRandIndex(_ a: [Int32], _ b: [Int32]) -> Double {
    var table = [Int64: Int]()
    var rowSums = [Int32: Int](), colSums = [Int32: Int]()
    for (x, y) in zip(a, b) {
        table[Int64(x) << 32 | Int64(y), default: 0] += 1
        rowSums[x, default: 0] += 1
        colSums[y, default: 0] += 1
    }
    func pairs(_ n: Int) -> Double { Double(n) * Double(n - 1) / 2 }
    let index = table.values.reduce(0) { $0 + pairs($1) }
    let rows = rowSums.values.reduce(0) { $0 + pairs($1) }
    let cols = colSums.values.reduce(0) { $0 + pairs($1) }
    let expected = rows * cols / pairs(a.count)
    let maximum = (rows + cols) / 2
    return (index - expected) / (maximum - expected)
}
