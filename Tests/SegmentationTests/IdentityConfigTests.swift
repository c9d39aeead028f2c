import Foundation
import Testing
@testable import Segmentation

@Suite("Identity config errors")
struct IdentityConfigTests {
    func message(_ files: [String: String]) throws -> (String, String) {
        let folder = try identityFolder(files)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            _ = try resolve(folder)
            return ("no error", folder)
        } catch {
            return ("\(error)", folder)
        }
    }

    @Test("a column the file does not have is named at its config line, with the file's columns")
    func unknownColumn() throws {
        let (text, _) = try message([
            "identity.yaml": "sources:\n  - name: crm\n    file: crm.csv\n    id: id\n    phone: mobil\n",
            "crm.csv": "id,mobile\n1,13800138000\n",
        ])
        #expect(text == "identity.yaml:5:5: source 'crm': phone column 'mobil' is not in crm.csv; its columns are: 'id', 'mobile'")
    }

    @Test("a missing source file is named with the path it was looked for at")
    func missingFile() throws {
        let (text, folder) = try message(["identity.yaml": "sources:\n  - name: crm\n    file: nope.csv\n    id: id\n    email: mail\n"])
        #expect(text == "identity.yaml:3:5: source 'crm': no file at \(folder)/nope.csv (files are relative to the config's folder)")
    }

    @Test("an unknown key gets a did-you-mean and the known keys")
    func badKey() throws {
        let (top, _) = try message(["identity.yaml": "sources:\n  - {name: a, file: a.csv, id: id, phone: p}\nhub_gaurd: 5\n"])
        #expect(top == "identity.yaml:3:1: unknown key 'hub_gaurd' (did you mean 'hub_guard'?); known keys are confirm, hub_guard, member_id, priority, sources, survivorship")
        let (inSource, _) = try message(["identity.yaml": "sources:\n  - {name: a, file: a.csv, id: id, emial: e}\n"])
        #expect(inSource == "identity.yaml:2:36: unknown key 'sources[0].emial' (did you mean 'email'?); known keys in sources[0] are birthday, country, email, file, full_name, id, member_id, name, phone, updated")
    }

    @Test("settings checked before any file is read")
    func settings() throws {
        let (guardText, _) = try message(["identity.yaml": "sources:\n  - {name: a, file: a.csv, id: id, phone: p}\nhub_guard: 0\n"])
        #expect(guardText == "identity.yaml:3:1: hub_guard must be a whole number >= 1; got 0")
        let (country, _) = try message(["identity.yaml": "sources:\n  - {name: a, file: a.csv, id: id, phone: p, country: XX}\n"])
        #expect(country == "identity.yaml:2:46: source 'a': country 'XX' has no phone rules; use one of AU, CA, CN, DE, FR, GB, HK, JP, SG, UK, US")
        let (noKey, _) = try message(["identity.yaml": "sources:\n  - {name: a, file: a.csv, id: id, full_name: n}\n"])
        #expect(noKey == "identity.yaml:2:5: source 'a' names no key column: give phone, email or member_id")
        let (zeros, _) = try message(["identity.yaml": "sources:\n  - {name: a, file: a.csv, id: id, phone: p}\nmember_id: {leading_zeros: drop}\n"])
        #expect(zeros == "identity.yaml:3:13: member_id.leading_zeros must be keep or strip; got drop")
    }

    @Test("survivorship, priority and confirm are checked at their config line and column")
    func rules() throws {
        let head = "sources:\n  - {name: a, file: a.csv, id: id, phone: p}\n"
        let cases: [(String, String)] = [
            ("survivorship: {phone: latest}\n",
             "identity.yaml:3:16: survivorship.phone must be most_frequent, most_recent or source_priority; got latest"),
            ("survivorship: {phon: most_recent}\n",
             "identity.yaml:3:16: unknown key 'survivorship.phon' (did you mean 'phone'?); known keys in survivorship are birthday, email, full_name, member_id, phone"),
            ("survivorship: {email: source_priority, phone: most_recent}\n",
             "identity.yaml:3:40: survivorship.phone is most_recent, but no source names an 'updated' column; add updated: COLUMN to the sources that record when a row last changed"),
            ("priority: [a, web]\n", "identity.yaml:3:15: priority names 'web', which is not a source; sources are a"),
            ("priority: [a, a]\n", "identity.yaml:3:15: priority lists 'a' twice; list each source once"),
            ("confirm: {phone: {name_similarity: 1.5}}\n", "identity.yaml:3:19: confirm.phone.name_similarity must be a number in (0, 1]; got 1.5"),
            ("confirm: {phone: {similarity: 0.8}}\n",
             "identity.yaml:3:19: unknown key 'confirm.phone.similarity'; known keys in confirm.phone are name_similarity"),
            ("confirm: {email: {}}\n", "identity.yaml:3:11: 'confirm.email.name_similarity' is missing"),
            ("confirm: {full_name: {name_similarity: 0.8}}\n",
             "identity.yaml:3:11: unknown key 'confirm.full_name'; known keys in confirm are email, member_id, phone"),
            ("confirm: {phone: {name_similarity: 0.8}}\n", "identity.yaml:3:11: confirm.phone compares names, but no source names a full_name column"),
        ]
        for (settings, expected) in cases {
            let (text, _) = try message(["identity.yaml": head + settings])
            #expect(text == expected, "\(settings)")
        }
    }

    @Test("a source's updated column must be in its file, named at its config line")
    func updatedColumn() throws {
        let (text, _) = try message([
            "identity.yaml": "sources:\n  - {name: crm, file: crm.csv, id: id, phone: tel, updated: changed}\nsurvivorship: {phone: most_recent}\n",
            "crm.csv": "id,tel,last_change\n1,13800138000,2024-01-01\n",
        ])
        #expect(text == "identity.yaml:2:52: source 'crm': updated column 'changed' is not in crm.csv; its columns are: 'id', 'tel', 'last_change'")
    }
}
