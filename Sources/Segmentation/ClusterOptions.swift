import CustomerData
import NumericCore

/// Everything `persona cluster` needs, validated by the CLI before a run starts.
public struct ClusterOptions: Sendable {
    public enum KChoice: Sendable, Equatable {
        case fixed(Int)
        case auto(ClosedRange<Int>)
    }

    public enum Start: Sendable, Equatable {
        case kMeansPlusPlus
        case random
        /// A CSV of starting centroids in scaled units: a header of feature names, k rows.
        case centroidsFile(String)
    }

    public var input: String
    public var read = CSVReadOptions()
    public var features: [String]?
    public var exclude: [String] = []
    public var k: KChoice = .fixed(8)
    public var scale: ScalingMethod = .zscore
    public var log1p: [String] = []
    /// Also compute what the report draws (centroid z-scores, the 2-D projection).
    public var forReport = false
    public var start: Start = .kMeansPlusPlus
    public var nInit: Int?
    public var maxIterations = 300
    public var tolerance = 1e-4
    public var seed: UInt64 = 0
    public var threads = 1
    public var maxCategories = 50
    public var silhouetteLimit = 20_000
    /// Keep the scaled matrix in floats: half the memory of the matrix, the arithmetic still
    /// in double (`MatrixElement`), values rounded to about 7 significant digits.
    public var float32 = false

    public init(input: String, idColumn: String) {
        self.input = input
        self.read.idColumn = idColumn
    }
}
