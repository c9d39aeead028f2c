import Foundation
import Testing
@testable import Segmentation

/// A fresh folder holding `files`; removed by the caller's `defer`.
func identityFolder(_ files: [String: String]) throws -> String {
    let folder = NSTemporaryDirectory() + "persona-identity-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (name, text) in files { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
    return folder
}

func resolve(_ folder: String, hash: KeyedHash? = nil) throws -> IdentityResolution {
    IdentityResolution(records: try IdentityRecords.read(try IdentityConfig.read(path: folder + "/identity.yaml")), hash: hash)
}

@Suite("Identity matching")
struct IdentityMatchingTests {
    static let twoSources = """
        sources:
          - {name: crm, file: crm.csv, id: id, phone: mobile, email: email, full_name: name, birthday: dob}
          - {name: till, file: till.csv, id: receipt, phone: phone, member_id: card}
        """

    @Test("one customer across spellings; keys C00000001… by first appearance; malformed keys counted, not matched")
    func spellings() throws {
        let folder = try identityFolder([
            "identity.yaml": Self.twoSources,
            "crm.csv": "id,mobile,email,name,dob\n1,+86 138 0013 8000,A@X.COM,Li Na,1990-05-17\n2,,b@x.com,,\n3,1380013800,c@x,,\n",
            "till.csv": "receipt,phone,card\nT1,１３８-0013-8000,77\nT2,,77\nT3,0086 13900139000,\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let resolution = try resolve(folder)
        #expect(String(decoding: resolution.identitiesCSV(), as: UTF8.self) == """
            source,record_id,customer_key
            crm,1,C00000001
            crm,2,C00000002
            crm,3,C00000003
            till,T1,C00000001
            till,T2,C00000001
            till,T3,C00000004

            """)
        #expect(resolution.matching.merges == ["phone": 1, "email": 0, "member_id": 1, "record_id": 0])
        #expect(resolution.records.malformed[0][.phone]?.count == 1)
        #expect(resolution.records.malformed[0][.phone]?.firstLine == 4)
        #expect(resolution.records.malformed[0][.email]?.count == 1)
    }

    /// 60 walk-in sales typed with the store's phone, each with its buyer's card.
    static func walkIns(sameBuyer: Bool) -> String {
        "receipt,phone,card\n" + (1...60).map { "W\($0),021-5555-0000,\(sameBuyer ? 1 : $0)" }.joined(separator: "\n") + "\n"
    }

    @Test("a phone carried by more than hub_guard different identities is reported and not used")
    func hubGuard() throws {
        let config = "sources:\n  - {name: till, file: till.csv, id: receipt, phone: phone, member_id: card}\n"
        let folder = try identityFolder(["identity.yaml": config, "till.csv": Self.walkIns(sameBuyer: false)])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let resolution = try resolve(folder)
        #expect(resolution.matching.customerCount == 60)
        #expect(resolution.matching.hubs == [.init(field: .phone, value: "+862155550000", identities: 60, records: 60)])

        try (config + "hub_guard: 60\n").write(toFile: folder + "/identity.yaml", atomically: true, encoding: .utf8)
        let guarded = try resolve(folder)
        #expect(guarded.matching.customerCount == 1)  // 60 identities is not more than 60
        #expect(guarded.matching.hubs.isEmpty)
    }

    @Test("one buyer typed 60 times with the store phone is one identity, not a hub")
    func repeatedBuyer() throws {
        let config = "sources:\n  - {name: till, file: till.csv, id: receipt, phone: phone, member_id: card}\n"
        let folder = try identityFolder(["identity.yaml": config, "till.csv": Self.walkIns(sameBuyer: true)])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let resolution = try resolve(folder)
        #expect(resolution.matching.hubs.isEmpty)
        #expect(resolution.matching.customerCount == 1)
    }

    @Test("pseudonymous keys: HMAC of the smallest source and record id; profiles drop phone and e-mail")
    func pseudonyms() throws {
        let folder = try identityFolder([
            "identity.yaml": Self.twoSources,
            "crm.csv": "id,mobile,email,name,dob\n9,13800138000,,LI NA,1990-05-17\n10,13800138000,,li  na,1991-01-01\n",
            "till.csv": "receipt,phone,card\nA,13800138000,\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let hash = try KeyedHash(key: Array("0123456789abcdef".utf8))
        let resolution = try resolve(folder, hash: hash)
        // "10" < "9" in byte order, and "crm" < "till".
        #expect(Array(resolution.customerKeys) == [hash.pseudonym("crm\u{1F}10")])
        let profiles = resolution.profiles()
        #expect(profiles.count == 1)
        #expect(profiles[0].birthdays == ["1990-05-17", "1991-01-01"])
        #expect(profiles[0].birthday == "1990-05-17")  // a tie: the first seen
        #expect(profiles[0].name == "li na")
        let key = hash.pseudonym("crm\u{1F}10")
        #expect(String(decoding: profiles.csv(), as: UTF8.self) == """
            customer_key,records,sources,full_name,birthday,birthday_conflict
            \(key),3,crm|till,li na,1990-05-17,2

            """)
    }
}
