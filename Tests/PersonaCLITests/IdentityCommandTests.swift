import Foundation
import Testing

@Suite("persona identity")
struct IdentityCommandTests {
    static let config = """
        sources:
          - {name: crm, file: crm.csv, id: id, phone: mobile, email: email, birthday: dob}
          - {name: till, file: till.csv, id: receipt, phone: phone, member_id: card}
        hub_guard: 2
        """
    static let crm = "id,mobile,email,dob\n1,+86 138 0013 8000,A@X.COM,1990-05-17\n2,,b@x.com,1991-01-01\n3,1380013800,c@x,\n"
    static let till = "receipt,phone,card\nT1,１３８-0013-8000,77\nT2,021-5555-0000,5\nT3,021-5555-0000,6\nT4,021-5555-0000,7\nT5,,5\n"

    func setUp() throws -> PersonaRunner {
        let runner = try PersonaRunner()
        try runner.write("identity.yaml", Self.config)
        try runner.write("crm.csv", Self.crm)
        try runner.write("till.csv", Self.till)
        return runner
    }

    @Test("the summary counts records, merges, hub keys, malformed keys; outputs as documented")
    func summary() throws {
        let runner = try setUp()
        defer { runner.cleanUp() }
        let result = try runner.run(["identity", "--config", "identity.yaml", "--out", "ids.csv", "--profiles", "profiles.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(Array(lines.dropLast()) == [
            "identity: 8 records from 2 sources → 6 customers (sequential keys; hub guard 2)",
            "  crm: 3 records (crm.csv)",
            "  till: 5 records (till.csv)",
            "merges by key: phone 1, email 0, member_id 1, record_id 0",
            "hub keys dropped: 1 (shared by more than 2 different identities; not used)",
            "  phone +862155550000: 3 records, 3 identities",
            "malformed keys (not matched):",
            "  crm phone: 1 (first at crm.csv:4)",
            "  crm email: 1 (first at crm.csv:4)",
            "birthday conflicts: none",
        ])
        #expect(try runner.read("ids.csv") == """
            source,record_id,customer_key
            crm,1,C00000001
            crm,2,C00000002
            crm,3,C00000003
            till,T1,C00000001
            till,T2,C00000004
            till,T3,C00000005
            till,T4,C00000006
            till,T5,C00000004

            """)
        #expect(try runner.read("profiles.csv").hasPrefix("customer_key,records,sources,phone,email,member_id,full_name,birthday,birthday_conflict\nC00000001,2,crm|till,+8613800138000,a@x.com,77,,1990-05-17,\n"))
    }

    @Test("with a hash key no phone or e-mail leaves the run: keys are pseudonyms, hubs are masked")
    func pseudonymous() throws {
        let runner = try setUp()
        defer { runner.cleanUp() }
        let result = try runner.run(["identity", "--config", "identity.yaml", "--out", "ids.csv", "--profiles", "profiles.csv",
                                     "--hash-key", "0123456789abcdef0123"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("  phone +862*******00: 3 records, 3 identities"))
        let everything = result.stderr + (try runner.read("ids.csv")) + (try runner.read("profiles.csv"))
        for secret in ["2155550000", "13800138000", "a@x.com", "b@x.com"] {
            #expect(!everything.contains(secret), "\(secret) leaked")
        }
        #expect(try runner.read("profiles.csv").hasPrefix("customer_key,records,sources,full_name,birthday,birthday_conflict\n"))
    }

    @Test("a short key and a missing config are refused with the reason, and nothing is written")
    func refusals() throws {
        let runner = try setUp()
        defer { runner.cleanUp() }
        let short = try runner.run(["identity", "--config", "identity.yaml", "--out", "ids.csv", "--hash-key", "short"])
        #expect(short.status != 0)
        #expect(short.stderr.contains("--hash-key: the key for pseudonymous ids is 5 bytes long; it needs at least 16"))
        let missing = try runner.run(["identity", "--config", "nope.yaml", "--out", "ids.csv"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "persona: error: nope.yaml: cannot read it (no such file, or no permission)\n")
        #expect(!runner.files.contains("ids.csv"))
    }

    @Test("confirmation keeps a family phone's two names apart; most_recent picks the later name; a bad date is counted")
    func confirmationAndSurvivorship() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("identity.yaml", """
            sources:
              - {name: crm, file: crm.csv, id: id, phone: tel, full_name: name, updated: changed}
            confirm: {phone: {name_similarity: 0.8}}
            survivorship: {full_name: most_recent}
            """)
        try runner.write("crm.csv", "id,tel,name,changed\n1,13800138000,Li Na,2024-01-01\n2,13800138000,Wang Wei,2024-02-01\n"
                         + "3,13800138000,Li Naa,2024-03-01\n4,13800138000,,someday\n")
        let result = try runner.run(["identity", "--config", "identity.yaml", "--out", "ids.csv", "--profiles", "profiles.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        // li naa ~ li na (Jaro-Winkler 0.978) joins record 1; wang wei (0.547) is refused; the
        // nameless record 4 joins the first named record.
        #expect(Array(result.stderr.split(separator: "\n").map(String.init).dropLast()) == [
            "identity: 4 records from 1 source → 2 customers (sequential keys; hub guard 50)",
            "  crm: 4 records (crm.csv)",
            "merges by key: phone 2, email 0, member_id 0, record_id 0",
            "unconfirmed: phone 1 (key shared, names not similar enough; not joined)",
            "hub keys dropped: none",
            "malformed keys (not matched):",
            "  crm updated: 1 (first at crm.csv:5; counted as oldest)",
            "birthday conflicts: none",
        ])
        #expect(try runner.read("ids.csv") == "source,record_id,customer_key\ncrm,1,C00000001\ncrm,2,C00000002\ncrm,3,C00000001\ncrm,4,C00000001\n")
        // Record 3 (March) is the latest with a name: li naa, where most_frequent would tie to li na.
        #expect(try runner.read("profiles.csv") == """
            customer_key,records,sources,phone,email,member_id,full_name,birthday,birthday_conflict
            C00000001,3,crm,+8613800138000,,,li naa,,
            C00000002,1,crm,+8613800138000,,,wang wei,,

            """)
    }
}
