import Foundation

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
        if let values { try encode(PackedNumbers.string(values), forKey: key) }
    }

    public mutating func encodePacked(_ values: [Int]?, forKey key: Key) throws {
        if let values { try encode(PackedNumbers.string(values), forKey: key) }
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
        if let wrappedValue { try container.encode(PackedNumbers.string(wrappedValue)) } else { try container.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// An absent key is an absent list.
    public func decode(_ type: PackedIntegers.Type, forKey key: Key) throws -> PackedIntegers {
        try decodeIfPresent(type, forKey: key) ?? PackedIntegers(wrappedValue: nil)
    }
}
