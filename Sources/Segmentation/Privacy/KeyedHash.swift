import Crypto

/// HMAC-SHA-256 (RFC 2104, RFC 4231), for replacing customer ids by keyed pseudonyms: the same
/// id and key always give the same pseudonym, so segments can be joined back inside the CRM,
/// while without the key the ids cannot be recovered or checked. The MAC itself is
/// swift-crypto's (BoringSSL on Linux, CryptoKit on Apple platforms); checked against the
/// RFC 4231 test vectors.
public struct KeyedHash: Sendable {
    /// Keys shorter than this are refused: HMAC is only as strong as its key, and a short or
    /// guessable key lets anyone holding the output try every candidate id (16 bytes = 128 bits,
    /// NIST SP 800-107's minimum security strength for HMAC keys is 112 bits).
    public static let minimumKeyBytes = 16

    private let key: SymmetricKey

    /// - Throws: `KeyedHashError.keyTooShort` for a key under `minimumKeyBytes` bytes.
    public init(key: [UInt8]) throws(KeyedHashError) {
        guard key.count >= Self.minimumKeyBytes else {
            throw .keyTooShort(bytes: key.count, minimum: Self.minimumKeyBytes)
        }
        self.key = SymmetricKey(data: key)
    }

    /// The 32-byte HMAC-SHA-256 of `message`.
    public func mac(_ message: [UInt8]) -> [UInt8] {
        Self.mac(message, key: key)
    }

    /// HMAC-SHA-256 under any key, short ones included (for the RFC test vectors).
    static func mac(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        mac(message, key: SymmetricKey(data: key))
    }

    private static func mac(_ message: [UInt8], key: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    /// The pseudonym written in place of an id: the first 16 bytes of the MAC in hex.
    public func pseudonym(_ id: String) -> String {
        String(decoding: pseudonym(bytes: Array(id.utf8)), as: UTF8.self)
    }

    /// Characters in a pseudonym.
    public static let pseudonymLength = 32

    /// `pseudonym` of the id's UTF-8 bytes, as ASCII bytes.
    public func pseudonym(bytes id: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        Pseudonymizer(self).append(id, to: &out)
        return out
    }

    /// Makes many pseudonyms: the key's HMAC state is set up once and copied for each id,
    /// which halves the hashing of short ids. One per thread.
    public struct Pseudonymizer {
        private let keyed: HMAC<SHA256>
        private static let hex = Array("0123456789abcdef".utf8)

        public init(_ hash: KeyedHash) { keyed = HMAC<SHA256>(key: hash.key) }

        /// Appends the pseudonym of `id` (its bytes) to `out`.
        public func append<C: Collection>(_ id: C, to out: inout [UInt8]) where C.Element == UInt8 {
            var hmac = keyed
            hmac.update(data: Array(id))
            for byte in hmac.finalize().prefix(KeyedHash.pseudonymLength / 2) {
                out.append(Self.hex[Int(byte >> 4)])
                out.append(Self.hex[Int(byte & 15)])
            }
        }
    }
}

/// Why a pseudonym key was refused.
public enum KeyedHashError: Error, Equatable, Sendable, CustomStringConvertible {
    case keyTooShort(bytes: Int, minimum: Int)

    public var description: String {
        switch self {
        case let .keyTooShort(bytes, minimum):
            return "the key for pseudonymous ids is \(bytes) byte\(bytes == 1 ? "" : "s") long; it needs at least \(minimum) "
                + "(a short key can be guessed, and with it every pseudonym turned back into its id). "
                + "Make a random one with: openssl rand -hex \(minimum) — and keep it: the same key gives the same pseudonyms"
        }
    }
}
