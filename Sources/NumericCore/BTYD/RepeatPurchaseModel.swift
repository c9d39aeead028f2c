/// What a fitted buy-till-you-die model predicts for one customer with a given history
/// (frequency, recency, T): BG/NBD and Pareto/NBD answer the same two questions.
public protocol RepeatPurchaseModel: Sendable {
    /// P(alive | frequency, recency, T), lifetimes' `conditional_probability_alive`.
    func probabilityAlive(frequency: Double, recency: Double, T: Double) -> Double
    /// Expected purchases in the next `t` periods, lifetimes'
    /// `conditional_expected_number_of_purchases_up_to_time`.
    func expectedPurchases(in t: Double, frequency: Double, recency: Double, T: Double) -> Double
    /// Both for one customer, for scoring many horizons (a monthly CLV): a model may do the
    /// work that does not depend on the horizon once.
    func outlook(frequency: Double, recency: Double, T: Double) -> PurchaseOutlook
}

/// One customer's P(alive) and expected purchases as a function of the horizon t.
public struct PurchaseOutlook: Sendable {
    public let probabilityAlive: Double
    public let expectedPurchases: @Sendable (Double) -> Double

    public init(probabilityAlive: Double, expectedPurchases: @escaping @Sendable (Double) -> Double) {
        self.probabilityAlive = probabilityAlive
        self.expectedPurchases = expectedPurchases
    }
}

extension RepeatPurchaseModel {
    public func outlook(frequency: Double, recency: Double, T: Double) -> PurchaseOutlook {
        let model = self
        return PurchaseOutlook(probabilityAlive: probabilityAlive(frequency: frequency, recency: recency, T: T)) {
            model.expectedPurchases(in: $0, frequency: frequency, recency: recency, T: T)
        }
    }
}

extension BGNBDModel: RepeatPurchaseModel {}
extension ParetoNBDModel: RepeatPurchaseModel {}
