/// How one segment's customers buy in the order log: the planted differences.
struct OrderBehaviour: Sendable {
    /// Invoices per 30 days while the customer is active (a Poisson process).
    var ordersPer30Days: Double
    /// Lines per invoice are 1 + Poisson(`extraLines`).
    var extraLines: Double
    /// Quantity per line is 1 + Geometric(`quantitySuccess`).
    var quantitySuccess: Double
    var pricePreference: ProductCatalog.PricePreference
    /// Probability a line is sold at 25 % off the list price.
    var discountProbability: Double
    /// Probability an invoice is later partly returned (a `C` invoice).
    var returnProbability: Double
    /// Probability a line is in the customer's preferred category.
    var categoryLoyalty: Double
    /// When the customer starts buying, as a fraction of the period (nil: from the start).
    var startFraction: ClosedRange<Double>?
    /// When the customer stops buying, as a fraction of the period (nil: to the end).
    var stopFraction: ClosedRange<Double>?

    static func of(_ segment: CustomerSegment) -> OrderBehaviour {
        switch segment {
        case .vip: return vip
        case .regular: return regular
        case .bargainHunter: return bargainHunter
        case .lapsed: return lapsed
        case .new: return new
        }
    }

    static let vip = OrderBehaviour(
        ordersPer30Days: 2.0, extraLines: 4.0, quantitySuccess: 0.3, pricePreference: .dearer,
        discountProbability: 0.05, returnProbability: 0.04, categoryLoyalty: 0.5,
        startFraction: nil, stopFraction: nil)

    static let regular = OrderBehaviour(
        ordersPer30Days: 0.7, extraLines: 2.0, quantitySuccess: 0.45, pricePreference: .neutral,
        discountProbability: 0.15, returnProbability: 0.05, categoryLoyalty: 0.5,
        startFraction: nil, stopFraction: nil)

    static let bargainHunter = OrderBehaviour(
        ordersPer30Days: 1.0, extraLines: 3.0, quantitySuccess: 0.35, pricePreference: .cheaper,
        discountProbability: 0.6, returnProbability: 0.12, categoryLoyalty: 0.4,
        startFraction: nil, stopFraction: nil)

    /// Active at the start of the period, then stops buying partway through: planted churn.
    static let lapsed = OrderBehaviour(
        ordersPer30Days: 0.8, extraLines: 2.0, quantitySuccess: 0.45, pricePreference: .neutral,
        discountProbability: 0.2, returnProbability: 0.08, categoryLoyalty: 0.5,
        startFraction: nil, stopFraction: 0.1...0.65)

    /// First purchase in the second half of the period.
    static let new = OrderBehaviour(
        ordersPer30Days: 0.9, extraLines: 2.0, quantitySuccess: 0.5, pricePreference: .neutral,
        discountProbability: 0.25, returnProbability: 0.06, categoryLoyalty: 0.5,
        startFraction: 0.45...0.95, stopFraction: nil)
}
