import CustomerData

/// The per-customer lists the store keeps as BLOBs: (Int32, Float64) pairs, little-endian,
/// 12 bytes each — purchase days with their spend, or category codes with their spend.
enum SpendBlobs {
    static let pairBytes = 12

    static func encode(_ pairs: [(Int32, Double)]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: pairs.count * pairBytes)
        bytes.withUnsafeMutableBytes { p in
            for (i, (key, value)) in pairs.enumerated() {
                p.storeBytes(of: key.littleEndian, toByteOffset: i * pairBytes, as: Int32.self)
                p.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * pairBytes + 4, as: UInt64.self)
            }
        }
        return bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> [(Int32, Double)] {
        (0..<bytes.count / pairBytes).map { i in
            (Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * pairBytes, as: Int32.self)),
             Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * pairBytes + 4, as: UInt64.self))))
        }
    }

    static func days(_ bytes: UnsafeRawBufferPointer) -> [CustomerAggregates.DaySpend] {
        decode(bytes).map { CustomerAggregates.DaySpend(day: $0.0, spend: $0.1) }
    }

    static func categories(_ bytes: UnsafeRawBufferPointer) -> [CustomerAggregates.CategorySpend] {
        decode(bytes).map { CustomerAggregates.CategorySpend(category: $0.0, spend: $0.1) }
    }
}
