/// How the reader treats one column while scanning.
enum ColumnKind: Equatable {
    case identifier, numeric, text, skip
}

/// The first cell of a numeric column that was not a number, kept to report or to decide that
/// the column is text after all.
struct CellProblem {
    var row: Int
    var line: Int
    var value: String
}

/// Growable storage for the cells of one part, one buffer per column, written at the row index
/// with no per-cell uniqueness or capacity checks (those dominate a naive `[[Double]]`). Owned by
/// a class so the buffers are freed exactly once.
final class CellStorage {
    private(set) var capacity: Int
    private(set) var numbers: [UnsafeMutablePointer<Double>]
    private(set) var codes: [UnsafeMutablePointer<Int32>]

    init(numericColumns: Int, textColumns: Int, capacity: Int) {
        self.capacity = max(capacity, 16)
        numbers = (0..<numericColumns).map { _ in .allocate(capacity: max(capacity, 16)) }
        codes = (0..<textColumns).map { _ in .allocate(capacity: max(capacity, 16)) }
    }

    deinit {
        for p in numbers { p.deallocate() }
        for p in codes { p.deallocate() }
    }

    /// Doubles the capacity, keeping the first `rows` cells of every column.
    func grow(keeping rows: Int) {
        let bigger = capacity * 2
        numbers = numbers.map { old in
            let p = UnsafeMutablePointer<Double>.allocate(capacity: bigger)
            p.update(from: old, count: rows)
            old.deallocate()
            return p
        }
        codes = codes.map { old in
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: bigger)
            p.update(from: old, count: rows)
            old.deallocate()
            return p
        }
        capacity = bigger
    }

    func numericColumn(_ s: Int, rows: Int) -> [Double] { Array(UnsafeBufferPointer(start: numbers[s], count: rows)) }

    /// Copies a numeric column's first `rows` cells to `destination` and frees the buffer, so
    /// joining parts never holds a column twice.
    func moveNumericColumn(_ s: Int, rows: Int, to destination: UnsafeMutablePointer<Double>) {
        destination.update(from: numbers[s], count: rows)
        numbers[s].deallocate()
        numbers[s] = .allocate(capacity: 1)
    }
    func textColumn(_ s: Int, rows: Int) -> [Int32] { Array(UnsafeBufferPointer(start: codes[s], count: rows)) }
}

/// Collects one part of the file's columns while it is scanned.
struct ColumnBuilders: FieldSink {
    let kinds: [ColumnKind]
    /// Column → index into the typed buffers.
    private let slot: [Int]
    let storage: CellStorage
    /// Cached buffer addresses (refreshed when the storage grows).
    private var numberColumns: [UnsafeMutablePointer<Double>]
    private var codeColumns: [UnsafeMutablePointer<Int32>]
    private(set) var rows = 0
    var missing: [Int]
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
        missing = [Int](repeating: 0, count: numericCount)
        firstNotANumber = [CellProblem?](repeating: nil, count: numericCount)
        firstNonFinite = [CellProblem?](repeating: nil, count: numericCount)
        interners = (0..<textCount).map { _ in ByteInterner() }
        rowLines.reserveCapacity(expectedRows)
    }

    /// The cells of a numeric column (by slot), copied out.
    func numbers(_ s: Int) -> [Double] { storage.numericColumn(s, rows: rows) }
    /// The codes of a text column (by slot), copied out.
    func codes(_ s: Int) -> [Int32] { storage.textColumn(s, rows: rows) }

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
                missing[s] += 1
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
        if rows == storage.capacity {
            storage.grow(keeping: rows)
            numberColumns = storage.numbers
            codeColumns = storage.codes
        }
    }

    private func text(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func numericSlot(_ column: Int) -> Int { slot[column] }
    func textSlot(_ column: Int) -> Int { slot[column] }
}
