import CustomerData
import Testing
@testable import NumericCore
@testable import Segmentation

@Suite("Behaviour rule, elbow choice, minimum cluster size")
struct BehaviorRuleTests {
    /// A rule with G = 30 days and the default thresholds (active 2 gaps, churned 4 gaps and
    /// 60 days, or 365 days; potential at most 2 purchases).
    let rule = BehaviorRule(recency: "r", frequency: "n", interpurchase: "g", tenure: nil, pAlive: nil, thresholds: .init(),
                            typicalGap: 30, typicalGapSource: "test")

    @Test("each tier by hand: recency against the customer's own gap")
    func handWorked() {
        // (recency, purchases, own gap) → role, worked out from the README's rule text.
        let cases: [(Double, Double?, Double?, BehaviorRule.Role)] = [
            (.nan, 0, nil, .potential),       // never bought
            (10, 1, nil, .potential),         // one purchase, recent
            (100, 1, nil, .potential),        // one purchase: G = 30, 100 ≤ 4·30
            (130, 1, nil, .churned),          // 130 > 4·30 and > 60
            (50, 2, 10, .potential),          // 50 ≤ 60 days: never churned yet, 2 purchases
            (70, 2, 10, .churned),            // 70 > 4·10 and > 60
            (15, 5, 10, .active),             // 15 ≤ 2·10, gap 10 ≤ G
            (25, 5, 10, .atRisk),             // 25 > 2·10, not churned (25 ≤ 60)
            (40, 5, 45, .atRisk),             // in rhythm, but slower than typical (45 > 30)
            (170, 5, 45, .atRisk),            // 170 ≤ 4·45 = 180
            (190, 5, 45, .churned),           // 190 > 180 and > 60
            (300, 9, 100, .atRisk),           // 300 ≤ 400 and ≤ 365
            (366, 9, 100, .churned),          // over 365 days whatever the rhythm
            (20, nil, nil, .active),          // no frequency column: a regular with gap G
        ]
        for (r, n, g, expected) in cases {
            #expect(rule.role(recency: r, frequency: n, ownGap: g) == expected, "recency \(r), purchases \(String(describing: n)), gap \(String(describing: g))")
        }
    }

    @Test("the typical gap is the median usual gap of repeat buyers")
    func typicalGap() throws {
        let rows = (0..<11).map { "c\($0),\($0 < 10 ? 3 : 1),\(5 + $0),\($0 < 10 ? String(10 * ($0 + 1)) : "")" }
        let csv = "id,n,r,g\n" + rows.joined(separator: "\n") + "\n"
        var options = CSVReadOptions()
        options.idColumn = "id"
        let table = try CSVReader.read(bytes: Array(csv.utf8), name: "t.csv", options: options)
        let (fitted, notes) = try BehaviorRule.fit(table: table, recency: "r", frequency: "n", interpurchase: "g", tenure: nil,
                                                   pAlive: nil, thresholds: .init())
        #expect(fitted.typicalGap == 55)  // median of 10, 20, …, 100
        #expect(notes.isEmpty)
    }

    @Test("with a P(alive) column: each tier by hand, recency and rhythm not used")
    func pAliveHandWorked() {
        let rule = BehaviorRule(recency: "r", frequency: "n", interpurchase: "g", tenure: nil, pAlive: "p", thresholds: .init(),
                                typicalGap: 30, typicalGapSource: "test")
        // (recency, purchases, own gap, P(alive)) → role; cuts 0.5 (churned) and 0.8 (at risk),
        // potential at most 2 purchases.
        let cases: [(Double, Double?, Double?, Double, BehaviorRule.Role)] = [
            (.nan, 0, nil, .nan, .potential),     // never bought
            (10, 0, nil, 0.1, .potential),        // a count of 0 wins over P(alive)
            (400, 5, 10, .nan, .potential),       // no P(alive) (not in the joined file)
            (400, 1, nil, 0.49, .churned),        // below 0.5, one purchase
            (5, 9, 10, 0.2, .churned),            // below 0.5 though recent: P(alive) decides
            (400, 2, 10, 0.5, .potential),        // 0.5 is not below 0.5; at most 2 purchases
            (400, 3, 10, 0.5, .atRisk),           // more purchases, below 0.8
            (20, 3, 10, 0.7999, .atRisk),
            (400, 3, 100, 0.8, .active),          // 0.8 is not below 0.8, silent 400 days
            (20, nil, nil, 0.9, .active),         // no frequency column: a regular
        ]
        for (r, n, g, p, expected) in cases {
            #expect(rule.role(recency: r, frequency: n, ownGap: g, pAlive: p) == expected,
                    "recency \(r), purchases \(String(describing: n)), gap \(String(describing: g)), P(alive) \(p)")
        }
    }

    @Test("a P(alive) column that cannot name churned customers is refused; blanks and one-time buyers noted")
    func pAliveChecks() throws {
        var options = CSVReadOptions()
        options.idColumn = "id"
        func fit(_ rows: [String]) throws -> [String] {
            let csv = "id,n,r,p\n" + rows.joined(separator: "\n") + "\n"
            let table = try CSVReader.read(bytes: Array(csv.utf8), name: "t.csv", options: options)
            return try BehaviorRule.fit(table: table, recency: "r", frequency: "n", interpurchase: nil, tenure: nil,
                                        pAlive: "p", thresholds: .init()).notes
        }
        // 200 buyers all at P(alive) ≥ 0.8 (a model that saw nobody drop out): refused.
        let everyoneAlive = (0..<200).map { "c\($0),3,\($0),0.\(80 + $0 % 20)" }
        #expect(throws: SegmentationError.behaviorColumn(
            file: "t.csv", line: nil, column: "p",
            problem: "only 0 of 200 buyers have P(alive) below 0.8 (0.00 %), so it cannot name at-risk or churned customers: the purchase model sees almost nobody drop out of this log (persona clv notes 'nobody seems to drop out' or 'to die'). Leave behavior.p_alive out to use the recency rule")) {
            try fit(everyoneAlive)
        }
        // Three of 213 buyers below the cut (1.4 %) is enough; a customer without a value and
        // 12 one-time buyers at exactly 1 are noted.
        let some = (0..<198).map { "c\($0),3,\($0),0.9" } + ["d1,4,300,0.3", "d2,4,200,0.6", "d3,4,200,0.7", "b1,2,10,"]
            + (0..<12).map { "o\($0),1,\($0),1" }
        #expect(try fit(some) == [
            "behaviour: 1 customers with purchases have no p (not in the joined file): they count as potential",
            "behaviour: every one-time buyer has p = 1 (as BG/NBD gives them), so none of them can be churned or at risk; Pareto/NBD's P(alive) has no such limit (persona clv --model-type both writes p_alive_pareto)",
        ])
        #expect(throws: SegmentationError.behaviorColumn(file: "t.csv", line: 3, column: "p", problem: "1.5 is not a probability (0 to 1)")) {
            try fit(["a,3,1,0.5", "b,3,2,1.5"])
        }
        #expect(throws: SegmentationError.behaviorColumn(file: "t.csv", line: nil, column: "p",
                                                         problem: "no customer with purchases has a value: do the joined file's ids match the input's?")) {
            try fit(["a,3,1,", "b,0,,0.5"])
        }
    }

    @Test("elbow: the k farthest below the chord from the anchor to the largest k")
    func elbow() throws {
        // Inertia 100 (k=2, anchor), 40, 30, 25, 20 (k=6): normalized y = (W−20)/80 → 1, .25,
        // .125, .0625, 0; x = 0, .25, .5, .75, 1; (1−x)−y = 0, .5, .375, .1875, 0 → k = 3.
        let data = try Matrix(rows: 8, columns: 1, storage: (0..<8).map(Double.init))
        let candidates = try [(2, 100.0), (3, 40), (4, 30), (5, 25), (6, 20)].map { k, inertia in
            var result = try KMeans(k: 1, nInit: 1, seed: 0).fit(data)
            result.model = KMeansModel(centroids: result.model.centroids, inertia: inertia, iterations: 1, converged: true, restartInertias: [])
            return KMeansModelSelection.Candidate(k: k, result: result,
                                                  metrics: ClusterMetrics(silhouette: nil, calinskiHarabasz: nil, daviesBouldin: nil, silhouetteSampleSize: nil))
        }
        let chosen = KMeansModelSelection.choose(candidates, criterion: .elbow, from: 3)
        #expect(candidates[chosen].k == 3)
    }

    @Test("a cluster under the minimum share is refitted away and its rows reported as outliers")
    func minimumShare() throws {
        // 99 rows in three groups and one far outlier: k = 3 with 5 % minimum share must not
        // give the outlier its own cluster.
        var values = [Double]()
        for i in 0..<99 { values.append(Double(i / 33) * 10 + Double(i % 5) * 0.1) }
        values.append(1_000)
        let data = try Matrix(rows: 100, columns: 1, storage: values)
        let result = try SizedKMeans(k: 3, minShare: 0.05, rows: 100, seed: 0, threads: 1).fit(data)
        #expect(result.outliers == [99])
        #expect(result.sizes.allSatisfy { $0 >= 33 }, "\(result.sizes)")
    }
}
