import Foundation
import Testing
@testable import Segmentation

@Suite("Identity statistics")
struct IdentityStatisticsTests {
    @Test("sizes 1..4 and 5+, customers per source, overlap of every pair a customer spans")
    func counts() throws {
        let folder = try identityFolder([
            "identity.yaml": "sources:\n  - {name: a, file: a.csv, id: id, phone: tel}\n  - {name: b, file: b.csv, id: id, phone: tel}\n"
                + "  - {name: c, file: c.csv, id: id, phone: tel}\n",
            // 138…01: a 3 records, b 2, c 1 (6 records, all three sources); 138…02: a and b;
            // 138…03 and 138…04: c alone.
            "a.csv": "id,tel\n1,13800138001\n2,13800138001\n3,13800138001\n4,13800138002\n",
            "b.csv": "id,tel\n1,13800138001\n2,13800138001\n3,13800138002\n",
            "c.csv": "id,tel\n1,13800138001\n2,13800138003\n3,13800138004\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let stats = try resolve(folder).profiles().statistics()
        #expect(stats == IdentityStatistics(customersBySize: [2, 1, 0, 0, 1], customersPerSource: [2, 2, 3], customersInSeveralSources: 2,
                                            overlap: [[2, 2, 1], [2, 2, 1], [1, 1, 3]]))
    }
}
