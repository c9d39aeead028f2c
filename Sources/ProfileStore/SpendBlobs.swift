import CustomerData

/// The per-customer lists the store keeps as BLOBs: (Int32, Float64) pairs, little-endian,
/// 12 bytes each — purchase days with their spend, or category codes with their spend.
enum SpendBlobs {
    static let pairBytes = 12

    static func append(_ key: Int32, _ value: Double, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: key.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func forEach(_ bytes: UnsafeRawBufferPointer, _ body: (Int32, Double) -> Void) {
        for i in 0..<bytes.count / pairBytes {
            body(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * pairBytes, as: Int32.self)),
                 Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * pairBytes + 4, as: UInt64.self))))
        }
    }
}
