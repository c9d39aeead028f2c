import Foundation
import Testing
@testable import CustomerData

/// Two systems whose record ids collide: the shop's record 17 and the till's record 17 are
/// different people; the shop's 18 and the till's T9 are one.
let handIdentities = """
    source,record_id,customer_key
    shop,17,C1
    shop,18,C2
    till,17,C3
    till,T9,C2

    """

@Suite("Identities files and the record-id trimming they share with persona identity")
struct CustomerKeyMapTests {
    @Test("identities files: missing columns, blank values and a record with two keys, by file, line and column", arguments: [
        ("source,record_id,key\nshop,1,C1\n",
         CustomerDataError.identitiesColumnMissing(file: "ids.csv", name: "customer_key", available: ["source", "record_id", "key"])),
        ("customer_key,source,record_id\nC1,shop,1\nC2,shop, \n",
         .identitiesBlank(file: "ids.csv", line: 3, column: 3, name: "record_id")),
        ("source,record_id,customer_key\nshop,1,C1\nshop,2,C2\nshop, 1,C3\n",
         .identitiesConflict(file: "ids.csv", line: 4, column: 3, name: "customer_key", value: "C3", source: "shop", recordID: "1", firstKey: "C1")),
    ])
    func identitiesErrors(text: String, error: CustomerDataError) throws {
        let path = try temporaryFile("ids.csv", text)
        #expect(throws: error) { try CustomerKeyMap.read(path: path) }
    }

    @Test("an identities file: sources in order of first appearance, a repeated row is one record")
    func keyMapRead() throws {
        let keys = try CustomerKeyMap.read(path: try temporaryFile("ids.csv", handIdentities + "till,T9,C2\n"))
        #expect(keys.sources == ["shop", "till"])
        #expect(keys.recordsPerSource == [2, 2])
        #expect(keys.customerCount == 3)
    }

    @Test("the byte trimming of ASCII ids is Foundation's whitespacesAndNewlines, for every ASCII byte")
    func asciiTrimming() {
        for byte in UInt8(0)..<0x80 {
            let text = String(UnicodeScalar(byte)) + "a" + String(UnicodeScalar(byte))
            let bytes = Array(text.utf8)
            let trimmed = bytes.withUnsafeBufferPointer { raw in IdentifierText.withTrimmed(raw) { String(decoding: $0, as: UTF8.self) } }
            #expect(trimmed == text.trimmingCharacters(in: .whitespacesAndNewlines), "byte \(byte)")
            #expect(trimmed == IdentifierText.trimmed(text), "byte \(byte)")
        }
    }
}
