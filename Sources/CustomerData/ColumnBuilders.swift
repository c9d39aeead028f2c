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

/// One numeric column of a whole file, growing as the pieces are appended: the array the table
/// will hold, reserved up front for the rows the file is expected to have, so that each cell is
/// written once into memory that is touched once (fresh memory costs far more than copying into
/// it, above all in a VM). When a file holds more rows than expected, a further segment is
/// started instead of reallocating, and `take` joins the segments.
struct GrowingColumn<Cell: BinaryFloatingPoint> {
    private var segments: [[Cell]] = []
    private var nextCapacity: Int
    private(set) var missing = 0

    init(expectedRows: Int) {
        nextCapacity = max(expectedRows, 1 << 12)
    }

    /// Appends `count` cells converted by `convert`, counting the missing (NaN) ones.
    @inline(__always)
    mutating func append(_ cells: UnsafePointer<Double>, count: Int,
                         _ convert: (inout [Cell], UnsafeBufferPointer<Double>) -> Void) {
        let source = UnsafeBufferPointer(start: cells, count: count)
        var nan = 0
        for x in source { nan &+= x.isNaN ? 1 : 0 }
        missing += nan
        if segments.last.map({ $0.capacity - $0.count < count }) ?? true {
            let segment = [Cell](unsafeUninitializedCapacity: max(count, nextCapacity)) { buffer, initialized in
                PageRelease.preferHugePages(buffer)
                initialized = 0
            }
            nextCapacity = 2 * segment.capacity  // an estimate too small (or none, for a pipe) grows geometrically
            segments.append(segment)
        }
        convert(&segments[segments.count - 1], source)
    }

    /// The cells, moved out (segments after the first are joined, each freed once copied).
    mutating func take() -> [Cell] {
        guard segments.count > 1 else { return segments.popLast() ?? [] }
        let total = segments.reduce(0) { $0 + $1.count }
        var joined = [Cell]()
        joined.reserveCapacity(total)
        for k in segments.indices {
            joined += segments[k]
            segments[k] = []
        }
        segments = []
        return joined
    }
}

/// The numeric columns of a whole file, in doubles or (`narrowed`) in floats.
final class FileNumbers {
    private var doubles: [GrowingColumn<Double>]
    private var floats: [GrowingColumn<Float>]
    let narrowed: Bool

    init(columns: Int, expectedRows: Int, narrowed: Bool) {
        self.narrowed = narrowed
        doubles = narrowed ? [] : Array(repeating: GrowingColumn(expectedRows: expectedRows), count: columns)
        floats = narrowed ? Array(repeating: GrowingColumn(expectedRows: expectedRows), count: columns) : []
    }

    /// Appends the first `rows` cells of each buffer (a piece's columns, in slot order).
    func append(_ buffers: [UnsafeMutablePointer<Double>], rows: Int) {
        for (s, cells) in buffers.enumerated() {
            if narrowed {
                floats[s].append(cells, count: rows) { column, source in column.append(contentsOf: source.lazy.map { Float($0) }) }
            } else {
                doubles[s].append(cells, count: rows) { column, source in column.append(contentsOf: source) }
            }
        }
    }

    /// Column `s`, moved out.
    func take(_ s: Int) -> NumericColumn {
        if narrowed {
            let missing = floats[s].missing
            return NumericColumn(floats: floats[s].take(), missingCount: missing)
        }
        let missing = doubles[s].missing
        return NumericColumn(values: doubles[s].take(), missingCount: missing)
    }
}

/// Collects the cells of the columns while they are scanned: one per block piece (reset for
/// the next block), and one for the whole file (`chunked`) that the pieces are appended to in
/// file order. The file's builder only receives `append`: its numeric cells are `FileNumbers`.
struct ColumnBuilders: FieldSink {
    let kinds: [ColumnKind]
    /// Column → index into the typed buffers.
    private let slot: [Int]
    let storage: CellStorage
    /// Cached buffer addresses (refreshed when the storage grows): the numeric buffer of each
    /// column (nil for other kinds).
    private var columnNumbers: [UnsafeMutablePointer<Double>?]
    /// How many numeric columns follow one another from each column on (0 for other kinds).
    private let numericRuns: [Int]
    /// Columns from this one on are all skipped.
    let wantedFields: Int
    /// The code buffer of each text slot (refreshed with `columnNumbers`).
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
    let fileNumbers: FileNumbers?

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
        fileNumbers = chunked ? FileNumbers(columns: numericCount, expectedRows: expectedRows, narrowed: narrowed) : nil
        codeColumns = storage.codes
        columnNumbers = ColumnBuilders.columnNumbers(storage.numbers, slot: slot, kinds: kinds)
        var runs = [Int](repeating: 0, count: kinds.count + 1)
        for j in kinds.indices.reversed() where kinds[j] == .numeric { runs[j] = runs[j + 1] + 1 }
        numericRuns = Array(runs.dropLast())
        wantedFields = (kinds.lastIndex { $0 != .skip } ?? -1) + 1
        firstNotANumber = [CellProblem?](repeating: nil, count: numericCount)
        firstNonFinite = [CellProblem?](repeating: nil, count: numericCount)
        interners = (0..<textCount).map { _ in ByteInterner(expectedCount: 8) }
    }

    @inline(__always)
    mutating func add(column j: Int, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, line: Int) {
        switch kinds[j] {
        case .numeric:
            let s = slot[j]
            guard let cell = columnNumbers[j].map({ $0 + rows }) else { return }
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
        columnNumbers[j]?[rows] = value
    }

    /// The run of numeric columns from `j` parsed by one C call (`persona_parse_plain_fields`).
    @inline(__always)
    mutating func addNumbers(from j: Int, limit: Int, _ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>,
                             delimiter: UInt8) -> (fields: Int, stop: UnsafePointer<UInt8>) {
        let count = min(numericRuns[j], limit), row = rows
        return columnNumbers.withUnsafeBufferPointer { targets in
            guard let base = targets.baseAddress else { return (0, p) }
            return NumberParser.parsePlainFields(p, end, delimiter: delimiter, into: base + j, row: row, count: count)
        }
    }

    private static func columnNumbers(_ numbers: [UnsafeMutablePointer<Double>], slot: [Int],
                                      kinds: [ColumnKind]) -> [UnsafeMutablePointer<Double>?] {
        kinds.indices.map { j in kinds[j] == .numeric && slot[j] < numbers.count ? numbers[slot[j]] : nil }
    }

    mutating func endRow(line: Int) {
        rowLines.append(Int32(truncatingIfNeeded: line))
        rows += 1
        if rows == storage.capacity { reserve(rows + 1) }
    }

    private mutating func reserve(_ count: Int) {
        storage.reserve(count)
        codeColumns = storage.codes
        columnNumbers = ColumnBuilders.columnNumbers(storage.numbers, slot: slot, kinds: kinds)
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
    /// `lineShift`, to this file's builder: numeric cells copied onto the file's columns, text codes mapped to this builder's levels (first appearance in file order stays
    /// first), problems kept when they are the first.
    mutating func append(_ piece: ColumnBuilders, lineShift: Int) {
        let n = piece.rows, start = rows
        if rows + n >= storage.capacity { reserve(rows + n + 1) }
        fileNumbers?.append(piece.storage.numbers, rows: n)
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

    /// The table columns, moved out of the builder (its numeric columns are handed over, not
    /// copied).
    func columns() -> [CustomerTable.Column] {
        let rows = self.rows
        return kinds.enumerated().map { j, kind in
            switch kind {
            case .skip:
                return .skipped
            case .identifier:
                return .identifier(IdentifierColumn(bytes: idBytes, offsets: idOffsets))
            case .numeric:
                return .numeric(fileNumbers?.take(slot[j]) ?? NumericColumn(values: [], missingCount: 0))
            case .text:
                let s = slot[j]
                return .text(TextColumn(codes: storage.textColumn(s, rows: rows), levels: interners[s].values))
            }
        }
    }
}
