/// The text values the generators write, and how often. Values that need RFC 4180 quoting
/// (a comma or a double quote) are here on purpose, to exercise CSV readers.
enum Vocabulary {
    /// Product categories: the customers' `preferred_category` and the orders' `Category`.
    static let categories = [
        "Home, Garden", "Kitchen & Dining", "Fashion", "Beauty", "Electronics",
        "Sports, Outdoors", "Toys & Games",
    ]
    /// Cities of the customer export (`城市`).
    static let cities = ["北京", "上海", "广州", "深圳", "成都", "杭州", "武汉"]
    static let cityWeights = WeightedIndex([0.18, 0.18, 0.14, 0.14, 0.12, 0.12, 0.12])
    /// Loyalty-programme levels (`会员等级`): standard, silver, gold, diamond.
    static let membershipLevels = ["普通", "银卡", "金卡", "钻石"]
    /// Acquisition channels.
    static let channels = ["web", "app", "store"]
    /// `gender`: the empty value is a missing cell.
    static let genders = ["M", "F", ""]
    static let genderWeights = WeightedIndex([0.46, 0.48, 0.06])
    /// The last marketing campaign a customer responded to.
    static let campaigns = [
        "Welcome Series", "Spring \"Mega\" Sale", "Black Friday, Cyber Monday",
        "双十一 Singles' Day", "VIP Early Access", "Win-back \"We miss you\"",
    ]
    /// Countries of the order log, weighted like a UK web shop's.
    static let countries = [
        "United Kingdom", "Germany", "France", "EIRE", "Spain", "Netherlands", "Belgium",
        "Switzerland", "Portugal", "Australia", "Norway", "Italy", "Channel Islands", "Sweden",
        "Japan", "USA",
    ]
    static let countryWeights = WeightedIndex([
        0.82, 0.04, 0.035, 0.025, 0.012, 0.011, 0.009, 0.008, 0.007, 0.006, 0.005, 0.005,
        0.004, 0.004, 0.002, 0.002,
    ])

    /// Each value of `values` encoded once as a CSV field.
    static func fields(_ values: [String]) -> [[UInt8]] { values.map(CSVBuffer.field) }
}
