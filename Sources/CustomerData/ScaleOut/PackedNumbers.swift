import Foundation
import Synchronization

/// Long arrays of numbers in the JSON the scale-out steps exchange, as one base64 string of
/// their little-endian 8-byte images: exact (every bit of a double, -0 and NaN included), and
/// far quicker to write and read than decimals. A sample round sends 100,000 rows of 16
/// doubles; a quantile round thousands of counts per column.
public enum PackedNumbers {
    public static func string(_ values: [Double]) -> String { pack(values) }

    public static func string(_ values: [Int]) -> String { pack(values) }

    /// The doubles `text` holds; nil when it is not base64 of a whole number of doubles.
    public static func doubles(_ text: String) -> [Double]? { unpack(text, as: Double.self) }

    /// The integers `text` holds; nil when it is not base64 of a whole number of 8-byte integers.
    public static func integers(_ text: String) -> [Int]? { unpack(text, as: Int.self) }

    // The bytes of the array as they are on a little-endian host (every host Swift targets
    // here); swapped on a big-endian one.
    private static func pack<Number: PackedNumber>(_ values: [Number]) -> String {
        #if _endian(little)
        return values.withUnsafeBytes { Data($0) }.base64EncodedString()
        #else
        return values.map { $0.swapped }.withUnsafeBytes { Data($0) }.base64EncodedString()
        #endif
    }

    private static func unpack<Number: PackedNumber>(_ text: String, as: Number.Type) -> [Number]? {
        guard let data = Data(base64Encoded: text), data.count % 8 == 0 else { return nil }
        var values = [Number](repeating: .zero, count: data.count / 8)
        _ = values.withUnsafeMutableBytes { data.copyBytes(to: $0) }
        #if _endian(little)
        return values
        #else
        return values.map { $0.swapped }
        #endif
    }
}

/// The 8-byte numbers `PackedNumbers` packs (Int is 8 bytes on the 64-bit hosts persona builds for).
protocol PackedNumber {
    static var zero: Self { get }
    var swapped: Self { get }
}

extension Int: PackedNumber {
    var swapped: Int { byteSwapped }
}

extension Double: PackedNumber {
    var swapped: Double { Double(bitPattern: bitPattern.byteSwapped) }
}

extension KeyedEncodingContainer {
    /// `values` packed (`PackedNumbers`); nothing when nil.
    public mutating func encodePacked(_ values: [Double]?, forKey key: Key) throws {
        if let values { try encodePacked(PackedNumbers.string(values), forKey: key) }
    }

    public mutating func encodePacked(_ values: [Int]?, forKey key: Key) throws {
        if let values { try encodePacked(PackedNumbers.string(values), forKey: key) }
    }

    /// The packed text, or under `PackedNumbers.encoded` a short stand-in for it.
    private mutating func encodePacked(_ text: String, forKey key: Key) throws {
        let nested = superEncoder(forKey: key)
        var container = nested.singleValueContainer()
        try container.encode(PackedText.standIn(for: text, in: nested.userInfo))
    }
}

extension PackedNumbers {
    /// `value` as `encoder` writes it, with every packed string put in after the encoder has
    /// run rather than passed through it: the encoder looks at each character of a string for
    /// escapes, and did so at about 200 MB/s, a tenth of a sample round's time; base64 has
    /// nothing to escape. The bytes are the encoder's own for the same value, provided it
    /// does not escape '/' (`.withoutEscapingSlashes`). The encoder's `userInfo` holds the
    /// strings during the call (an encoder is not for two threads at once).
    public static func encoded<T: Encodable>(_ value: T, by encoder: JSONEncoder) throws -> [UInt8] {
        let texts = PackedText()
        encoder.userInfo[PackedText.key] = texts
        let json = Result { try encoder.encode(value) }
        encoder.userInfo[PackedText.key] = nil
        if let filled = texts.filled(in: try json.get()) { return filled }
        // (Not every stand-in found once: cannot happen, as only this call knows its nonce;
        // the encoder's own bytes rather than a wrong document.)
        return Array(try encoder.encode(value))
    }
}

/// The packed strings of one `PackedNumbers.encoded` call, each written into the JSON as a
/// stand-in: a control character (which the encoder writes as `\u0001`), a nonce drawn for the
/// call, and the string's number, which `filled(in:)` replaces with the string itself. A
/// string of the value's own can only stand for one by holding the nonce.
final class PackedText: Sendable {
    static let key: CodingUserInfoKey = {
        // `init?(rawValue:)` accepts every string, so the nil branch is never taken.
        guard let key = CodingUserInfoKey(rawValue: "persona.packedText") else { preconditionFailure("CodingUserInfoKey refused a string") }
        return key
    }()

    private let nonce = String(UInt64.random(in: .min ... .max), radix: 16)
    private let texts = Mutex<[[UInt8]]>([])

    /// What to write for `text`: the stand-in when the encoder's `userInfo` holds a
    /// `PackedText`, else `text`.
    static func standIn(for text: String, in userInfo: [CodingUserInfoKey: Any]) -> String {
        guard let packed = userInfo[key] as? PackedText else { return text }
        let number = packed.texts.withLock { texts in
            texts.append(Array(text.utf8))
            return texts.count - 1
        }
        return "\u{1}" + packed.nonce + "-" + String(number)
    }

    /// `json` with each stand-in, quotes kept, replaced by its string; nil unless every
    /// string's stand-in was found, once.
    func filled(in json: Data) -> [UInt8]? {
        let texts = self.texts.withLock { $0 }
        guard !texts.isEmpty else { return Array(json) }
        let prefix = Array(("\\u0001" + nonce + "-").utf8)
        var out = [UInt8]()
        out.reserveCapacity(json.count + texts.reduce(0) { $0 + $1.count })
        var replaced = 0
        var used = [Bool](repeating: false, count: texts.count)
        json.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var start = 0
            while let at = Self.find(prefix, in: bytes, from: start) {
                var end = at + prefix.count, number = 0
                while end < bytes.count, end - at - prefix.count < 19, bytes[end] >= 0x30, bytes[end] <= 0x39 {
                    number = number * 10 + Int(bytes[end] - 0x30)
                    end += 1
                }
                // (Keys sorted, the encoder writes the strings in another order than it met them.)
                guard end > at + prefix.count, end < bytes.count, bytes[end] == 0x22, number < texts.count, !used[number] else { return }
                out += UnsafeRawBufferPointer(rebasing: bytes[start..<at])
                out += texts[number]
                used[number] = true
                replaced += 1
                start = end
            }
            out += UnsafeRawBufferPointer(rebasing: bytes[start...])
        }
        return replaced == texts.count ? out : nil
    }

    /// Where `prefix` next occurs in `bytes` at or after `from` (memchr for its first byte).
    private static func find(_ prefix: [UInt8], in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard let base = bytes.baseAddress, let first = prefix.first else { return nil }
        var start = from
        while bytes.count - start >= prefix.count,
              let hit = memchr(base + start, Int32(first), bytes.count - start - prefix.count + 1) {
            let at = UnsafeRawPointer(hit) - base
            if memcmp(base + at, prefix, prefix.count) == 0 { return at }
            start = at + 1
        }
        return nil
    }
}

extension KeyedDecodingContainer {
    /// Doubles `encodePacked` wrote; nil when the key is absent.
    /// - Throws: `DecodingError.dataCorrupted` when the value is not packed doubles.
    public func decodePackedDoubles(forKey key: Key) throws -> [Double]? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let values = PackedNumbers.doubles(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not doubles in base64")
        }
        return values
    }

    /// Integers `encodePacked` wrote; nil when the key is absent.
    /// - Throws: `DecodingError.dataCorrupted` when the value is not packed integers.
    public func decodePackedIntegers(forKey key: Key) throws -> [Int]? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let values = PackedNumbers.integers(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not 8-byte integers in base64")
        }
        return values
    }
}

/// An optional list of integers that synthesized `Codable` writes packed (`PackedNumbers`),
/// or as null.
@propertyWrapper
public struct PackedIntegers: Codable, Sendable, Equatable {
    public var wrappedValue: [Int]?

    public init(wrappedValue: [Int]?) { self.wrappedValue = wrappedValue }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard !container.decodeNil() else { wrappedValue = nil; return }
        guard let values = PackedNumbers.integers(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not 8-byte integers in base64")
        }
        wrappedValue = values
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(PackedText.standIn(for: PackedNumbers.string(wrappedValue), in: encoder.userInfo))
        } else {
            try container.encodeNil()
        }
    }
}

extension KeyedDecodingContainer {
    /// An absent key is an absent list.
    public func decode(_ type: PackedIntegers.Type, forKey key: Key) throws -> PackedIntegers {
        try decodeIfPresent(type, forKey: key) ?? PackedIntegers(wrappedValue: nil)
    }
}
