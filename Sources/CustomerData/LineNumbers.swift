/// The file line each row starts on, for messages, kept as runs of consecutive lines: a file
/// without line breaks inside its records is one run, a few bytes instead of 4 per row. When
/// runs are short (most records span several lines) it keeps one number per row instead.
public struct LineNumbers: RandomAccessCollection, Sendable, Equatable, ExpressibleByArrayLiteral {
    /// Row where each run starts, and that row's line (runs mode).
    private var runRows: [Int32] = []
    private var runLines: [Int32] = []
    /// One line per row, once runs stopped paying.
    private var dense: [Int32]?
    public private(set) var count = 0

    public init() {}

    public init<S: Sequence>(_ lines: S) where S.Element == Int32 {
        for line in lines { append(line) }
    }

    public init(arrayLiteral lines: Int32...) { self.init(lines) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(row: Int) -> Int32 {
        precondition(row >= 0 && row < count, "row \(row) outside 0..<\(count)")
        if let dense { return dense[row] }
        // The last run starting at or before `row`.
        var (low, high) = (0, runRows.count - 1)
        while low < high {
            let mid = (low + high + 1) / 2
            if Int(runRows[mid]) <= row { low = mid } else { high = mid - 1 }
        }
        return runLines[low] &+ Int32(truncatingIfNeeded: row - Int(runRows[low]))
    }

    /// Adds the next row's line.
    @inline(__always)
    public mutating func append(_ line: Int32) {
        if dense != nil {
            dense?.append(line)
            count += 1
            return
        }
        if let first = runLines.last, let start = runRows.last, line == first &+ Int32(truncatingIfNeeded: count - Int(start)) {
            count += 1  // the run goes on
            return
        }
        runRows.append(Int32(truncatingIfNeeded: count))
        runLines.append(line)
        count += 1
        if runRows.count > 64, runRows.count * 2 > count {
            let all = Array(self)
            runRows = []
            runLines = []
            dense = all
        }
    }

    /// Adds the first `n` lines of `other`, each plus `shift`, a run at a time.
    public mutating func append(_ other: LineNumbers, prefix n: Int, shift: Int32) {
        let n = Swift.min(n, other.count)
        guard other.dense == nil else {
            for row in 0..<n { append(other[row] &+ shift) }
            return
        }
        for r in other.runRows.indices where Int(other.runRows[r]) < n {
            let start = Int(other.runRows[r])
            let end = r + 1 < other.runRows.count ? Swift.min(n, Int(other.runRows[r + 1])) : n
            let first = other.runLines[r] &+ shift
            append(first)
            if dense != nil {
                for k in 1..<Swift.max(1, end - start) { append(first &+ Int32(truncatingIfNeeded: k)) }
            } else {
                count += end - start - 1  // the run just added (or continued) goes on
            }
        }
    }

    /// Empties, keeping capacity.
    public mutating func removeAll() {
        runRows.removeAll(keepingCapacity: true)
        runLines.removeAll(keepingCapacity: true)
        dense = nil
        count = 0
    }

    public static func == (a: LineNumbers, b: LineNumbers) -> Bool { a.elementsEqual(b) }
}
