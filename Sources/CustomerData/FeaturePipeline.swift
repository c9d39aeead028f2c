import Foundation
import NumericCore

/// The one path from a customer table to the matrix a model sees, fitted once and applied to
/// any table with the same columns: which columns, how each is encoded and filled
/// (`FeatureEncoding`), which are log1p-transformed, and the fitted scaler.
///
/// Every command builds its features through this type — `cluster`, each `segment` dimension,
/// `churn train` and `churn score` — and every model file stores it under the same three keys
/// (`features`, `encoding`, `scaler`), so a saved model can be applied anywhere
/// (scikit-learn's `Pipeline`: fit / transform over one saved object).
public struct FeaturePipeline: Codable, Sendable, Equatable {
    /// Columns, kinds, fills and one-hot levels.
    public let encoding: FeatureEncoding
    /// Scaling of the encoded features, log1p first on `scaler.log1pColumns`.
    public let scaler: Scaler

    /// The encoded feature names, in matrix column order.
    public var features: [String] { encoding.featureNames }
    /// The table columns the pipeline reads.
    public var columns: [String] { encoding.columns.map(\.name) }
    /// The features transformed with log1p before scaling.
    public var log1pFeatures: [String] { scaler.log1pColumns.map { features[$0] } }

    /// What to fit: the columns and the transforms.
    public struct Specification: Sendable, Equatable {
        /// The columns to use, in order; nil: every read column except the id and `exclude`
        /// (text columns with more than `maxCategories` levels and empty columns left out and
        /// reported).
        public var features: [String]?
        public var exclude: [String] = []
        public var maxCategories = 50
        /// Set to what the columns are for ("value tiers") when every column must hold numbers
        /// (or yes/no values): a text column is then an error naming that purpose.
        public var numbersFor: String?
        /// Numeric features transformed with log1p before scaling.
        public var log1p: [String] = []
        public var scale: ScalingMethod = .zscore
        /// Where the column names came from, for the unknown-column message.
        public var source = "--features"
        /// Where the log1p names came from, for the not-numeric message.
        public var log1pSource = "--log1p"

        public init(features: [String]? = nil, log1p: [String] = [], scale: ScalingMethod = .zscore) {
            self.features = features
            self.log1p = log1p
            self.scale = scale
        }
    }

    /// A fitted pipeline with the matrix it was fitted on, already transformed.
    public struct Fitted<Element: MatrixElement>: Sendable {
        public let pipeline: FeaturePipeline
        public var matrix: DenseMatrix<Element>
        public var report: EncodingReport
    }

    public init(encoding: FeatureEncoding, scaler: Scaler) {
        self.encoding = encoding
        self.scaler = scaler
    }

    /// Fits the encoding, the log1p transform and the scaler, and returns the transformed
    /// matrix (fit_transform).
    /// - Throws: `CustomerDataError` for unknown, empty or (with `numbersFor`) text columns, a
    ///   log1p column that is not numeric or holds a value below −1 (with file and line).
    /// - Complexity: O(rows · features).
    public static func fit(_ table: CustomerTable, _ specification: Specification, threads: Int = 1,
                           progress: (WorkProgress) -> Void = { _ in }) throws -> Fitted<Double> {
        var table = table
        return try fit(&table, specification, releasing: false, as: Double.self, threads: threads, progress: progress)
    }

    /// `fit`, taking the feature columns out of `table` and giving their memory back as they
    /// are encoded (`FeatureEncoding.encode(releasing:)`): for the owner of a large table that
    /// needs only its ids and line numbers afterwards. Peak memory is then about the matrix.
    /// - Parameter element: `Double.self`, or `Float.self` for a matrix of half the size: the
    ///   encoded values are rounded to floats, the scaler is fitted to them in double and the
    ///   scaled values are rounded again. A value beyond the float range is an error.
    public static func fit<Element: MatrixElement>(releasing table: inout CustomerTable, _ specification: Specification,
                                                   as element: Element.Type, threads: Int = 1,
                                                   progress: (WorkProgress) -> Void = { _ in }) throws -> Fitted<Element> {
        try fit(&table, specification, releasing: true, as: element, threads: threads, progress: progress)
    }

    private static func fit<Element: MatrixElement>(_ table: inout CustomerTable, _ specification: Specification, releasing: Bool,
                                                    as element: Element.Type, threads: Int,
                                                    progress: (WorkProgress) -> Void) throws -> Fitted<Element> {
        var (encoding, raw, report) = try encode(&table, specification, releasing: releasing, as: element, threads: threads,
                                                 progress: progress)
        let pipeline = try FeaturePipeline(encoding: encoding, fittingScalerTo: raw, table: table, specification, threads: threads)
        try pipeline.scale(&raw, table: table, threads: threads)
        return Fitted(pipeline: pipeline, matrix: raw, report: report)
    }

    /// Fits only the encoding and returns the encoded, unscaled matrix: for callers that fit
    /// their scaler on subsets (cross-validation folds) before `init(encoding:fittingScalerTo:…)`.
    /// - Parameter progress: hears the rows encoded, on the calling thread.
    public static func encode(_ table: CustomerTable, _ specification: Specification, threads: Int = 1,
                              progress: (WorkProgress) -> Void = { _ in }) throws -> (encoding: FeatureEncoding, matrix: Matrix, report: EncodingReport) {
        var table = table
        return try encode(&table, specification, releasing: false, as: Double.self, threads: threads, progress: progress)
    }

    private static func encode<Element: MatrixElement>(
        _ table: inout CustomerTable, _ specification: Specification, releasing: Bool, as element: Element.Type, threads: Int,
        progress: (WorkProgress) -> Void
    ) throws -> (encoding: FeatureEncoding, matrix: DenseMatrix<Element>, report: EncodingReport) {
        progress(.started("encoding"))
        let (encoding, fitReport) = try FeatureEncoder.fit(
            table, features: specification.features, exclude: specification.exclude,
            maxCategories: specification.maxCategories, threads: threads, source: specification.source)
        if let purpose = specification.numbersFor {
            for column in encoding.columns where column.kind == .categorical {
                let j = table.index(of: column.name) ?? 0
                throw CustomerDataError.notNumbers(file: table.source, column: j + 1, name: column.name, purpose: purpose)
            }
        }
        var encoded = releasing ? try encoding.encode(releasing: &table, as: element, threads: threads, progress: progress)
            : try encoding.encode(table, as: element, threads: threads, progress: progress)
        encoded.report.excluded = fitReport.excluded
        encoded.report.numericLooking = fitReport.numericLooking
        let matrix = try DenseMatrix(rows: table.rowCount, columns: encoded.names.count, storage: encoded.matrix)
        try LargeValues.check(matrix, names: encoded.names, table: table, threads: threads)
        return (encoding, matrix, encoded.report)
    }

    /// Fits the scaler (after log1p on `specification.log1p`) to an encoded matrix.
    public init<Element: MatrixElement>(encoding: FeatureEncoding, fittingScalerTo raw: DenseMatrix<Element>, table: CustomerTable,
                _ specification: Specification, threads: Int = 1) throws {
        let names = encoding.featureNames
        let log1p = try FeaturePipeline.log1pIndices(encoding, specification, file: table.source)
        do {
            self.init(encoding: encoding, scaler: try Scaler.fit(raw, method: specification.scale, log1pColumns: log1p, threads: threads))
        } catch NumericError.log1pDomain(let column, let row, let value) {
            throw CustomerDataError.log1pDomain(file: table.source, line: table.line(ofRow: row), name: names[column], value: value)
        }
    }

    /// The feature indices of `specification.log1p`.
    /// - Throws: `CustomerDataError.log1pNotNumeric` for a name that is not a numeric feature.
    public static func log1pIndices(_ encoding: FeatureEncoding, _ specification: Specification, file: String) throws -> [Int] {
        let names = encoding.featureNames
        return try specification.log1p.map { name -> Int in
            guard let spec = encoding.columns.first(where: { $0.name == name }), spec.kind == .numeric,
                  let index = names.firstIndex(of: name)
            else { throw CustomerDataError.log1pNotNumeric(file: file, option: specification.log1pSource, name: name) }
            return index
        }
    }

    /// The table's rows in the fitted units: encoded with the saved fills and levels, log1p,
    /// scaled with the saved scaler.
    /// - Throws: `CustomerDataError` for a column the pipeline needs and the table lacks, a
    ///   non-number in a numeric column, a column without any usable value (in a table of two
    ///   rows or more), a number beyond `LargeValues.limit`, a value below −1 in a log1p column.
    /// - Complexity: O(rows · features).
    public func transform(_ table: CustomerTable, threads: Int = 1) throws -> (matrix: Matrix, report: EncodingReport) {
        let encoded = try encoding.encode(table, threads: threads)
        try encoded.report.requireValues(in: table)
        var matrix = try Matrix(rows: table.rowCount, columns: encoded.names.count, storage: encoded.matrix)
        try LargeValues.check(matrix, names: encoded.names, table: table, threads: threads)
        try scale(&matrix, table: table, threads: threads)
        return (matrix, encoded.report)
    }

    /// log1p and scaling in place; a log1p domain error names the table's line.
    private func scale<Element: MatrixElement>(_ matrix: inout DenseMatrix<Element>, table: CustomerTable, threads: Int = 1) throws {
        do {
            try scaler.transform(&matrix, threads: threads)
        } catch NumericError.log1pDomain(let column, let row, let value) {
            throw CustomerDataError.log1pDomain(file: table.source, line: table.line(ofRow: row), name: features[column], value: value)
        }
    }

    /// Per cluster, the mean of its rows in original units (log1p undone row by row, so a
    /// log1p column gives the arithmetic mean of the raw values, not expm1 of a mean of logs).
    /// The numbers a summary, a model file and a report card all show for a cluster.
    /// - Parameters:
    ///   - scaled: rows in the fitted units (the output of `fit` or `transform`).
    ///   - labels: each row's cluster in `0..<k`.
    /// - Complexity: O(rows · features).
    public func clusterMeans<Element: MatrixElement>(_ scaled: DenseMatrix<Element>, labels: [Int], k: Int) -> [[Double]] {
        means(clusterSums(scaled, labels: labels, k: k), k: k)
    }

    /// `clusterMeans` for k-means labels as they come, without a widened copy of them.
    public func clusterMeans<Element: MatrixElement>(_ scaled: DenseMatrix<Element>, labels: [Int32], k: Int) -> [[Double]] {
        means(clusterSums(scaled, labels: labels, k: k), k: k)
    }

    private func means(_ total: (sums: [[Double]], counts: [Int]), k: Int) -> [[Double]] {
        (0..<k).map { c in total.sums[c].map { total.counts[c] > 0 ? $0 / Double(total.counts[c]) : .nan } }
    }

    /// Per cluster, the sum of its rows in original units and its row count: `clusterMeans`
    /// before the division, for rows split across partitions (add the sums in partition order).
    public func clusterSums<Element: MatrixElement>(_ scaled: DenseMatrix<Element>, labels: [Int], k: Int) -> (sums: [[Double]], counts: [Int]) {
        sums(d: scaled.columns, labels: labels, k: k) { scaled.forEachWidenedBlock($0) }
    }

    /// `clusterSums` for k-means labels as they come.
    public func clusterSums<Element: MatrixElement>(_ scaled: DenseMatrix<Element>, labels: [Int32], k: Int) -> (sums: [[Double]], counts: [Int]) {
        sums(d: scaled.columns, labels: labels, k: k) { scaled.forEachWidenedBlock($0) }
    }

    /// `chunks` hands over the rows, in order, as doubles (`DenseMatrix.forEachWidenedBlock`);
    /// the row loop is generic only in the label type, which the callers fix.
    private func sums<Label: BinaryInteger>(d: Int, labels: [Label], k: Int,
                                            chunks: ((Range<Int>, UnsafePointer<Double>) -> Void) -> Void)
        -> (sums: [[Double]], counts: [Int]) {
        var sums = [Double](repeating: 0, count: k * d)
        var counts = [Int](repeating: 0, count: k)
        let loggedSet = Set(scaler.log1pColumns)
        let logged = (0..<d).map { loggedSet.contains($0) }
        let (center, scale) = (scaler.center, scaler.scale)
        sums.withUnsafeMutableBufferPointer { sums in
            counts.withUnsafeMutableBufferPointer { counts in
                labels.withUnsafeBufferPointer { labels in
                    center.withUnsafeBufferPointer { center in
                        scale.withUnsafeBufferPointer { scale in
                            logged.withUnsafeBufferPointer { logged in
                                chunks { rows, x in
                                    for i in rows {
                                        let label = labels[i]
                                        guard label >= 0 && label < k else { continue }
                                        let c = Int(label)
                                        counts[c] += 1
                                        let row = x + (i - rows.lowerBound) * d
                                        for j in 0..<d {
                                            let v = row[j] * scale[j] + center[j]
                                            sums[c * d + j] += logged[j] ? expm1(v) : v
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return ((0..<k).map { Array(sums[($0 * d)..<(($0 + 1) * d)]) }, counts)
    }

    enum CodingKeys: String, CodingKey { case features, encoding, scaler }

    /// Decodes and checks that features, encoding and scaler agree, so no index read from a
    /// model file can point outside the matrix.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let encoding = try c.decode(FeatureEncoding.self, forKey: .encoding)
        let scaler = try c.decode(Scaler.self, forKey: .scaler)
        let features = try c.decode([String].self, forKey: .features)
        func corrupt(_ key: CodingKeys, _ problem: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: c.codingPath + [key], debugDescription: problem))
        }
        guard features == encoding.featureNames else {
            throw corrupt(.features, "lists \(features.count) features, but the encoding makes \(encoding.featureNames.count) (\(encoding.featureNames.prefix(5).joined(separator: ", "))…)")
        }
        guard scaler.center.count == features.count, scaler.scale.count == features.count else {
            throw corrupt(.scaler, "has \(scaler.center.count) centres and \(scaler.scale.count) scales for \(features.count) features")
        }
        guard scaler.center.allSatisfy(\.isFinite), scaler.scale.allSatisfy({ $0.isFinite && $0 != 0 }) else {
            throw corrupt(.scaler, "holds a centre or scale that is not a finite number (scales must also be non-zero)")
        }
        if let column = encoding.columns.first(where: { $0.fill.map { !$0.isFinite } ?? false }), let fill = column.fill {
            throw corrupt(.encoding, "gives column '\(column.name)' the fill \(fill), not a finite number")
        }
        if let bad = scaler.log1pColumns.first(where: { $0 < 0 || $0 >= features.count }) {
            throw corrupt(.scaler, "log1p_columns holds \(bad), outside 0..<\(features.count)")
        }
        self.init(encoding: encoding, scaler: scaler)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(features, forKey: .features)
        try c.encode(encoding, forKey: .encoding)
        try c.encode(scaler, forKey: .scaler)
    }
}
