/// One synthetic customer, drawn from its segment's `CustomerProfile`.
///
/// Fields hold true values; the `missing…` flags say which cells the export leaves blank.
struct CustomerRecord {
    var segment: CustomerSegment
    var gender: Int
    var age: Int
    var city: Int
    var membership: Int
    var channel: Int
    var tenureDays: Int
    var recencyDays: Int
    var frequency: Int
    var totalSpend: Double
    var averageBasket: Double
    var returnRate: Double
    var discountShare: Double
    var emailOpenRate: Double
    var sessions30Days: Int
    var referrals: Int
    var category: Int
    /// Index into `Vocabulary.campaigns`, or -1 for none (a blank cell).
    var campaign: Int
    var newsletter: Bool
    var churned: Bool
    var missingAge: Bool
    var missingSpend: Bool
    var missingBasket: Bool
    var missingDiscount: Bool
    var missingEmailOpen: Bool

    /// Draws a customer: segment first, then every field from that segment's profile.
    static func draw(using rng: inout SeededGenerator) -> CustomerRecord {
        let segment = CustomerSegment.at(rng.pick(CustomerSegment.table))
        let profile = CustomerProfile.of(segment)

        let gender = rng.pick(Vocabulary.genderWeights)
        let ageDraw = rng.normal(mean: profile.ageMean, standardDeviation: profile.ageSpread)
        let age = Int(ageDraw.rounded()).clamped(to: 18...85)
        let city = rng.pick(Vocabulary.cityWeights)
        let membership = rng.pick(profile.membership)
        let channel = rng.pick(profile.channels)

        let tenure = Int(rng.uniform(in: profile.tenureDays))
        let recencyDraw: Double
        if let range = profile.recencyRange {
            recencyDraw = rng.uniform(in: range)
        } else {
            recencyDraw = rng.exponential(mean: profile.recencyMean)
        }
        let recency = min(Int(recencyDraw), tenure)
        let activeDays = Double(tenure - recency)
        let frequency = 1 + rng.poisson(mean: profile.ordersPer30Days * activeDays / 30)

        let typicalBasket = rng.logNormal(median: profile.basketMedian, sigma: profile.basketSigma)
        let totalSpend = typicalBasket * Double(frequency) * rng.logNormal(median: 1, sigma: 0.12)
        let returnRate = rng.proportion(mean: profile.returnRate, spread: 0.6)
        let discountShare = rng.proportion(mean: profile.discountShare, spread: 0.6)
        let emailOpenRate = rng.proportion(mean: profile.emailOpenRate, spread: 0.7)
        let activity = rng.logNormal(median: 0.9, sigma: 0.45)
        let sessions = rng.poisson(mean: profile.sessionsMean * activity)
        let referrals = rng.poisson(mean: profile.referralsMean)
        let category = rng.pick(profile.categories)
        let campaign = rng.bernoulli(0.03) ? -1 : rng.pick(profile.campaigns)
        let newsletter = rng.bernoulli(profile.newsletterProbability)

        // The planted churn signal: a logistic model of what the export shows.
        var logit = -2.2 + 0.0065 * Double(recency) - 2.5 * emailOpenRate + 1.5 * returnRate
        logit -= 0.012 * Double(min(frequency, 150))
        if channel == 2 { logit += 0.35 }
        if tenure < 120 { logit += 1.0 }
        let churned = rng.uniform() < 1 / (1 + Libm.exp(-logit))

        return CustomerRecord(
            segment: segment, gender: gender, age: age, city: city, membership: membership,
            channel: channel, tenureDays: tenure, recencyDays: recency, frequency: frequency,
            totalSpend: totalSpend, averageBasket: totalSpend / Double(frequency),
            returnRate: returnRate, discountShare: discountShare, emailOpenRate: emailOpenRate,
            sessions30Days: sessions, referrals: referrals, category: category,
            campaign: campaign, newsletter: newsletter, churned: churned,
            missingAge: rng.bernoulli(0.03), missingSpend: rng.bernoulli(0.02),
            missingBasket: rng.bernoulli(0.03), missingDiscount: rng.bernoulli(0.04),
            missingEmailOpen: rng.bernoulli(0.05))
    }
}

extension Int {
    @inline(__always)
    func clamped(to range: ClosedRange<Int>) -> Int {
        Swift.min(Swift.max(self, range.lowerBound), range.upperBound)
    }
}
