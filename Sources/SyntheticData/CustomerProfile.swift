/// How one segment's customers look in the customer export: the planted differences.
///
/// Spend emerges from frequency × a log-normal basket, so it is right-skewed as real spend
/// is. Rates in [0, 1] are drawn on the logit scale around the given means.
struct CustomerProfile: Sendable {
    var ageMean: Double
    var ageSpread: Double
    /// Days since the first order, uniform in this range.
    var tenureDays: ClosedRange<Double>
    /// Days since the last order: exponential with this mean, or uniform in `recencyRange`.
    var recencyMean: Double
    var recencyRange: ClosedRange<Double>?
    /// Orders per 30 days between the first and the last order.
    var ordersPer30Days: Double
    var basketMedian: Double
    var basketSigma: Double
    var returnRate: Double
    var discountShare: Double
    var emailOpenRate: Double
    var sessionsMean: Double
    var referralsMean: Double
    var newsletterProbability: Double
    /// Weights over `Vocabulary.channels`, `.membershipLevels`, `.categories`, `.campaigns`.
    var channels: WeightedIndex
    var membership: WeightedIndex
    var categories: WeightedIndex
    var campaigns: WeightedIndex

    static func of(_ segment: CustomerSegment) -> CustomerProfile {
        switch segment {
        case .vip: return vip
        case .regular: return regular
        case .bargainHunter: return bargainHunter
        case .lapsed: return lapsed
        case .new: return new
        }
    }

    static let vip = CustomerProfile(
        ageMean: 42, ageSpread: 10, tenureDays: 700...2600, recencyMean: 10, recencyRange: nil,
        ordersPer30Days: 2.4, basketMedian: 160, basketSigma: 0.45, returnRate: 0.05,
        discountShare: 0.08, emailOpenRate: 0.55, sessionsMean: 22, referralsMean: 1.5,
        newsletterProbability: 0.7,
        channels: WeightedIndex([0.3, 0.5, 0.2]),
        membership: WeightedIndex([0, 0.05, 0.35, 0.6]),
        categories: WeightedIndex([0.1, 0.1, 0.25, 0.15, 0.25, 0.1, 0.05]),
        campaigns: WeightedIndex([0, 0.15, 0.15, 0.1, 0.6, 0]))

    static let regular = CustomerProfile(
        ageMean: 38, ageSpread: 12, tenureDays: 200...1800, recencyMean: 35, recencyRange: nil,
        ordersPer30Days: 0.8, basketMedian: 70, basketSigma: 0.5, returnRate: 0.08,
        discountShare: 0.2, emailOpenRate: 0.3, sessionsMean: 8, referralsMean: 0.3,
        newsletterProbability: 0.5,
        channels: WeightedIndex([0.45, 0.35, 0.2]),
        membership: WeightedIndex([0.45, 0.4, 0.14, 0.01]),
        categories: WeightedIndex([0.16, 0.16, 0.16, 0.14, 0.14, 0.12, 0.12]),
        campaigns: WeightedIndex([0.05, 0.35, 0.25, 0.25, 0.05, 0.05]))

    static let bargainHunter = CustomerProfile(
        ageMean: 33, ageSpread: 11, tenureDays: 150...1500, recencyMean: 22, recencyRange: nil,
        ordersPer30Days: 1.3, basketMedian: 32, basketSigma: 0.45, returnRate: 0.18,
        discountShare: 0.65, emailOpenRate: 0.5, sessionsMean: 15, referralsMean: 0.6,
        newsletterProbability: 0.85,
        channels: WeightedIndex([0.55, 0.4, 0.05]),
        membership: WeightedIndex([0.5, 0.4, 0.1, 0]),
        categories: WeightedIndex([0.22, 0.22, 0.12, 0.1, 0.06, 0.08, 0.2]),
        campaigns: WeightedIndex([0.02, 0.3, 0.35, 0.33, 0, 0]))

    static let lapsed = CustomerProfile(
        ageMean: 45, ageSpread: 14, tenureDays: 400...2500, recencyMean: 0,
        recencyRange: 180...720, ordersPer30Days: 0.35, basketMedian: 55, basketSigma: 0.6,
        returnRate: 0.12, discountShare: 0.25, emailOpenRate: 0.06, sessionsMean: 1,
        referralsMean: 0.1, newsletterProbability: 0.35,
        channels: WeightedIndex([0.4, 0.2, 0.4]),
        membership: WeightedIndex([0.55, 0.33, 0.11, 0.01]),
        categories: WeightedIndex([0.18, 0.18, 0.14, 0.12, 0.12, 0.14, 0.12]),
        campaigns: WeightedIndex([0, 0.1, 0.1, 0.1, 0, 0.7]))

    static let new = CustomerProfile(
        ageMean: 29, ageSpread: 9, tenureDays: 3...120, recencyMean: 15, recencyRange: nil,
        ordersPer30Days: 0.5, basketMedian: 50, basketSigma: 0.55, returnRate: 0.1,
        discountShare: 0.3, emailOpenRate: 0.4, sessionsMean: 10, referralsMean: 0.05,
        newsletterProbability: 0.6,
        channels: WeightedIndex([0.35, 0.55, 0.1]),
        membership: WeightedIndex([0.92, 0.08, 0, 0]),
        categories: WeightedIndex([0.12, 0.12, 0.2, 0.18, 0.18, 0.1, 0.1]),
        campaigns: WeightedIndex([0.8, 0.08, 0.06, 0.06, 0, 0]))
}
