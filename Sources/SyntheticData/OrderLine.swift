/// One line of an invoice: which product, how many, at what unit price.
struct OrderLine {
    /// Index into the catalogue, or -1 for a postage line.
    var product: Int
    var quantity: Int
    var cents: Int

    static let postagePence = 1800

    /// Draws an invoice's lines. The draw depends only on the arguments and `rng`, so the
    /// same invoice seed always gives the same lines (a return relies on this).
    static func draw(
        into lines: inout [OrderLine], behaviour: OrderBehaviour, category: Int, foreign: Bool,
        catalog: ProductCatalog, using rng: inout SeededGenerator
    ) {
        lines.removeAll(keepingCapacity: true)
        let count = 1 + rng.poisson(mean: behaviour.extraLines)
        for _ in 0..<count {
            let lineCategory =
                rng.bernoulli(behaviour.categoryLoyalty)
                ? category : rng.integer(below: Vocabulary.categories.count)
            let product = catalog.pick(
                category: lineCategory, preference: behaviour.pricePreference, using: &rng)
            var quantity = 1 + rng.geometric(successProbability: behaviour.quantitySuccess)
            if rng.bernoulli(0.02) { quantity *= 12 }
            var cents = catalog.products[product].cents
            if rng.bernoulli(behaviour.discountProbability) { cents = max(1, cents * 3 / 4) }
            lines.append(OrderLine(product: product, quantity: quantity, cents: cents))
        }
        if foreign && rng.bernoulli(0.6) {
            let quantity = 1 + rng.integer(below: 3)
            lines.append(OrderLine(product: -1, quantity: quantity, cents: postagePence))
        }
    }
}
