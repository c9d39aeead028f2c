import Foundation

/// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with the local trials of
/// scikit-learn's `_kmeans_plusplus`): the first centre uniformly at random, then for each
/// next centre `2 + ⌊ln k⌋` candidates drawn with probability ∝ D(x)², keeping the one that
/// lowers the potential most.
///
/// The running D(x)² lives in one array; the cumulative sum needed for sampling is kept per
/// fixed chunk, so sampling needs no O(n) prefix array and results do not depend on threads.
struct KMeansPlusPlus<Element: MatrixElement> {
    let engine: LloydEngine<Element>

    /// - Complexity: O(k · trials · rows · features).
    func seed(rng: inout SeededRandom) -> [Double] {
        let (n, d, k) = (engine.n, engine.d, engine.k)
        let chunks = engine.chunks
        let x = engine.data.storage
        var centers = [Double](repeating: 0, count: k * d)
        let first = rng.nextIndex(below: n)
        for f in 0..<d { centers[f] = Double(x[first * d + f]) }

        let closest = SharedBuffer<Double>(repeating: 0, count: n)
        let chunkSums = SharedBuffer<Double>(repeating: 0, count: chunks.count)
        update(closest: closest, chunkSums: chunkSums, center: Array(centers[0..<d]), initial: true)
        var potential = (0..<chunks.count).reduce(0.0) { $0 + chunkSums[$1] }

        let trials = 2 + Int(log(Double(k)))
        for c in 1..<max(k, 1) {
            var candidates = [Int]()
            for _ in 0..<trials {
                candidates.append(sample(rng.nextUnit() * potential, closest: closest, chunkSums: chunkSums))
            }
            let trialPotentials = potentials(of: candidates, closest: closest)
            var bestTrial = 0
            for t in 1..<trials where trialPotentials[t] < trialPotentials[bestTrial] { bestTrial = t }
            let chosen = candidates[bestTrial]
            for f in 0..<d { centers[c * d + f] = Double(x[chosen * d + f]) }
            update(closest: closest, chunkSums: chunkSums, center: Array(centers[(c * d)..<((c + 1) * d)]), initial: false)
            potential = (0..<chunks.count).reduce(0.0) { $0 + chunkSums[$1] }
        }
        return centers
    }

    /// The first row whose running D² sum reaches `target` (`numpy.searchsorted`, left side),
    /// clipped to the last row.
    private func sample(_ target: Double, closest: SharedBuffer<Double>, chunkSums: SharedBuffer<Double>) -> Int {
        let chunks = engine.chunks
        var running = 0.0
        for c in 0..<chunks.count {
            if running + chunkSums[c] >= target {
                for i in chunks.range(c) {
                    running += closest[i]
                    if running >= target { return i }
                }
                return chunks.range(c).upperBound - 1
            }
            running += chunkSums[c]
        }
        return engine.n - 1
    }

    /// closest[i] = min(closest[i], ‖x_i − center‖²) and the per-chunk sums of the result
    /// (C: `persona_kmpp_update`, the same bits as `squaredDistance` row by row).
    private func update(closest: SharedBuffer<Double>, chunkSums: SharedBuffer<Double>, center: [Double], initial: Bool) {
        let d = engine.d
        let chunks = engine.chunks
        engine.data.storage.withReadOnly { x in
            center.withReadOnly { c in
                chunks.forEach(threads: engine.threads) { chunk in
                    let rows = chunks.range(chunk)
                    chunkSums[chunk] = Element.kmppUpdate(x.base + rows.lowerBound * d, rows: rows.count, d: d,
                                                          closest: closest.pointer + rows.lowerBound, center: c.base, initial: initial)
                }
            }
        }
    }

    /// Σ_i min(closest[i], ‖x_i − candidate‖²) for every candidate, summed per chunk then in
    /// chunk order (C: `persona_kmpp_potentials`, candidates in vector lanes where the CPU has
    /// AVX2, the same bits at every level).
    private func potentials(of candidates: [Int], closest: SharedBuffer<Double>) -> [Double] {
        let d = engine.d
        let chunks = engine.chunks
        let t = candidates.count
        let partial = SharedBuffer<Double>(repeating: 0, count: chunks.count * t)
        var candidateRows = [Double]()
        for row in candidates { candidateRows.append(contentsOf: engine.data.storage[(row * d)..<((row + 1) * d)].map { Double($0) }) }
        engine.data.storage.withReadOnly { x in
            candidateRows.withReadOnly { cand in
                chunks.forEach(threads: engine.threads) { chunk in
                    let rows = chunks.range(chunk)
                    Element.kmppPotentials(x.base + rows.lowerBound * d, rows: rows.count, d: d, closest: closest.pointer + rows.lowerBound,
                                           candidates: cand.base, trials: t, into: partial.pointer + chunk * t)
                }
            }
        }
        var totals = [Double](repeating: 0, count: t)
        for chunk in 0..<chunks.count {
            for trial in 0..<t { totals[trial] += partial[chunk * t + trial] }
        }
        return totals
    }

    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
        var s = 0.0
        for f in 0..<d {
            let diff = a[f] - b[f]
            s += diff * diff
        }
        return s
    }
}
