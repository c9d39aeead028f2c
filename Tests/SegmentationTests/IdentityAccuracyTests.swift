import CustomerData
import Foundation
import SyntheticData
import Testing
@testable import Segmentation

@Suite("Identity resolution on a planted population")
struct IdentityAccuracyTests {
    /// Pairwise precision and recall (as Splink and dedupe report them): among record pairs put
    /// in one customer, the share that are one person; among pairs of one person, the share put
    /// in one customer. Seed 11 is not the generator's default, so the rules were not tuned on it.
    @Test("pairwise precision and recall are at least 0.99 on 3,000 people in four noisy sources (1 % of keys broken)")
    func precisionAndRecall() throws {
        let (precision, recall) = try measure(typoRate: 0.01)
        #expect(precision >= 0.99, "precision \(precision)")
        #expect(recall >= 0.99, "recall \(recall)")
    }

    /// Twice the typos: records whose only shared key is broken cannot be joined by exact keys
    /// (that needs fuzzy confirmation, not built), so recall falls; precision must not.
    @Test("with 2 % of keys broken, precision stays at least 0.99 and recall at least 0.97")
    func moreNoise() throws {
        let (precision, recall) = try measure(typoRate: 0.02)
        #expect(precision >= 0.99, "precision \(precision)")
        #expect(recall >= 0.97, "recall \(recall)")
    }

    func measure(typoRate: Double) throws -> (precision: Double, recall: Double) {
        let population = try IdentityPopulation(people: 3_000, seed: 11, typoRate: typoRate)
        let folder = try identityFolder([:])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in population.files { try Data(file.bytes).write(to: URL(fileURLWithPath: folder + "/" + file.name)) }
        let resolution = try resolve(folder)
        let truthRows = try CSVRecords.read(path: folder + "/truth.csv").rows
        var person = [String: String]()
        for row in truthRows { person[row.fields[0] + "\u{1F}" + row.fields[1]] = row.fields[2] }
        let names = resolution.records.config.sources.map(\.name)
        var predicted = [Int32: Int](), actual = [String: Int](), both = [String: Int]()
        for r in 0..<resolution.records.count {
            let c = resolution.matching.customer[r]
            let p = try #require(person[names[Int(resolution.records.source[r])] + "\u{1F}" + resolution.records.recordID(r)])
            predicted[c, default: 0] += 1
            actual[p, default: 0] += 1
            both["\(c)\u{1F}\(p)", default: 0] += 1
        }
        func pairs<K>(_ counts: [K: Int]) -> Double { counts.values.reduce(0) { $0 + Double($1 * ($1 - 1) / 2) } }
        let truePositive = pairs(both)
        let precision = truePositive / pairs(predicted), recall = truePositive / pairs(actual)
        #expect(resolution.records.count == truthRows.count)
        // The store phone is the planted hub; it must be caught, or precision would collapse.
        #expect(resolution.matching.hubs.map(\.value) == ["+862155550000"])
        print("identity accuracy, 3,000 people seed 11 typo rate \(typoRate): \(resolution.records.count) records, precision \(precision), recall \(recall)")
        return (precision, recall)
    }
}

@Suite("Identity keys are stable")
struct IdentityStabilityTests {
    /// With a hash key, a record's customer_key depends on its customer's records, not on the
    /// order the files list them in: reversing every source's rows changes no record's key.
    @Test("reversing the rows of every source leaves each record's pseudonymous key unchanged")
    func orderIndependent() throws {
        let population = try IdentityPopulation(people: 500, seed: 3)
        let hash = try KeyedHash(key: Array("stable-key-0123456789".utf8))
        var keys = [[String: String]]()
        for reversed in [false, true] {
            let folder = try identityFolder([:])
            defer { try? FileManager.default.removeItem(atPath: folder) }
            for file in population.files {
                var text = String(decoding: file.bytes, as: UTF8.self)
                if reversed, file.name.hasSuffix(".csv") {
                    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                    if lines.last == "" { lines.removeLast() }
                    text = ([lines[0]] + lines.dropFirst().reversed()).joined(separator: "\n") + "\n"
                }
                try text.write(toFile: folder + "/" + file.name, atomically: true, encoding: .utf8)
            }
            let resolution = try resolve(folder, hash: hash)
            let names = resolution.records.config.sources.map(\.name)
            var map = [String: String]()
            for r in 0..<resolution.records.count {
                map[names[Int(resolution.records.source[r])] + "/" + resolution.records.recordID(r)] =
                    resolution.customerKeys[Int(resolution.matching.customer[r])]
            }
            keys.append(map)
        }
        #expect(keys[0].count > 1_000)
        #expect(keys[0] == keys[1])
    }
}
