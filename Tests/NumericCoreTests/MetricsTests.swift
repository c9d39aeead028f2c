import Testing
@testable import NumericCore

@Suite("Cluster metrics against scikit-learn")
struct MetricsTests {
    @Test("silhouette, Calinski-Harabasz and Davies-Bouldin match sklearn to 1e-9",
          arguments: ReferenceFixture.shared.metrics.map(\.name))
    func matchesSklearn(name: String) throws {
        let reference = try #require(ReferenceFixture.shared.metrics.first { $0.name == name })
        let data = matrix(reference.X)
        let metrics = try ClusterMetrics.evaluate(data, labels: reference.labels, threads: 2)
        #expect(close(try #require(metrics.silhouette), reference.silhouette, 1e-9))
        #expect(close(try #require(metrics.calinskiHarabasz), reference.calinski_harabasz, 1e-9))
        #expect(close(try #require(metrics.daviesBouldin), reference.davies_bouldin, 1e-9))
        #expect(metrics.silhouetteSampleSize == nil)
    }

    @Test("Hand-worked silhouette: two pairs on a line")
    func handWorked() throws {
        // Points 0, 1 | 4, 5. Row 0: a = 1, b = (4 + 5) / 2 = 4.5, s = 3.5 / 4.5.
        // Row 1: a = 1, b = (3 + 4) / 2 = 3.5, s = 2.5 / 3.5. Rows 2, 3 mirror rows 1, 0.
        let data = matrix([[0], [1], [4], [5]])
        let s = try #require(ClusterMetrics.silhouette(data, labels: [0, 0, 1, 1]))
        #expect(close(s, (3.5 / 4.5 + 2.5 / 3.5) / 2, 1e-15))
    }

    @Test("Label permutation does not change any metric")
    func permutationInvariance() throws {
        let reference = ReferenceFixture.shared.metrics[0]
        let data = matrix(reference.X)
        let permuted = reference.labels.map { ($0 + 1) % 4 }
        let a = try ClusterMetrics.evaluate(data, labels: reference.labels)
        let b = try ClusterMetrics.evaluate(data, labels: permuted)
        #expect(close(try #require(a.silhouette), try #require(b.silhouette), 1e-12))
        #expect(a.calinskiHarabasz == b.calinskiHarabasz)
    }

    @Test("Above the limit the silhouette is sampled, reproducibly")
    func sampled() throws {
        let reference = ReferenceFixture.shared.metrics[0]
        let data = matrix(reference.X)
        let a = try ClusterMetrics.evaluate(data, labels: reference.labels, silhouetteLimit: 150, silhouetteSample: 100, seed: 4)
        let b = try ClusterMetrics.evaluate(data, labels: reference.labels, silhouetteLimit: 150, silhouetteSample: 100, seed: 4, threads: 2)
        #expect(a.silhouetteSampleSize == 100)
        #expect(a.silhouette == b.silhouette)
        #expect(abs((a.silhouette ?? 0) - reference.silhouette) < 0.1)
    }

    @Test("One cluster has no silhouette")
    func singleCluster() {
        #expect(ClusterMetrics.silhouette(matrix([[0], [1], [2]]), labels: [0, 0, 0]) == nil)
    }

    @Test("Automatic k picks the planted number of clusters")
    func automaticK() throws {
        let planted = ReferenceFixture.shared.planted
        let selection = try KMeansModelSelection(range: 2...8)
        let (candidates, chosen) = try selection.evaluate(matrix(planted.X)) { try KMeans(k: $0, seed: 1) }
        #expect(candidates.map(\.k) == Array(2...8))
        #expect(candidates[chosen].k == planted.k)
    }
}
