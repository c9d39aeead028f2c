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
        #expect(top == "identity.yaml:3:1: unknown key 'hub_gaurd' (did you mean 'hub_guard'?); known keys are hub_guard, member_id, sources")
        let (inSource, _) = try message(["identity.yaml": "sources:\n  - {name: a, file: a.csv, id: id, emial: e}\n"])
        #expect(inSource == "identity.yaml:2:36: unknown key 'sources[0].emial' (did you mean 'email'?); known keys in sources[0] are birthday, country, email, file, full_name, id, member_id, name, phone")
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
}
