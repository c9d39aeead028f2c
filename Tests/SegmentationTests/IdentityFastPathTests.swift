import Foundation
import SyntheticData
import Testing
@testable import Segmentation

/// `persona identity` normalises CSV fields on their bytes (ASCII, and full-width forms folded
/// to ASCII); the `String` normalisers define the rules. These tests hold the two together.
@Suite("Identity key normalisers on bytes")
struct IdentityFastPathTests {
    /// The byte path's answer for `text` in the `String` normalisers' terms: nil for blank,
    /// "" for malformed, else the value.
    static func bytePath(_ field: IdentityField, _ text: String, zeros: IdentityKeys.LeadingZeros = .strip) -> String? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { raw in
            let raw = UnsafeBufferPointer(raw)
            if field == .phone {
                if let number = PhoneNumber.number(raw, home: 86) { return "+" + String(number) }
                return IdentityKeys.trimmed(text).isEmpty ? nil : ""
            }
            var out = [UInt8](), date: Int32 = 0
            switch IdentityKeys.normalise(field, raw, leadingZeros: zeros, into: &out, date: &date) {
            case .blank: return nil
            case .malformed: return ""
            case .value: return field == .birthday ? IdentityKeys.birthdayText(date) : String(decoding: out, as: UTF8.self)
            }
        }
    }

    /// The `String` normalisers' answer in the same terms.
    static func stringPath(_ field: IdentityField, _ text: String, zeros: IdentityKeys.LeadingZeros = .strip) -> String? {
        guard !IdentityKeys.trimmed(text).isEmpty else { return nil }
        switch field {
        case .phone: return PhoneNumber.e164(text, country: "CN") ?? ""
        case .email: return IdentityKeys.email(text) ?? ""
        case .memberID: return IdentityKeys.memberID(text, leadingZeros: zeros) ?? ""
        case .fullName: return IdentityKeys.name(text)
        case .birthday: return IdentityKeys.birthday(text) ?? ""
        }
    }

    @Test("NFKC of every full-width form and the ideographic space is what the byte fold gives")
    func widthFold() throws {
        for scalar in [0x3000] + Array(0xFF01...0xFF5E) {
            let text = String(Character(try #require(Unicode.Scalar(scalar))))
            let folded = Array(text.utf8).withUnsafeBufferPointer { IdentityKeys.widthFolded($0) }
            #expect(folded == Array(text.precomposedStringWithCompatibilityMapping.utf8), "U+\(String(scalar, radix: 16))")
        }
        // Other non-ASCII text is left to Foundation.
        for text in ["李娜", "é", "\u{FF5F}", "\u{FF00}", "\u{3001}"] {
            #expect(Array(text.utf8).withUnsafeBufferPointer { IdentityKeys.widthFolded($0) } == nil, "\(text)")
        }
    }

    @Test("Every ASCII byte, alone and around a value, is read alike on both paths")
    func everyASCIIByte() {
        let values: [IdentityField: String] = [.phone: "13800138000", .email: "Li.Na@Example.com", .memberID: "00a12",
                                               .fullName: "Li  NA", .birthday: "1990-5-17"]
        for b in 0..<128 {
            let c = String(UnicodeScalar(UInt8(b)))
            for (field, value) in values {
                for text in [c, c + value, value + c, String(value.prefix(3)) + c + String(value.dropFirst(3)), c + c] {
                    #expect(Self.bytePath(field, text) == Self.stringPath(field, text), "\(field) \(text.debugDescription)")
                }
            }
        }
    }

    @Test("Random keys from a hostile alphabet are read alike on both paths")
    func randomKeys() {
        // Formatting, extension marks, full-width digits and letters, Unicode spaces and dashes, CJK.
        let alphabet = Array("0123456789+-.()/ \t xX#eE@aZz_,;wp转分０１２３８＋－ＡＺａｚ\u{3000}\u{A0}\u{2013}\u{2212}李é\u{301}")
        var rng = SeededGenerator(seed: 29, stream: 3)
        for _ in 0..<20_000 {
            let length = rng.integer(below: 16)
            let text = String((0..<length).map { _ in alphabet[rng.integer(below: alphabet.count)] })
            for field in IdentityField.allCases {
                #expect(Self.bytePath(field, text) == Self.stringPath(field, text), "\(field) \(text.debugDescription)")
            }
        }
        // Realistic keys, so that the comparison covers values and not only rejections.
        for text in ["+86 138 0013 8000", "１３８-0013-8000 转 12", "０１０－６２５５５５５５", " Li.Na@QQ.com ", "ＬＩ　ＮＡ", "ｌｅｉ　ｌｉｕ",
                     "  Wei   Wang ", "１９９０／０５／１７", "19900517", "+1990-+5-17", "1990--05-17", "ＭＢ００１２", "0000"] {
            for field in IdentityField.allCases {
                #expect(Self.bytePath(field, text) == Self.stringPath(field, text), "\(field) \(text.debugDescription)")
            }
            #expect(Self.bytePath(.memberID, text, zeros: .keep) == Self.stringPath(.memberID, text, zeros: .keep))
        }
    }
}

@Suite("Identity resolution does not depend on the thread count")
struct IdentityThreadTests {
    @Test("one thread and two give the same IDENTITIES.csv and PROFILES.csv, in input order")
    func threads() throws {
        let population = try IdentityPopulation(people: 2_000, seed: 31)
        let folder = try identityFolder([:])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in population.files { try Data(file.bytes).write(to: URL(fileURLWithPath: folder + "/" + file.name)) }
        let config = try IdentityConfig.read(path: folder + "/identity.yaml")
        let outputs = try [1, 2, 3].map { threads in
            let resolution = IdentityResolution(records: try IdentityRecords.read(config, threads: threads), hash: nil)
            return (resolution.identitiesCSV(), resolution.profiles(threads: threads).csv(threads: threads))
        }
        #expect(outputs[0].0.count > 100_000)
        for other in outputs.dropFirst() {
            #expect(other.0 == outputs[0].0)
            #expect(other.1 == outputs[0].1)
        }
        // Records stay in source then file order whatever order the sources were read in.
        let lines = String(decoding: outputs[0].0, as: UTF8.self).split(separator: "\n").dropFirst()
        #expect(lines.first?.hasPrefix("crm,CRM1,") == true)
        #expect(lines.last?.hasPrefix("till,T") == true)
    }
}
