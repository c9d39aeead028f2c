import Foundation
import NumericCore

/// One pass over the records of a `RecordStream` into column builders, block by block.
///
/// A block without quotes is cut at line ends into pieces of at least 1 MiB, parsed on
/// `threads` threads, each into a piece builder that is then appended to the file's builder in
/// file order (so the result does not depend on the thread count). A block with a quote is
/// parsed on one thread, straight into the file's builder: a quoted field may hold line ends,
/// so only a scan from the start of a record finds where records end; the unfinished record
/// at the block's end is carried into the next block.
struct CSVPass {
    let scanner: CSVScanner
    let options: CSVReadOptions
    /// Bytes per row seen in the sample, to size buffers.
    let rowBytes: Int

    static let minimumPiece = 1 << 20

    /// The records from `offset` in `first` (on line `line`) to the end of the stream.
    func run(_ stream: RecordStream, first: RecordStream.Block, offset: Int, line firstLine: Int,
             kinds: [ColumnKind], step: String) throws -> ColumnBuilders {
        let total = stream.position.total
        let threads = max(1, options.threads)
        var file = ColumnBuilders(kinds: kinds, expectedRows: (total.map { $0 / rowBytes } ?? 0) + 64)
        let perPiece = max(options.blockBytes, CSVPass.minimumPiece) / rowBytes / threads + 64
        var pieces = [ColumnBuilders]()
        var block = first
        var start = offset
        var line = firstLine
        while true {
            if let nul = block.nul {
                throw BinaryData.error(at: nul - start, in: UnsafeBufferPointer(rebasing: block.bytes[start...]), firstLine: line,
                                       separator: .byte(scanner.delimiter), file: stream.name, header: scanner.header,
                                       blockStartsWithHeader: false)
            }
            let data = UnsafeBufferPointer(rebasing: block.bytes[start...])
            let quoted = data.baseAddress.map { memchr($0, 0x22, data.count) != nil } ?? false
            let cuts = quoted ? [0, data.count] : CSVPass.pieceCuts(data, threads: threads)
            var consumed = data.count
            if cuts.count == 2 {
                let outcome = try scanner.scan(data, firstLine: line, expectedFields: scanner.header.count,
                                               final: block.final || !quoted, into: &file)
                file.dropUnfinishedRow()
                line += outcome.lines
                consumed = outcome.endOffset
            } else {
                while pieces.count < cuts.count - 1 { pieces.append(ColumnBuilders(kinds: kinds, expectedRows: perPiece)) }
                line += try scanPieces(data, cuts: cuts, pieces: &pieces, threads: threads, firstLine: line, into: &file)
            }
            if let progress = options.progress {
                let position = stream.position
                progress(WorkProgress(step: step, done: position.done, total: position.total, unit: .bytes))
            }
            guard let next = try stream.next(consumed: start + consumed, line: line) else { break }
            block = next
            start = 0
        }
        return file
    }

    /// Scans the pieces `cuts` marks on up to `threads` threads and appends them to `file`;
    /// returns the lines they held. The first error in file order is the one thrown.
    private func scanPieces(_ data: UnsafeBufferPointer<UInt8>, cuts: [Int], pieces: inout [ColumnBuilders],
                            threads: Int, firstLine: Int, into file: inout ColumnBuilders) throws -> Int {
        let shared = SendableBytes(buffer: data)
        // Moved out of `pieces` while the workers fill them, so each is uniquely referenced
        // (no copy-on-write of its buffers), and moved back for the next block.
        let slots = PieceSlots(pieces)
        pieces.removeAll()
        let scanner = self.scanner
        let results = Parallel.map(count: cuts.count - 1, threads: threads) { k -> Int in
            slots.base[k].reset()
            let slice = UnsafeBufferPointer(rebasing: shared.buffer[cuts[k]..<cuts[k + 1]])
            return try scanner.scan(slice, firstLine: 0, expectedFields: scanner.header.count, into: &slots.base[k]).lines
        }
        pieces = slots.pieces
        var line = firstLine
        for (k, result) in results.enumerated() {
            switch result {
            case .success(let lines):
                file.append(pieces[k], lineShift: line)
                line += lines
            case .failure(let error):
                throw CSVPass.shifted(error, by: line)
            }
        }
        return line - firstLine
    }

    /// Piece scans number lines from 0; this makes an error's line absolute.
    private static func shifted(_ error: Error, by offset: Int) -> Error {
        switch error {
        case CustomerDataError.raggedRow(let file, let line, let expected, let got):
            return CustomerDataError.raggedRow(file: file, line: line + offset, expected: expected, got: got)
        case CustomerDataError.unterminatedQuote(let file, let line, let column, let name):
            return CustomerDataError.unterminatedQuote(file: file, line: line + offset, column: column, name: name)
        default:
            return error
        }
    }

    /// Cuts for up to `threads` pieces of at least `minimumPiece` bytes, just after newlines.
    static func pieceCuts(_ data: UnsafeBufferPointer<UInt8>, threads: Int) -> [Int] {
        guard threads > 1, data.count >= 2 * minimumPiece else { return [0, data.count] }
        let parts = min(threads, data.count / minimumPiece)
        return newlineCuts(data, from: 0, to: data.count, every: (data.count + parts - 1) / parts)
    }

    /// Offsets from `start` to `end` about `every` bytes apart, each moved forward to just after
    /// a newline (records of an unquoted block never span one), with `start` and `end` included.
    static func newlineCuts(_ data: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, every: Int) -> [Int] {
        var cuts = [start]
        var cut = start + every
        while cut < end {
            while cut < end, data[cut - 1] != 0x0A { cut += 1 }
            if cut < end { cuts.append(cut) }
            cut += every
        }
        cuts.append(end)
        return cuts
    }
}

/// A read-only byte buffer handed to parsing threads; the caller keeps it alive.
struct SendableBytes: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
}

/// The piece builders of one block, lent to the workers: worker k uses only slot k.
private final class PieceSlots: @unchecked Sendable {
    // @unchecked: each slot is touched by one worker at a time (Parallel.map hands index k to
    // one worker), and `pieces` is read back only after Parallel.map has returned.
    let base: UnsafeMutablePointer<ColumnBuilders>
    let count: Int

    init(_ pieces: [ColumnBuilders]) {
        count = pieces.count
        base = .allocate(capacity: max(1, count))
        base.initialize(from: pieces, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    var pieces: [ColumnBuilders] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
