import CKernels

/// A dense, row-major matrix of `Double` (`Matrix`) or `Float` (`FloatMatrix`, half the
/// memory; see `MatrixElement`: the arithmetic is in double either way).
///
/// Element `(i, j)` lives at `storage[i * columns + j]`. Shapes are checked when the matrix
/// is made, so every kernel downstream can assume `storage.count == rows * columns` and that
/// both dimensions fit the 32-bit integers BLAS and LAPACK take.
public struct DenseMatrix<Element: MatrixElement>: Sendable, Equatable, Codable {
    public let rows: Int
    public let columns: Int
    /// Row-major elements.
    public internal(set) var storage: [Element]

    /// Makes a matrix from row-major elements.
    /// - Throws: `NumericError.shapeMismatch` when `storage.count != rows * columns`,
    ///   `NumericError.dimensionTooLarge` when a dimension exceeds `Int32.max`.
    public init(rows: Int, columns: Int, storage: [Element]) throws {
        try DenseMatrix.checkDimensions(rows: rows, columns: columns)
        guard storage.count == rows * columns else {
            throw NumericError.shapeMismatch(
                operation: "a table of numbers",
                expected: "\(rows)x\(columns) = \(rows * columns) elements",
                got: "\(storage.count) elements")
        }
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix of zeros.
    public init(zeros rows: Int, _ columns: Int) throws {
        try self.init(rows: rows, columns: columns,
                      storage: [Element](repeating: 0, count: rows * columns))
    }

    /// Makes a matrix from an array of equally long rows.
    public init(rowArrays: [[Element]]) throws {
        let columns = rowArrays.first?.count ?? 0
        for (i, row) in rowArrays.enumerated() where row.count != columns {
            throw NumericError.shapeMismatch(
                operation: "a table of numbers", expected: "\(columns) columns in every row",
                got: "\(row.count) column\(row.count == 1 ? "" : "s") in row \(i + 1)")
        }
        try self.init(rows: rowArrays.count, columns: columns,
                      storage: rowArrays.flatMap { $0 })
    }

    static func checkDimensions(rows: Int, columns: Int) throws {
        guard rows >= 0, columns >= 0 else {
            throw NumericError.shapeMismatch(
                operation: "a table of numbers", expected: "non-negative dimensions", got: "\(rows)x\(columns)")
        }
        guard rows <= Int(Int32.max), columns <= Int(Int32.max) else {
            throw NumericError.dimensionTooLarge(rows: rows, columns: columns)
        }
    }

    public subscript(row: Int, column: Int) -> Element {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// The elements of one row, copied.
    public func row(_ i: Int) -> [Element] {
        Array(storage[(i * columns)..<((i + 1) * columns)])
    }

    /// The rows as arrays (convenient for small matrices and JSON).
    public var rowArrays: [[Element]] { (0..<rows).map(row) }

    /// The first element that is NaN or infinite, in row-major order.
    public func firstNonFinite(threads: Int = 1) -> (row: Int, column: Int, value: Double)? {
        firstElement(threads: threads) { x, n in persona_first_non_finite(x, Int64(n)) }
    }

    /// The first element, in row-major order, whose magnitude exceeds `limit` (NaN does not).
    public func firstElement(exceeding limit: Double, threads: Int = 1) -> (row: Int, column: Int, value: Double)? {
        firstElement(threads: threads) { x, n in persona_first_exceeding(x, Int64(n), limit) }
    }

    /// The first element, in row-major order, that `find` finds (it returns the index of the
    /// first hit among `n` doubles, or −1): fixed row chunks searched (as doubles) on `threads`
    /// threads, the earliest chunk's hit kept.
    private func firstElement(threads: Int, find: @escaping @Sendable (UnsafePointer<Double>, Int) -> Int64)
        -> (row: Int, column: Int, value: Double)? {
        guard columns > 0 else { return nil }
        let chunks = RowChunks(rows: rows, chunkRows: 1 << 16)
        let columns = self.columns
        let hits = storage.withReadOnly { x in
            Parallel.map(count: chunks.count, threads: threads) { chunk -> Int? in
                var hit: Int?
                Element.forEachWidenedBlock(x.base, rows: chunks.range(chunk), d: columns) { block, wide in
                    guard hit == nil else { return }
                    let index = find(wide, block.count * columns)
                    if index >= 0 { hit = block.lowerBound * columns + Int(index) }
                }
                return hit
            }
        }
        for case .success(let hit?) in hits { return (hit / columns, hit % columns, Double(storage[hit])) }
        return nil
    }

    /// Throws `NumericError.nonFinite` naming the row and column of the first NaN or infinity.
    public func checkFinite(threads: Int = 1) throws {
        if let bad = firstNonFinite(threads: threads) {
            throw NumericError.nonFinite(row: bad.row, column: bad.column, value: bad.value)
        }
    }

    /// A new matrix holding the given rows, in the given order.
    public func selectingRows(_ indices: [Int]) -> DenseMatrix {
        var out = [Element]()
        out.reserveCapacity(indices.count * columns)
        for i in indices { out.append(contentsOf: storage[(i * columns)..<((i + 1) * columns)]) }
        // Shape is consistent by construction.
        return DenseMatrix(unchecked: indices.count, columns, out)
    }

    /// Internal initializer for shapes that are consistent by construction.
    init(unchecked rows: Int, _ columns: Int, _ storage: [Element]) {
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// The given rows, in the given order, as doubles (for a sample of a float matrix).
    public func widenedRows(_ indices: [Int]) -> Matrix {
        var out = [Double]()
        out.reserveCapacity(indices.count * columns)
        for i in indices {
            for j in 0..<columns { out.append(Double(storage[i * columns + j])) }
        }
        return Matrix(unchecked: indices.count, columns, out)
    }

    /// All rows as doubles, in order on the calling thread: `body(rows, values)` with the
    /// rows' values in row-major order (`MatrixElement.forEachWidenedBlock`: the matrix itself
    /// for `Double`, widened blocks for `Float`).
    public func forEachWidenedBlock(_ body: (Range<Int>, UnsafePointer<Double>) throws -> Void) rethrows {
        try storage.withReadOnly { x in try Element.forEachWidenedBlock(x.base, rows: 0..<rows, d: columns, body) }
    }

    /// The rows in chunks of 4,096 (`RowChunks`) on `threads` threads, each chunk's rows as
    /// doubles in order: `body(chunk, rows, values)`, once or (for floats) block by block.
    func forEachWidenedChunk(threads: Int, _ body: @Sendable (Int, Range<Int>, UnsafePointer<Double>) -> Void) {
        let chunks = RowChunks(rows: rows)
        let d = columns
        storage.withReadOnly { x in
            chunks.forEach(threads: threads) { c in
                Element.forEachWidenedBlock(x.base, rows: chunks.range(c), d: d) { body(c, $0, $1) }
            }
        }
    }
}

/// A matrix of doubles: what every computation takes and most results are.
public typealias Matrix = DenseMatrix<Double>
/// A matrix of floats: half the memory of `Matrix`, for the data of very large runs.
public typealias FloatMatrix = DenseMatrix<Float>

extension DenseMatrix where Element == Double {
    /// The matrix rounded to floats.
    public func narrowed() -> FloatMatrix {
        FloatMatrix(unchecked: rows, columns, storage.map { Float($0) })
    }
}

extension DenseMatrix where Element == Float {
    /// The matrix widened to doubles (exact).
    public func widened() -> Matrix {
        Matrix(unchecked: rows, columns, storage.map { Double($0) })
    }
}
