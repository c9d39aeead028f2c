/// k-means clustering configuration: what to fit, not a fitted model (see `KMeansModel`).
///
/// Lloyd's algorithm (Lloyd 1982) with k-means++ seeding (Arthur & Vassilvitskii 2007) in the
/// greedy form scikit-learn uses (2 + ⌊ln k⌋ candidates per step). With `.given` centroids,
/// `fit` reproduces `sklearn.cluster.KMeans(init=C, n_init=1, algorithm="lloyd")`: the same
/// tolerance rule (`tol` times the mean column variance, compared with the summed squared
/// centroid shift), the same stop on unchanged labels, the same final relabelling when the
/// iteration limit is hit, and the same relocation of empty clusters to the farthest points.
public struct KMeans: Sendable {
    public enum Initialization: Sendable, Equatable {
        case kMeansPlusPlus
        case random
        /// Starting centroids, `k x features`, in the same (scaled) space as the data.
        case given(Matrix)
    }

    public let k: Int
    public let initialization: Initialization
    /// Restarts; the run with the lowest inertia is kept (the first one on ties).
    public let nInit: Int
    public let maxIterations: Int
    /// Relative tolerance on the summed squared centroid shift (sklearn's `tol`).
    public let tolerance: Double
    public let seed: UInt64
    /// Worker threads. Results do not depend on it.
    public let threads: Int
    public let kernel: AssignmentKernel

    /// - Throws: `NumericError.invalidParameter` naming the parameter, its range and the value.
    public init(
        k: Int, initialization: Initialization = .kMeansPlusPlus, nInit: Int? = nil,
        maxIterations: Int = 300, tolerance: Double = 1e-4, seed: UInt64 = 0,
        threads: Int = 1, kernel: AssignmentKernel = .automatic
    ) throws {
        guard k >= 1 else {
            throw NumericError.invalidParameter(name: "k", allowed: "an int in the range [1, inf)", got: "\(k)")
        }
        let restarts = nInit ?? KMeans.defaultRestarts(for: initialization)
        guard restarts >= 1 else {
            throw NumericError.invalidParameter(name: "n_init", allowed: "an int in the range [1, inf)", got: "\(restarts)")
        }
        guard maxIterations >= 1 else {
            throw NumericError.invalidParameter(name: "max_iter", allowed: "an int in the range [1, inf)", got: "\(maxIterations)")
        }
        guard tolerance >= 0, tolerance.isFinite else {
            throw NumericError.invalidParameter(name: "tol", allowed: "a float in the range [0, inf)", got: "\(tolerance)")
        }
        guard threads >= 1 else {
            throw NumericError.invalidParameter(name: "threads", allowed: "an int in the range [1, inf)", got: "\(threads)")
        }
        if case .given(let centroids) = initialization, centroids.rows != k {
            throw NumericError.shapeMismatch(
                operation: "the starting centroids", expected: "\(k) centroid rows",
                got: "\(centroids.rows)x\(centroids.columns)")
        }
        self.k = k
        self.initialization = initialization
        self.nInit = restarts
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
        self.threads = threads
        self.kernel = kernel
    }

    /// Given centroids are deterministic, so one run is enough; random starts are cheap
    /// insurance against a poor local minimum (sklearn's `n_init="auto"` uses 1 for
    /// k-means++ and 10 for random; Persona spends a little more on k-means++ by default).
    public static func defaultRestarts(for initialization: Initialization) -> Int {
        switch initialization {
        case .given: return 1
        case .kMeansPlusPlus: return 3
        case .random: return 10
        }
    }

    /// Checks data against this configuration (the sklearn "fit-time" checks).
    func validate<Element: MatrixElement>(_ data: DenseMatrix<Element>) throws {
        guard data.rows >= k else {
            throw NumericError.tooFewSamples(
                samples: data.rows, required: k, reason: "k-means needs at least as many rows as clusters (k=\(k))")
        }
        guard data.columns >= 1 else {
            throw NumericError.shapeMismatch(operation: "clustering", expected: "at least one feature column", got: "\(data.rows)x0")
        }
        try data.checkFinite(threads: threads)
        if case .given(let centroids) = initialization {
            guard centroids.columns == data.columns else {
                throw NumericError.shapeMismatch(
                    operation: "the starting centroids", expected: "\(data.columns) columns like the data",
                    got: "\(centroids.rows)x\(centroids.columns)")
            }
            try centroids.checkFinite()
        }
    }
}

/// How the assignment step finds each row's nearest centroid.
public enum AssignmentKernel: String, Sendable, CaseIterable {
    /// A fused SIMD pass (scores, argmin and partial sums without storing distances) when
    /// k ≤ 16 and d ≤ 64; BLAS GEMM on row blocks otherwise. Chosen by measurement
    /// (Benchmarks/RESULTS.md: at k = 32 GEMM was about 3× faster than the fused loop).
    case automatic
    case fused
    case gemm

    func resolved(k: Int, d: Int) -> AssignmentKernel {
        switch self {
        case .automatic: return (k <= 16 && d <= 64) ? .fused : .gemm
        default: return self
        }
    }
}
