/// The personas planted in the synthetic data. Every customer belongs to exactly one.
///
/// The same five segments drive both the customer export and the order log; each generator
/// gives them its own behaviour parameters (`CustomerProfile`, `OrderBehaviour`).
public enum CustomerSegment: String, CaseIterable, Sendable, Codable {
    /// Long-standing, frequent, big spenders; rarely need a discount.
    case vip
    /// The steady middle: moderate spend and frequency.
    case regular
    /// Frequent small baskets bought mostly on discount; open promotional e-mail.
    case bargainHunter = "bargain_hunter"
    /// Bought before, silent for months; the churn risk.
    case lapsed
    /// Joined in the last few months; one or two orders so far.
    case new

    /// The segment's share of the population, the same in every generator.
    public var share: Double {
        switch self {
        case .vip: return 0.08
        case .regular: return 0.35
        case .bargainHunter: return 0.22
        case .lapsed: return 0.20
        case .new: return 0.15
        }
    }

    /// The name written in truth files (the raw value): `vip`, `bargain_hunter`, ….
    public var name: String { rawValue }

    /// Draws segments with probabilities `share`, in `allCases` order.
    static let table = WeightedIndex(allCases.map(\.share))

    /// The position of the segment in `allCases`.
    var index: Int {
        switch self {
        case .vip: return 0
        case .regular: return 1
        case .bargainHunter: return 2
        case .lapsed: return 3
        case .new: return 4
        }
    }

    /// The segment of index `index` in `allCases`.
    static func at(_ index: Int) -> CustomerSegment {
        allCases[min(max(index, 0), allCases.count - 1)]
    }
}
