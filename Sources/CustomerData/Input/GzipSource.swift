import CZlib
import Foundation

/// A `.gz` file inflated as it is read (zlib's `inflate`, one member after another).
///
/// - Concatenated members (`cat a.gz b.gz`, what `gzip` and `pigz` write in parallel) read as
///   one stream, as `gunzip` reads them.
/// - Bytes after the last member that do not start another one are an error: zlib's `gzread`
///   ignores them, which hides a damaged file or one that something was appended to.
/// - A stream that stops in the middle is an error, not a shorter file.
/// - The inflated size is capped at `InputLimits.inflatedLimit` of the compressed size (for a
///   pipe, of the compressed bytes read so far), so a decompression bomb stops after at most
///   that many bytes instead of filling the memory.
final class GzipSource: ByteSource {
    private let file: FileSource
    private let name: String
    private let limits: InputLimits
    /// Heap-allocated: zlib's state points back at the stream, so it must not move.
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>
    private static let inputSize = 1 << 20
    private var inputEnded = false
    private var compressedRead = 0
    private var inflated = 0
    /// Between members: the next bytes must start another one, or be the end.
    private var betweenMembers = false
    private var finished = false

    init(file: FileSource, name: String, limits: InputLimits) throws {
        self.file = file
        self.name = name
        self.limits = limits
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(capacity: GzipSource.inputSize)
        // 16 + 15: a gzip wrapper, the largest window.
        let status = inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            input.deallocate()
            stream.deallocate()
            throw CustomerDataError.unreadable(file: name, reason: "cannot start inflating (zlib error \(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Compressed bytes: how far into the file, not into the data.
    var position: (done: Int, total: Int?) { file.position }

    func read(into p: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        guard !finished, count > 0 else { return 0 }
        stream.pointee.next_out = p
        stream.pointee.avail_out = UInt32(min(count, 1 << 30))
        let room = Int(stream.pointee.avail_out)
        while stream.pointee.avail_out > 0 {
            if betweenMembers {
                while stream.pointee.avail_in < 2, !inputEnded { try refill() }
                if stream.pointee.avail_in == 0 {
                    finished = true
                    break
                }
                guard stream.pointee.avail_in >= 2, stream.pointee.next_in[0] == 0x1F, stream.pointee.next_in[1] == 0x8B else {
                    throw trailingBytes()
                }
                inflateReset(stream)
                betweenMembers = false
            }
            if stream.pointee.avail_in == 0, !inputEnded { try refill() }
            let status = inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_OK:
                break
            case Z_STREAM_END:
                betweenMembers = true
            case Z_BUF_ERROR where stream.pointee.avail_in == 0 && inputEnded:
                throw CustomerDataError.unreadable(file: name, reason: "the gzip file is truncated (it ends in the middle of the compressed data)")
            case Z_BUF_ERROR:
                continue
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw CustomerDataError.unreadable(file: name, reason: "not a valid gzip file (\(message))")
            }
            // Hand over what there is once the input buffer is used up, rather than wait for more.
            if stream.pointee.avail_in == 0, Int(stream.pointee.avail_out) < room { break }
        }
        let produced = room - Int(stream.pointee.avail_out)
        inflated += produced
        let limit = limits.inflatedLimit(compressed: file.expectedSize ?? compressedRead)
        if inflated > limit {
            throw CustomerDataError.inflationLimit(file: name, compressed: file.expectedSize ?? compressedRead,
                                                   limit: limit, ratio: limits.maxInflation)
        }
        return produced
    }

    /// Moves the unread input to the front and reads more behind it.
    private func refill() throws {
        let left = Int(stream.pointee.avail_in)
        if left > 0, let next = stream.pointee.next_in, next != input { input.update(from: next, count: left) }
        let n = try file.read(into: input + left, count: GzipSource.inputSize - left)
        if n == 0 { inputEnded = true }
        compressedRead += n
        stream.pointee.next_in = input
        stream.pointee.avail_in = UInt32(left + n)
    }

    private func trailingBytes() -> CustomerDataError {
        let left = Int(stream.pointee.avail_in) + max(0, (file.expectedSize ?? 0) - compressedRead)
        let at = compressedRead - Int(stream.pointee.avail_in)
        return .unreadable(file: name, reason: "\(left) byte\(left == 1 ? "" : "s") after the end of the compressed data (at byte \(at)) are not gzip data: the file is damaged, or something was appended to it")
    }
}
