import Crypto
import CustomerData
import Foundation
import NumericCore

/// One partition's encoded and scaled matrix, saved between the rounds of a scale-out run so
/// that the k-means rounds read doubles instead of parsing the partition's CSV again.
///
/// Layout (little-endian): the 8 bytes `PRSNMAT1`; the row and column counts as `UInt64`;
/// 32 bytes that identify what the matrix was made from (`Identity`: the fitted pipeline, the
/// input's name, the partition's index and row count); the SHA-256 of the payload; then the
/// payload, rows × columns `Double`s row by row. A file whose identity differs (another run's
/// features, another partition), that is cut short, or whose payload does not match its
/// checksum is never used: `read` throws `SegmentationError.matrixCache`, and a caller that
/// has the partition's rows rebuilds it. The cache never changes a result; it only saves the
/// parse.
public enum MatrixCache {
    static let magic = Array("PRSNMAT1".utf8)
    static let headerSize = 8 + 8 + 8 + 32 + 32

    /// What a cached matrix was made from; two equal identities give the same matrix.
    public struct Identity: Equatable, Sendable {
        public let digest: [UInt8]

        /// - Parameters: the fitted pipeline, the whole input's name, the partition's index
        ///   and its row count.
        public init(pipeline: FeaturePipeline, source: String, part: Int, rows: Int) throws {
            var hash = SHA256()
            hash.update(data: try ModelFile.json(pipeline))
            hash.update(data: Array("\u{0}\(source)\u{0}\(part)\u{0}\(rows)".utf8))
            digest = Array(hash.finalize())
        }
    }

    /// Writes `matrix` to `path` (a temporary file, then renamed, so a reader never sees half
    /// of one). O(rows · columns).
    /// - Throws: `SegmentationError.matrixCache` when the file cannot be written.
    public static func write(_ matrix: Matrix, identity: Identity, to path: String) throws {
        var bytes = [UInt8]()
        bytes.reserveCapacity(headerSize + matrix.storage.count * 8)
        bytes += magic
        append(UInt64(matrix.rows), to: &bytes)
        append(UInt64(matrix.columns), to: &bytes)
        bytes += identity.digest
        let payload = matrix.storage.withUnsafeBytes { raw in
            // Doubles are stored little-endian; on a big-endian host each is swapped first.
            littleEndianBytes(raw, count: matrix.storage.count)
        }
        bytes += Array(SHA256.hash(data: payload))
        bytes += payload
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SegmentationError.matrixCache(file: path, problem: "cannot write it (\(error.localizedDescription))")
        }
    }

    /// The matrix saved at `path`, checked against what the caller expects.
    /// - Throws: `SegmentationError.matrixCache` naming the file and what is wrong: missing,
    ///   not a matrix cache, made for another state or partition, another shape, cut short,
    ///   or damaged.
    public static func read(path: String, identity: Identity, rows: Int, columns: Int) throws -> Matrix {
        func problem(_ text: String) -> SegmentationError { .matrixCache(file: path, problem: text) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw problem("no such file, or no permission")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= headerSize, Array(bytes[0..<8]) == magic else {
            throw problem("not a persona matrix cache (\(bytes.count) bytes, without the PRSNMAT1 header)")
        }
        let (storedRows, storedColumns) = (integer(bytes, at: 8), integer(bytes, at: 16))
        guard Array(bytes[24..<56]) == identity.digest else {
            throw problem("made for other features or another partition (its fingerprint differs from the state's)")
        }
        guard storedRows == UInt64(rows), storedColumns == UInt64(columns) else {
            throw problem("holds a \(storedRows)x\(storedColumns) matrix; the partition's is \(rows)x\(columns)")
        }
        let expected = headerSize + rows * columns * 8
        guard bytes.count == expected else {
            throw problem("holds \(bytes.count) bytes; a \(rows)x\(columns) matrix takes \(expected)")
        }
        let payload = bytes[headerSize...]
        guard Array(SHA256.hash(data: payload)) == Array(bytes[56..<88]) else {
            throw problem("its values do not match their checksum (the file is damaged)")
        }
        var storage = [Double](repeating: 0, count: rows * columns)
        storage.withUnsafeMutableBytes { raw in
            payload.withUnsafeBytes { raw.copyMemory(from: $0) }
        }
        if UInt16(littleEndian: 1) != 1 {
            storage = storage.map { Double(bitPattern: $0.bitPattern.byteSwapped) }
        }
        do {
            return try Matrix(rows: rows, columns: columns, storage: storage)
        } catch let error as NumericError {
            throw SegmentationError.numeric(file: path, error)
        }
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func integer(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    private static func littleEndianBytes(_ raw: UnsafeRawBufferPointer, count: Int) -> [UInt8] {
        if UInt16(littleEndian: 1) == 1 { return Array(raw) }
        var out = [UInt8]()
        out.reserveCapacity(count * 8)
        for i in 0..<count {
            let bits = raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
            withUnsafeBytes(of: bits.byteSwapped) { out += $0 }
        }
        return out
    }
}
