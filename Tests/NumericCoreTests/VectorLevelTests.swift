import CKernels
import Testing
@testable import NumericCore

/// The fused nearest-centroid kernel is built for several instruction levels and one is
/// picked at run time: every level this CPU has must give the same labels, bit for bit, and
/// those labels must be the nearest centroids.
@Suite("Vector levels: one binary, the same labels at every level")
struct VectorLevelTests {
    static let levels = VectorLevel.allCases.filter { $0 <= VectorLevel.supported }

    static func labels(_ data: Matrix, _ centroids: [Double], k: Int, level: VectorLevel) -> [Int32] {
        let scorer = CentroidScorer(centroids: centroids, k: k, d: data.columns, level: level)
        var labels = [Int32](repeating: -1, count: data.rows)
        data.storage.withReadOnly { x in
            labels.withUnsafeMutableBufferPointer { out in
                guard let base = out.baseAddress else { return }
                scorer.assign(rows: 0..<data.rows, x: x, kernel: .fused, into: base)
            }
        }
        return labels
    }

    @Test("every supported level gives the baseline's labels, where rounding decides them too",
          arguments: [(1, 1), (3, 2), (8, 16), (13, 5), (16, 33), (40, 7)])
    func sameLabels(k: Int, d: Int) throws {
        // Near 1e7 the expanded scores lose about 0.2 to rounding: the arithmetic, not the
        // geometry, decides many labels, so any difference between levels would show.
        var rng = SeededRandom(seed: UInt64(100 * k + d))
        let rows = 1003
        let data = Matrix(unchecked: rows, d, (0..<(rows * d)).map { _ in 1e7 + 3 * rng.nextUnit() })
        let centroids = (0..<(k * d)).map { _ in 1e7 + 3 * rng.nextUnit() }
        let baseline = Self.labels(data, centroids, k: k, level: .baseline)
        #expect(baseline.allSatisfy { $0 >= 0 && $0 < Int32(k) })
        for level in Self.levels where level != .baseline {
            #expect(Self.labels(data, centroids, k: k, level: level) == baseline, "level \(level.name), k = \(k), d = \(d)")
        }
    }

    /// The silhouette's tile: distances √max(0, (−2·dot + ‖x‖²) + ‖y‖²) with dot a chain of
    /// fused multiply-adds in feature order, the diagonal 0 in a diagonal tile; row sums over
    /// each run of one cluster's columns in four running sums (column start + 4m + j in sum j,
    /// leftovers in sum 0), column sums added row by row — written out here in Swift and equal
    /// to it bit for bit at every level, for widths that leave every kind of remainder.
    @Test("silhouette tile: the definition's bits at every level, both halves",
          arguments: [(7, 1, 3, false), (37, 16, 3, false), (45, 5, 2, true), (64, 16, 8, true), (33, 3, 4, false)])
    func silhouetteTile(w: Int, d: Int, k: Int, diagonal: Bool) {
        var rng = SeededRandom(seed: UInt64(1000 * w + d))
        let m = diagonal ? w : 11
        let x = (0..<(m * d)).map { _ in 10 * rng.nextUnit() - 5 }
        let y = diagonal ? x : (0..<(w * d)).map { _ in 10 * rng.nextUnit() - 5 }
        func norms(_ v: [Double], _ count: Int) -> [Double] {
            (0..<count).map { i in (0..<d).reduce(0.0) { $0 + v[i * d + $1] * v[i * d + $1] } }
        }
        let rowNorms = norms(x, m), colNorms = norms(y, w)
        let rowLabels = (0..<m).map { _ in Int32(rng.next() % UInt64(k)) }.sorted()
        // Column runs: sorted cluster labels, some clusters absent.
        let colLabels = diagonal ? rowLabels : (0..<w).map { _ in Int32(rng.next() % UInt64(k)) }.sorted()
        var runEnds = [Int64](), runLabels = [Int32]()
        for c in 0..<w where c + 1 == w || colLabels[c + 1] != colLabels[c] {
            runEnds.append(Int64(c + 1))
            runLabels.append(colLabels[c])
        }
        var yT = [Double](repeating: 0, count: w * d)
        for c in 0..<w { for f in 0..<d { yT[f * w + c] = y[c * d + f] } }
        // The definition.
        var expectedRows = [Double](repeating: 0, count: m * k)
        var expectedColumns = [Double](repeating: 0, count: k * w)
        for r in 0..<m {
            var row = (0..<w).map { c -> Double in
                var dot = 0.0
                for f in 0..<d { dot = dot.addingProduct(x[r * d + f], y[c * d + f]) }
                return max(0, (-2 * dot + rowNorms[r]) + colNorms[c]).squareRoot()
            }
            if diagonal { row[r] = 0 }
            var c = 0
            for (end, label) in zip(runEnds, runLabels) {
                var s = [0.0, 0.0, 0.0, 0.0]
                while c + 4 <= Int(end) {
                    for j in 0..<4 { s[j] += row[c + j] }
                    c += 4
                }
                while c < Int(end) {
                    s[0] += row[c]
                    c += 1
                }
                expectedRows[r * k + Int(label)] += (s[0] + s[1]) + (s[2] + s[3])
            }
            for c in 0..<w { expectedColumns[Int(rowLabels[r]) * w + c] += row[c] }
        }
        for level in Self.levels {
            var rowSums = [Double](repeating: 0, count: m * k)
            var colSums = [Double](repeating: 0, count: k * w)
            var scratch = [Double](repeating: 0, count: 2 * w)
            persona_silhouette_tile(x, yT, Int64(w), Int64(d), rowNorms, colNorms, Int64(m), Int64(w), rowLabels, runEnds,
                                    runLabels, Int64(runEnds.count), diagonal ? 1 : 0, Int64(k), &rowSums, &colSums,
                                    &scratch, level.rawValue)
            #expect(rowSums.map(\.bitPattern) == expectedRows.map(\.bitPattern), "level \(level.name), row sums")
            #expect(colSums.map(\.bitPattern) == expectedColumns.map(\.bitPattern), "level \(level.name), column sums")
        }
    }

    /// k-means++'s distance sums in C must be the Swift definition's bits
    /// (`KMeansPlusPlus.squaredDistance`: a chain of rounded squares in feature order, no
    /// fused multiply-add), at every level, for any number of candidates (lanes padded), rows
    /// (pairs and fours with leftovers) and features.
    @Test("k-means++ potentials and updates: the Swift definition's bits at every level",
          arguments: [(1, 1), (3, 5), (4, 16), (5, 7), (9, 3)])
    func kmeansPlusPlusKernels(trials: Int, d: Int) {
        var rng = SeededRandom(seed: UInt64(10 * trials + d))
        let rows = 37
        let x = (0..<(rows * d)).map { _ in 1e3 * rng.nextUnit() - 500 }
        let cand = (0..<(trials * d)).map { _ in 1e3 * rng.nextUnit() - 500 }
        let closest = (0..<rows).map { _ in 4e5 * rng.nextUnit() }
        func distance(_ i: Int, _ c: [Double], _ at: Int) -> Double {
            x.withUnsafeBufferPointer { xs in
                c.withUnsafeBufferPointer { cs in
                    KMeansPlusPlus<Double>.squaredDistance(xs.baseAddress! + i * d, cs.baseAddress! + at * d, d)
                }
            }
        }
        let expected = (0..<trials).map { t in (0..<rows).reduce(0.0) { $0 + min(closest[$1], distance($1, cand, t)) } }
        for level in Self.levels {
            var out = [Double](repeating: .nan, count: trials)
            persona_kmpp_potentials(x, 8, Int64(rows), Int64(d), closest, cand, Int64(trials), &out, level.rawValue)
            #expect(out.map(\.bitPattern) == expected.map(\.bitPattern), "level \(level.name)")
        }
        for initial in [true, false] {
            var updated = closest
            let total = persona_kmpp_update(x, 8, Int64(rows), Int64(d), &updated, cand, initial ? 1 : 0)
            let wanted = (0..<rows).map { initial ? distance($0, cand, 0) : min(closest[$0], distance($0, cand, 0)) }
            #expect(updated.map(\.bitPattern) == wanted.map(\.bitPattern))
            #expect(total.bitPattern == wanted.reduce(0, +).bitPattern)
        }
    }

    @Test("labels are the nearest centroids, and ties go to the lowest index, at every level")
    func nearestAndTies() throws {
        var rng = SeededRandom(seed: 9)
        let rows = 500, d = 5, k = 11
        let data = Matrix(unchecked: rows, d, (0..<(rows * d)).map { _ in rng.nextUnit() * 10 })
        var centroids = (0..<(k * d)).map { _ in rng.nextUnit() * 10 }
        // Centroid 7 repeats centroid 2: rows nearest to it must get 2.
        for f in 0..<d { centroids[7 * d + f] = centroids[2 * d + f] }
        var expected = [Int32]()
        for i in 0..<rows {
            let distances = (0..<k).map { j in (0..<d).reduce(0.0) { s, f in
                let t = data.storage[i * d + f] - centroids[j * d + f]
                return s + t * t
            } }
            let best = distances.min() ?? 0
            expected.append(Int32(distances.firstIndex(of: best) ?? -1))
        }
        #expect(expected.contains(2))
        for level in Self.levels {
            #expect(Self.labels(data, centroids, k: k, level: level) == expected, "level \(level.name)")
        }
    }

    @Test("the level in use is the best the CPU has unless PERSONA_VECTOR_LEVEL lowers it")
    func currentLevel() {
        #expect(VectorLevel.current <= VectorLevel.supported)
        #expect(VectorLevel.allCases.map(\.name) == ["baseline", "avx2", "avx512"])
    }

    @Test("sums and counts added while assigning are the same at every level, and are the clusters' sums",
          arguments: [(3, 16), (8, 5), (13, 9)])
    func sameSums(k: Int, d: Int) throws {
        var rng = SeededRandom(seed: UInt64(7 * k + d))
        let rows = 777
        let data = Matrix(unchecked: rows, d, (0..<(rows * d)).map { _ in 1e3 * rng.nextUnit() - 500 })
        let centroids = (0..<(k * d)).map { _ in 1e3 * rng.nextUnit() - 500 }
        func pass(_ level: VectorLevel) -> (labels: [Int32], sums: [Double], counts: [Int]) {
            let scorer = CentroidScorer(centroids: centroids, k: k, d: d, level: level)
            var labels = [Int32](repeating: -1, count: rows)
            var sums = [Double](repeating: 0, count: k * d)
            var counts = [Int](repeating: 0, count: k)
            data.storage.withReadOnly { x in
                labels.withUnsafeMutableBufferPointer { l in
                    sums.withUnsafeMutableBufferPointer { s in
                        counts.withUnsafeMutableBufferPointer { c in
                            guard let l = l.baseAddress, let s = s.baseAddress, let c = c.baseAddress else { return }
                            scorer.assign(rows: 0..<rows, x: x, kernel: .fused, into: l, sums: s, counts: c)
                        }
                    }
                }
            }
            return (labels, sums, counts)
        }
        let baseline = pass(.baseline)
        // The sums the labels imply, added in row order.
        var expected = [Double](repeating: 0, count: k * d)
        for i in 0..<rows {
            for f in 0..<d { expected[Int(baseline.labels[i]) * d + f] += data.storage[i * d + f] }
        }
        #expect(baseline.sums == expected)
        #expect(baseline.counts == (0..<k).map { j in baseline.labels.filter { $0 == Int32(j) }.count })
        for level in Self.levels where level != .baseline {
            let other = pass(level)
            #expect(other.labels == baseline.labels && other.sums == baseline.sums && other.counts == baseline.counts, "level \(level.name)")
        }
    }
}
