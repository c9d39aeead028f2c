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

    /// Calinski-Harabasz and Davies-Bouldin come from two passes over fixed row chunks on all
    /// threads. Over several chunks they must not depend on the thread count, and must equal
    /// the textbook formulas summed row by row here (to rounding).
    @Test("Calinski-Harabasz and Davies-Bouldin over many chunks: any thread count, the textbook formulas")
    func chunkedScores() throws {
        let (n, d, k) = (100_003, 3, 5)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / 9_007_199_254_740_992
        }
        var rows = [[Double]](), labels = [Int32]()
        for i in 0..<n {
            let c = i % k
            labels.append(Int32(c * 3))  // sparse label values, renumbered densely
            rows.append((0..<d).map { f in Double(c * (f + 1)) + next() * 4 })
        }
        let data = matrix(rows)
        let one = try #require(PartitionStatistics(data, labels: labels, threads: 1))
        for threads in [2, 3] {
            let many = try #require(PartitionStatistics(data, labels: labels, threads: threads))
            #expect(many.calinskiHarabasz == one.calinskiHarabasz && many.daviesBouldin == one.daviesBouldin, "\(threads) threads")
        }
        // Textbook: CH = [Σ n_j‖m_j − m‖² / (k − 1)] / [Σ‖x − m_c‖² / (n − k)];
        // DB = mean over j of max over l ≠ j of (S_j + S_l) / ‖m_j − m_l‖, S = mean distance to the mean.
        var means = [[Double]](repeating: [Double](repeating: 0, count: d), count: k), counts = [Double](repeating: 0, count: k)
        for (row, label) in zip(rows, labels) {
            counts[Int(label) / 3] += 1
            for f in 0..<d { means[Int(label) / 3][f] += row[f] }
        }
        let overall = (0..<d).map { f in means.reduce(0) { $0 + $1[f] } / Double(n) }
        means = means.indices.map { c in means[c].map { $0 / counts[c] } }
        func distance(_ a: [Double], _ b: [Double]) -> Double {
            var s = 0.0
            for f in 0..<d { s += (a[f] - b[f]) * (a[f] - b[f]) }
            return s.squareRoot()
        }
        var within = 0.0, spread = [Double](repeating: 0, count: k)
        for (row, label) in zip(rows, labels) {
            let c = Int(label) / 3
            let root = distance(row, means[c])
            within += root * root
            spread[c] += root / counts[c]
        }
        var between = 0.0
        for c in 0..<k { between += counts[c] * distance(means[c], overall) * distance(means[c], overall) }
        let ch = between / Double(k - 1) / (within / Double(n - k))
        var db = 0.0
        for j in 0..<k {
            var worst = 0.0
            for l in 0..<k where l != j { worst = max(worst, (spread[j] + spread[l]) / distance(means[j], means[l])) }
            db += worst
        }
        db /= Double(k)
        #expect(close(try #require(one.calinskiHarabasz), ch, 1e-10))
        #expect(close(try #require(one.daviesBouldin), db, 1e-10))
    }

    /// The silhouette computes each pair's distance once, on 256-row blocks whose halves are
    /// added in block order: over several blocks (a singleton cluster and a missing label
    /// included) it must not depend on the thread count, and must equal the textbook
    /// definition with exact pairwise distances, row by row (to rounding).
    @Test("Silhouette over many blocks: any thread count, the textbook definition")
    func blockedSilhouette() throws {
        let (n, d) = (1_000, 4)
        var rng = SeededRandom(seed: 31)
        var rows = [[Double]](), labels = [Int32]()
        for i in 0..<n {
            let c = i == 500 ? 9 : Int32(rng.next() % 4) * 2  // labels 0, 2, 4, 6 and one 9
            labels.append(c)
            rows.append((0..<d).map { f in Double(c) * Double(f + 1) / 3 + 2 * rng.nextUnit() })
        }
        let data = matrix(rows)
        let one = try #require(ClusterMetrics.silhouette(data, labels: labels, threads: 1))
        for threads in [2, 3, 5] {
            #expect(ClusterMetrics.silhouette(data, labels: labels, threads: threads)?.bitPattern == one.bitPattern,
                    "\(threads) threads")
        }
        func distance(_ a: [Double], _ b: [Double]) -> Double {
            zip(a, b).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        }
        var total = 0.0
        for i in 0..<n {
            var sums = [Int32: Double](), sizes = [Int32: Int]()
            for j in 0..<n {
                sizes[labels[j], default: 0] += 1
                if j != i { sums[labels[j], default: 0] += distance(rows[i], rows[j]) }
            }
            let own = labels[i]
            guard sizes[own, default: 0] > 1 else { continue }
            let a = sums[own, default: 0] / Double(sizes[own, default: 0] - 1)
            let b = sizes.keys.filter { $0 != own }.map { sums[$0, default: 0] / Double(sizes[$0, default: 0]) }.min() ?? 0
            total += (b - a) / max(a, b)
        }
        #expect(close(one, total / Double(n), 1e-12))
    }

    /// Calinski-Harabasz and Davies-Bouldin taken from a fit (its centroids, sizes and
    /// distances) when its centroids are the means of its final clusters, without reading the
    /// rows: equal to the scores computed from the rows, to rounding, for a fit that stopped on
    /// unchanged labels and one that stopped on the tolerance with no label moving after; and
    /// not offered for a fit whose last relabelling moved rows.
    @Test("Calinski-Harabasz and Davies-Bouldin from the fit equal them from the rows, only when the centroids are the means")
    func scoresFromTheFit() throws {
        let data = FloatMatrixTests.blobs(rows: 20_011, d: 5, k: 4, seed: 12).widened()
        func fromRows(_ fit: KMeansResult) throws -> ClusterMetrics {
            try ClusterMetrics.evaluate(data, labels: fit.labels, silhouetteLimit: 0, silhouetteSample: 50, threads: 2)
        }
        // Unchanged labels (tolerance 0, at least two passes), then the tolerance reached after
        // the first pass, with no label moving in the relabelling after it.
        for (tolerance, iterations) in [(0.0, 2...100), (0.5, 1...1)] {
            let fit = try KMeans(k: 4, nInit: 1, maxIterations: 100, tolerance: tolerance, seed: 3, threads: 2).fit(data)
            #expect(iterations.contains(fit.model.iterations), "tolerance \(tolerance): \(fit.model.iterations) iterations")
            #expect(fit.centroidsAreMeans, "tolerance \(tolerance)")
            let scores = try #require(ClusterMetrics.partitionScores(of: fit, threads: 2))
            let rows = try fromRows(fit)
            #expect(close(try #require(scores.calinskiHarabasz), try #require(rows.calinskiHarabasz), 1e-12))
            #expect(close(try #require(scores.daviesBouldin), try #require(rows.daviesBouldin), 1e-12))
            // The same bits on one thread, and through evaluate(fit:).
            #expect(ClusterMetrics.partitionScores(of: fit, threads: 1).map { [$0.0, $0.1] } == [scores.0, scores.1])
            let combined = try ClusterMetrics.evaluate(data, fit: fit, silhouetteLimit: 0, silhouetteSample: 50, threads: 2)
            #expect(combined.calinskiHarabasz == scores.calinskiHarabasz && combined.daviesBouldin == scores.daviesBouldin)
            #expect(combined.silhouette == rows.silhouette)
        }
        // One iteration from a poor start: the relabelling moves rows, so the centroids are not
        // the means of the final clusters, and evaluate(fit:) reads the rows.
        let start = Matrix(unchecked: 4, 5, (0..<20).map { Double($0 % 7) - 3 })
        let early = try KMeans(k: 4, initialization: .given(start), nInit: 1, maxIterations: 1, tolerance: 0, threads: 2).fit(data)
        #expect(!early.centroidsAreMeans)
        #expect(ClusterMetrics.partitionScores(of: early) == nil)
        let earlyMetrics = try ClusterMetrics.evaluate(data, fit: early, silhouetteLimit: 0, silhouetteSample: 50, threads: 2)
        #expect(earlyMetrics == (try fromRows(early)))
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
