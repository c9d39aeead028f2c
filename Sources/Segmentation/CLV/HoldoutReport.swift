import NumericCore

/// Predicted against actual holdout purchases: per calibration frequency bucket (0…6 and
/// 7+), the mean of each, and the mean absolute error over customers.
public struct HoldoutReport: Sendable, Codable, Equatable {
    public struct Bucket: Sendable, Codable, Equatable {
        /// "0" … "6", "7+".
        public let frequency: String
        public let customers: Int
        public let actual: Double
        public let predicted: Double
    }
    /// Holdout length in periods.
    public let duration: Double
    public let buckets: [Bucket]
    public let meanAbsoluteError: Double
    public let actualTotal: Double
    public let predictedTotal: Double

    init(summary: CustomerSummary, holdout: CustomerSummary.Holdout, model: any RepeatPurchaseModel) {
        var sums = [(n: Int, actual: Double, predicted: Double)](repeating: (0, 0, 0), count: 8)
        var error = 0.0, actualTotal = 0.0, predictedTotal = 0.0
        for i in 0..<summary.count {
            let predicted = model.expectedPurchases(in: holdout.duration, frequency: summary.frequency[i],
                                                    recency: summary.recency[i], T: summary.T[i])
            let actual = holdout.frequency[i]
            let k = min(Int(summary.frequency[i]), 7)
            sums[k].n += 1
            sums[k].actual += actual
            sums[k].predicted += predicted
            error += abs(predicted - actual)
            actualTotal += actual
            predictedTotal += predicted
        }
        duration = holdout.duration
        buckets = sums.enumerated().filter { $0.element.n > 0 }.map { k, s in
            Bucket(frequency: k == 7 ? "7+" : "\(k)", customers: s.n, actual: s.actual / Double(s.n), predicted: s.predicted / Double(s.n))
        }
        meanAbsoluteError = error / Double(summary.count)
        self.actualTotal = actualTotal
        self.predictedTotal = predictedTotal
    }
}
