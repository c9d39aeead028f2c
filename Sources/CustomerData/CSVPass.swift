import Foundation
import NumericCore

/// One pass over the records of a `RecordStream` into column builders, block by block.
///
/// A block is cut at line ends into pieces of at least 512 KiB, parsed on `threads` threads,
/// each into a piece builder; the pieces are appended to the file's builder in file order (so
/// the result does not depend on the thread count), which copies their numeric cells onto the
/// file's columns (`FileNumbers`) and keeps the piece buffers for the next block, so that
/// every cell is written into fresh memory only once. While one block's pieces are parsed, a
/// helper thread appends the previous block's pieces and reads the next block ahead, so the
/// parsing threads rarely wait for either.
///
/// A piece that holds a quote makes the whole block parse on one thread instead, as one
/// piece: a quoted field may hold line ends, so only a scan from the start
/// of a record finds where records end; the unfinished record at the block's end is carried
/// into the next block.
struct CSVPass {
    let scanner: CSVScanner
    let options: CSVReadOptions
    /// Bytes per row seen in the sample, to size buffers.
    let rowBytes: Int

    static let minimumPiece = 512 << 10

    /// The records from `offset` in `first` (on line `line`) to the end of the stream.
    func run(_ stream: RecordStream, first: RecordStream.Block, offset: Int, line firstLine: Int,
             kinds: [ColumnKind], step: String) throws -> ColumnBuilders {
        let total = stream.position.total
        let threads = max(1, options.threads)
        let perPiece = max(options.blockBytes, CSVPass.minimumPiece) / rowBytes / threads + 16
        let work = PassWork(stream: stream, file: ColumnBuilders(kinds: kinds, expectedRows: (total.map { $0 / rowBytes } ?? 0) + 16,
                                                                 chunked: true, narrowed: options.numbersAsFloats),
                            threads: threads) { ColumnBuilders(kinds: kinds, expectedRows: perPiece) }
        var block = first
        var start = offset
        var line = firstLine
        while true {
            if let nul = block.nul {
                work.appendPending()
                // Records before the NUL byte's come first: their errors are met in file order.
                var discard = DiscardSink()
                _ = try scanner.scan(UnsafeBufferPointer(rebasing: block.bytes[start..<max(start, BinaryData.lineStart(before: nul, in: block.bytes))]), firstLine: line,
                                     expectedFields: scanner.header.count, final: false, into: &discard)
                throw BinaryData.error(at: nul - start, in: UnsafeBufferPointer(rebasing: block.bytes[start...]), firstLine: line,
                                       separator: .byte(scanner.delimiter), file: stream.name, header: scanner.header,
                                       blockStartsWithHeader: false)
            }
            let data = UnsafeBufferPointer(rebasing: block.bytes[start...])
            let cuts = CSVPass.pieceCuts(data, threads: threads)
            var consumed = data.count
            var parsed = false
            if cuts.count > 2 {
                if let lines = try scanPieces(data, cuts: cuts, work: work, firstLine: line) {
                    line += lines
                    parsed = true
                }
            }
            if !parsed {
                // One piece, with lines counted from the block's first; a record cut at the
                // block's end stays out of it (the next block starts with it).
                work.appendPending()
                let quoted = data.baseAddress.map { memchr($0, 0x22, data.count) != nil } ?? false
                work.prepare(1)
                let piece = work.piece(work.current, 0)
                piece.pointee.reset()
                let outcome = try scanner.scan(data, firstLine: line, expectedFields: scanner.header.count,
                                               final: block.final || !quoted, into: &piece.pointee)
                work.file.append(piece.pointee, lineShift: 0)
                line += outcome.lines
                consumed = outcome.endOffset
            }
            if let progress = options.progress {
                let position = stream.position
                progress(WorkProgress(step: step, done: position.done, total: position.total, unit: .bytes))
            }
            guard let next = try stream.next(consumed: start + consumed, line: line) else { break }
            block = next
            start = 0
        }
        work.appendPending()
        return work.file
    }

    /// Scans the pieces `cuts` marks on up to `threads` threads while a helper thread appends
    /// the previous block's pieces and reads ahead; returns the lines the pieces held, or nil
    /// when a piece holds a quote (then nothing is kept and the block is to be parsed whole).
    /// The first error in file order is the one thrown.
    private func scanPieces(_ data: UnsafeBufferPointer<UInt8>, cuts: [Int], work: PassWork, firstLine: Int) throws -> Int? {
        let shared = SendableBytes(buffer: data)
        let scanner = self.scanner
        let set = work.current
        work.prepare(cuts.count - 1)
        let helper = work.startHelper()
        let results = Parallel.map(count: cuts.count - 1, threads: max(1, options.threads)) { k -> Int? in
            let piece = work.piece(set, k)
            piece.pointee.reset()
            let slice = UnsafeBufferPointer(rebasing: shared.buffer[cuts[k]..<cuts[k + 1]])
            guard let base = slice.baseAddress, memchr(base, 0x22, slice.count) == nil else { return nil }
            return try scanner.scan(slice, firstLine: 0, expectedFields: scanner.header.count, into: &piece.pointee).lines
        }
        helper.wait()
        if results.contains(where: { if case .success(nil) = $0 { return true } else { return false } }) { return nil }
        var shifts = [Int]()
        var line = firstLine
        for result in results {
            switch result {
            case .success(let lines):
                shifts.append(line)
                line += lines ?? 0
            case .failure(let error):
                throw CSVPass.shifted(error, by: line)
            }
        }
        work.setPending(shifts)
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

/// What the threads of a pass share: the file's builder, two sets of piece builders (one
/// being parsed, the other waiting to be appended), and the stream.
private final class PassWork: @unchecked Sendable {
    // @unchecked: in `scanPieces`, parsing worker k touches only piece k of set `current`;
    // the helper thread touches only `file`, the pending set and the stream's read-ahead
    // (which writes behind the block being parsed, see `RecordStream.readAhead`); the caller
    // touches nothing until it has joined both. Outside `scanPieces` one thread uses it all.
    let stream: RecordStream
    var file: ColumnBuilders
    /// Two sets of up to `threads` piece builders, made as they are first needed (a wide
    /// file parsed one piece at a time never pays for more than one).
    private let sets: [UnsafeMutablePointer<ColumnBuilders>]
    private var counts = [0, 0]
    private let makePiece: () -> ColumnBuilders
    private(set) var current = 0
    /// Pieces of the other set not yet appended, with the line each starts on.
    private var pending: [Int] = []

    init(stream: RecordStream, file: ColumnBuilders, threads: Int, makePiece: @escaping () -> ColumnBuilders) {
        self.stream = stream
        self.file = file
        self.makePiece = makePiece
        sets = (0..<2).map { _ in .allocate(capacity: max(1, threads)) }
    }

    deinit {
        for (p, n) in zip(sets, counts) {
            p.deinitialize(count: n)
            p.deallocate()
        }
    }

    /// Makes sure the current set has `count` pieces (call outside the parallel section).
    func prepare(_ count: Int) {
        while counts[current] < count {
            (sets[current] + counts[current]).initialize(to: makePiece())
            counts[current] += 1
        }
    }

    func piece(_ set: Int, _ k: Int) -> UnsafeMutablePointer<ColumnBuilders> { sets[set] + k }

    /// Appends the pending pieces (the set that is not `current`) to `file`.
    func appendPending() {
        let set = 1 - current
        for (k, line) in pending.enumerated() { file.append(sets[set][k], lineShift: line) }
        pending = []
    }

    /// The current set's first `shifts.count` pieces wait to be appended; the other set
    /// becomes current.
    func setPending(_ shifts: [Int]) {
        pending = shifts
        current = 1 - current
    }

    /// Starts a thread that appends the pending pieces and reads the next block ahead.
    func startHelper() -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            appendPending()
            stream.readAhead()
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        return done
    }
}
