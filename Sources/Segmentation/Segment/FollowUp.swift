import CustomerData
import Foundation

/// `persona segment --validate-with LATER.csv`: did the customers of each tier buy again?
/// LATER is either the order lines after the features' cut (every line with the customer's id
/// is a purchase: leave returns out), or a table with a `purchased_in_horizon` column
/// (`persona features --cutoff --horizon`), where 1 / true / yes is a purchase. Ids are matched
/// on the `--id` column name; customers absent from LATER did not buy.
public struct FollowUp: Sendable {
    public struct Rate: Sendable, Equatable {
        public let tier: String
        public let customers: Int
        public let bought: Int
        public var rate: Double { customers > 0 ? Double(bought) / Double(customers) : .nan }
    }

    public let file: String
    /// How LATER was read, for the summary.
    public let mode: String
    public let behavior: [Rate]
    public let value: [Rate]
    public let overall: Rate
    /// Ids in LATER that are not customers of this run.
    public let unknownIDs: Int

    public static let labelColumn = "purchased_in_horizon"

    public static func measure(path: String, run: SegmentRun, delimiter: UInt8) throws -> FollowUp {
        let later = try CSVRecords.read(path: path, delimiter: delimiter, keeping: [run.idColumn, labelColumn])
        guard let idIndex = later.header.firstIndex(of: run.idColumn) else {
            throw CustomerDataError.unknownColumn(file: later.file, option: "--validate-with (the id column)", name: run.idColumn,
                                                  available: later.header)
        }
        let labelIndex = later.header.firstIndex(of: labelColumn)
        var rowOf = [String: Int](minimumCapacity: run.valueTier.count)
        if let ids = run.ids { for i in 0..<ids.count { rowOf[ids[i]] = i } }
        var bought = [Bool](repeating: false, count: run.valueTier.count)
        var unknown = Set<String>()
        for record in later.rows {
            let id = record.fields[idIndex]
            guard let row = rowOf[id] else {
                if !id.isEmpty { unknown.insert(id) }
                continue
            }
            if let labelIndex {
                let cell = record.fields[labelIndex].lowercased()
                switch cell {
                case "1", "1.0", "true", "yes", "y": bought[row] = true
                case "0", "0.0", "false", "no", "n", "": break
                default:
                    throw CustomerDataError.notANumber(file: later.file, line: record.line, column: labelIndex + 1,
                                                       name: labelColumn, value: record.fields[labelIndex])
                }
            } else {
                bought[row] = true
            }
        }
        func rates(_ names: [String], _ labels: [Int]) -> [Rate] {
            var customers = [Int](repeating: 0, count: names.count), yes = customers
            for (i, t) in labels.enumerated() {
                customers[t] += 1
                if bought[i] { yes[t] += 1 }
            }
            return names.indices.map { Rate(tier: names[$0], customers: customers[$0], bought: yes[$0]) }
        }
        return FollowUp(file: later.file,
                        mode: labelIndex == nil ? "any line with the customer's id counts as a purchase" : "'\(labelColumn)' = 1 is a purchase",
                        behavior: rates(run.behavior.tiers.map(\.name), run.behaviorTier),
                        value: rates(run.value.tiers.map(\.name), run.valueTier),
                        overall: Rate(tier: "all", customers: bought.count, bought: bought.count { $0 }),
                        unknownIDs: unknown.count)
    }
}
