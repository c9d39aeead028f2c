import Foundation

/// How feature columns are put on a common scale before clustering.
public enum ScalingMethod: String, Codable, Sendable, CaseIterable {
    /// `(x - mean) / sd` with the population sd (ddof = 0), like sklearn's `StandardScaler`.
    case zscore
    /// `(x - median) / IQR`, like sklearn's `RobustScaler` (quantile range 25-75).
    case robust
    /// `(x - min) / (max - min)`, like sklearn's `MinMaxScaler`.
    case minmax
    /// No scaling.
    case none
}

/// A fitted column scaler: `scaled = (f(x) - center) / scale`, where `f` is `log1p` for the
/// columns listed in `log1pColumns` and the identity elsewhere.
///
/// A column with zero spread gets `scale = 1` (as sklearn does), so constant columns are kept
/// and scale to 0. Fitted scalers are `Codable` and go into the model files, so new data can
/// be put on the same scale.
public struct Scaler: Codable, Sendable, Equatable {
    public let method: ScalingMethod
    public let center: [Double]
    public let scale: [Double]
    /// 0-based columns transformed with `log1p` before centring.
    public let log1pColumns: [Int]

    enum CodingKeys: String, CodingKey {
        case method, center, scale
        case log1pColumns = "log1p_columns"
    }

    public init(method: ScalingMethod, center: [Double], scale: [Double], log1pColumns: [Int] = []) {
        self.method = method
        self.center = center
        self.scale = scale
        self.log1pColumns = log1pColumns
    }

    /// Fits a scaler to the columns of `data`.
    /// - Throws: `NumericError.nonFinite` for NaN/∞, `.log1pDomain` for a value below -1 in a
    ///   `log1p` column, `.invalidParameter` for an out-of-range column index.
    /// - Complexity: O(rows · columns); `robust` adds a sort per column.
    public static func fit<Element: MatrixElement>(_ data: DenseMatrix<Element>, method: ScalingMethod, log1pColumns: [Int] = [],
                                                 threads: Int = 1) throws -> Scaler {
        for c in log1pColumns where c < 0 || c >= data.columns {
            throw NumericError.invalidParameter(
                name: "log1p_columns", allowed: "in 0..<\(data.columns)", got: "\(c)")
        }
        let transformed = try applyLog1p(data, columns: log1pColumns)
        try transformed.checkFinite(threads: threads)
        var center = [Double](repeating: 0, count: data.columns)
        var scale = [Double](repeating: 1, count: data.columns)
        if data.rows > 0 {
            switch method {
            case .none:
                break
            case .zscore:
                // One row-major pass per moment instead of one strided pass per column.
                let (means, variances) = ColumnStatistics.meansAndVariances(transformed, threads: threads)
                for j in 0..<data.columns {
                    (center[j], scale[j]) = ColumnStatistics.standardCenterAndScale(mean: means[j], variance: variances[j], count: data.rows)
                }
            case .robust:
                for j in 0..<data.columns { (center[j], scale[j]) = ColumnStatistics.medianAndIQR(transformed.column(j)) }
            case .minmax:
                for j in 0..<data.columns { (center[j], scale[j]) = ColumnStatistics.minimumAndRange(transformed.column(j)) }
            }
        }
        return Scaler(method: method, center: center, scale: scale,
                      log1pColumns: log1pColumns.sorted())
    }

    /// Puts `data` on this scaler's scale.
    /// - Throws: `.shapeMismatch` when the column count differs from the fitted one,
    ///   `.log1pDomain` for values below -1 in a `log1p` column.
    public func transform(_ data: Matrix) throws -> Matrix {
        var out = data
        try transform(&out)
        return out
    }

    /// Puts `data` on this scaler's scale in place (no second copy of a large matrix); a float
    /// matrix is scaled in double, 4,096 rows at a time, and rounded back.
    public func transform<Element: MatrixElement>(_ data: inout DenseMatrix<Element>, threads: Int = 1) throws {
        guard data.columns == center.count else {
            throw NumericError.shapeMismatch(
                operation: "scaling", expected: "\(center.count) feature columns, as the scaling was fitted on",
                got: "\(data.rows)x\(data.columns)")
        }
        try Scaler.applyLog1p(&data, columns: log1pColumns)
        let columns = data.columns
        let rows = data.rows
        let inverse = scale.map { 1 / $0 }
        let center = self.center
        let chunks = RowChunks(rows: rows)
        data.storage.withSharedBuffer { buffer in
            chunks.forEach(threads: threads) { chunk in
                Element.updateWidenedBlocks(buffer.pointer, rows: chunks.range(chunk), d: columns) { range, x in
                    for i in 0..<range.count {
                        let base = i * columns
                        for j in 0..<columns {
                            x[base + j] = (x[base + j] - center[j]) * inverse[j]
                        }
                    }
                }
            }
        }
    }

    /// The weights and intercept of a linear function of the *unscaled* features that equals
    /// `intercept + coefficients · scaled(x)`: wⱼ = βⱼ / sⱼ, b = intercept − Σ βⱼ cⱼ / sⱼ.
    /// Lets a linear model score raw columns without scaling a matrix first.
    /// - Throws: `.invalidParameter` when the scaler applies log1p (not linear).
    public func foldedIntoLinear(coefficients: [Double], intercept: Double) throws -> (weights: [Double], intercept: Double) {
        guard log1pColumns.isEmpty else {
            throw NumericError.invalidParameter(name: "scaler", allowed: "linear (no log1p columns)", got: "log1p on \(log1pColumns)")
        }
        guard coefficients.count == center.count else {
            throw NumericError.shapeMismatch(operation: "a saved model", expected: "\(center.count) coefficients, one per scaled feature",
                                             got: "\(coefficients.count)")
        }
        var b = intercept
        let weights = coefficients.indices.map { j in
            let w = coefficients[j] * (1 / scale[j])
            b -= w * center[j]
            return w
        }
        return (weights, b)
    }

    /// Maps scaled values (e.g. centroids) back to original units.
    public func inverseTransform(_ data: Matrix) throws -> Matrix {
        guard data.columns == center.count else {
            throw NumericError.shapeMismatch(
                operation: "undoing the scaling", expected: "\(center.count) feature columns",
                got: "\(data.rows)x\(data.columns)")
        }
        var out = data
        let logged = Set(log1pColumns)
        for i in 0..<data.rows {
            for j in 0..<data.columns {
                let v = data[i, j] * scale[j] + center[j]
                out[i, j] = logged.contains(j) ? expm1(v) : v
            }
        }
        return out
    }

    static func applyLog1p<Element: MatrixElement>(_ data: DenseMatrix<Element>, columns: [Int]) throws -> DenseMatrix<Element> {
        var out = data
        try applyLog1p(&out, columns: columns)
        return out
    }

    static func applyLog1p<Element: MatrixElement>(_ data: inout DenseMatrix<Element>, columns: [Int]) throws {
        for j in columns {
            for i in 0..<data.rows {
                let v = Double(data[i, j])
                guard v > -1 || v.isNaN else {  // log1p(-1) is -inf
                    // The shortest decimal of the stored value: a float's digits as read
                    // (-7.92767, not -7.927670001983643), a double as it is.
                    throw NumericError.log1pDomain(column: j, row: i, value: Double("\(data[i, j])") ?? v)
                }
                data[i, j] = Element(narrowing: log1p(v))
            }
        }
    }
}

extension DenseMatrix {
    /// One column, copied, as doubles.
    public func column(_ j: Int) -> [Double] {
        (0..<rows).map { Double(storage[$0 * columns + j]) }
    }
}
