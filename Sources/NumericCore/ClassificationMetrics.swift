import Foundation

/// Scores of probabilistic binary predictions against 0/1 labels, as scikit-learn computes
/// them (`roc_auc_score`, `log_loss`, `brier_score_loss`, `f1_score`).
public enum ClassificationMetrics {
    /// Area under the ROC curve: the probability that a random positive scores above a random
    /// negative, ties counting one half (the Mann–Whitney statistic with average ranks). Nil
    /// when only one class is present.
    public static func auc(_ scores: [Double], labels: [Double]) -> Double? {
        let n = scores.count
        let order = (0..<n).sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0, positives = 0.0
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n, scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let averageRank = Double(i + j) / 2 + 1
            for k in i...j where labels[order[k]] == 1 {
                rankSum += averageRank
                positives += 1
            }
            i = j + 1
        }
        let negatives = Double(n) - positives
        guard positives > 0, negatives > 0 else { return nil }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }

    /// Mean negative log-likelihood, probabilities clipped to [ε, 1 − ε] with ε the double
    /// machine epsilon (scikit-learn ≥ 1.5).
    public static func logLoss(_ probabilities: [Double], labels: [Double]) -> Double {
        var total = 0.0
        let epsilon = Double.ulpOfOne
        for (p, y) in zip(probabilities, labels) {
            let q = min(max(p, epsilon), 1 - epsilon)
            total -= y == 1 ? log(q) : log(1 - q)
        }
        return total / Double(max(1, probabilities.count))
    }

    /// Mean squared difference between probability and label.
    public static func brier(_ probabilities: [Double], labels: [Double]) -> Double {
        var total = 0.0
        for (p, y) in zip(probabilities, labels) { total += (p - y) * (p - y) }
        return total / Double(max(1, probabilities.count))
    }

    public struct ThresholdChoice: Sendable, Equatable, Codable {
        /// Predict positive when the probability is at least this.
        public let threshold: Double
        public let f1: Double
        public let accuracy: Double
        public let precision: Double
        public let recall: Double
    }

    /// The threshold (one of the scores) that maximizes F1, with the accuracy it gives.
    public static func bestF1(_ scores: [Double], labels: [Double]) -> ThresholdChoice? {
        let n = scores.count
        let positives = labels.reduce(0.0) { $0 + ($1 == 1 ? 1 : 0) }
        guard n > 0, positives > 0 else { return nil }
        let order = (0..<n).sorted { scores[$0] > scores[$1] }
        var best: ThresholdChoice?
        var truePositives = 0.0, predicted = 0.0
        var i = 0
        while i < n {
            // Everything scoring at least scores[order[i]] is predicted positive.
            var j = i
            while j < n, scores[order[j]] == scores[order[i]] {
                if labels[order[j]] == 1 { truePositives += 1 }
                predicted += 1
                j += 1
            }
            let precision = truePositives / predicted, recall = truePositives / positives
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            if f1 > (best?.f1 ?? -1) {
                let trueNegatives = Double(n) - predicted - (positives - truePositives)
                best = ThresholdChoice(threshold: scores[order[i]], f1: f1,
                                       accuracy: (truePositives + trueNegatives) / Double(n),
                                       precision: precision, recall: recall)
            }
            i = j
        }
        return best
    }

    /// Fold numbers 0..<folds for stratified k-fold cross-validation: each class's rows are
    /// shuffled with `seed` and dealt round the folds in turn, continuing from one class to
    /// the next, so every fold gets (almost) the same size and class balance.
    public static func stratifiedFolds(labels: [Double], folds: Int, seed: UInt64) -> [Int] {
        var assignment = [Int](repeating: 0, count: labels.count)
        var random = SeededRandom(seed: seed, stream: 0x464F_4C44)  // "FOLD"
        var next = 0
        for label in [0.0, 1.0] {
            var rows = labels.indices.filter { labels[$0] == label }
            // Fisher–Yates with our own generator, so folds never change with the Swift version.
            for i in stride(from: rows.count - 1, to: 0, by: -1) {
                rows.swapAt(i, random.nextIndex(below: i + 1))
            }
            for row in rows {
                assignment[row] = next
                next = (next + 1) % folds
            }
        }
        return assignment
    }
}
