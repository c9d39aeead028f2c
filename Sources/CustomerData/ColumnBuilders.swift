import Foundation

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
        numbers = (0..<numericColumns).map { _ in CellStorage.allocate(Double.self, max(capacity, 16)) }
        codes = (0..<textColumns).map { _ in CellStorage.allocate(Int32.self, max(capacity, 16)) }
    }

    deinit {
        for p in numbers { free(p) }
        for p in codes { free(p) }
    }

    private static func allocate<T>(_ type: T.Type, _ count: Int) -> UnsafeMutablePointer<T> {
        guard let raw = malloc(count * MemoryLayout<T>.stride) else { fatalError("out of memory: \(count) cells") }
        return raw.bindMemory(to: T.self, capacity: count)
    }

    private static func resize<T>(_ p: UnsafeMutablePointer<T>, _ count: Int) -> UnsafeMutablePointer<T> {
        guard let raw = realloc(p, count * MemoryLayout<T>.stride) else { fatalError("out of memory: \(count) cells") }
        return raw.bindMemory(to: T.self, capacity: count)
    }

    /// Makes room for at least `rows` cells per column (doubling), keeping what is there.
    func reserve(_ rows: Int) {
        guard rows > capacity else { return }
        var bigger = capacity
        while bigger < rows { bigger *= 2 }
        numbers = numbers.map { CellStorage.resize($0, bigger) }
        codes = codes.map { CellStorage.resize($0, bigger) }
        capacity = bigger
    }

    /// Copies a numeric column's first `rows` cells to `destination`, counting the missing
    /// (NaN) ones, and frees the buffer, so the table never holds a column twice.
    func moveNumericColumn(_ s: Int, rows: Int, to destination: UnsafeMutablePointer<Double>) -> Int {
        destination.update(from: numbers[s], count: rows)
        var missing = 0
        for i in 0..<rows where destination[i].isNaN { missing += 1 }
        free(numbers[s])
        numbers[s] = CellStorage.allocate(Double.self, 1)
        return missing
    }

    func textColumn(_ s: Int, rows: Int) -> [Int32] { Array(UnsafeBufferPointer(start: codes[s], count: rows)) }
}

/// Collects the cells of the columns while they are scanned: one per block piece (reset for
/// the next block), and one for the whole file that the pieces are appended to in file order.
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
    var idOffsets: [Int] = [0]
    var firstEmptyID: Int?   // line
    var rowLines: [Int32] = []

    init(kinds: [ColumnKind], expectedRows: Int) {
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
        storage = CellStorage(numericColumns: numericCount, textColumns: textCount, capacity: expectedRows)
        numberColumns = storage.numbers
        codeColumns = storage.codes
        firstNotANumber = [CellProblem?](repeating: nil, count: numericCount)
        firstNonFinite = [CellProblem?](repeating: nil, count: numericCount)
        interners = (0..<textCount).map { _ in ByteInterner(expectedCount: 8) }
        rowLines.reserveCapacity(min(expectedRows, 1 << 24))
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
        for s in firstNotANumber.indices {
            firstNotANumber[s] = nil
            firstNonFinite[s] = nil
        }
        for s in interners.indices where interners[s].count > 0 { interners[s].removeAll() }
        idBytes.removeAll(keepingCapacity: true)
        idOffsets.removeAll(keepingCapacity: true)
        idOffsets.append(0)
        firstEmptyID = nil
        rowLines.removeAll(keepingCapacity: true)
    }

    /// Forgets the id of a record left unfinished at the end of a block (its other cells sit at
    /// index `rows` and are written again when the next block parses the record whole).
    mutating func dropUnfinishedRow() {
        guard idOffsets.count > rows + 1 else { return }
        idBytes.removeSubrange(idOffsets[rows]...)
        idOffsets.removeSubrange((rows + 1)...)
    }

    /// Appends the finished rows of `piece` (same kinds), whose lines are counted from
    /// `lineShift`: cells copied, text codes mapped to this builder's levels (first appearance
    /// in file order stays first), problems kept when they are the first.
    mutating func append(_ piece: ColumnBuilders, lineShift: Int) {
        let n = piece.rows, start = rows
        if rows + n >= storage.capacity { reserve(rows + n + 1) }
        for s in numberColumns.indices {
            (numberColumns[s] + start).update(from: piece.numberColumns[s], count: n)
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
        rowLines.append(contentsOf: piece.rowLines[0..<n].lazy.map { $0 &+ shift })
        rows += n
    }

    /// The table columns, moved out of the builder (its numeric buffers are freed as they are
    /// copied, so the file's cells are never held twice).
    func columns() -> [CustomerTable.Column] {
        kinds.enumerated().map { j, kind in
            switch kind {
            case .skip:
                return .skipped
            case .identifier:
                return .identifier(IdentifierColumn(bytes: idBytes, offsets: idOffsets))
            case .numeric:
                let s = slot[j]
                var missing = 0
                let values = [Double](unsafeUninitializedCapacity: rows) { buffer, count in
                    if let base = buffer.baseAddress { missing = storage.moveNumericColumn(s, rows: rows, to: base) }
                    count = rows
                }
                return .numeric(NumericColumn(values: values, missingCount: missing))
            case .text:
                let s = slot[j]
                return .text(TextColumn(codes: storage.textColumn(s, rows: rows), levels: interners[s].values))
            }
        }
    }
}
