import Foundation
import Testing
@testable import Segmentation

@Suite("Identity name confirmation")
struct IdentityConfirmationTests {
    @Test("Jaro-Winkler against the textbook values (Winkler 1990; prefix scale 0.1, at most 4)")
    func textbook() {
        // MARTHA/MARHTA: m = 6, t = 1, jaro = 17/18, prefix 3.
        #expect(abs(JaroWinkler.similarity("MARTHA", "MARHTA") - (17.0 / 18 + 0.3 / 18)) < 1e-12)
        // DWAYNE/DUANE: m = 4, t = 0, jaro = 37/45, prefix 1.
        #expect(abs(JaroWinkler.similarity("DWAYNE", "DUANE") - (37.0 / 45 + 0.1 * 8 / 45)) < 1e-12)
        // DIXON/DICKSONX: m = 4 (the X is out of the window), t = 0, jaro = 23/30, prefix 2.
        #expect(abs(JaroWinkler.similarity("DIXON", "DICKSONX") - (23.0 / 30 + 0.2 * 7 / 30)) < 1e-12)
        for (a, b, rounded) in [("MARTHA", "MARHTA", 0.9611), ("DWAYNE", "DUANE", 0.84), ("DIXON", "DICKSONX", 0.8133)] {
            #expect((JaroWinkler.similarity(a, b) * 10_000).rounded() / 10_000 == rounded)
            #expect(JaroWinkler.similarity(a, b) == JaroWinkler.similarity(b, a))
        }
    }

    @Test("Jaro-Winkler edge cases: equal, disjoint, empty, no bonus below 0.7, a prefix longer than 4, CJK scalars")
    func edges() {
        #expect(JaroWinkler.similarity("li na", "li na") == 1)
        #expect(JaroWinkler.similarity("abc", "xyz") == 0)
        #expect(JaroWinkler.similarity("", "") == 1)
        #expect(JaroWinkler.similarity("", "a") == 0)
        // abcd/abxy: m = 2, jaro = (1/2 + 1/2 + 1)/3 = 2/3 < 0.7, so the common prefix "ab" adds nothing.
        #expect(abs(JaroWinkler.similarity("abcd", "abxy") - 2.0 / 3) < 1e-12)
        // abcdefgh/abcdefgx: m = 7, jaro = (7/8 + 7/8 + 1)/3 = 11/12; the prefix counts 4, not 7.
        #expect(abs(JaroWinkler.similarity("abcdefgh", "abcdefgx") - (11.0 / 12 + 0.4 / 12)) < 1e-12)
        // 王小明/王晓明: three scalars each, window 0, m = 2, jaro = 7/9, prefix 1.
        #expect(abs(JaroWinkler.similarity("王小明", "王晓明") - (7.0 / 9 + 0.1 * 2 / 9)) < 1e-12)
    }

    static let family = "id,tel,name\n1,13800138000,Li Na\n2,13800138000,Wang Wei\n3,13800138000,LI  NAA\n4,13800138000,\n5,13800138000,wang wei\n"

    func resolution(_ settings: String, crm: String = family) throws -> IdentityResolution {
        let folder = try identityFolder([
            "identity.yaml": "sources:\n  - {name: crm, file: crm.csv, id: id, phone: tel, full_name: name}\n" + settings,
            "crm.csv": crm,
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try resolve(folder)
    }

    @Test("a family phone with two names: two customers with the rule, one without; a typo still joins")
    func familyPhone() throws {
        let confirmed = try resolution("confirm: {phone: {name_similarity: 0.8}}\n")
        // li na / li naa: jaro = (5/5 + 5/6 + 1)/3 = 0.944, prefix 4: 0.978 >= 0.8, joined.
        // wang wei / li na: jaro = (3/8 + 3/5 + 2/3)/3 = 0.547, refused; the nameless record 4 joins the first named, 1;
        // record 5 is wang wei again and joins record 2.
        #expect(confirmed.matching.customer == [0, 1, 0, 0, 1])
        #expect(confirmed.matching.unconfirmed == [.phone: 1])
        #expect(confirmed.matching.merges["phone"] == 3)
        let plain = try resolution("")
        #expect(plain.matching.customer == [0, 0, 0, 0, 0])
        #expect(plain.matching.unconfirmed.isEmpty)
        #expect(plain.matching.merges["phone"] == 4)
    }

    @Test("a threshold above the typo's similarity refuses it too; records without names all join")
    func threshold() throws {
        let strict = try resolution("confirm: {phone: {name_similarity: 0.99}}\n")
        #expect(strict.matching.customer == [0, 1, 2, 0, 1])
        #expect(strict.matching.unconfirmed == [.phone: 2])
        let nameless = try resolution("confirm: {phone: {name_similarity: 0.8}}\n", crm: "id,tel,name\n1,13800138000,\n2,13800138000,\n")
        #expect(nameless.matching.customer == [0, 0])
        #expect(nameless.matching.unconfirmed == [.phone: 0])
    }

    @Test("a hub key is left out before confirmation: its carriers are neither joined nor refused")
    func hubFirst() throws {
        let crm = "id,tel,name,card\n" + (1...4).map { "\($0),13800138000,person \($0),C\($0)" }.joined(separator: "\n") + "\n"
        let folder = try identityFolder([
            "identity.yaml": "sources:\n  - {name: crm, file: crm.csv, id: id, phone: tel, full_name: name, member_id: card}\nhub_guard: 3\n"
                + "confirm: {phone: {name_similarity: 0.8}}\n",
            "crm.csv": crm,
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let resolved = try resolve(folder)
        #expect(resolved.matching.hubs.count == 1)
        #expect(resolved.matching.customerCount == 4)
        #expect(resolved.matching.unconfirmed == [.phone: 0])
    }
}
