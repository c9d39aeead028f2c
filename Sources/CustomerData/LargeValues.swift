import NumericCore

/// The largest magnitude Persona computes with. Squares of such numbers (distances, variances)
/// summed over billions of rows stay far below the largest double (1.8e308), so no sum, mean
/// or spread can overflow to infinity; no real amount, count or score comes near it, so a
/// larger number is an id, a code or a unit mistake, and is reported where it was read.
public enum LargeValues {
    public static let limit = 1e100

    /// The limit as the messages show it.
    static let limitText = "1e100"

    /// Whether `value` is too large (NaN is not: it is reported as not finite elsewhere).
    @inline(__always)
    static func exceeds(_ value: Double) -> Bool { abs(value) > limit }

    /// The first element of `matrix`, in row-major order, whose magnitude exceeds `limit`.
    /// - Complexity: O(rows · columns), one pass on `threads` threads.
    static func first<Element: MatrixElement>(in matrix: DenseMatrix<Element>, threads: Int = 1) -> (row: Int, column: Int, value: Double)? {
        matrix.firstElement(exceeding: limit, threads: threads)
    }

    /// Throws `.tooLarge` naming the table's line and column of the first element of `matrix`
    /// (encoded from `table`, features named `names`) that exceeds `limit`.
    /// In a float matrix a value beyond the float range reads as ±∞: `.beyondFloatRange`.
    static func check<Element: MatrixElement>(_ matrix: DenseMatrix<Element>, names: [String], table: CustomerTable,
                                              threads: Int = 1) throws(CustomerDataError) {
        guard let (row, column, value) = first(in: matrix, threads: threads) else { return }
        let name = names[column]
        if Element.self != Double.self, value.isInfinite {
            throw .beyondFloatRange(file: table.source, line: table.line(ofRow: row), column: (table.index(of: name) ?? column) + 1,
                                    name: name)
        }
        throw .tooLarge(file: table.source, line: table.line(ofRow: row), column: (table.index(of: name) ?? column) + 1,
                        name: name, value: "\(value)")
    }
}
