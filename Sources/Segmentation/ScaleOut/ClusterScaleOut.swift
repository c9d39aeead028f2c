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

    public init(features: PipelineFit.Specification, clustering: KMeansFit.Specification, startFile: String?) {
        self.features = PipelineFit(features)
        self.clustering = clustering
        self.startFile = startFile
    }

    /// The map step every partition runs next (`columns`, `quantiles`, `moments`, `sample`,
    /// `lloyd`, `final`, `metrics`); nil once the model is made.
    public var next: String? {
        if let kmeans { return kmeans.next?.rawValue }
        return features.next?.rawValue
    }

    public var model: ClusterModelFile? { kmeans?.model }

    /// One partition's output for the step `step` (checked against `next`, so a partition
    /// never runs a round the state is not in). `path` may be nil only with `matrixCache`,
    /// which the k-means rounds use (`KMeansFit.map`); the feature rounds parse the rows.
    public func map(step: String, partition path: String?, part: Int, threads: Int = 1, matrixCache: String? = nil) throws -> [UInt8] {
        let file = features.specification.source
        guard step == next else {
            throw SegmentationError.modelFile(file: file, problem: "the state's next step is '\(next ?? "none: the model is made")', not '\(step)'")
        }
        if let kmeans { return try kmeans.map(partition: path, part: part, threads: threads, matrixCache: matrixCache) }
        guard matrixCache == nil, let path else {
            throw SegmentationError.modelFile(file: file, problem: "the '\(step)' round reads the partition's rows: the features are not fitted yet, so there is no matrix to save")
        }
        return try features.map(partition: path, threads: threads)
    }

    /// The state after a round.
    public func merged(with parts: [Data]) throws -> ClusterScaleOut {
        var state = self
        if let kmeans {
            state.kmeans = try kmeans.advanced(with: parts)
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
