import CustomerData
import Testing
@testable import Segmentation

@Suite("Lifecycle stages")
struct LifecycleTests {
    @Test("each rule, in order, with the default thresholds")
    func rules() throws {
        // id, frequency, tenure, recency, last gap, trend, value tier, behaviour tier → expected stage
        let cases: [(String, String, String, String, String, String, String, String, String)] = [
            ("a", "0", "", "", "", "", "low", "churned", "potential"),
            ("b", "1", "30", "5", "", "", "low", "active", "new"),
            ("c", "5", "400", "10", "200", "0", "mid", "active", "won_back"),
            ("j", "5", "400", "300", "200", "0", "mid", "at_risk", "declining"),   // a long gap, but lapsed again
            ("d", "9", "400", "3", "10", "0", "high", "active", "VIP"),
            ("e", "9", "400", "60", "10", "0", "mid", "at_risk", "declining"),
            ("f", "9", "400", "5", "10", "-0.6", "mid", "active", "declining"),
            ("g", "9", "400", "5", "10", "0.3", "mid", "active", "growing"),
            ("h", "3", "200", "5", "10", "0", "mid", "active", "growing"),
            ("i", "9", "400", "5", "10", "0", "mid", "potential", "mature"),
        ]
        let csv = "id,frequency,tenure_days,recency_days,last_gap_days,spend_trend\n"
            + cases.map { "\($0.0),\($0.1),\($0.2),\($0.3),\($0.4),\($0.5)" }.joined(separator: "\n") + "\n"
        var options = CSVReadOptions()
        options.idColumn = "id"
        let table = try CSVReader.read(bytes: Array(csv.utf8), name: "l.csv", options: options)
        // The roles as SegmentRoles resolves them for this table.
        var config = SegmentConfig()
        (config.behavior.recency, config.behavior.frequency) = ("recency_days", "frequency")
        (config.lifecycle.tenure, config.lifecycle.gap, config.lifecycle.trend) = ("tenure_days", "last_gap_days", "spend_trend")
        let stages = try Lifecycle.stages(table: table, config: config, valueTiers: cases.map(\.6), behaviorTiers: cases.map(\.7))
        #expect(stages == cases.map(\.8))
        #expect(try SegmentRoles.resolve(SegmentConfig(), table: table).0.lifecycle == config.lifecycle)
    }
}
