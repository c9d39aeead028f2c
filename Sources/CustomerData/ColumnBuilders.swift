import Foundation
import NumericCore

/// How the reader treats one column while scanning.
enum ColumnKind: Equatable {
    case identifier, numeric, text, skip
}

/// The first cell of a numeric column that was not a number, kept to report or to decide that
/// the column is text after all.
struct CellProblem: Equatable {
    var row: Int
    var line: Int
    var value: String
}

/// Growable storage for the cells of one column set, one buffer per column, written at the row
/// index with no per-cell uniqueness or capacity checks (those dominate a naive `[[Double]]`).
/// Buffers come from `malloc` and grow with `realloc`, which for large buffers remaps pages
/// instead of copying them, so growing never holds a column twice. Owned by a class so the
/// buffers are freed exactly once.
final class CellStorage {
    private(set) var capacity: Int
    private(set) var numbers: [UnsafeMutablePointer<Double>]
    private(set) var codes: [UnsafeMutablePointer<Int32>]

    init(numericColumns: Int, textColumns: Int, capacity: Int) {
        self.capacity = max(capacity, 16)
        numbers = (0..<numericColumns).map { _ in CellMemory.allocate(Double.self, max(capacity, 16)) }
        codes = (0..<textColumns).map { _ in CellMemory.allocate(Int32.self, max(capacity, 16)) }
    }

    deinit {
        for p in numbers { CellMemory.free(p, capacity) }
        for p in codes { CellMemory.free(p, capacity) }
    }

    /// Makes room for at least `rows` cells per column (doubling), keeping what is there.
    func reserve(_ rows: Int) {
        guard rows > capacity else { return }
        var bigger = capacity
        while bigger < rows { bigger *= 2 }
        numbers = numbers.map { CellMemory.resize($0, from: capacity, to: bigger) }
        codes = codes.map { CellMemory.resize($0, from: capacity, to: bigger) }
        capacity = bigger
    }

    /// Hands over the numeric buffers, each of `capacity` cells (they now belong to the
    /// caller, to free with `CellMemory.free`), and starts fresh ones of the same capacity.
    func takeNumbers() -> [UnsafeMutablePointer<Double>] {
        let taken = numbers
        numbers = numbers.map { _ in CellMemory.allocate(Double.self, capacity) }
        return taken
    }

    func textColumn(_ s: Int, rows: Int) -> [Int32] { Array(UnsafeBufferPointer(start: codes[s], count: rows)) }
}

/// Buffers for cells. Large ones are mapped straight from the kernel, so freeing them gives
/// the memory back at once: from malloc, the many mid-sized buffers of a file's pieces would
/// stay with it after they are copied into the table, and the encoded matrix would come on
/// top of them. Whether a buffer is mapped follows from its size, so `free` and `resize`
/// need the size it was made with.
enum CellMemory {
    static let mapFrom = 64 << 10

    static func allocate<T>(_ type: T.Type, _ count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(1, count) * MemoryLayout<T>.stride
        let raw: UnsafeMutableRawPointer?
        if bytes >= mapFrom {
            let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            raw = mapped == MAP_FAILED ? nil : mapped
        } else {
            raw = malloc(bytes)
        }
        guard let raw else { fatalError("out of memory: \(bytes) bytes of cells") }
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }

    static func free<T>(_ p: UnsafeMutablePointer<T>, _ count: Int) {
        let bytes = max(1, count) * MemoryLayout<T>.stride
        if bytes >= mapFrom { munmap(p, bytes) } else { Foundation.free(p) }
    }

    /// A buffer of `to` cells holding the first `from` cells of `p` (which is freed).
    static func resize<T>(_ p: UnsafeMutablePointer<T>, from: Int, to: Int) -> UnsafeMutablePointer<T> {
        let bigger = allocate(T.self, to)
        bigger.update(from: p, count: min(from, to))
        free(p, from)
        return bigger
    }
}

/// The numeric columns of a whole file, kept as the buffers the pieces were parsed into, in
/// file order: appending a piece moves its buffers here instead of copying its cells, and the
/// cells are copied once, into the table's arrays (`ColumnBuilders.columns`). When `narrowed`,
/// each piece's cells are rounded to floats as it is appended (its double buffers freed), so
/// the file's cells are never held as doubles.
final class NumericChunks {
    /// Per numeric column: buffers (of doubles, or floats when `narrowed`), how many cells each
    /// holds and how many of those are rows.
    private(set) var chunks: [[(cells: UnsafeMutableRawPointer, capacity: Int, rows: Int)]]
    let narrowed: Bool

    init(columns: Int, narrowed: Bool = false) {
        chunks = Array(repeating: [], count: columns)
        self.narrowed = narrowed
    }

    deinit {
        for column in chunks {
            for chunk in column {
                if narrowed {
                    CellMemory.free(chunk.cells.assumingMemoryBound(to: Float.self), chunk.capacity)
                } else {
                    CellMemory.free(chunk.cells.assumingMemoryBound(to: Double.self), chunk.capacity)
                }
            }
        }
    }

    func append(_ buffers: [UnsafeMutablePointer<Double>], capacity: Int, rows: Int) {
        for (s, cells) in buffers.enumerated() {
            guard narrowed else {
                chunks[s].append((UnsafeMutableRawPointer(cells), capacity, rows))
                continue
            }
            // Into the column's last float buffer while it has room, else a new one of at
            // least `narrowedChunk` cells: few, large buffers, mapped from the kernel, so
            // that freeing them in `move` gives their memory back at once.
            var from = 0
            while from < rows {
                if chunks[s].last.map({ $0.rows == $0.capacity }) ?? true {
                    let size = max(NumericChunks.narrowedChunk, rows - from)
                    chunks[s].append((UnsafeMutableRawPointer(CellMemory.allocate(Float.self, size)), size, 0))
                }
                let last = chunks[s].count - 1
                let (raw, room, used) = chunks[s][last]
                let take = min(room - used, rows - from)
                let floats = raw.assumingMemoryBound(to: Float.self) + used
                for i in 0..<take { floats[i] = Float(cells[from + i]) }
                chunks[s][last].rows = used + take
                from += take
            }
            CellMemory.free(cells, capacity)
        }
    }

    /// Cells per float buffer (4 MB).
    static let narrowedChunk = 1 << 20

    /// Copies column `s` to `destination`, counting the missing (NaN) cells, and frees its
    /// buffers, so the file's cells are never held twice. Safe on several threads for
    /// different columns; `forgetMoved` must follow before anything else touches this.
    func move<Cell: BinaryFloatingPoint>(_ s: Int, to destination: UnsafeMutablePointer<Cell>) -> Int {
        precondition((Cell.self == Float.self) == narrowed, "cells are moved as they are stored")
        var missing = 0
        var out = destination
        for (raw, capacity, rows) in chunks[s] {
            let cells = raw.assumingMemoryBound(to: Cell.self)
            for i in 0..<rows {
                let x = cells[i]
                out[i] = x
                missing &+= x.isNaN ? 1 : 0
            }
            out += rows
            CellMemory.free(cells, capacity)
        }
        return missing
    }

    /// Forgets the buffers `move` freed.
    func forgetMoved(_ slots: [Int]) {
        for s in slots { chunks[s] = [] }
    }
}

/// Collects the cells of the columns while they are scanned: one per block piece (reset for
/// the next block), and one for the whole file (`chunked`) that the pieces are appended to in
/// file order. The file's builder only receives `append`: its numeric cells are chunks.
struct ColumnBuilders: FieldSink {
    let kinds: [ColumnKind]
    /// Column → index into the typed buffers.
    private let slot: [Int]
    let storage: CellStorage
    /// Cached buffer addresses (refreshed when the storage grows).
    private var numberColumns: [UnsafeMutablePointer<Double>]
    private var codeColumns: [UnsafeMutablePointer<Int32>]
    /// Rows whose `endRow` has come; a record cut at the end of a block may have cells at
    /// index `rows` already, which the next block writes again.
    private(set) var rows = 0
    var firstNotANumber: [CellProblem?]
    var firstNonFinite: [CellProblem?]
    var interners: [ByteInterner]
    var idBytes: [UInt8] = []
    var idOffsets = IdentifierOffsets()
    var firstEmptyID: Int?   // line
    var rowLines = LineNumbers()
    /// The numeric columns of a file's builder.
    let chunks: NumericChunks?

    /// - Parameter narrowed: with `chunked`, keep the file's numeric cells as floats.
    init(kinds: [ColumnKind], expectedRows: Int, chunked: Bool = false, narrowed: Bool = false) {
        self.kinds = kinds
        var slot = [Int](repeating: -1, count: kinds.count)
        var numericCount = 0, textCount = 0
        for (j, kind) in kinds.enumerated() {
            switch kind {
            case .numeric: slot[j] = numericCount; numericCount += 1
            case .text: slot[j] = textCount; textCount += 1
            default: break
            }
        }
        self.slot = slot
        storage = CellStorage(numericColumns: chunked ? 0 : numericCount, textColumns: textCount, capacity: expectedRows)
        chunks = chunked ? NumericChunks(columns: numericCount, narrowed: narrowed) : nil
        numberColumns = storage.numbers
        codeColumns = storage.codes
        firstNotANumber = [CellProblem?](repeating: nil, count: numericCount)
        firstNonFinite = [CellProblem?](repeating: nil, count: numericCount)
        interners = (0..<textCount).map { _ in ByteInterner(expectedCount: 8) }
    }

    @inline(__always)
    mutating func add(column j: Int, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, line: Int) {
        switch kinds[j] {
        case .numeric:
            let s = slot[j]
            let cell = numberColumns[s] + rows
            switch NumberParser.parse(p, n) {
            case .number(let v):
                cell.pointee = v
            case .missing:
                cell.pointee = .nan
            case .nonFinite:
                cell.pointee = .nan
                if firstNonFinite[s] == nil { firstNonFinite[s] = CellProblem(row: rows, line: line, value: text(p, n)) }
            case .notANumber:
                cell.pointee = .nan
                if firstNotANumber[s] == nil { firstNotANumber[s] = CellProblem(row: rows, line: line, value: text(p, n)) }
            }
        case .text:
            let s = slot[j]
            var start = p, count = n
            while count > 0, start.pointee == 0x20 || start.pointee == 0x09 { start += 1; count -= 1 }
            while count > 0, start[count - 1] == 0x20 || start[count - 1] == 0x09 { count -= 1 }
            codeColumns[s][rows] = count == 0 ? -1 : interners[s].intern(start, count)
        case .identifier:
            var blank = true
            for i in 0..<n where p[i] != 0x20 && p[i] != 0x09 { blank = false; break }
            if blank, firstEmptyID == nil { firstEmptyID = line }
            idBytes.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
            idOffsets.append(idBytes.count)
        case .skip:
            break
        }
    }

    @inline(__always)
    func isNumeric(column j: Int) -> Bool { kinds[j] == .numeric }

    @inline(__always)
    mutating func addNumber(column j: Int, _ value: Double) {
        numberColumns[slot[j]][rows] = value
    }

    mutating func endRow(line: Int) {
        rowLines.append(Int32(truncatingIfNeeded: line))
        rows += 1
        if rows == storage.capacity { reserve(rows + 1) }
    }

    private mutating func reserve(_ count: Int) {
        storage.reserve(count)
        numberColumns = storage.numbers
        codeColumns = storage.codes
    }

    private func text(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func numericSlot(_ column: Int) -> Int { slot[column] }
    func textSlot(_ column: Int) -> Int { slot[column] }
}

extension ColumnBuilders {
    /// Empties a piece for the next block, keeping its buffers.
    mutating func reset() {
        rows = 0
        numberColumns = storage.numbers  // `append` may have taken the buffers
        for s in firstNotANumber.indices {
            firstNotANumber[s] = nil
            firstNonFinite[s] = nil
        }
        for s in interners.indices where interners[s].count > 0 { interners[s].removeAll() }
        idBytes.removeAll(keepingCapacity: true)
        idOffsets.reset()
        firstEmptyID = nil
        rowLines.removeAll()
    }

    /// Appends the finished rows of `piece` (same kinds), whose lines are counted from
    /// `lineShift`, to this file's builder: numeric buffers taken over (the piece gets fresh
    /// ones), text codes mapped to this builder's levels (first appearance in file order stays
    /// first), problems kept when they are the first.
    mutating func append(_ piece: ColumnBuilders, lineShift: Int) {
        let n = piece.rows, start = rows
        if rows + n >= storage.capacity { reserve(rows + n + 1) }
        let capacity = piece.storage.capacity
        chunks?.append(piece.storage.takeNumbers(), capacity: capacity, rows: n)
        for s in firstNotANumber.indices {
            if firstNotANumber[s] == nil, var p = piece.firstNotANumber[s], p.row < n {
                p.row += start
                p.line += lineShift
                firstNotANumber[s] = p
            }
            if firstNonFinite[s] == nil, var p = piece.firstNonFinite[s], p.row < n {
                p.row += start
                p.line += lineShift
                firstNonFinite[s] = p
            }
        }
        for s in codeColumns.indices {
            let remap = piece.interners[s].remapped(into: &interners[s])
            let from = piece.codeColumns[s], to = codeColumns[s] + start
            for i in 0..<n {
                let code = from[i]
                to[i] = code < 0 ? -1 : remap[Int(code)]
            }
        }
        if kinds.contains(.identifier) {
            let end = piece.idOffsets[n]
            let shift = idBytes.count
            idBytes.append(contentsOf: piece.idBytes[0..<end])
            for i in stride(from: 1, through: n, by: 1) { idOffsets.append(piece.idOffsets[i] + shift) }
        }
        if firstEmptyID == nil, let line = piece.firstEmptyID { firstEmptyID = line + lineShift }
        let shift = Int32(truncatingIfNeeded: lineShift)
        rowLines.append(piece.rowLines, prefix: n, shift: shift)
        rows += n
    }

    /// The table columns, moved out of the builder (its numeric buffers are freed as they are
    /// copied, so the file's cells are never held twice). Numeric columns are copied on
    /// `threads` threads, each column by one of them.
    func columns(threads: Int = 1) -> [CustomerTable.Column] {
        let numeric = kinds.indices.filter { kinds[$0] == .numeric }
        let moved = MovedColumns(chunks: chunks ?? NumericChunks(columns: 0))
        let rows = self.rows, slot = self.slot
        let narrowed = moved.chunks.narrowed
        let copies = Parallel.map(count: numeric.count, threads: threads) { k -> NumericColumn in
            var missing = 0
            if narrowed {
                let floats = [Float](unsafeUninitializedCapacity: rows) { buffer, count in
                    if let base = buffer.baseAddress { missing = moved.chunks.move(slot[numeric[k]], to: base) }
                    count = rows
                }
                return NumericColumn(floats: floats, missingCount: missing)
            }
            let values = [Double](unsafeUninitializedCapacity: rows) { buffer, count in
                if let base = buffer.baseAddress { missing = moved.chunks.move(slot[numeric[k]], to: base) }
                count = rows
            }
            return NumericColumn(values: values, missingCount: missing)
        }
        moved.chunks.forgetMoved(numeric.map { slot[$0] })
        var numbers = [Int: NumericColumn]()
        for (k, copy) in copies.enumerated() {
            if case .success(let column) = copy { numbers[numeric[k]] = column }
        }
        return kinds.enumerated().map { j, kind in
            switch kind {
            case .skip:
                return .skipped
            case .identifier:
                return .identifier(IdentifierColumn(bytes: idBytes, offsets: idOffsets))
            case .numeric:
                return .numeric(numbers[j] ?? NumericColumn(values: [], missingCount: 0))
            case .text:
                let s = slot[j]
                return .text(TextColumn(codes: storage.textColumn(s, rows: rows), levels: interners[s].values))
            }
        }
    }
}

/// The chunks lent to the threads that copy numeric columns out of them.
private struct MovedColumns: @unchecked Sendable {
    // @unchecked: each worker reads a different column's chunk list and frees those buffers;
    // no worker writes to the lists (`forgetMoved` does, after all have finished).
    let chunks: NumericChunks
}
