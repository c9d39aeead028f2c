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
        let result = try runner.run(["identity", "--config", "identity.yaml", "--out", "ids.csv", "--profiles", "profiles.csv",
                                     "--report", "r.html"])
        #expect(result.status == 0, "\(result.stderr)")
        let numbers = try Self.numbers(try runner.read("r.html"))
        #expect(numbers["unconfirmed.phone"] == 1 && numbers["malformed.crm.updated"] == 1 && numbers["merges.phone"] == 2)
        #expect(try runner.read("r.html").contains("<td>confirmation: phone</td><td>name similarity ≥ 0.8</td>"))
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

    /// The `data-key` → `data-value` pairs of a report, where it writes its numbers.
    static func numbers(_ html: String) throws -> [String: Double] {
        let pair = try NSRegularExpression(pattern: "data-key=\"([^\"]*)\" data-value=\"([^\"]*)\"")
        var numbers = [String: Double]()
        for match in pair.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            guard let key = Range(match.range(at: 1), in: html), let value = Range(match.range(at: 2), in: html) else { continue }
            numbers[String(html[key])] = Double(html[value])
        }
        return numbers
    }

    @Test("--report: records per source, merges, sizes, overlap, hub keys, malformed values, as worked out by hand")
    func report() throws {
        let runner = try setUp()
        defer { runner.cleanUp() }
        let result = try runner.run(["identity", "--config", "identity.yaml", "--out", "ids.csv", "--report", "identity.html"])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try runner.read("identity.html")
        // Customers: {crm 1, T1} by phone, {T2, T5} by card 5, and crm 2, crm 3, T3, T4 alone
        // (the store phone is a hub; crm 3's phone and e-mail are malformed).
        #expect(try Self.numbers(html) == [
            "records": 8, "customers": 6, "customers_in_several_sources": 1, "hub_keys": 1, "malformed": 2,
            "records.crm": 3, "records.till": 5, "customers.crm": 3, "customers.till": 4,
            "merges.phone": 1, "merges.email": 0, "merges.member_id": 1, "merges.record_id": 0,
            "customers_by_size.1": 4, "customers_by_size.2": 2, "customers_by_size.3": 0, "customers_by_size.4": 0, "customers_by_size.5+": 0,
            "overlap.crm.crm": 3, "overlap.crm.till": 1, "overlap.till.crm": 1, "overlap.till.till": 4,
            "malformed.crm.phone": 1, "malformed.crm.email": 1,
        ])
        #expect(html.contains("<td>phone</td><td>+862155550000</td><td class=\"n\">3</td><td class=\"n\">3</td>"))
        #expect(html.contains("<td>crm.csv:4</td>"))
        #expect(html.contains("No confirmation rules: records sharing a key are joined whatever their names."))
        #expect(html.contains("<td>hub guard</td><td>a key value shared by more than 2 different identities is not used</td>"))
        #expect(html.contains("<td>source crm</td><td>crm.csv · id: id · phone: mobile · email: email · birthday: dob · country: CN</td>"))
        #expect(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").range(of: "http") == nil)
        #expect(result.stderr.hasSuffix("wrote ids.csv, identity.html in " + (result.stderr.components(separatedBy: " in ").last ?? "")))
    }

    @Test("--report with a hash key holds no phone, e-mail or birthday: hub keys masked, conflicts only counted")
    func pseudonymousReport() throws {
        let runner = try setUp()
        defer { runner.cleanUp() }
        // Customer 1 again (same phone and e-mail, so no new identity for the hub guard), another birthday.
        try runner.write("crm.csv", Self.crm + "4,+86 138 0013 8000,a@x.com,1991-02-02\n")
        let plain = try runner.run(["identity", "--config", "identity.yaml", "--out", "ids.csv", "--report", "plain.html"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(try runner.read("plain.html").contains("<tr><td>C00000001</td><td>1990-05-17 vs 1991-02-02</td></tr>"))
        let result = try runner.run(["identity", "--config", "identity.yaml", "--out", "ids.csv", "--report", "identity.html",
                                     "--hash-key", "0123456789abcdef0123"])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try runner.read("identity.html")
        #expect(html.contains("<td>phone</td><td>+862*******00</td>"))
        #expect(html.contains("1 customers have records with different birthdays"))
        #expect(html.contains("Not listed: customer keys are pseudonymous, and birthdays are personal data."))
        for secret in ["2155550000", "13800138000", "a@x.com", "b@x.com", "1990-05-17", "1991-02-02"] {
            #expect(!html.contains(secret), "\(secret) leaked")
        }
        #expect(try Self.numbers(html)["customers"] == 6)
    }

    @Test("--report must differ from --out, --profiles and --config; --lang needs --report")
    func reportPaths() throws {
        let runner = try setUp()
        defer { runner.cleanUp() }
        let base = ["identity", "--config", "identity.yaml", "--out", "ids.csv"]
        let cases: [([String], String)] = [
            (["--report", "ids.csv"], "--out and --report name the same file: ids.csv"),
            (["--profiles", "p.csv", "--report", "p.csv"], "--profiles and --report name the same file: p.csv"),
            (["--report", "identity.yaml"], "--report would overwrite --config, which is read: identity.yaml"),
            (["--lang", "zh"], "--lang only changes the report: add --report"),
            (["--report", "r.html", "--lang", "fr"], "--lang must be en or zh; got 'fr'"),
        ]
        let before = runner.files
        for (extra, message) in cases {
            let result = try runner.run(base + extra)
            #expect(result.status == 64, "\(extra)")
            #expect(result.stderr.hasPrefix("Error: \(message)\n"), "\(result.stderr)")
            #expect(runner.files == before)
        }
    }

    @Test("--lang zh: the report's labels in Chinese, the same numbers")
    func chineseReport() throws {
        let runner = try setUp()
        defer { runner.cleanUp() }
        let result = try runner.run(["identity", "--config", "identity.yaml", "--out", "ids.csv", "--report", "r.html", "--lang", "zh"])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try runner.read("r.html")
        #expect(html.contains("<html lang=\"zh-CN\">"))
        #expect(html.contains("<h2>来源重叠</h2>"))
        #expect(try Self.numbers(html)["overlap.crm.till"] == 1)
    }
}
