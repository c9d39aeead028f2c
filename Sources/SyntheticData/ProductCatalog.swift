/// The shop's products for the order log: codes, names, categories and list prices, drawn
/// once per seed. Names follow the UCI Online Retail style (`VINTAGE RED TEAPOT`); a few
/// hold a comma or double quotes, so the `Description` column exercises CSV quoting.
struct ProductCatalog {
    struct Product {
        /// `StockCode`, `Description` and `Category`, encoded as CSV fields.
        var code: [UInt8]
        var description: [UInt8]
        var category: Int
        /// The list price in pence.
        var cents: Int
    }

    /// Which of two candidate products a customer takes.
    enum PricePreference {
        case neutral, cheaper, dearer
    }

    let products: [Product]
    /// Product indices per category, most popular first.
    let byCategory: [[Int]]
    /// Zipf-like popularity within each category.
    let popularity: [WeightedIndex]

    /// Draws `perCategory` products in each of `Vocabulary.categories`.
    init(seed: UInt64, perCategory: Int = 200) {
        var rng = SeededGenerator(seed: seed, stream: 101)
        var products: [Product] = []
        var byCategory: [[Int]] = []
        var serial = 0
        for (category, nouns) in ProductCatalog.nouns.enumerated() {
            var members: [Int] = []
            for _ in 0..<perCategory {
                // 7919 is prime and coprime with 70,000, so the codes never repeat.
                var code = String(20_000 + (serial * 7919) % 70_000)
                serial += 1
                if rng.bernoulli(0.15) {
                    code += String(UnicodeScalar(UInt8(ascii: "A") + UInt8(rng.integer(below: 6))))
                }
                let noun = nouns[rng.integer(below: nouns.count)]
                let style = ProductCatalog.styles[rng.integer(below: ProductCatalog.styles.count)]
                var name: String
                if rng.bernoulli(0.05) {
                    name = "\(style) \(noun), ASSORTED"
                } else {
                    let colours = ProductCatalog.colours
                    let colour = colours[rng.integer(below: colours.count)]
                    name = colour.isEmpty ? "\(style) \(noun)" : "\(style) \(colour) \(noun)"
                }
                if style.isEmpty { name = String(name.drop { $0 == " " }) }
                let pounds = rng.logNormal(median: ProductCatalog.medianPrice[category], sigma: 0.6)
                let cents = max(10, Int((pounds * 20).rounded()) * 5)
                members.append(products.count)
                products.append(
                    Product(
                        code: CSVBuffer.field(code), description: CSVBuffer.field(name),
                        category: category, cents: cents))
            }
            byCategory.append(members)
        }
        self.products = products
        self.byCategory = byCategory
        popularity = byCategory.map { members in
            WeightedIndex(members.indices.map { 1 / Double($0 + 5) })
        }
    }

    /// A product of `category`, by popularity, then by price preference between two draws.
    @inline(__always)
    func pick(category: Int, preference: PricePreference, using rng: inout SeededGenerator) -> Int {
        let members = byCategory[category]
        let first = members[rng.pick(popularity[category])]
        switch preference {
        case .neutral:
            return first
        case .cheaper:
            let second = members[rng.pick(popularity[category])]
            return products[second].cents < products[first].cents ? second : first
        case .dearer:
            let second = members[rng.pick(popularity[category])]
            return products[second].cents > products[first].cents ? second : first
        }
    }

    static let medianPrice = [4.95, 2.95, 5.95, 2.45, 12.5, 6.5, 3.75]
    static let nouns = [
        [
            "PLANTER", "DOORMAT", "CUSHION COVER", "T-LIGHT HOLDER", "WATERING CAN", "BIRD FEEDER",
            "LANTERN", "PHOTO FRAME", "WALL CLOCK", "GARDEN KNEELER",
        ],
        [
            "MUG", "TEA TOWEL", "CAKE STAND", "LUNCH BOX", "JAM JAR", "BAKING CASES", "TEAPOT",
            "PLATE", "CHOPSTICKS", "BREAD BIN",
        ],
        [
            "SCARF", "TOTE BAG", "UMBRELLA", "HAIR CLIP", "PURSE", "SUNGLASSES", "GLOVES", "BEANIE",
            "WALLET", "SHOPPER BAG",
        ],
        [
            "SOAP", "BATH SALTS", "HAND CREAM", "LIP BALM", "SCENTED CANDLE", "FACE MASK",
            "NAIL KIT", "MIRROR", "COMB", "PERFUME",
        ],
        [
            "USB CHARGER", "SPEAKER", "LED NIGHT LIGHT", "HEADPHONES", "PHONE CASE", "POWER BANK",
            "ALARM CLOCK", "FAIRY LIGHTS", "CABLE SET", "SMART PLUG",
        ],
        [
            "YOGA MAT", "WATER BOTTLE", "SKIPPING ROPE", "BIKE BELL", "PICNIC BLANKET", "FRISBEE",
            "HAND WARMER", "CAMPING MUG", "HEADLAMP", "KNEE SUPPORT",
        ],
        [
            "JIGSAW", "SKITTLES", "DOLLY HOUSE", "PARTY BUNTING", "SPACEBOY KIT", "PLAYING CARDS",
            "BUBBLES", "KITE", "CRAYONS", "SNAP CARDS",
        ],
    ]
    static let styles = [
        "", "VINTAGE", "RETRO", "REGENCY", "WOODLAND", "POLKADOT", "HEART", "STAR", "FLORAL",
        "\"LOVE\"", "SCANDI", "JUMBO", "MINI", "SET OF 3", "SET OF 6",
    ]
    static let colours = ["", "RED", "PINK", "BLUE", "WHITE", "IVORY", "GREEN", "BLACK", "CREAM"]
}
