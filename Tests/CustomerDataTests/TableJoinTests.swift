import Foundation
import Testing
@testable import CustomerData

@Suite("CustomerTable.joining") struct TableJoinTests {
    func table(_ csv: String, name: String) throws -> CustomerTable {
        var options = CSVReadOptions()
        options.idColumn = "id"
        return try CSVReader.read(bytes: Array(csv.utf8), name: name, options: options)
    }

    @Test("columns joined by id: blanks where the other file has no row; the input's own columns kept")
    func leftJoin() throws {
        let features = try table("id,frequency,monetary\n007,3,10\n2,1,5\n3,4,20\n", name: "features.csv")
        let clv = try table("id,frequency,clv,loyalty_tier\n3,9,120.5,loyal\n007,2,40,regular\n99,1,1,occasional\n", name: "clv.csv")
        let (joined, join) = try features.joining(clv)
        #expect(join == TableJoin(file: "clv.csv", added: ["clv", "loyalty_tier"], alreadyPresent: ["frequency"], matched: 2, unmatched: 1))
        #expect(joined.columnNames == ["id", "frequency", "monetary", "clv", "loyalty_tier"])
        guard case .numeric(let clvValues) = joined.columns[3], case .text(let tiers) = joined.columns[4],
              case .numeric(let frequency) = joined.columns[1] else {
            Issue.record("column kinds")
            return
        }
        #expect(clvValues.values[0] == 40 && clvValues.values[1].isNaN && clvValues.values[2] == 120.5 && clvValues.missingCount == 1)
        #expect(tiers.codes.map { $0 < 0 ? "" : tiers.levels[Int($0)] } == ["regular", "", "loyal"])
        #expect(frequency.values == [3, 1, 4], "the input's frequency, not the joined file's")
    }

    @Test("a file to join with an id twice is refused when it is read, naming both lines")
    func duplicateID() throws {
        let error = #expect(throws: CustomerDataError.self) { try table("id,y\n1,2\n5,3\n1,4\n", name: "scores.csv") }
        #expect(error?.description == "scores.csv:4: column 'id' (1): id \"1\" already appeared on line 2")
    }
}
