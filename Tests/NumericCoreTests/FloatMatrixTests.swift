import Testing
@testable import NumericCore

/// A `FloatMatrix` holds floats, but every computation reads them widened to double: so
/// k-means, its metrics and the scaler must give on a float matrix, bit for bit, what they
/// give on the double matrix of the same values (`widened()`). The only difference `--float32`
/// makes is the rounding of the stored values.
@Suite("Float matrices: the double results on the widened values")
struct FloatMatrixTests {
    /// Gaussian blobs around `k` centres, rounded to floats (values with many digits, so that
    /// widening is exact but not trivial).
    static func blobs(rows: Int, d: Int, k: Int, seed: UInt64) -> FloatMatrix {
        var rng = SeededRandom(seed: seed)
        let centres = (0..<(k * d)).map { _ in 20 * rng.nextUnit() - 10 }
        var values = [Float]()
        for i in 0..<rows {
            let c = i % k
            for f in 0..<d { values.append(Float(centres[c * d + f] + 1.7 * (rng.nextUnit() + rng.nextUnit() - 1))) }
        }
        return FloatMatrix(unchecked: rows, d, values)
    }

    @Test("the row kernels read floats as the double kernels read the widened rows, at every level",
          arguments: [(1, 1), (3, 2), (8, 16), (13, 5), (16, 33)])
    func rowKernels(k: Int, d: Int) {
        let data = Self.blobs(rows: 1003, d: d, k: max(k, 2), seed: UInt64(31 * k + d))
        let wide = data.widened()
        var rng = SeededRandom(seed: UInt64(k + 1000 * d))
        let centroids = (0..<(k * d)).map { _ in 20 * rng.nextUnit() - 10 }
        let scorer = CentroidScorer(centroids: centroids, k: k, d: d)
        for level in VectorLevelTests.levels {
            func assign<E: MatrixElement>(_ m: DenseMatrix<E>) -> (labels: [Int32], sums: [Double], counts: [Int64]) {
                var labels = [Int32](repeating: -1, count: m.rows)
                var sums = [Double](repeating: 0, count: k * d)
                var counts = [Int64](repeating: 0, count: k)
                // 64-byte aligned, as the kernel's vector stores need (ckernels.h).
                let raw = UnsafeMutableRawPointer.allocate(byteCount: max(32, scorer.blocks * 8) * 8, alignment: 64)
                defer { raw.deallocate() }
                let scratch = raw.bindMemory(to: Double.self, capacity: max(32, scorer.blocks * 8))
                m.storage.withUnsafeBufferPointer { x in
                    E.assignFused(x.baseAddress!, rows: m.rows, d: d, transposed: scorer.transposed, norms: scorer.paddedNorms,
                                  blocks: scorer.blocks, labels: &labels, sums: &sums, counts: &counts, scratch: scratch, level: level)
                }
                return (labels, sums, counts)
            }
            let (narrow, double) = (assign(data), assign(wide))
            #expect(narrow.labels == double.labels, "level \(level.name)")
            #expect(narrow.sums == double.sums, "level \(level.name)")
            #expect(narrow.counts == double.counts, "level \(level.name)")
        }
        let labels = (0..<data.rows).map { Int32($0 % k) }
        func seeding<E: MatrixElement>(_ m: DenseMatrix<E>) -> (closest: [Double], total: Double, potentials: [Double]) {
            var closest = [Double](repeating: 0, count: m.rows)
            var potentials = [Double](repeating: 0, count: 5)
            let candidates = Array(centroids.prefix(min(k, 5) * d)) + [Double](repeating: 0.5, count: (5 - min(k, 5)) * d)
            let total = m.storage.withUnsafeBufferPointer { x in
                let t = E.kmppUpdate(x.baseAddress!, rows: m.rows, d: d, closest: &closest, center: centroids, initial: true)
                E.kmppPotentials(x.baseAddress!, rows: m.rows, d: d, closest: closest, candidates: candidates, trials: 5, into: &potentials)
                return t
            }
            return (closest, total, potentials)
        }
        let (s32, s64) = (seeding(data), seeding(wide))
        #expect(s32.closest == s64.closest && s32.total == s64.total && s32.potentials == s64.potentials)
        func spread<E: MatrixElement>(_ m: DenseMatrix<E>) -> (sums: [Double], counts: [Int64], squared: Double, root: [Double]) {
            var sums = [Double](repeating: 0, count: k * d)
            var counts = [Int64](repeating: 0, count: k)
            var root = [Double](repeating: 0, count: k)
            let squared = m.storage.withUnsafeBufferPointer { x in
                E.clusterSums(x.baseAddress!, rows: m.rows, d: d, labels: labels, sums: &sums, counts: &counts)
                return E.clusterSpread(x.baseAddress!, rows: m.rows, d: d, labels: labels, means: centroids, root: &root)
            }
            return (sums, counts, squared, root)
        }
        let (p32, p64) = (spread(data), spread(wide))
        #expect(p32.sums == p64.sums && p32.counts == p64.counts && p32.squared == p64.squared && p32.root == p64.root)
    }

    @Test("k-means on floats: the same labels, centroids, inertia and distances as on the widened doubles",
          arguments: [(KMeans.Initialization.kMeansPlusPlus, AssignmentKernel.automatic, 1),
                      (.kMeansPlusPlus, .gemm, 2), (.random, .fused, 2), (.kMeansPlusPlus, .automatic, 2)])
    func kMeans(initialization: KMeans.Initialization, kernel: AssignmentKernel, threads: Int) throws {
        let data = Self.blobs(rows: 9_001, d: 6, k: 5, seed: 7)
        let wide = data.widened()
        let config = try KMeans(k: 5, initialization: initialization, nInit: 2, maxIterations: 50, tolerance: 0, seed: 3,
                                threads: threads, kernel: kernel)
        let (narrow, double) = (try config.fit(data), try config.fit(wide))
        #expect(narrow.labels == double.labels)
        #expect(narrow.model.centroids == double.model.centroids)
        #expect(narrow.model.inertia == double.model.inertia)
        #expect(narrow.model.iterations == double.model.iterations)
        #expect(narrow.squaredDistances == double.squaredDistances)
        #expect(narrow.model.restartInertias == double.model.restartInertias)
        // The distances kept for last, as `persona cluster` computes them, give the same too.
        var owned = data
        let released = try narrow.model.squaredDistances(releasing: &owned, labels: narrow.labels, threads: threads)
        #expect(released == double.squaredDistances)
        #expect(owned.rows == 0)
    }

    @Test("metrics and scaling on floats: the double results on the widened values")
    func metricsAndScaling() throws {
        let data = Self.blobs(rows: 3_001, d: 4, k: 3, seed: 11)
        let wide = data.widened()
        let labels = (0..<data.rows).map { Int32($0 % 3) }
        for limit in [20_000, 1_000] {
            let narrow = try ClusterMetrics.evaluate(data, labels: labels, silhouetteLimit: limit, silhouetteSample: 500, seed: 2, threads: 2)
            let double = try ClusterMetrics.evaluate(wide, labels: labels, silhouetteLimit: limit, silhouetteSample: 500, seed: 2, threads: 2)
            #expect(narrow == double, "silhouette limit \(limit)")
        }
        for method in ScalingMethod.allCases {
            let scaler = try Scaler.fit(data, method: method, log1pColumns: [], threads: 2)
            #expect(scaler == (try Scaler.fit(wide, method: method, log1pColumns: [], threads: 2)), "\(method)")
            var scaled = data
            try scaler.transform(&scaled, threads: 2)
            let reference = try scaler.transform(wide)
            #expect(scaled.storage == reference.storage.map { Float($0) }, "\(method): each value the double result rounded")
        }
        // A value log1p cannot take is reported with the digits it was read with.
        let negative = FloatMatrix(unchecked: 2, 1, [Float(0.5), Float(-7.92767)])
        #expect(throws: NumericError.log1pDomain(column: 0, row: 1, value: -7.92767)) {
            _ = try Scaler.fit(negative, method: .zscore, log1pColumns: [0])
        }
        #expect(data.firstNonFinite() == nil)
        var bad = data
        bad[2_000, 3] = .nan
        let found = bad.firstNonFinite(threads: 2)
        #expect(found?.row == 2_000 && found?.column == 3 && found?.value.isNaN == true)
    }
}
