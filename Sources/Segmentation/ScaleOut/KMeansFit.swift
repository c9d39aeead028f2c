import CustomerData
import Foundation
import NumericCore

/// k-means on a file split into partitions, one round at a time, after `PipelineFit`: the
/// driver starts it (`init`), runs the map step `next` on every partition, and feeds their
/// outputs in partition order to `advanced(with:)` until `model` is set.
///
/// Rounds: a seeded sample of rows for k-means++ (skipped with given centroids; when the
/// sample is every row, its fit is the single machine's and Lloyd rounds are skipped); Lloyd
/// iterations exactly as `KMeans.fit` makes them (`KMeans.partial` per partition, then
/// `KMeans.step`: same assignment kernel, same empty-cluster relocation, same tolerance and
/// stopping rules); a final pass for sizes, inertia and centroids in original units; a pass
/// for the quality metrics. With the same starting centroids the labels are those of
/// `persona cluster` on the whole file and the inertia agrees to rounding.
public struct KMeansFit: Codable, Sendable {
    public struct Specification: Codable, Sendable {
        public var k: Int
        public var seed: UInt64 = 0
        public var nInit: Int?
        public var maxIterations = 300
        public var tolerance = 1e-4
        /// Starting centroids in scaled units (`--init FILE`); nil: k-means++ on a sample.
        public var start: [[Double]]?
        /// Rows k-means++ (with its restarts and Lloyd) runs on to find the start; all rows
        /// when the file has no more.
        public var sampleSize = 100_000
        public var silhouetteLimit = 20_000
        public var silhouetteSample = 10_000

        public init(k: Int) { self.k = k }

        enum CodingKeys: String, CodingKey {
            case k, seed, start, tolerance
            case nInit = "n_init"
            case maxIterations = "max_iterations"
            case sampleSize = "sample_size"
            case silhouetteLimit = "silhouette_limit"
            case silhouetteSample = "silhouette_sample"
        }
    }

    public enum MapStep: String, Codable, Sendable {
        case sample, lloyd, final, metrics
    }

    /// Rows of the scaled matrix picked by global index, with their labels when centroids
    /// were given. In JSON the rows, labels and values are packed (`PackedNumbers`; the values
    /// row after row, with `columns`): exact, and far quicker to write and read than 100,000
    /// rows of decimals.
    public struct RowSample: Codable, Sendable, Equatable {
        public var rows: [Int]
        /// The rows' values, row after row, `columns` each (one array: 100,000 rows of their
        /// own took longer to decode and stack than the k-means run on them).
        public var values: [Double]
        public var columns: Int
        public var labels: [Int]?

        public init(rows: [Int], columns: Int, values: [Double], labels: [Int]?) {
            (self.rows, self.columns, self.values, self.labels) = (rows, columns, values, labels)
        }

        /// The rows as a matrix (rows × columns).
        public func matrix() throws -> Matrix {
            try Matrix(rows: rows.count, columns: columns, storage: values)
        }

        /// The rows at positions `picked` of this sample, as a matrix.
        func matrix(picking picked: [Int]) throws -> Matrix {
            var storage = [Double]()
            storage.reserveCapacity(picked.count * columns)
            for p in picked { storage += values[p * columns..<(p + 1) * columns] }
            return try Matrix(rows: picked.count, columns: columns, storage: storage)
        }

        enum CodingKeys: String, CodingKey { case rows, values, labels, columns }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodePacked(rows, forKey: .rows)
            try container.encodePacked(labels, forKey: .labels)
            try container.encode(columns, forKey: .columns)
            try container.encodePacked(values, forKey: .values)
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let rows = try container.decodePackedIntegers(forKey: .rows) ?? []
            let labels = try container.decodePackedIntegers(forKey: .labels)
            let columns = try container.decode(Int.self, forKey: .columns)
            let flat = try container.decodePackedDoubles(forKey: .values) ?? []
            guard columns >= 0, flat.count == rows.count * columns, labels.map({ $0.count == rows.count }) ?? true else {
                throw DecodingError.dataCorruptedError(forKey: .values, in: container,
                                                       debugDescription: "not \(rows.count)x\(columns) doubles in base64")
            }
            (self.rows, self.columns, self.values, self.labels) = (rows, columns, flat, labels)
        }
    }

    /// The final pass of one partition: labels under the final centroids.
    public struct FinalPartial: Codable, Sendable, Equatable {
        public var counts: [Int]
        /// Per cluster, Σ rows in scaled units and in original units (log1p undone).
        public var sums: [[Double]]
        public var originalSums: [[Double]]
        public var inertia: Double
        enum CodingKeys: String, CodingKey {
            case counts, sums, inertia
            case originalSums = "original_sums"
        }
    }

    /// A Lloyd round of one partition: its share of the iteration, and, when none of its
    /// labels changed, the final pass's statistics under the same centroids. When the whole
    /// iteration converges strictly (no label changed anywhere, so the centroids come back
    /// unchanged, bit for bit) the final pass would find exactly these labels and distances,
    /// and its round is skipped.
    public struct LloydOutput: Codable, Sendable, Equatable {
        public var lloyd: LloydPartial
        public var final: FinalPartial?
    }

    /// The metrics pass of one partition: distances to the cluster means, and the rows of the
    /// silhouette sample.
    public struct MetricsPartial: Codable, Sendable, Equatable {
        public var squaredWithin: [Double]
        public var rootWithin: [Double]
        public var sample: RowSample
        enum CodingKeys: String, CodingKey {
            case sample
            case squaredWithin = "squared_within"
            case rootWithin = "root_within"
        }
    }

    public var specification: Specification
    public var features: PipelineFit
    public var next: MapStep?
    /// Global row indices a `sample` or `metrics` round collects, ascending (packed in JSON:
    /// every partition reads them).
    @PackedIntegers public var sampleRows: [Int]?
    public var centroids: [[Double]]?
    public var previous: [[Double]]?
    public var iterations = 0
    public var converged = false
    public var strictConvergence = false
    public var restartInertias: [Double] = []
    /// After the final round: per cluster (numbered by decreasing size) sizes and sums.
    public var final: FinalPartial?
    public var model: ClusterModelFile?
    /// The pipeline the partitions' matrix caches are made under, when `features` has since
    /// taken fills found later (`PipelineFit.fillsPending`): no cell is blank, so the matrices
    /// are the same and keep their identity.
    public var matrixPipeline: FeaturePipeline?

    enum CodingKeys: String, CodingKey {
        case specification, features, next, centroids, previous, iterations, converged, final, model
        case matrixPipeline = "matrix_pipeline"
        case sampleRows = "sample_rows"
        case strictConvergence = "strict_convergence"
        case restartInertias = "restart_inertias"
    }

    private var file: String { features.specification.source }
    private var rows: Int { features.partRows?.reduce(0, +) ?? 0 }

    /// A run on the pipeline `features` fitted.
    /// - Throws: `SegmentationError` for fewer rows than k, only constant features, or given
    ///   centroids of the wrong shape.
    public init(_ specification: Specification, features: PipelineFit) throws {
        self.specification = specification
        self.features = features
        guard let pipeline = features.pipeline, let moments = features.moments else {
            throw StepFile.noWork(features.specification.source, "k-means (the features are not fitted yet)")
        }
        let (file, n, k) = (features.specification.source, features.partRows?.reduce(0, +) ?? 0, specification.k)
        guard n >= k else { throw SegmentationError.tooFewRows(file: file, rows: n, k: k) }
        if zip(moments.minimums, moments.maximums).allSatisfy({ $0 == $1 }) {
            throw SegmentationError.allFeaturesConstant(file: file, columns: pipeline.features)
        }
        do {
            _ = try KMeans(k: k, nInit: specification.nInit, maxIterations: specification.maxIterations,
                           tolerance: specification.tolerance, seed: specification.seed)
        } catch let error as NumericError {
            throw SegmentationError.numeric(file: file, error)
        }
        if let start = specification.start {
            guard start.count == k, start.allSatisfy({ $0.count == pipeline.features.count }) else {
                throw SegmentationError.centroidsFile(file: file, problem: "it holds \(start.count) centroids but k is \(k)")
            }
            centroids = start
            next = .lloyd
        } else {
            var rng = SeededRandom(seed: specification.seed, stream: 0x5A4D)
            sampleRows = n <= specification.sampleSize ? Array(0..<n) : rng.sampleIndices(specification.sampleSize, from: n).sorted()
            next = .sample
        }
    }

    // MARK: map steps (one partition)

    /// The current round's statistics of partition `part`, as JSON.
    /// - Parameters:
    ///   - path: the partition's CSV; nil when `matrixCache` is to be used without it.
    ///   - matrixCache: where the partition's scaled matrix is saved between rounds
    ///     (`MatrixCache`): read when it holds this partition's, else made from `path` and
    ///     written there. The statistics are the same either way.
    /// - Throws: `SegmentationError.matrixCache` when the cache cannot be used and `path` is
    ///   nil; the errors of reading and transforming the partition otherwise.
    ///   - table: the partition's rows already read (as `features.readOptions()`), instead of `path`.
    ///   - assigned: called in the metrics round with the partition's labels and squared
    ///     distances under the final centroids (`segmentsCSV` makes its segments of them).
    public func map(partition path: String?, part: Int, threads: Int = 1, matrixCache: String? = nil,
                    table: CustomerTable? = nil,
                    assigned: ((_ labels: [Int32], _ squaredDistances: [Double]) throws -> Void)? = nil) throws -> [UInt8] {
        guard let pipeline = features.pipeline, let partRows = features.partRows, part >= 0, part < partRows.count else {
            throw SegmentationError.modelFile(file: file, problem: "the state has no partition \(part)")
        }
        let (scaled, source) = try scaledMatrix(partition: path, part: part, rows: partRows[part], pipeline: pipeline,
                                                threads: threads, cache: matrixCache, table: table)
        let offset = partRows[..<part].reduce(0, +)
        do {
            switch next {
            case .sample:
                return try StepFile.line(collect(scaled, offset: offset, labels: nil))
            case .lloyd:
                guard let centroids else { throw StepFile.noWork(file, "lloyd") }
                let (partial, labels, squared) = try KMeans.assignedPartial(scaled, centroids: try Matrix(rowArrays: centroids),
                                                                            previous: try previous.map { try Matrix(rowArrays: $0) },
                                                                            threads: threads)
                // Only an iteration in which no partition's label changes can stand for the final pass.
                let final = partial.changed == 0
                    ? finalPartial(scaled, pipeline: pipeline, labels: labels, squaredDistances: squared, k: centroids.count) : nil
                return try StepFile.line(LloydOutput(lloyd: partial, final: final))
            case .final:
                guard let centroids else { throw StepFile.noWork(file, "final") }
                let (labels, squared) = try KMeansModel(centroids: try Matrix(rowArrays: centroids)).assign(scaled, threads: threads)
                return try StepFile.line(finalPartial(scaled, pipeline: pipeline, labels: labels, squaredDistances: squared, k: centroids.count))
            case .metrics:
                guard let centroids, let final else { throw StepFile.noWork(file, "metrics") }
                let (labels, squared) = try KMeansModel(centroids: try Matrix(rowArrays: centroids)).assign(scaled, threads: threads)
                try assigned?(labels, squared)
                let means = clusterMeans(final).flatMap { $0 }
                let d = scaled.columns
                var squaredWithin = [Double](repeating: 0, count: centroids.count)
                var rootWithin = squaredWithin
                squaredWithin.withUnsafeMutableBufferPointer { squares in
                    rootWithin.withUnsafeMutableBufferPointer { roots in
                        scaled.storage.withUnsafeBufferPointer { x in
                            means.withUnsafeBufferPointer { mean in
                                for (i, label) in labels.enumerated() {
                                    let c = Int(label)
                                    var s = 0.0
                                    for f in 0..<d {
                                        let diff = x[i * d + f] - mean[c * d + f]
                                        s += diff * diff
                                    }
                                    squares[c] += s
                                    roots[c] += s.squareRoot()
                                }
                            }
                        }
                    }
                }
                return try StepFile.line(MetricsPartial(squaredWithin: squaredWithin, rootWithin: rootWithin,
                                                        sample: collect(scaled, offset: offset, labels: labels)))
            case nil:
                throw StepFile.noWork(file, "none")
            }
        } catch let error as NumericError {
            throw SegmentationError.numeric(file: source, error)
        }
    }

    /// The final pass's statistics of a partition from its labels and squared distances.
    private func finalPartial(_ scaled: Matrix, pipeline: FeaturePipeline, labels: [Int32], squaredDistances: [Double], k: Int) -> FinalPartial {
        let original = pipeline.clusterSums(scaled, labels: labels, k: k)
        let d = scaled.columns
        var sums = [Double](repeating: 0, count: k * d)  // row by row, as the nested loop adds them
        sums.withUnsafeMutableBufferPointer { total in
            scaled.storage.withUnsafeBufferPointer { x in
                for (i, label) in labels.enumerated() {
                    let (to, from) = (Int(label) * d, i * d)
                    for f in 0..<d { total[to + f] += x[from + f] }
                }
            }
        }
        return FinalPartial(counts: original.counts, sums: (0..<k).map { Array(sums[$0 * d..<($0 + 1) * d]) },
                            originalSums: original.sums, inertia: squaredDistances.reduce(0, +))
    }

    /// SEGMENTS.csv of one partition (with its header; empty for a partition without rows)
    /// from the labels and squared distances the metrics round found (`map`'s `assigned`):
    /// the rows `persona cluster --apply MODEL.json` gives on the partition, since the metrics
    /// round's centroids are the model's and its labels come from the same kernel. Only the
    /// id column of `path` is read.
    public func segmentsCSV(partition path: String, labels: [Int32], squaredDistances: [Double]) throws -> [UInt8] {
        guard next == .metrics else { throw StepFile.noWork(file, "segments (they come with the metrics round)") }
        var options = features.readOptions()
        options.columns = []
        let table = try CSVReader.read(path: path, options: options)
        guard table.rowCount == labels.count else {
            throw CustomerDataError.partsDisagree(file: table.source, problem: "\(table.rowCount) rows, \(labels.count) labels")
        }
        guard table.rowCount > 0 else { return [] }
        var bytes = [UInt8]()
        ClusterRun.writeSegmentsCSV(idColumn: features.specification.idColumn, ids: table.identifiers, labels: labels,
                                    squaredDistances: squaredDistances, threads: 1) { bytes += $0 }
        return bytes
    }

    /// Partition `part`'s scaled matrix and the name to give in messages: from the matrix
    /// cache at `cache` when it holds this partition's matrix under this pipeline; else
    /// parsed from the CSV at `path` and transformed (and saved to `cache` when given).
    private func scaledMatrix(partition path: String?, part: Int, rows: Int, pipeline: FeaturePipeline, threads: Int,
                              cache: String?, table given: CustomerTable?) throws -> (matrix: Matrix, source: String) {
        var identity: MatrixCache.Identity?
        if let cache {
            let wanted = try MatrixCache.Identity(pipeline: matrixPipeline ?? pipeline, source: file, part: part, rows: rows)
            identity = wanted
            do {
                let matrix = try MatrixCache.read(path: cache, identity: wanted, rows: rows, columns: pipeline.features.count)
                return (matrix, (cache as NSString).lastPathComponent)
            } catch {
                // Missing, stale or damaged: rebuilt below from the rows, when they were given.
                if path == nil && given == nil { throw error }
            }
        }
        let table: CustomerTable
        if let given {
            table = given
        } else if let path {
            table = try CSVReader.read(path: path, options: features.readOptions())
        } else {
            throw SegmentationError.modelFile(file: file, problem: "partition \(part): neither its rows nor a saved matrix were given")
        }
        guard table.rowCount == rows else {
            throw CustomerDataError.partsDisagree(file: table.source, problem: "partition \(part) has \(table.rowCount) rows, it had \(rows) when the features were fitted")
        }
        let scaled = try pipeline.transform(table, threads: threads).matrix
        if let cache, let identity { try MatrixCache.write(scaled, identity: identity, to: cache) }
        return (scaled, table.source)
    }

    /// The rows of `sampleRows` that fall in this partition.
    private func collect(_ scaled: Matrix, offset: Int, labels: [Int32]?) -> RowSample {
        let wanted = sampleRows ?? []
        func firstAtLeast(_ bound: Int) -> Int {
            var (low, high) = (0, wanted.count)
            while low < high {
                let mid = (low + high) / 2
                if wanted[mid] < bound { low = mid + 1 } else { high = mid }
            }
            return low
        }
        let (low, high) = (firstAtLeast(offset), firstAtLeast(offset + scaled.rows))
        let rows = Array(wanted[low..<high])
        let d = scaled.columns
        var values = [Double]()
        values.reserveCapacity(rows.count * d)
        for row in rows { values += scaled.storage[(row - offset) * d..<(row - offset + 1) * d] }
        return RowSample(rows: rows, columns: d, values: values, labels: labels.map { l in rows.map { Int(l[$0 - offset]) } })
    }

    /// Cluster means as `ClusterMetrics` computes them (sum divided by count).
    private func clusterMeans(_ final: FinalPartial) -> [[Double]] {
        zip(final.sums, final.counts).map { sums, count in sums.map { count > 0 ? $0 / Double(count) : 0 } }
    }

    // MARK: reduce (the driver)

    /// The state after a round, from every partition's output in partition order (for the
    /// sample round, or the samples already decoded: `samples`). `threads` run the k-means
    /// on the sample and the silhouette (the results do not depend on them).
    public func advanced(with parts: [Data], samples: [RowSample]? = nil, threads: Int = 1) throws -> KMeansFit {
        var state = self
        let outputs = samples?.count ?? parts.count
        guard let pipeline = features.pipeline, let partRows = features.partRows, outputs == partRows.count else {
            throw CustomerDataError.partsDisagree(file: file, problem: "\(outputs) partition outputs for \(features.partRows?.count ?? 0) partitions")
        }
        do {
            switch next {
            case .sample:
                let sample = try merge(try samples ?? parts.map { try StepFile.decode(RowSample.self, $0, file: file) })
                let config = try KMeans(k: specification.k, initialization: .kMeansPlusPlus, nInit: specification.nInit,
                                        maxIterations: specification.maxIterations, tolerance: specification.tolerance,
                                        seed: specification.seed, threads: threads)
                let result = try config.fit(try sample.matrix())
                state.centroids = result.model.centroids.rowArrays
                state.sampleRows = nil
                state.next = .lloyd
                if sample.rows.count == rows {
                    // The sample is the whole file: that fit is persona cluster's, restarts and all.
                    state.iterations = result.model.iterations
                    state.converged = result.model.converged
                    state.restartInertias = result.model.restartInertias
                    state.next = .final
                }
            case .lloyd:
                guard let centroids else { throw StepFile.noWork(file, "lloyd") }
                let offsets = partRows.indices.map { partRows[..<$0].reduce(0, +) }
                let outputs = try parts.map { try StepFile.decode(LloydOutput.self, $0, file: file) }
                let merged = try LloydPartial.merged(outputs.map(\.lloyd), offsets: offsets)
                let current = try Matrix(rowArrays: centroids)
                let (moved, shift) = try KMeans.step(centroids: current, merged: merged)
                state.iterations += 1
                state.previous = centroids
                state.centroids = moved.rowArrays
                let tolerance = KMeans.absoluteTolerance(specification.tolerance, variances: features.scaledVariances ?? [])
                if state.iterations > 1 && merged.changed == 0 {
                    state.strictConvergence = true
                    state.converged = true
                } else if shift <= tolerance {
                    state.converged = true
                }
                if state.converged || state.iterations >= specification.maxIterations {
                    state.previous = nil
                    state.next = .final
                    let finals = outputs.compactMap(\.final)
                    if state.strictConvergence && moved.storage == current.storage && finals.count == outputs.count {
                        // `KMeans.fit` keeps this pass's labels; the final pass would repeat it.
                        state = try state.finished(with: finals)
                    }
                }
            case .final:
                state = try finished(with: try parts.map { try StepFile.decode(FinalPartial.self, $0, file: file) })
            case .metrics:
                guard let centroids, let final else { throw StepFile.noWork(file, "metrics") }
                let metrics = try parts.map { try StepFile.decode(MetricsPartial.self, $0, file: file) }
                state.model = try model(pipeline: pipeline, centroids: centroids, final: final, metrics: metrics, threads: threads)
                state.sampleRows = nil
                state.next = nil
            case nil:
                throw StepFile.noWork(file, "none")
            }
        } catch let error as NumericError {
            throw SegmentationError.numeric(file: file, error)
        }
        return state
    }

    /// The state after the final pass (`finals`: every partition's, in order): clusters
    /// numbered by decreasing size, then the metrics round.
    private func finished(with finals: [FinalPartial]) throws -> KMeansFit {
        guard let centroids else { throw StepFile.noWork(file, "final") }
        var state = self
        var total = try addFinals(finals)
        // Clusters numbered by decreasing size, ties in their order (`orderedBySize`).
        let order = total.counts.indices.sorted { total.counts[$0] != total.counts[$1] ? total.counts[$0] > total.counts[$1] : $0 < $1 }
        total = FinalPartial(counts: order.map { total.counts[$0] }, sums: order.map { total.sums[$0] },
                             originalSums: order.map { total.originalSums[$0] }, inertia: total.inertia)
        state.centroids = order.map { centroids[$0] }
        state.final = total
        if state.restartInertias.isEmpty { state.restartInertias = [total.inertia] }
        let n = rows
        var rng = SeededRandom(seed: specification.seed, stream: 0x5111)
        state.sampleRows = n > specification.silhouetteLimit
            ? rng.sampleIndices(min(specification.silhouetteSample, n), from: n).sorted() : Array(0..<n)
        state.next = .metrics
        return state
    }

    private func merge(_ samples: [RowSample]) throws -> RowSample {
        // (A partition without sampled rows says nothing about the columns.)
        let columns = Set(samples.filter { !$0.rows.isEmpty }.map(\.columns))
        guard columns.count <= 1 else {
            throw CustomerDataError.partsDisagree(file: file, problem: "the partitions sent sampled rows of \(columns.sorted().map(String.init).joined(separator: " and ")) columns")
        }
        let merged = RowSample(rows: samples.flatMap(\.rows), columns: columns.first ?? 0, values: samples.flatMap(\.values),
                               labels: samples.allSatisfy { $0.labels != nil } ? samples.flatMap { $0.labels ?? [] } : nil)
        guard merged.rows == (sampleRows ?? []) else {
            throw CustomerDataError.partsDisagree(file: file, problem: "the partitions sent \(merged.rows.count) of the \(sampleRows?.count ?? 0) sampled rows")
        }
        return merged
    }

    private func addFinals(_ finals: [FinalPartial]) throws -> FinalPartial {
        guard var total = finals.first else { throw CustomerDataError.partsDisagree(file: file, problem: "there are no parts to merge") }
        for part in finals.dropFirst() {
            guard part.counts.count == total.counts.count else {
                throw CustomerDataError.partsDisagree(file: file, problem: "a partition has \(part.counts.count) clusters, another \(total.counts.count)")
            }
            for c in total.counts.indices {
                total.counts[c] += part.counts[c]
                for f in total.sums[c].indices {
                    total.sums[c][f] += part.sums[c][f]
                    total.originalSums[c][f] += part.originalSums[c][f]
                }
            }
            total.inertia += part.inertia
        }
        return total
    }

    /// The `persona.kmeans` model, as `ClusterRun.modelJSON` lays it out.
    private func model(pipeline: FeaturePipeline, centroids: [[Double]], final: FinalPartial,
                       metrics parts: [MetricsPartial], threads: Int) throws -> ClusterModelFile {
        let n = rows
        let d = pipeline.features.count
        let present = final.counts.indices.filter { final.counts[$0] > 0 }
        let means = clusterMeans(final)
        let denseMeans = present.flatMap { means[$0] }
        let counts = present.map { final.counts[$0] }
        var overall = [Double](repeating: 0, count: d)
        for c in present { for f in 0..<d { overall[f] += final.sums[c][f] } }
        overall = overall.map { $0 / Double(n) }
        var squared = [Double](repeating: 0, count: final.counts.count), root = squared
        for part in parts {
            for c in squared.indices {
                squared[c] += part.squaredWithin[c]
                root[c] += part.rootWithin[c]
            }
        }
        // The silhouette rows in the order a single machine draws them.
        let sample = try merge(parts.map(\.sample))
        var silhouetteRows = sample.rows
        var sampleSize: Int?
        if n > specification.silhouetteLimit {
            var rng = SeededRandom(seed: specification.seed, stream: 0x5111)
            silhouetteRows = rng.sampleIndices(min(specification.silhouetteSample, n), from: n)
            sampleSize = silhouetteRows.count
        }
        var position = [Int: Int]()
        for (p, row) in sample.rows.enumerated() { position[row] = p }
        let picked = silhouetteRows.compactMap { position[$0] }
        let labels = sample.labels ?? []
        let silhouette = ClusterMetrics.silhouette(try sample.matrix(picking: picked),
                                                   labels: picked.map { Int32(labels[$0]) }, threads: threads)
        let metrics = ClusterMetrics(
            silhouette: silhouette,
            calinskiHarabasz: ClusterMetrics.calinskiHarabasz(means: denseMeans, counts: counts, overall: overall,
                                                              within: present.reduce(0) { $0 + squared[$1] }),
            daviesBouldin: ClusterMetrics.daviesBouldin(means: denseMeans, counts: counts, rootWithin: present.map { root[$0] }, d: d),
            silhouetteSampleSize: sampleSize)
        let original = zip(final.originalSums, final.counts).map { sums, count in sums.map { count > 0 ? $0 / Double(count) : .nan } }
        return ClusterModelFile(
            format: ClusterModelFile.formatName, version: 1, source: file, idColumn: features.specification.idColumn,
            k: specification.k, pipeline: pipeline, centroids: original, centroidsScaled: centroids, clusterSizes: final.counts,
            inertia: final.inertia, iterations: iterations, converged: converged, restartInertias: restartInertias,
            seed: specification.seed, metrics: metrics, kSelection: nil)
    }
}
