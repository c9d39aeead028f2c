import CKernels
import NumericCore

/// What a table (or one partition of it) says about its columns, in a form that adds up:
/// the statistics `FeatureEncoder` needs to choose and fit an encoding, without the rows.
///
/// Summaries of the partitions of a file, merged in partition order, equal the summary of the
/// whole file (`merged(_:)`), except for medians, which are order statistics: those come from
/// `QuantileSearch` and are passed to `FeatureEncoder.fit(_:medians:…)` beside the summary.
public struct ColumnSummary: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case identifier, numeric, text, skipped
    }

    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        public var kind: Kind
        /// Non-empty cells (numeric and text columns).
        public var present: Int = 0
        /// Numeric columns: the smallest and largest value (nil when no cell has one).
        public var minimum: Double?
        public var maximum: Double?
        /// Numeric columns: every present value is 0 or 1.
        public var binary: Bool?
        /// Text columns: distinct values (trimmed) in first-appearance order, and their counts.
        public var levels: [String]?
        public var counts: [Int]?
        /// Numeric columns, when asked for: the present values counted by the top
        /// `KeyHistogram.bits` bits of their order-preserving key (`QuantileSearch.key`), so
        /// that a search for an order statistic starts in the slice that holds it.
        public var keys: KeyHistogram?
        /// Numeric columns without a blank cell, when asked for: the column's moments as a
        /// feature of its own, so that a fit whose features are these columns as they are
        /// needs no round for them (moments of separate features add up independently, so
        /// these are the bits the moments of the encoded matrix give).
        public var moments: FeatureMoments?

        public init(name: String, kind: Kind) {
            self.name = name
            self.kind = kind
        }
    }

    /// The file name used in messages.
    public var source: String
    public var rows: Int
    /// Every header column, in order.
    public var columns: [Column]

    public var columnNames: [String] { columns.map(\.name) }

    /// - Complexity: O(columns); for many lookups use `positions`.
    public func index(of name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// Each column name's index (the first, should a name repeat), for lookups in O(1).
    public var positions: [String: Int] {
        Dictionary(columns.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public init(source: String, rows: Int, columns: [Column]) {
        self.source = source
        self.rows = rows
        self.columns = columns
    }

    /// The summary of a parsed table; with `forScaleOut`, numeric columns also count their
    /// values by `KeyHistogram` slice and, when no cell is blank, carry their moments.
    /// - Complexity: O(rows) per numeric or text column.
    /// - Parameter threads: columns summarized at once.
    public init(_ table: CustomerTable, forScaleOut: Bool = false, threads: Int = 1) {
        let (names, columns, rows) = (table.columnNames, table.columns, table.rowCount)
        let summaries = Parallel.map(count: columns.count, threads: threads) { j -> Column in
            let name = names[j]
            switch columns[j] {
            case .identifier: return Column(name: name, kind: .identifier)
            case .skipped: return Column(name: name, kind: .skipped)
            case .numeric(let values):
                var summary = Column(numbers: values, name: name)
                if forScaleOut, summary.present == rows {
                    summary.moments = (try? Matrix(rows: rows, columns: 1, storage: values.values)).map(FeatureMoments.init)
                }
                return summary
            case .text(let text): return Column(text: text, name: name)
            }
        }
        self.init(source: table.source, rows: rows, columns: summaries.map { result in
            guard case .success(let column) = result else { preconditionFailure("a column summary does not throw") }
            return column
        })
        if forScaleOut {  // one counting table (2 MB) for every column, in turn
            var counter = KeyHistogram.Counter()
            for (j, column) in columns.enumerated() {
                if case .numeric(let values) = column { self.columns[j].keys = counter.histogram(of: values) }
            }
        }
    }

    /// Columns read as numbers in some parts and as text in others: the whole file reads
    /// them as text, so every part must.
    public static func mixedColumns(_ parts: [ColumnSummary]) -> [String] {
        guard let first = parts.first else { return [] }
        return first.columns.indices.compactMap { j in
            let kinds = Set(parts.compactMap { part -> ColumnSummary.Kind? in
                guard j < part.columns.count else { return nil }
                let column = part.columns[j]
                return column.kind == .numeric && column.present == 0 ? nil : column.kind
            })
            return kinds.contains(.numeric) && kinds.contains(.text) ? first.columns[j].name : nil
        }
    }

    /// Summaries of consecutive parts of one file, added in order (levels keep their first
    /// appearance in the file).
    /// - Throws: `CustomerDataError.partsDisagree` when the parts have different headers, or
    ///   read a column as numbers in one part and as text in another (read it as text in
    ///   every part instead).
    public static func merged(_ parts: [ColumnSummary]) throws -> ColumnSummary {
        guard var total = parts.first else {
            throw CustomerDataError.partsDisagree(file: "", problem: "there are no parts to merge")
        }
        for part in parts.dropFirst() {
            guard part.columnNames == total.columnNames else {
                throw CustomerDataError.partsDisagree(file: total.source, problem: "the parts have different headers")
            }
            total.rows += part.rows
            var mixed = [String]()
            for j in total.columns.indices {
                if !total.columns[j].add(part.columns[j]) { mixed.append(total.columns[j].name) }
            }
            if !mixed.isEmpty {
                throw CustomerDataError.partsDisagree(
                    file: total.source,
                    problem: "column(s) \(mixed.map { "'\($0)'" }.joined(separator: ", ")) hold numbers in some parts and text in others; read them as text in every part")
            }
        }
        return total
    }
}

extension ColumnSummary.Column {
    init(numbers column: NumericColumn, name: String) {
        self.init(name: name, kind: .numeric)
        var low = Double.infinity, high = -Double.infinity
        var present: Int64 = 0
        var binary: Int32 = 1
        switch column.storage {
        case .double(let values):
            values.withUnsafeBufferPointer { persona_number_summary($0.baseAddress, Int64($0.count), &present, &low, &high, &binary) }
        case .float(let floats):
            floats.withUnsafeBufferPointer { persona_number_summary_f32($0.baseAddress, Int64($0.count), &present, &low, &high, &binary) }
        }
        self.present = Int(present)
        if present > 0 { (minimum, maximum) = (low, high) }
        self.binary = binary != 0
    }

    init(text column: TextColumn, name: String) {
        self.init(name: name, kind: .text)
        var counts = [Int](repeating: 0, count: column.levels.count)
        for code in column.codes where code >= 0 { counts[Int(code)] += 1 }
        present = counts.reduce(0, +)
        levels = column.levels
        self.counts = counts
    }

    /// Adds a later part's column; false when the kinds differ.
    mutating func add(_ other: ColumnSummary.Column) -> Bool {
        // A part whose cells are all empty reads a text column as numbers without values.
        if kind == .numeric, present == 0, other.kind == .text { self = other; return true }
        if kind == .text, other.kind == .numeric, other.present == 0 { return true }
        guard kind == other.kind else { return false }
        present += other.present
        switch kind {
        case .numeric:
            if let low = other.minimum { minimum = min(minimum ?? low, low) }
            if let high = other.maximum { maximum = max(maximum ?? high, high) }
            binary = (binary ?? true) && (other.binary ?? true)
            if let mine = keys, let theirs = other.keys { keys = mine.adding(theirs) } else { keys = nil }
            if let mine = moments, let theirs = other.moments {
                moments = try? FeatureMoments.merged([mine, theirs], file: "")  // one feature each: never throws
            } else {
                moments = nil
            }
        case .text:
            var known = levels ?? []
            var totals = counts ?? []
            var position = [String: Int]()
            for (p, level) in known.enumerated() { position[level] = p }
            for (level, count) in zip(other.levels ?? [], other.counts ?? []) {
                if let p = position[level] {
                    totals[p] += count
                } else {
                    position[level] = known.count
                    known.append(level)
                    totals.append(count)
                }
            }
            (levels, counts) = (known, totals)
        case .identifier, .skipped:
            break
        }
        return true
    }
}

/// Present values of a numeric column counted by the top `bits` bits of their
/// order-preserving key (`QuantileSearch.key`): 1/64 of an octave per slice. Only the
/// slices that hold values are kept, in key order; histograms of the parts of a column add up.
public struct KeyHistogram: Codable, Sendable, Equatable {
    public static let bits = 18
    /// The slices holding values, ascending, and how many each holds.
    public var slices: [Int]
    public var counts: [Int]

    public init(slices: [Int], counts: [Int]) {
        (self.slices, self.counts) = (slices, counts)
    }

    enum CodingKeys: String, CodingKey { case slices, counts }

    // Packed (`PackedNumbers`): a column has thousands of slices, and the merge reads every
    // partition's.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodePacked(slices, forKey: .slices)
        try container.encodePacked(counts, forKey: .counts)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        slices = try container.decodePackedIntegers(forKey: .slices) ?? []
        counts = try container.decodePackedIntegers(forKey: .counts) ?? []
        guard slices.count == counts.count else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: container, debugDescription: "\(counts.count) counts for \(slices.count) slices")
        }
    }

    /// The keys slice `slice` covers.
    public static func keys(of slice: Int) -> ClosedRange<UInt64> {
        let low = UInt64(slice) << UInt64(64 - bits)
        return low...(low | (UInt64.max >> UInt64(bits)))
    }

    /// Both histograms' counts, slice by slice.
    public func adding(_ other: KeyHistogram) -> KeyHistogram {
        var out = KeyHistogram(slices: [], counts: [])
        out.slices.reserveCapacity(slices.count + other.slices.count)
        out.counts.reserveCapacity(slices.count + other.slices.count)
        var (i, j) = (0, 0)
        while i < slices.count || j < other.slices.count {
            if j == other.slices.count || (i < slices.count && slices[i] < other.slices[j]) {
                out.slices.append(slices[i]); out.counts.append(counts[i]); i += 1
            } else if i == slices.count || other.slices[j] < slices[i] {
                out.slices.append(other.slices[j]); out.counts.append(other.counts[j]); j += 1
            } else {
                out.slices.append(slices[i]); out.counts.append(counts[i] + other.counts[j]); i += 1; j += 1
            }
        }
        return out
    }

    /// Counts columns into one table of every slice, cleared after each column by the
    /// slices it touched.
    struct Counter {
        private var table = [Int](repeating: 0, count: 1 << KeyHistogram.bits)

        mutating func histogram(of column: NumericColumn) -> KeyHistogram {
            var touched = [Int]()
            table.withUnsafeMutableBufferPointer { table in
                func count(_ v: Double) {
                    guard !v.isNaN else { return }
                    let slice = Int(QuantileSearch.key(v) >> UInt64(64 - KeyHistogram.bits))
                    if table[slice] == 0 { touched.append(slice) }
                    table[slice] += 1
                }
                switch column.storage {
                case .double(let values): for v in values { count(v) }
                case .float(let floats): for v in floats { count(Double(v)) }
                }
            }
            touched.sort()
            let counts = touched.map { table[$0] }
            for slice in touched { table[slice] = 0 }
            return KeyHistogram(slices: touched, counts: counts)
        }
    }
}
