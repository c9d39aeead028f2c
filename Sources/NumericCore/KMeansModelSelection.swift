/// Chooses k for `--k auto` and for personas.
///
/// Rule (documented in the README): fit k-means for every k in the range with the same
/// settings, score each partition, and keep the best k by `criterion`; ties (within 1e-12) go
/// to the smaller k. Calinski-Harabasz and Davies-Bouldin are reported next to it for the
/// user's judgement.
///
/// - `.silhouette`: the **highest mean silhouette**. It rewards compact, well-separated
///   clusters and does not improve just because k grows, but on real customer data, which is
///   rarely well separated, it mostly picks the smallest k.
/// - `.elbow`: the knee of the inertia curve (Satopää et al. 2011, "kneedle"): with k₀ = MIN − 1
///   also fitted, inertia is normalized to 1 at k₀ and 0 at MAX, k to 0 at k₀ and 1 at MAX,
///   and the k whose point lies farthest below the straight line between the two ends wins.
///   Not biased to the smallest k: it asks where adding clusters stops paying.
/// - `.calinskiHarabasz`: the highest Calinski–Harabasz index.
public struct KMeansModelSelection: Sendable {
    public enum Criterion: String, Codable, Sendable, CaseIterable {
        case silhouette, elbow
        case calinskiHarabasz = "calinski_harabasz"
    }

    public struct Candidate: Sendable {
        public let k: Int
        public let result: KMeansResult
        public let metrics: ClusterMetrics
    }

    public let range: ClosedRange<Int>
    public let criterion: Criterion

    /// - Throws: `.invalidParameter` when the range starts below 2 (a silhouette needs two clusters).
    public init(range: ClosedRange<Int>, criterion: Criterion = .silhouette) throws {
        guard range.lowerBound >= 2 else {
            throw NumericError.invalidParameter(
                name: "k_range", allowed: "a range of ints starting at 2 or more", got: "\(range.lowerBound)...\(range.upperBound)")
        }
        self.range = range
        self.criterion = criterion
    }

    /// Fits every k (capped at rows − 1) and returns all candidates with the chosen index.
    /// `configure(k)` builds the k-means configuration for one k (same seed, restarts, …).
    /// With `.elbow` the first candidate is the anchor k = MIN − 1, never chosen.
    public func evaluate<Element: MatrixElement>(
        _ data: DenseMatrix<Element>, configure: (Int) throws -> KMeans, silhouetteLimit: Int = 20_000,
        onCandidate: (Int) -> Void = { _ in }
    ) throws -> (candidates: [Candidate], chosen: Int) {
        let upper = min(range.upperBound, data.rows - 1)
        guard upper >= range.lowerBound else {
            throw NumericError.tooFewSamples(
                samples: data.rows, required: range.lowerBound + 1,
                reason: "choosing k in \(range.lowerBound)...\(range.upperBound) needs more rows than the smallest k")
        }
        var candidates = [Candidate]()
        let first = criterion == .elbow ? range.lowerBound - 1 : range.lowerBound
        for k in first...upper {
            onCandidate(k)
            let config = try configure(k)
            let result = try config.fit(data)
            let metrics = try ClusterMetrics.evaluate(
                data, fit: result, silhouetteLimit: silhouetteLimit, seed: config.seed, threads: config.threads)
            candidates.append(Candidate(k: k, result: result, metrics: metrics))
        }
        return (candidates, Self.choose(candidates, criterion: criterion, from: range.lowerBound))
    }

    /// The index of the chosen candidate among those with k >= `lowest`.
    static func choose(_ candidates: [Candidate], criterion: Criterion, from lowest: Int) -> Int {
        let eligible = candidates.indices.filter { candidates[$0].k >= lowest }
        guard var chosen = eligible.first else { return 0 }
        let scores: [Double]
        switch criterion {
        case .silhouette:
            scores = candidates.map { $0.metrics.silhouette ?? -.infinity }
        case .calinskiHarabasz:
            scores = candidates.map { $0.metrics.calinskiHarabasz ?? -.infinity }
        case .elbow:
            guard let anchor = candidates.first, let last = candidates.last, last.k > anchor.k else { return chosen }
            let (w0, w1) = (anchor.result.model.inertia, last.result.model.inertia)
            let span = Double(last.k - anchor.k), drop = w0 - w1
            scores = candidates.map { c in
                let x = Double(c.k - anchor.k) / span
                let y = drop > 0 ? (c.result.model.inertia - w1) / drop : 1 - x
                return (1 - x) - y
            }
        }
        for i in eligible where scores[i] > scores[chosen] + 1e-12 { chosen = i }
        return chosen
    }
}
