import CustomerData
import Foundation
import NumericCore

/// `persona cluster` on a file split into partitions: the features (`PipelineFit`), then
/// k-means (`KMeansFit`), as one state that a driver passes back and forth. `next` names the
/// map step every partition runs; `merged(with:)` takes their outputs in partition order.
public struct ClusterScaleOut: Codable, Sendable {
    public static let formatName = "persona.scale-out.cluster"

    public var format = ClusterScaleOut.formatName
    public var features: PipelineFit
    public var clustering: KMeansFit.Specification
    /// `--init CENTROIDS.csv`, read on the driver once the features are known.
    public var startFile: String?
    public var kmeans: KMeansFit?

    enum CodingKeys: String, CodingKey {
        case format, features, clustering, kmeans
        case startFile = "start_file"
    }

    /// What a driver reads: `next`, the step every partition runs next (null once the model is made).
    enum DriverKeys: String, CodingKey { case next }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(features, forKey: .features)
        try container.encode(clustering, forKey: .clustering)
        try container.encodeIfPresent(startFile, forKey: .startFile)
        try container.encodeIfPresent(kmeans, forKey: .kmeans)
        var driver = encoder.container(keyedBy: DriverKeys.self)
        try driver.encode(next, forKey: .next)
    }

    public init(features: PipelineFit.Specification, clustering: KMeansFit.Specification, startFile: String?) {
        self.features = PipelineFit(features)
        self.clustering = clustering
        self.startFile = startFile
    }

    /// The map step every partition runs next (`columns`, `quantiles`, `moments`, `sample`,
    /// `lloyd`, `final`, `metrics`); nil once the model is made. While the medians are still
    /// looked for after the fit (`PipelineFit.fillsPending`), the sample round counts for
    /// them too, and `quantiles` rounds follow it until they are found.
    public var next: String? {
        if let kmeans {
            if features.fillsPending && kmeans.next != .sample { return PipelineFit.MapStep.quantiles.rawValue }
            return kmeans.next?.rawValue
        }
        return features.next?.rawValue
    }

    /// The sample round's output while the fills are pending: the fill counts, then the rows.
    struct SampleWithFills: Decodable {
        var fills: QuantileSearch.Counts
        var sample: KMeansFit.RowSample
    }

    public var model: ClusterModelFile? { kmeans?.model }

    /// One partition's output for the step `step` (checked against `next`, so a partition
    /// never runs a round the state is not in). `path` may be nil only with `matrixCache`,
    /// which the k-means rounds use (`KMeansFit.map`); the feature rounds parse the rows.
    /// `assigned` is `KMeansFit.map`'s (the metrics round's labels and squared distances).
    public func map(step: String, partition path: String?, part: Int, threads: Int = 1, matrixCache: String? = nil,
                    assigned: ((_ labels: [Int32], _ squaredDistances: [Double]) throws -> Void)? = nil) throws -> [UInt8] {
        let file = features.specification.source
        guard step == next else {
            throw SegmentationError.modelFile(file: file, problem: "the state's next step is '\(next ?? "none: the model is made")', not '\(step)'")
        }
        if let kmeans {
            guard features.fillsPending else {
                return try kmeans.map(partition: path, part: part, threads: threads, matrixCache: matrixCache, assigned: assigned)
            }
            guard let path else {
                throw SegmentationError.modelFile(file: file, problem: "the '\(step)' round reads the partition's rows: the medians are not found yet")
            }
            let table = try CSVReader.read(path: path, options: features.readOptions())
            let fills = try StepFile.line(try features.fillCounts(table))
            if kmeans.next != .sample { return fills }
            // Both outputs as they are, in one JSON object (`SampleWithFills`).
            let sample = try kmeans.map(partition: path, part: part, threads: threads, matrixCache: matrixCache, table: table)
            // (Each ends in its newline; slices, since Sequence.dropLast copies byte by byte.)
            var both = Array("{\"fills\":".utf8)
            both.reserveCapacity(fills.count + sample.count + 24)
            both += fills[..<(fills.count - 1)]
            both += Array(",\"sample\":".utf8)
            both += sample[..<(sample.count - 1)]
            both += Array("}\n".utf8)
            return both
        }
        guard matrixCache == nil, let path else {
            throw SegmentationError.modelFile(file: file, problem: "the '\(step)' round reads the partition's rows: the features are not fitted yet, so there is no matrix to save")
        }
        return try features.map(partition: path, threads: threads)
    }

    /// The state after a round.
    /// - Parameter threads: for the k-means on the sample and the silhouette (the state does
    ///   not depend on them).
    public func merged(with parts: [Data], threads: Int = 1) throws -> ClusterScaleOut {
        var state = self
        if let kmeans {
            guard features.fillsPending else {
                state.kmeans = try kmeans.advanced(with: parts, threads: threads)
                return state
            }
            let file = features.specification.source
            if kmeans.next == .sample {
                let outputs = try parts.map { try StepFile.decode(SampleWithFills.self, $0, file: file) }
                state.features = try features.withFillCounts(outputs.map(\.fills))
                state.kmeans = try kmeans.advanced(with: [], samples: outputs.map(\.sample), threads: threads)
            } else {
                state.features = try features.withFillCounts(parts.map { try StepFile.decode(QuantileSearch.Counts.self, $0, file: file) })
            }
            if !state.features.fillsPending, var fitted = state.kmeans {
                // The medians are found: the model takes them; the matrices keep their identity.
                fitted.matrixPipeline = kmeans.features.pipeline
                fitted.features = state.features
                state.kmeans = fitted
            }
            return state
        }
        state.features = try features.advanced(with: parts)
        if let pipeline = state.features.pipeline {
            var clustering = self.clustering
            if let startFile {
                clustering.start = try CentroidsFile.read(path: startFile, features: pipeline.features).rowArrays
            }
            state.kmeans = try KMeansFit(clustering, features: state.features)
        }
        return state
    }
}

extension ClusterModelFile {
    /// The model as MODEL.json (the layout `ClusterRun.modelJSON` writes).
    public func json() throws -> [UInt8] { try ModelFile.json(self) }
}
