import CustomerData

/// Turns a label column into 0/1, saying which value is the positive one.
struct ChurnLabels {
    /// 1, 0, or NaN for a blank cell (the row is left out of training).
    let values: [Double]
    let positive: String
    let negative: String
    var blanks: Int { values.reduce(0) { $0 + ($1.isNaN ? 1 : 0) } }

    /// Pairs recognised without `--positive`, positive first, compared lower-cased.
    static let pairs: [(String, String)] = [("yes", "no"), ("true", "false"), ("1", "0"), ("y", "n"), ("是", "否"), ("t", "f")]

    init(table: CustomerTable, column: String, positive wanted: String?) throws {
        guard let j = table.index(of: column) else {
            throw CustomerDataError.unknownColumn(file: table.source, option: "--label", name: column, available: table.columnNames)
        }
        // The distinct values as text, and each row's value index (−1 blank).
        var levels: [String]
        var codes: [Int]
        switch table.columns[j] {
        case .numeric(let c):
            var seen = [Double: Int]()
            var order = [Double]()
            codes = c.values.map { v in
                if v.isNaN { return -1 }
                if let k = seen[v] { return k }
                seen[v] = order.count
                order.append(v)
                return order.count - 1
            }
            levels = order.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : String($0) }
        case .text(let c):
            levels = c.levels
            codes = c.codes.map { Int($0) }
        case .identifier, .skipped:
            throw SegmentationError.labelValues(file: table.source, column: column, values: [],
                                                reason: "it is the id column")
        }
        let used = Set(codes.filter { $0 >= 0 })
        let present = levels.indices.filter { used.contains($0) }.map { levels[$0] }
        (positive, negative) = try ChurnLabels.resolve(present: present, wanted: wanted, file: table.source, column: column)
        let positiveLevel = levels.firstIndex(of: positive) ?? -1
        values = codes.map { $0 < 0 ? .nan : ($0 == positiveLevel ? 1 : 0) }
    }

    /// Which of the label's values (in order of appearance) is positive and which negative.
    static func resolve(present: [String], wanted: String?, file: String, column: String) throws -> (positive: String, negative: String) {
        guard present.count == 2 else {
            throw SegmentationError.labelValues(
                file: file, column: column, values: present.sorted(),
                reason: present.count < 2 ? "a label needs two classes" : "a label needs exactly two values")
        }
        let positiveIndex: Int
        if let wanted {
            guard let k = present.firstIndex(of: wanted) else {
                throw SegmentationError.labelValues(file: file, column: column, values: present.sorted(),
                                                    reason: "--positive \(wanted) is not one of them")
            }
            positiveIndex = k
        } else if let pair = ChurnLabels.pairs.first(where: { Set([$0.0, $0.1]) == Set(present.map { $0.lowercased() }) }) {
            positiveIndex = present.firstIndex { $0.lowercased() == pair.0 } ?? 0
        } else {
            throw SegmentationError.labelValues(file: file, column: column, values: present.sorted(),
                                                reason: "say which one means churn with --positive VALUE")
        }
        return (present[positiveIndex], present[1 - positiveIndex])
    }
}
