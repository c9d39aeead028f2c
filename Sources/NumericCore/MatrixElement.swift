import CKernels

/// What a `DenseMatrix` stores: `Double` (the default) or `Float` (half the memory, for very
/// large runs). All arithmetic is in double: a float is widened when it is read, and a result
/// is rounded to float only when it is stored back into a float matrix. So k-means on a float
/// matrix gives, bit for bit, what it gives on the double matrix of the same (widened) values.
///
/// The loops over rows are requirements here, one implementation per type, or C kernels told
/// the element size (below), so generic code calls them once per chunk of rows and never once
/// per element.
public protocol MatrixElement: BinaryFloatingPoint, Codable, Sendable, BitwiseCopyable {
    /// "double" or "float": how the values are stored, for summaries.
    static var storageName: String { get }
    /// The nearest value of this type to `value` (±∞ beyond its range).
    init(narrowing value: Double)

    /// Calls `body(block, values)` for the rows `rows` of the row-major matrix at `x` (`d`
    /// columns), in order, with the block's values as doubles: for `Double` one call with the
    /// matrix itself, for `Float` blocks of up to 256 rows widened into scratch.
    static func forEachWidenedBlock(_ x: UnsafePointer<Self>, rows: Range<Int>, d: Int,
                                    _ body: (Range<Int>, UnsafePointer<Double>) throws -> Void) rethrows
    /// Calls `body(block, values)` with doubles to fill for the rows `rows` (blocks as in
    /// `forEachWidenedBlock`), then stores them in `x`, rounded for `Float`. `body` must write
    /// every value of its block.
    static func writeNarrowedBlocks(_ x: UnsafeMutablePointer<Self>, rows: Range<Int>, d: Int,
                                    _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void)
    /// `forEachWidenedBlock` and `writeNarrowedBlocks` in one: `body` updates the values in
    /// place as doubles.
    static func updateWidenedBlocks(_ x: UnsafeMutablePointer<Self>, rows: Range<Int>, d: Int,
                                    _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void)
}

extension Double: MatrixElement {
    public static var storageName: String { "double" }
    public init(narrowing value: Double) { self = value }

    public static func forEachWidenedBlock(_ x: UnsafePointer<Double>, rows: Range<Int>, d: Int,
                                           _ body: (Range<Int>, UnsafePointer<Double>) throws -> Void) rethrows {
        try body(rows, x + rows.lowerBound * d)
    }

    public static func writeNarrowedBlocks(_ x: UnsafeMutablePointer<Double>, rows: Range<Int>, d: Int,
                                           _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) {
        body(rows, x + rows.lowerBound * d)
    }

    public static func updateWidenedBlocks(_ x: UnsafeMutablePointer<Double>, rows: Range<Int>, d: Int,
                                           _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) {
        body(rows, x + rows.lowerBound * d)
    }
}

extension Float: MatrixElement {
    public static var storageName: String { "float" }
    public init(narrowing value: Double) { self = Float(value) }

    /// Rows per widened block: 256 rows of up to 16 features are 32 KB of doubles, which stay
    /// in the first-level cache while they are used.
    static let widenedBlockRows = 256

    /// Blocks of `rows` and one scratch buffer for the widest of them.
    private static func blocks(_ rows: Range<Int>, d: Int, _ body: (Range<Int>, UnsafeMutablePointer<Double>) throws -> Void) rethrows {
        let step = max(1, min(widenedBlockRows, rows.count))
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: max(1, step * d))
        defer { scratch.deallocate() }
        for start in stride(from: rows.lowerBound, to: rows.upperBound, by: step) {
            try body(start..<min(rows.upperBound, start + step), scratch)
        }
    }

    public static func forEachWidenedBlock(_ x: UnsafePointer<Float>, rows: Range<Int>, d: Int,
                                           _ body: (Range<Int>, UnsafePointer<Double>) throws -> Void) rethrows {
        try blocks(rows, d: d) { block, wide in
            let from = x + block.lowerBound * d
            for i in 0..<(block.count * d) { wide[i] = Double(from[i]) }
            try body(block, wide)
        }
    }

    public static func writeNarrowedBlocks(_ x: UnsafeMutablePointer<Float>, rows: Range<Int>, d: Int,
                                           _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) {
        blocks(rows, d: d) { block, wide in
            body(block, wide)
            let to = x + block.lowerBound * d
            for i in 0..<(block.count * d) { to[i] = Float(wide[i]) }
        }
    }

    public static func updateWidenedBlocks(_ x: UnsafeMutablePointer<Float>, rows: Range<Int>, d: Int,
                                           _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) {
        blocks(rows, d: d) { block, wide in
            let at = x + block.lowerBound * d
            for i in 0..<(block.count * d) { wide[i] = Double(at[i]) }
            body(block, wide)
            for i in 0..<(block.count * d) { at[i] = Float(wide[i]) }
        }
    }
}

/// The C row kernels (Sources/CKernels), for rows of this type: the kernel picks its double or
/// float version by the element size.
extension MatrixElement {
    private static var elementBytes: Int32 { Int32(MemoryLayout<Self>.size) }

    /// `persona_assign_fused` (see `CentroidScorer`).
    static func assignFused(_ x: UnsafePointer<Self>, rows: Int, d: Int, transposed: UnsafePointer<Double>,
                            norms: UnsafePointer<Double>, blocks: Int, labels: UnsafeMutablePointer<Int32>,
                            sums: UnsafeMutablePointer<Double>?, counts: UnsafeMutablePointer<Int64>?,
                            scratch: UnsafeMutablePointer<Double>, level: VectorLevel) {
        persona_assign_fused(x, elementBytes, Int64(rows), Int64(d), transposed, norms, Int64(blocks), labels, sums, counts,
                             scratch, level.rawValue)
    }

    /// `persona_kmpp_update` (see `KMeansPlusPlus`).
    static func kmppUpdate(_ x: UnsafePointer<Self>, rows: Int, d: Int, closest: UnsafeMutablePointer<Double>,
                           center: UnsafePointer<Double>, initial: Bool) -> Double {
        persona_kmpp_update(x, elementBytes, Int64(rows), Int64(d), closest, center, initial ? 1 : 0)
    }

    /// `persona_kmpp_potentials` (see `KMeansPlusPlus`), at `VectorLevel.current`.
    static func kmppPotentials(_ x: UnsafePointer<Self>, rows: Int, d: Int, closest: UnsafePointer<Double>,
                               candidates: UnsafePointer<Double>, trials: Int, into out: UnsafeMutablePointer<Double>) {
        persona_kmpp_potentials(x, elementBytes, Int64(rows), Int64(d), closest, candidates, Int64(trials), out,
                                VectorLevel.current.rawValue)
    }

    /// `persona_cluster_sums` (see `PartitionStatistics`).
    static func clusterSums(_ x: UnsafePointer<Self>, rows: Int, d: Int, labels: UnsafePointer<Int32>,
                            sums: UnsafeMutablePointer<Double>, counts: UnsafeMutablePointer<Int64>) {
        persona_cluster_sums(x, elementBytes, Int64(rows), Int64(d), labels, sums, counts)
    }

    /// `persona_cluster_spread` (see `PartitionStatistics`).
    static func clusterSpread(_ x: UnsafePointer<Self>, rows: Int, d: Int, labels: UnsafePointer<Int32>,
                              means: UnsafePointer<Double>, root: UnsafeMutablePointer<Double>) -> Double {
        persona_cluster_spread(x, elementBytes, Int64(rows), Int64(d), labels, means, root)
    }
}
