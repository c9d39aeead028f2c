import Foundation
import Testing
@testable import NumericCore

@Suite("Classification metrics")
struct ClassificationMetricsTests {
    @Test("AUC by hand, ties counting one half (as sklearn.metrics.roc_auc_score)")
    func auc() {
        #expect(ClassificationMetrics.auc([0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1]) == 0.75)
        // Positives 0.5 and 0.9 against negatives 0.5, 0.5: 0.5 + 0.5 + 1 + 1 out of 4.
        #expect(ClassificationMetrics.auc([0.5, 0.5, 0.5, 0.9], labels: [0, 1, 0, 1]) == 0.75)
        #expect(ClassificationMetrics.auc([0.2, 0.1], labels: [1, 0]) == 1)
        #expect(ClassificationMetrics.auc([0.2, 0.1], labels: [1, 1]) == nil)
    }

    @Test("log loss and Brier score by hand")
    func losses() {
        let loss = ClassificationMetrics.logLoss([0.9, 0.2], labels: [1, 0])
        #expect(abs(loss - (-log(0.9) - log(0.8)) / 2) < 1e-15)
        #expect(abs(ClassificationMetrics.brier([0.9, 0.2], labels: [1, 0]) - 0.025) < 1e-15)
        #expect(ClassificationMetrics.logLoss([0], labels: [1]) == -log(Double.ulpOfOne))  // clipped like sklearn 1.9
    }

    @Test("the threshold with the best F1, and its accuracy")
    func bestF1() throws {
        // ≥0.9: F1 2/3; ≥0.8: 1/2; ≥0.3: precision 2/3, recall 1 → 0.8; ≥0.2: 2/3.
        let best = try #require(ClassificationMetrics.bestF1([0.9, 0.8, 0.3, 0.2], labels: [1, 0, 1, 0]))
        #expect(best.threshold == 0.3)
        #expect(abs(best.f1 - 0.8) < 1e-15)
        #expect(best.accuracy == 0.75)
    }

    @Test("stratified folds: balanced sizes and classes, fixed by the seed")
    func folds() {
        let labels = (0..<103).map { Double($0 % 7 < 2 ? 1 : 0) }
        let folds = ClassificationMetrics.stratifiedFolds(labels: labels, folds: 5, seed: 3)
        #expect(folds == ClassificationMetrics.stratifiedFolds(labels: labels, folds: 5, seed: 3))
        #expect(folds != ClassificationMetrics.stratifiedFolds(labels: labels, folds: 5, seed: 4))
        let sizes = (0..<5).map { f in folds.filter { $0 == f }.count }
        let positives = (0..<5).map { f in folds.indices.filter { folds[$0] == f && labels[$0] == 1 }.count }
        #expect(sizes.max()! - sizes.min()! <= 1)
        #expect(positives.max()! - positives.min()! <= 1)
        #expect(sizes.reduce(0, +) == 103)
    }
}
