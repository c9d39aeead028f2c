import NumericCore

/// Exact order statistics (medians, quartiles) of columns split across partitions, found by
/// counting rather than sorting: each round every partition counts its values in `buckets`
/// equal slices of the interval known to hold the wanted rank, the counts are added, and the
/// interval shrinks to the slice holding the rank; once an interval holds few enough values,
/// the partitions send those values themselves.
///
/// Slices are cut in the order-preserving integer image of the doubles (`key`), not in value,
/// so every round divides the interval by `buckets` whatever the distribution: with 4,096
/// buckets at most ⌈64 / 12⌉ = 6 rounds, usually two. The result is the exact value a sort of
/// the whole column gives (the order statistic itself, not an estimate).
public struct QuantileSearch: Codable, Sendable, Equatable {
    /// One wanted order statistic.
    public struct Target: Codable, Sendable, Equatable {
        /// A column of the table (raw numbers) or a feature of the search's pipeline.
        public var column: String
        /// 0-based rank among the column's present values.
        public var rank: Int
        /// The key interval `[low, high]` known to hold the rank.
        public var low: UInt64
        public var high: UInt64
        /// Values with a key below `low`, in the whole file.
        public var below: Int
        /// Values with a key in `[low, high]`; the partitions send them when this is small.
        public var inside: Int
        public var value: Double?
    }

    public var targets: [Target]
    public var buckets = 4096
    /// Intervals holding at most this many values are sent as values (packed: 1 MiB a target
    /// at most, less than a sample round's rows). A 10M-row column's median slice of the key
    /// histogram holds up to ~100,000 values, so its values come in the round after the column
    /// statistics; a lower limit costs a round of bucket counts first (3 s at 10M rows here).
    public var collectLimit = 131_072

    public var isDone: Bool { targets.allSatisfy { $0.value != nil } }

    /// What one partition counted, per unfinished target in order.
    public struct Counts: Codable, Sendable, Equatable {
        public struct Target: Codable, Sendable, Equatable {
            public var below: Int
            public var buckets: [Int]?
            public var values: [Double]?

            public init(below: Int, buckets: [Int]?, values: [Double]?) {
                (self.below, self.buckets, self.values) = (below, buckets, values)
            }

            enum CodingKeys: String, CodingKey { case below, buckets, values }

            // Buckets and values packed (`PackedNumbers`): thousands of each per column.
            public func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(below, forKey: .below)
                try container.encodePacked(buckets, forKey: .buckets)
                try container.encodePacked(values, forKey: .values)
            }

            public init(from decoder: Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                below = try container.decode(Int.self, forKey: .below)
                buckets = try container.decodePackedIntegers(forKey: .buckets)
                values = try container.decodePackedDoubles(forKey: .values)
            }
        }
        public var targets: [Target]
    }

    /// A search for `ranks` of columns whose values lie in `[minimum, maximum]` (`count` of them).
    public init(_ wanted: [(column: String, rank: Int, count: Int, minimum: Double, maximum: Double)]) {
        targets = wanted.map { w in
            Target(column: w.column, rank: w.rank, low: Self.key(w.minimum), high: Self.key(w.maximum),
                   below: 0, inside: w.count, value: w.minimum == w.maximum ? w.minimum : nil)
        }
    }

    /// The search with each target's interval narrowed to the `KeyHistogram` slice that holds
    /// its rank, for the columns `histograms` has (whole-file histograms, merged): often
    /// small enough that the partitions send the values in the next round.
    /// - Throws: `CustomerDataError.partsDisagree` when a histogram does not hold the
    ///   target's values.
    public func narrowed(by histograms: [String: KeyHistogram], file: String) throws -> QuantileSearch {
        var next = self
        for t in targets.indices where targets[t].value == nil {
            var target = targets[t]
            guard let histogram = histograms[target.column] else { continue }
            var running = 0
            guard histogram.counts.reduce(0, +) == target.below + target.inside,
                  let i = histogram.counts.indices.first(where: { i in
                      if running + histogram.counts[i] > target.rank { return true }
                      running += histogram.counts[i]
                      return false
                  }) else {
                throw CustomerDataError.partsDisagree(file: file, problem: "column '\(target.column)': the slices do not hold its \(target.below + target.inside) values")
            }
            let slice = KeyHistogram.keys(of: histogram.slices[i])
            target.low = max(target.low, slice.lowerBound)
            target.high = min(target.high, slice.upperBound)
            target.below = running
            target.inside = histogram.counts[i]
            if target.low == target.high { target.value = Self.value(ofKey: target.low) }
            next.targets[t] = target
        }
        return next
    }

    /// The order-preserving image of a double: keys compare as the values do (−0 is 0).
    public static func key(_ value: Double) -> UInt64 {
        let bits = (value == 0 ? 0.0 : value).bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    static func value(ofKey key: UInt64) -> Double {
        Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
    }

    private static func width(_ target: Target, buckets: Int) -> UInt64 {
        (target.high - target.low) / UInt64(buckets) + 1
    }

    /// Counts one partition's values. `values(column)` gives a column's values; NaN (a blank
    /// cell) is skipped. Targets of one column with the same interval (the two middle ranks
    /// of an even count) share one pass.
    /// - Complexity: O(values · distinct unfinished intervals).
    public func count(_ values: (String) throws -> [Double]) rethrows -> Counts {
        var columns = [String: [Double]]()
        var done = [String: Counts.Target]()
        var out = [Counts.Target]()
        for target in targets where target.value == nil {
            let shared = "\(target.column)\u{0}\(target.low):\(target.high):\(target.inside <= collectLimit)"
            if let counted = done[shared] {
                out.append(counted)
                continue
            }
            let column: [Double]
            if let cached = columns[target.column] { column = cached } else {
                column = try values(target.column)
                columns[target.column] = column
            }
            let counted = target.inside <= collectLimit ? Self.collect(column, target) : Self.count(column, target, buckets: buckets)
            done[shared] = counted
            out.append(counted)
        }
        return Counts(targets: out)
    }

    private static func collect(_ column: [Double], _ target: Target) -> Counts.Target {
        var below = 0
        var inside = [Double]()
        let (low, span) = (target.low, target.high &- target.low)
        let empty = target.low > target.high  // (then nothing is inside, and `span` has wrapped)
        for v in column {
            // Counted without a branch: about half the values of a median's column are below,
            // in no order a predictor could learn. The one branch (k in [low, high], as one
            // unsigned comparison) is taken by the few values inside.
            let (k, present) = (key(v), v.isNaN ? 0 : 1)
            below &+= (k < low ? 1 : 0) & present
            if k &- low <= span, present == 1, !empty { inside.append(v) }
        }
        return Counts.Target(below: below, buckets: nil, values: inside)
    }

    private static func count(_ column: [Double], _ target: Target, buckets: Int) -> Counts.Target {
        let width = Self.width(target, buckets: buckets)
        var below = 0
        var counts = [Int](repeating: 0, count: buckets)
        counts.withUnsafeMutableBufferPointer { counts in
            for v in column where !v.isNaN {
                let k = key(v)
                if k < target.low { below += 1 } else if k <= target.high { counts[Int((k - target.low) / width)] += 1 }
            }
        }
        return Counts.Target(below: below, buckets: counts, values: nil)
    }

    /// The search after one round: every partition's counts added in order, each interval
    /// narrowed (or its value found).
    /// - Throws: `CustomerDataError.partsDisagree` when the counts do not fit the search.
    public func refined(with parts: [Counts], file: String) throws -> QuantileSearch {
        var next = self
        let open = targets.indices.filter { targets[$0].value == nil }
        func disagree(_ problem: String) -> CustomerDataError { .partsDisagree(file: file, problem: problem) }
        for part in parts where part.targets.count != open.count {
            throw disagree("a partition counted \(part.targets.count) order statistics, the search has \(open.count)")
        }
        for (slot, t) in open.enumerated() {
            var target = targets[t]
            let below = parts.reduce(0) { $0 + $1.targets[slot].below }
            let position = target.rank - below
            if target.inside <= collectLimit {
                var values = parts.flatMap { $0.targets[slot].values ?? [] }
                guard values.count == target.inside, position >= 0, position < values.count else {
                    throw disagree("column '\(target.column)': \(values.count) values sent where \(target.inside) were counted")
                }
                values.sort()
                target.value = values[position]
            } else {
                var counts = [Int](repeating: 0, count: buckets)
                for part in parts {
                    guard let b = part.targets[slot].buckets, b.count == buckets else { throw disagree("bucket counts are missing") }
                    for i in 0..<buckets { counts[i] += b[i] }
                }
                let width = Self.width(target, buckets: buckets)
                var running = 0
                guard let i = counts.indices.first(where: { i in
                    if running + counts[i] > position { return true }
                    running += counts[i]
                    return false
                }) else {
                    throw disagree("column '\(target.column)': rank \(target.rank) is not among the counted values")
                }
                target.low += UInt64(i) * width
                target.high = min(target.high, target.low + (width - 1))
                target.below = below + running
                target.inside = counts[i]
                if target.low == target.high { target.value = Self.value(ofKey: target.low) }
            }
            next.targets[t] = target
        }
        return next
    }

    /// The value found for `rank` of `column`.
    public func value(_ column: String, rank: Int) -> Double? {
        targets.first { $0.column == column && $0.rank == rank }?.value
    }
}
