import CKernels
import Crypto
import CustomerData
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NumericCore

/// One partition's encoded and scaled matrix, saved between the rounds of a scale-out run so
/// that the k-means rounds read doubles instead of parsing the partition's CSV again.
///
/// Layout (little-endian): the 8 bytes `PRSNMAT2`; the row and column counts as `UInt64`;
/// 32 bytes that identify what the matrix was made from (`Identity`: the SHA-256 of the fitted
/// pipeline, the input's name, the partition's index and row count); the payload's 64-bit
/// checksum (`persona_checksum_*`: xxHash64's round over the 8-byte words, at memory speed;
/// SHA-256 of the payload took a fifth of a k-means round); then the payload, rows × columns
/// `Double`s row by row. A file whose identity differs (another run's
/// features, another partition), that is cut short, or whose payload does not match its
/// checksum is never used: `read` throws `SegmentationError.matrixCache`, and a caller that
/// has the partition's rows rebuilds it. The cache never changes a result; it only saves the
/// parse.
public enum MatrixCache {
    static let magic = Array("PRSNMAT2".utf8)
    static let headerSize = 8 + 8 + 8 + 32 + 8
    /// Bytes read (and checked) at a time: the piece is still in the cache when it is summed.
    static let pieceSize = 1 << 20

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
    /// of one). O(rows · columns); no copy of the matrix on a little-endian host.
    /// - Throws: `SegmentationError.matrixCache` when the file cannot be written.
    public static func write(_ matrix: Matrix, identity: Identity, to path: String) throws {
        let storage = littleEndian(matrix.storage)
        var header = magic
        append(UInt64(matrix.rows), to: &header)
        append(UInt64(matrix.columns), to: &header)
        header += identity.digest
        var lanes = [UInt64](repeating: 0, count: 4)
        persona_checksum_start(&lanes)
        storage.withUnsafeBufferPointer { values in
            values.withMemoryRebound(to: UInt64.self) { persona_checksum_update(&lanes, $0.baseAddress, Int64($0.count), 0) }
        }
        append(persona_checksum_finish(lanes, Int64(storage.count)), to: &header)
        do {
            try storage.withUnsafeBytes { try ScratchFile.write(header, $0, to: path) }
        } catch let failure as ScratchFile.Failure {
            throw SegmentationError.matrixCache(file: path, problem: "cannot write it (\(failure.problem))")
        }
    }

    /// The matrix saved at `path`, checked against what the caller expects. Reads the payload
    /// straight into the matrix's storage (one copy of the matrix in memory).
    /// - Throws: `SegmentationError.matrixCache` naming the file and what is wrong: missing,
    ///   not a matrix cache, made for another state or partition, another shape, cut short,
    ///   or damaged.
    public static func read(path: String, identity: Identity, rows: Int, columns: Int) throws -> Matrix {
        func problem(_ text: String) -> SegmentationError { .matrixCache(file: path, problem: text) }
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw problem("no such file, or no permission")
        }
        defer { try? file.close() }
        let size = (try? file.seekToEnd()).map(Int.init) ?? 0
        try? file.seek(toOffset: 0)
        let header = [UInt8]((try? file.read(upToCount: headerSize)) ?? Data())
        guard header.count == headerSize, Array(header[0..<8]) == magic else {
            throw problem("not a persona matrix cache (\(size) bytes, without the PRSNMAT2 header)")
        }
        let (storedRows, storedColumns) = (integer(header, at: 8), integer(header, at: 16))
        guard Array(header[24..<56]) == identity.digest else {
            throw problem("made for other features or another partition (its fingerprint differs from the state's)")
        }
        guard storedRows == UInt64(rows), storedColumns == UInt64(columns) else {
            throw problem("holds a \(storedRows)x\(storedColumns) matrix; the partition's is \(rows)x\(columns)")
        }
        let expected = headerSize + rows * columns * 8
        guard size == expected else {
            throw problem("holds \(size) bytes; a \(rows)x\(columns) matrix takes \(expected)")
        }
        // Read in pieces, each summed while it is still in the cache.
        var complete = true
        var lanes = [UInt64](repeating: 0, count: 4)
        persona_checksum_start(&lanes)
        var storage = [Double](unsafeUninitializedCapacity: rows * columns) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            var filled = 0
            while filled < raw.count, let base = raw.baseAddress {
                let got = readBytes(file.fileDescriptor, base + filled, min(pieceSize, raw.count - filled))
                if got <= 0 { break }
                filled += got
                let (summed, whole) = ((filled - got) / 8, filled / 8)  // words summed before, words complete now
                persona_checksum_update(&lanes, (base + summed * 8).assumingMemoryBound(to: UInt64.self), Int64(whole - summed), Int64(summed))
                if whole * 8 != filled {  // (a read that ends inside a word: finish it with the next)
                    filled = whole * 8
                    guard lseek(file.fileDescriptor, off_t(headerSize + filled), SEEK_SET) >= 0 else { break }
                }
            }
            if filled < raw.count, let base = raw.baseAddress {
                base.advanced(by: filled).initializeMemory(as: UInt8.self, repeating: 0, count: raw.count - filled)
                complete = false
            }
            count = rows * columns
        }
        guard complete else { throw problem("could not read all of its \(expected) bytes") }
        guard persona_checksum_finish(lanes, Int64(rows * columns)) == integer(header, at: 56) else {
            throw problem("its values do not match their checksum (the file is damaged)")
        }
        storage = littleEndian(storage)
        do {
            return try Matrix(rows: rows, columns: columns, storage: storage)
        } catch let error as NumericError {
            throw SegmentationError.numeric(file: path, error)
        }
    }

    /// `values` with every double's bytes in little-endian order (the same array on a
    /// little-endian host; the swap is its own inverse, so it also reads them back).
    private static func littleEndian(_ values: [Double]) -> [Double] {
        if UInt16(littleEndian: 1) == 1 { return values }
        return values.map { Double(bitPattern: $0.bitPattern.byteSwapped) }
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func integer(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }
}

/// POSIX read(2) (here so that `MatrixCache.read` does not shadow it).
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// A file a later round reads again on the same machine (a partition, its matrix): written
/// under a temporary name beside it and renamed, so a reader sees all of it or none; not
/// synced, since losing it only means making it again.
public enum ScratchFile {
    public struct Failure: Error {
        public let problem: String
    }

    /// Writes `head`, `body`, then `tail` to `path`.
    /// - Throws: `Failure` saying what went wrong; the temporary file is removed.
    public static func write(_ head: [UInt8], _ body: UnsafeRawBufferPointer, to path: String, tail: [UInt8] = []) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(head)),
              let file = FileHandle(forWritingAtPath: temporary) else {
            throw Failure(problem: "cannot create \(temporary)")
        }
        defer { try? FileManager.default.removeItem(atPath: temporary) }  // gone once renamed
        do {
            defer { try? file.close() }
            try file.seekToEnd()
            if let base = body.baseAddress {
                try file.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: body.count, deallocator: .none))
            }
            if !tail.isEmpty { try file.write(contentsOf: tail) }
            try file.close()
        } catch {
            throw Failure(problem: error.localizedDescription)
        }
        guard rename(temporary, path) == 0 else { throw Failure(problem: "renaming \(temporary) failed: errno \(errno)") }
    }
}
