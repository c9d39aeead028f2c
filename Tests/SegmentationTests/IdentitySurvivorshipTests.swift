import Foundation
import Testing
@testable import Segmentation

@Suite("Identity survivorship")
struct IdentitySurvivorshipTests {
    /// Six records of one customer (card M1), each source with its own phone and e-mail.
    static let files = [
        "crm.csv": "id,mobile,email,card,changed\n1,13800138000,old@x.com,M1,2024-05-01\n2,13900139000,old@x.com,M1,2024/5/3\n",
        "shop.csv": "uid,phone,mail,card,name,at\nU1,13700137000,shop@x.com,M1,Li Na,2024-05-02T13:45:00Z\nU2,,,M1,Li Na,not a date\n",
        "till.csv": "r,phone,mail,card\nT1,13600136000,till@x.com,M1\nT2,13600136000,till@x.com,M1\n",
    ]
    static let sources = """
        sources:
          - {name: crm, file: crm.csv, id: id, phone: mobile, email: email, member_id: card, updated: changed}
          - {name: shop, file: shop.csv, id: uid, phone: phone, email: mail, member_id: card, full_name: name, updated: at}
          - {name: till, file: till.csv, id: r, phone: phone, email: mail, member_id: card}

        """

    func profile(_ settings: String) throws -> (IdentityProfile?, IdentityRecords) {
        var files = Self.files
        files["identity.yaml"] = Self.sources + settings
        let folder = try identityFolder(files)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let resolution = try resolve(folder)
        let profiles = resolution.profiles()
        #expect(profiles.count == 1)
        return (profiles.count == 1 ? profiles[0] : nil, resolution.records)
    }

    @Test("most_recent takes the phone of the record updated last; undated sources count as oldest")
    func mostRecent() throws {
        let (recent, records) = try profile("survivorship: {phone: most_recent}\n")
        // crm 2 (2024-05-03) is later than shop U1 (2024-05-02 13:45) and crm 1; till has no dates.
        #expect(recent?.phone == "+8613900139000")
        #expect(records.malformedUpdated[1]?.count == 1)
        #expect(records.malformedUpdated[1]?.firstLine == 3)
        #expect(records.malformedUpdated[0] == nil)
        #expect(records.updated == [1_714_521_600, 1_714_694_400, 1_714_657_500, IdentityRecords.unknownTime,
                                    IdentityRecords.unknownTime, IdentityRecords.unknownTime])
        let (frequent, _) = try profile("")
        #expect(frequent?.phone == "+8613600136000")  // till's, twice
        #expect(frequent?.email == "old@x.com")        // 2 against till's 2: seen first
    }

    @Test("source_priority takes the highest source that has a value; unlisted sources follow in config order")
    func sourcePriority() throws {
        let (shopFirst, _) = try profile("survivorship: {email: source_priority, full_name: source_priority}\npriority: [shop]\n")
        #expect(shopFirst?.email == "shop@x.com")
        #expect(shopFirst?.name == "li na")
        let (tillFirst, _) = try profile("survivorship: {email: source_priority, phone: source_priority}\npriority: [till, shop]\n")
        #expect(tillFirst?.email == "till@x.com")
        #expect(tillFirst?.phone == "+8613600136000")
        let (byOrder, _) = try profile("survivorship: {email: source_priority}\n")
        #expect(byOrder?.email == "old@x.com")  // crm is first in the config
    }

    @Test("most_recent ties go to the most frequent value among the records of the latest time")
    func recentTies() throws {
        let folder = try identityFolder([
            "identity.yaml": "sources:\n  - {name: crm, file: crm.csv, id: id, phone: tel, member_id: card, updated: at}\n"
                + "  - {name: till, file: till.csv, id: r, phone: tel, member_id: card}\nsurvivorship: {phone: most_recent}\n",
            "crm.csv": "id,tel,card,at\n1,13800138001,M,2024-01-01\n2,13800138002,M,2024-06-01 08:00\n3,13800138003,M,2024-06-01T08:00:00\n"
                + "4,13800138003,M,2024-06-01 08:00:00\n5,13800138004,M,2023-12-31\n6,,M,2025-01-01\n",
            "till.csv": "r,tel,card\nT1,13800138005,M\nT2,13800138005,M\nT3,13800138005,M\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Records 2-4 share the latest time with a phone (record 6 is later but has none):
        // ...003 twice beats ...002 once; till's ...005, three times, is undated.
        let profiles = try resolve(folder).profiles()
        #expect((0..<profiles.count).map { profiles[$0].phone } == ["+8613800138003"])
    }

    @Test("updated values: ISO dates and times, slash dates, full-width digits; anything else is nil")
    func times() {
        let may1 = Int64(1_714_521_600)  // 2024-05-01 00:00 UTC: 19,844 days after 1970-01-01
        #expect(IdentityRecords.time("2024-05-01") == may1)
        #expect(IdentityRecords.time(" 2024-05-01 13:45:00 ") == may1 + 49_500)
        #expect(IdentityRecords.time("2024-05-01T13:45:00Z") == may1 + 49_500)
        #expect(IdentityRecords.time("2024-05-01T13:45:00+08:00") == may1 + 49_500 - 28_800)
        #expect(IdentityRecords.time("2024/5/1") == may1)
        #expect(IdentityRecords.time("2024/05/01 13:45") == may1 + 49_500)
        #expect(IdentityRecords.time("２０２４-05-01") == may1)
        for bad in ["2024-13-01", "2024-02-30", "01/05/2024", "yesterday", "2024-05-01 25:00", "2024/5"] {
            #expect(IdentityRecords.time(bad) == nil, "\(bad)")
        }
    }
}
