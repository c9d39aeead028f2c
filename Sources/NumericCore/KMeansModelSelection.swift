/// Chooses k for `--k auto`.
///
/// Rule (documented in the README): fit k-means for every k in the range with the same
/// settings, score each partition, and keep the k with the **highest mean silhouette**; ties
/// (within 1e-12) go to the smaller k. The silhouette rewards compact, well-separated clusters
/// and, unlike inertia, does not improve just because k grows. Calinski-Harabasz and
/// Davies-Bouldin are reported next to it for the user's judgement.
public struct KMeansModelSelection: Sendable {
    public struct Candidate: Sendable {
        public let k: Int
        public let result: KMeansResult
        public let metrics: ClusterMetrics
    }

    public let range: ClosedRange<Int>

    /// - Throws: `.invalidParameter` when the range starts below 2 (a silhouette needs two clusters).
    public init(range: ClosedRange<Int>) throws {
        guard range.lowerBound >= 2 else {
            throw NumericError.invalidParameter(
                name: "k_range", allowed: "a range of ints starting at 2 or more", got: "\(range.lowerBound)...\(range.upperBound)")
        }
        self.range = range
    }

    /// Fits every k (capped at rows − 1) and returns all candidates with the chosen index.
    /// `configure(k)` builds the k-means configuration for one k (same seed, restarts, …).
    public func evaluate(
        _ data: Matrix, configure: (Int) throws -> KMeans, silhouetteLimit: Int = 20_000,
        onCandidate: (Int) -> Void = { _ in }
    ) throws -> (candidates: [Candidate], chosen: Int) {
        let upper = min(range.upperBound, data.rows - 1)
        guard upper >= range.lowerBound else {
            throw NumericError.tooFewSamples(
                samples: data.rows, required: range.lowerBound + 1,
                reason: "choosing k in \(range.lowerBound)...\(range.upperBound) needs more rows than the smallest k")
        }
        var candidates = [Candidate]()
        for k in range.lowerBound...upper {
            onCandidate(k)
            let config = try configure(k)
            let result = try config.fit(data)
            let metrics = try ClusterMetrics.evaluate(
                data, labels: result.labels, silhouetteLimit: silhouetteLimit, seed: config.seed, threads: config.threads)
            candidates.append(Candidate(k: k, result: result, metrics: metrics))
        }
        var chosen = 0
        for (i, candidate) in candidates.enumerated() {
            let score = candidate.metrics.silhouette ?? -.infinity
            let best = candidates[chosen].metrics.silhouette ?? -.infinity
            if score > best + 1e-12 { chosen = i }
        }
        return (candidates, chosen)
    }
}
