import Testing
@testable import Segmentation

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func unhex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8).map { $0 <= UInt8(ascii: "9") ? $0 - UInt8(ascii: "0") : $0 - UInt8(ascii: "a") + 10 }
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

@Suite("Keyed hashing of ids")
struct KeyedHashTests {
    /// RFC 4231 section 4: key, data, HMAC-SHA-256 (test case 5, truncated output, is left out).
    static let vectors: [(key: [UInt8], data: [UInt8], mac: String)] = [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test("HMAC-SHA-256 (RFC 4231 test cases 1, 2, 3, 4, 6 and 7)")
    func hmac() {
        for vector in Self.vectors {
            #expect(hex(KeyedHash.mac(vector.data, key: vector.key)) == vector.mac)
        }
    }

    @Test("Keys of 16 bytes or more hash as the RFC says; the pseudonym is the MAC's first 16 bytes in hex")
    func publicInterface() throws {
        for vector in Self.vectors where vector.key.count >= KeyedHash.minimumKeyBytes {
            #expect(hex(try KeyedHash(key: vector.key).mac(vector.data)) == vector.mac)
        }
        let first = Self.vectors[0]
        let id = String(decoding: first.data, as: UTF8.self)
        #expect(try KeyedHash(key: first.key).pseudonym(id) == String(first.mac.prefix(32)))
    }

    @Test("A key under 16 bytes is refused, saying why and how to make one")
    func shortKey() {
        #expect(throws: KeyedHashError.keyTooShort(bytes: 4, minimum: 16)) { try KeyedHash(key: Array("Jefe".utf8)) }
        #expect(throws: KeyedHashError.keyTooShort(bytes: 15, minimum: 16)) { try KeyedHash(key: [UInt8](repeating: 1, count: 15)) }
        #expect(KeyedHashError.keyTooShort(bytes: 2, minimum: 16).description
                == "the key for pseudonymous ids is 2 bytes long; it needs at least 16 (a short key can be guessed, and with it every pseudonym turned back into its id). Make a random one with: openssl rand -hex 16 — and keep it: the same key gives the same pseudonyms")
    }
}
