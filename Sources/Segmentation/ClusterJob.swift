import CustomerData
import Foundation
import NumericCore

/// The whole `persona cluster` run: read, encode, scale, cluster, score.
public enum ClusterJob {
    /// - Throws: `CustomerDataError` for unreadable or malformed input, `SegmentationError` for
    ///   data that cannot be clustered as asked.
    /// - Parameter progress: hears each step on the calling thread (reading progress comes
    ///   through `options.read.progress`).
    public static func run(_ options: ClusterOptions, progress: (WorkProgress) -> Void = { _ in }) throws -> ClusterRun {
        options.float32 ? try run(options, as: Float.self, progress: progress) : try run(options, as: Double.self, progress: progress)
    }

    /// The run with the scaled matrix kept as `element`s.
    private static func run<Element: MatrixElement>(_ options: ClusterOptions, as element: Element.Type,
                                                    progress: (WorkProgress) -> Void) throws -> ClusterRun {
        var timings = StageTimer()
        var loaded = try loadFeatures(options, as: element, progress: progress) { timings.lap("read") }
        timings.lap("encode + scale")
        let (file, names, rows) = (loaded.file, loaded.pipeline.features, loaded.rows)
        var scaled = loaded.matrix
        loaded.matrix = try DenseMatrix(zeros: 0, 0)  // one owner, so nothing below copies it
        try checkNotAllConstant(scaled, names: names, file: file)

        progress(.started("clustering"))
        let start = try startingPoint(options.start, features: names, file: file)
        func configure(_ k: Int) throws -> KMeans {
            guard rows >= k else { throw SegmentationError.tooFewRows(file: file, rows: rows, k: k) }
            do {
                return try KMeans(k: k, initialization: start, nInit: options.nInit, maxIterations: options.maxIterations,
                                  tolerance: options.tolerance, seed: options.seed, threads: options.threads)
            } catch let error as NumericError {
                throw SegmentationError.numeric(file: file, error)
            }
        }
        var selection: [KSelectionRow] = []
        var result: KMeansResult
        var metrics: ClusterMetrics?
        // Given centroids fix k: `--k auto` takes the file's k, a different `--k N` is an error.
        var choice = options.k
        if case .given(let centroids) = start, case .centroidsFile(let path) = options.start {
            if case .fixed(let k) = choice, k != centroids.rows {
                throw SegmentationError.centroidsFile(
                    file: (path as NSString).lastPathComponent,
                    problem: "it holds \(centroids.rows) centroids but --k is \(k)")
            }
            choice = .fixed(centroids.rows)
        }
        switch choice {
        case .fixed(let k):
            let config = try configure(k)
            // Distances come last, as the matrix is given back (below).
            result = try config.fit(scaled, distances: false, progress: progress)
            timings.lap("k-means")
        case .auto(let range):
            let chooser = try KMeansModelSelection(range: range)
            let outcome = try chooser.evaluate(scaled, configure: configure, silhouetteLimit: options.silhouetteLimit) { k in
                progress(WorkProgress(step: "choosing k in \(range.lowerBound)...\(range.upperBound)", done: k - range.lowerBound,
                                      total: range.count, unit: .fits))
            }
            selection = outcome.candidates.map { KSelectionRow(k: $0.k, inertia: $0.result.model.inertia, metrics: $0.metrics) }
            result = outcome.candidates[outcome.chosen].result
            metrics = outcome.candidates[outcome.chosen].metrics
            timings.lap("k-means (auto)")
        }
        result.orderBySize()
        // Calinski-Harabasz and Davies-Bouldin come from the fit once its distances are
        // computed (below), when its centroids are its clusters' means; from the rows now
        // otherwise.
        var partitionFromFit = false
        if metrics == nil {
            progress(.started("scoring"))
            partitionFromFit = ClusterMetrics.scoresPartition(of: result)
            metrics = try ClusterMetrics.evaluate(scaled, labels: result.labels, silhouetteLimit: options.silhouetteLimit,
                                                  seed: options.seed, threads: options.threads, partition: !partitionFromFit)
            timings.lap("metrics")
        }
        // Centroids in original units: the means of each cluster's rows (log1p undone row by row),
        // the same numbers the summary, the model file and the report show.
        let original = try Matrix(rowArrays: loaded.pipeline.clusterMeans(scaled, labels: result.labels, k: result.model.k))
        // For the report: where each centroid sits in its feature's distribution (z-scores
        // of the scaled columns, whatever the scaling), and a 2-D projection of a sample.
        var centroidZ: Matrix?
        var projection: Projection?
        if options.forReport {
            let (means, variances) = ColumnStatistics.meansAndVariances(scaled, threads: options.threads)
            centroidZ = try Matrix(rows: result.model.k, columns: names.count, storage: (0..<result.model.k).flatMap { c in
                (0..<names.count).map { j in variances[j] > 0 ? (result.model.centroids[c, j] - means[j]) / variances[j].squareRoot() : 0 }
            })
            let labels = result.labels.map(Int.init)
            do {
                projection = try Projection.make(rows: rows, labels: labels, seed: options.seed) { scaled.widenedRows($0) }
            } catch let error as NumericError {
                throw SegmentationError.numeric(file: file, error)
            }
        }
        if result.squaredDistances.isEmpty {
            do {
                result.squaredDistances = try result.model.squaredDistances(releasing: &scaled, labels: result.labels, threads: options.threads)
            } catch let error as NumericError {
                throw SegmentationError.numeric(file: file, error)
            }
        }
        if partitionFromFit {
            timings.skip()
            let scores = ClusterMetrics.partitionScores(of: result, threads: options.threads)
            metrics?.calinskiHarabasz = scores?.calinskiHarabasz
            metrics?.daviesBouldin = scores?.daviesBouldin
            timings.extend("metrics")
        }
        return ClusterRun(
            source: file, idColumn: options.read.idColumn ?? "", ids: loaded.ids, rowsRead: rows,
            pipeline: loaded.pipeline, report: loaded.report, result: result, centroidsOriginal: original,
            metrics: metrics ?? ClusterMetrics(silhouette: nil, calinskiHarabasz: nil, daviesBouldin: nil, silhouetteSampleSize: nil),
            selection: selection, seed: options.seed, centroidZScores: centroidZ, projection: projection, timings: timings.stages,
            matrixStorage: Element.storageName)
    }

    /// The fitted pipeline with its transformed matrix, and what is kept of the table (its
    /// ids). The rest of the table is released as it is encoded and when this returns.
    struct LoadedFeatures<Element: MatrixElement> {
        let file: String
        let ids: IdentifierColumn?
        let rows: Int
        let pipeline: FeaturePipeline
        let report: EncodingReport
        var matrix: DenseMatrix<Element>
    }

    static func loadFeatures<Element: MatrixElement>(_ options: ClusterOptions, as element: Element.Type,
                                                     progress: (WorkProgress) -> Void = { _ in },
                                                     afterRead: () -> Void = {}) throws -> LoadedFeatures<Element> {
        var read = options.read
        if let features = options.features { read.columns = features }
        // A float matrix is made from cells kept as floats: the table never holds doubles.
        read.numbersAsFloats = Element.self == Float.self
        var table = try CSVReader.read(path: options.input, options: read)
        afterRead()
        var specification = FeaturePipeline.Specification(features: options.features, log1p: options.log1p, scale: options.scale)
        specification.exclude = options.exclude + (options.read.idColumn.map { [$0] } ?? [])
        specification.maxCategories = options.maxCategories
        let fitted = try FeaturePipeline.fit(releasing: &table, specification, as: element, threads: options.threads, progress: progress)
        return LoadedFeatures(file: table.source, ids: table.identifiers, rows: table.rowCount,
                              pipeline: fitted.pipeline, report: fitted.report, matrix: fitted.matrix)
    }

    private static func checkNotAllConstant<Element: MatrixElement>(_ scaled: DenseMatrix<Element>, names: [String], file: String) throws {
        guard scaled.rows > 0 else { return }
        let first = scaled.row(0)
        for i in 1..<scaled.rows {
            for j in 0..<scaled.columns where scaled[i, j] != first[j] { return }
        }
        throw SegmentationError.allFeaturesConstant(file: file, columns: names)
    }

    private static func startingPoint(_ start: ClusterOptions.Start, features: [String], file: String) throws -> KMeans.Initialization {
        switch start {
        case .kMeansPlusPlus: return .kMeansPlusPlus
        case .random: return .random
        case .centroidsFile(let path): return .given(try CentroidsFile.read(path: path, features: features))
        }
    }
}

/// One row of the `--k auto` table.
public struct KSelectionRow: Codable, Sendable, Equatable {
    public let k: Int
    public let inertia: Double
    public let metrics: ClusterMetrics
}

/// Wall-clock time per stage.
struct StageTimer {
    private var last = DispatchTime.now().uptimeNanoseconds
    private(set) var stages: [(String, Double)] = []

    mutating func lap(_ name: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        stages.append((name, Double(now - last) / 1e9))
        last = now
    }

    /// Starts the next lap now: the time since the last one is counted in no stage.
    mutating func skip() {
        last = DispatchTime.now().uptimeNanoseconds
    }

    /// Adds the time since the last lap to the stage `name` (a new stage if there is none).
    mutating func extend(_ name: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(now - last) / 1e9
        if let i = stages.firstIndex(where: { $0.0 == name }) { stages[i].1 += seconds } else { stages.append((name, seconds)) }
        last = now
    }
}
