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

/// Collects one part of the file's columns while it is scanned.
struct ColumnBuilders: FieldSink {
    let kinds: [ColumnKind]
    /// Column → index into the typed arrays below.
    private let slot: [Int]
    var numbers: [[Double]]
    var missing: [Int]
    var firstNotANumber: [CellProblem?]
    var firstNonFinite: [CellProblem?]
    var codes: [[Int32]]
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
        numbers = (0..<numericCount).map { _ in
            var a = [Double]()
            a.reserveCapacity(expectedRows)
            return a
        }
        missing = [Int](repeating: 0, count: numericCount)
        firstNotANumber = [CellProblem?](repeating: nil, count: numericCount)
        firstNonFinite = [CellProblem?](repeating: nil, count: numericCount)
        codes = (0..<textCount).map { _ in
            var a = [Int32]()
            a.reserveCapacity(expectedRows)
            return a
        }
        interners = (0..<textCount).map { _ in ByteInterner() }
        rowLines.reserveCapacity(expectedRows)
    }

    @inline(__always)
    mutating func add(column j: Int, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, line: Int) {
        switch kinds[j] {
        case .numeric:
            let s = slot[j]
            switch NumberParser.parse(p, n) {
            case .number(let v):
                numbers[s].append(v)
            case .missing:
                numbers[s].append(.nan)
                missing[s] += 1
            case .nonFinite:
                numbers[s].append(.nan)
                if firstNonFinite[s] == nil { firstNonFinite[s] = CellProblem(row: row, line: line, value: text(p, n)) }
            case .notANumber:
                numbers[s].append(.nan)
                if firstNotANumber[s] == nil { firstNotANumber[s] = CellProblem(row: row, line: line, value: text(p, n)) }
            }
        case .text:
            let s = slot[j]
            var start = p, count = n
            while count > 0, start.pointee == 0x20 || start.pointee == 0x09 { start += 1; count -= 1 }
            while count > 0, start[count - 1] == 0x20 || start[count - 1] == 0x09 { count -= 1 }
            codes[s].append(count == 0 ? -1 : interners[s].intern(start, count))
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

    mutating func endRow(line: Int) {
        rowLines.append(Int32(truncatingIfNeeded: line))
    }

    private func text(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func numericSlot(_ column: Int) -> Int { slot[column] }
    func textSlot(_ column: Int) -> Int { slot[column] }
}
