// persona-bench: the k-means and CSV timings of Benchmarks/RESULTS.md.
//
// A plain executable that prints markdown tables. Every figure is the best of N rounds timed
// with a monotonic clock (DispatchTime, CLOCK_MONOTONIC on Linux); the measurements of one
// table run round-robin within each round (`interleaved`), so that a slow spell of a shared
// machine does not favour one of them. One Lloyd iteration is
// measured as (t(maxIterations = 21) − t(maxIterations = 1)) / 20: `fit` also validates the
// data, computes the tolerance and makes a final relabel + distance pass, and the difference
// cancels all of that. The data are uniform random, so clusters overlap and labels keep
// changing; every timed 21-iteration fit is checked to have run all 21 iterations.
//
// Usage: persona-bench [--rows N] [--repeats N] [--csv FILE] [--export DIR] [--skip-grid]
//                      [--only lloyd:KERNEL:THREADS[:float32] | csv:THREADS]
//   --export DIR writes DIR/uniform_<rows>x16.f64 (raw little-endian doubles, row-major),
//   DIR/init_8x16.f64 (the starting centroids) and DIR/persona_bench.json (the timings), so
//   sklearn_lloyd.py can time scikit-learn on exactly the same data and starting point.
//   --only runs one measurement `--repeats` times and prints its raw times as one JSON line:
//   the Python scripts call it between their own measurements, so that both sides are timed
//   under the same machine conditions (on a shared 2-core VM the speed drifts over minutes).
//   It is also the way to profile one kernel: `perf record persona-bench --only lloyd:fused:1`.
//   `lloyd:KERNEL:THREADS:float32` runs the same fits on the matrix rounded to floats
//   (`persona cluster --float32`).

import CustomerData
import Dispatch
import Foundation
import NumericCore

// MARK: - Formatting rows (--only format)

func formatRows(_ out: inout CSVWriter, distances: [Double]) {
    for i in distances.indices {
        out.row(maximumCount: 2 * CSVRow.maximumIntegerCount + CSVRow.maximumNumberCount) { row in
            row.field(i + 1)
            row.field(i % 8)
            row.field(distances[i], significant: 12)
        }
    }
}

func formatRows(_ out: inout CSVWriter, ids: IdentifierColumn, distances: [Double]) {
    ids.withBytesView { id in
        for i in distances.indices {
            out.row(maximumCount: CSVRow.maximumCount(bytes: id[i].count) + CSVRow.maximumIntegerCount + CSVRow.maximumNumberCount) { row in
                row.field(bytes: id[i])
                row.field(i % 8)
                row.field(distances[i], significant: 12)
            }
        }
    }
}

// MARK: - Options

struct Options {
    var rows = 1_000_000
    var repeats = 5
    var csv: String?
    var export: String?
    var grid = true
    var only: Only?

    enum Only {
        case lloyd(kernel: AssignmentKernel, threads: Int, float32: Bool)
        case csv(threads: Int)
        case logistic(threads: Int)
        case scoring(threads: Int)
        case metrics(threads: Int)
        case format
    }
}

func parseOptions() -> Options {
    var options = Options()
    var args = CommandLine.arguments.dropFirst().makeIterator()
    func value(_ name: String) -> String {
        guard let v = args.next() else { fail("\(name) needs a value") }
        return v
    }
    while let arg = args.next() {
        switch arg {
        case "--rows": options.rows = Int(value(arg)) ?? { fail("--rows must be an integer") }()
        case "--repeats": options.repeats = max(1, Int(value(arg)) ?? { fail("--repeats must be an integer") }())
        case "--csv": options.csv = value(arg)
        case "--export": options.export = value(arg)
        case "--skip-grid": options.grid = false
        case "--only":
            let parts = value(arg).split(separator: ":").map(String.init)
            if parts.count == 3 || (parts.count == 4 && parts[3] == "float32"), parts[0] == "lloyd",
               let kernel = AssignmentKernel(rawValue: parts[1]), let threads = Int(parts[2]), threads >= 1 {
                options.only = .lloyd(kernel: kernel, threads: threads, float32: parts.count == 4)
            } else if parts == ["format"] {
                options.only = .format
            } else if parts.count == 2, let threads = Int(parts[1]), threads >= 1,
                      let only: Options.Only = ["csv": .csv(threads: threads), "logistic": .logistic(threads: threads),
                                                "scoring": .scoring(threads: threads), "metrics": .metrics(threads: threads)][parts[0]] {
                options.only = only
            } else {
                fail("--only takes lloyd:KERNEL:THREADS[:float32] (KERNEL: fused, gemm, automatic), csv:THREADS, logistic:THREADS, scoring:THREADS, metrics:THREADS or format")
            }
        case "-h", "--help":
            print("usage: persona-bench [--rows N] [--repeats N] [--csv FILE] [--export DIR] [--skip-grid] [--only lloyd:KERNEL:THREADS[:float32] | csv:THREADS | logistic:THREADS | scoring:THREADS | metrics:THREADS | format]")
            exit(0)
        default: fail("unknown argument \(arg)")
        }
    }
    return options
}

func readRaw(_ path: String) throws -> [Double] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
}

/// The generated customers' `churned` column (Yes/No) as 1/0.
func churnLabels(_ table: CustomerTable) throws -> [Double] {
    guard let j = table.index(of: "churned"), case .text(let column) = table.columns[j] else { fail("no churned column") }
    return column.codes.map { $0 >= 0 && column.levels[Int($0)] == "Yes" ? 1 : 0 }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("persona-bench: \(message)\n".utf8))
    exit(2)
}

// MARK: - Timing

@inline(never)
func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Best (minimum) wall time of `repeats` calls, in seconds, and the value of the last call.
func best<T>(_ repeats: Int, _ body: () throws -> T) rethrows -> (seconds: Double, value: T) {
    var fastest = Double.infinity
    var last: T?
    for _ in 0..<repeats {
        let start = now()
        let value = try body()
        let elapsed = Double(now() - start) / 1e9
        fastest = min(fastest, elapsed)
        last = value
    }
    return (fastest, last!)
}

func ms(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1e3) }
func ratio(_ x: Double) -> String { String(format: "%.2f×", x) }

/// A value the optimizer cannot see through, so the floor loop is not removed.
nonisolated(unsafe) var sink = 0.0

// MARK: - Data

/// `rows × columns` uniform [0, 1) doubles: one blob, so k-means never settles quickly.
func uniformMatrix(rows: Int, columns: Int, seed: UInt64) throws -> Matrix {
    var rng = SeededRandom(seed: seed)
    var storage = [Double](repeating: 0, count: rows * columns)
    for i in 0..<storage.count { storage[i] = rng.nextUnit() }
    return try Matrix(rows: rows, columns: columns, storage: storage)
}

/// k distinct rows of `data`, drawn with a seeded generator.
func sampledRows(_ data: Matrix, k: Int, seed: UInt64) throws -> Matrix {
    var rng = SeededRandom(seed: seed)
    let picks = rng.sampleIndices(k, from: data.rows)
    return try Matrix(rowArrays: picks.map { data.row($0) })
}

func writeRaw(_ values: [Double], to path: String) throws {
    let data = values.withUnsafeBytes { Data($0) }
    try data.write(to: URL(fileURLWithPath: path))
}

// MARK: - Memory-read floor

/// Sums every element of `values` on `threads` threads (contiguous slices, 4 independent
/// SIMD8 accumulators each): the time to stream the array once from memory.
func streamSum(_ values: [Double], threads: Int) -> Double {
    values.withUnsafeBufferPointer { buffer -> Double in
        let base = buffer.baseAddress!
        let count = buffer.count
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: threads * 8)  // one cache line each
        defer { partial.deallocate() }
        nonisolated(unsafe) let p = partial
        nonisolated(unsafe) let b = base
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let lo = (count * t / threads) & ~31
            let hi = t == threads - 1 ? count : (count * (t + 1) / threads) & ~31
            var a0 = SIMD8<Double>.zero, a1 = SIMD8<Double>.zero
            var a2 = SIMD8<Double>.zero, a3 = SIMD8<Double>.zero
            var i = lo
            let raw = UnsafeRawPointer(b)
            while i + 32 <= hi {
                a0 += raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
                a1 += raw.loadUnaligned(fromByteOffset: (i + 8) * 8, as: SIMD8<Double>.self)
                a2 += raw.loadUnaligned(fromByteOffset: (i + 16) * 8, as: SIMD8<Double>.self)
                a3 += raw.loadUnaligned(fromByteOffset: (i + 24) * 8, as: SIMD8<Double>.self)
                i += 32
            }
            var s = ((a0 + a1) + (a2 + a3)).sum()
            while i < hi { s += b[i]; i += 1 }
            p[t * 8] = s
        }
        var total = 0.0
        for t in 0..<threads { total += partial[t * 8] }
        return total
    }
}

// MARK: - Interleaved timing

/// Timed work items run round-robin: every round runs each item once (the starting item
/// rotates), so a slow spell of the machine (a shared 2-core VM drifts by up to 2× over
/// seconds) hits all items alike instead of spoiling one. Each item runs once untimed first.
/// Returns the minimum time of each item over the rounds, in seconds.
func interleaved(rounds: Int, _ items: [() throws -> Void]) throws -> [Double] {
    for item in items { try item() }
    var fastest = [Double](repeating: .infinity, count: items.count)
    for round in 0..<rounds {
        for offset in 0..<items.count {
            let i = (round + offset) % items.count
            let start = now()
            try items[i]()
            fastest[i] = min(fastest[i], Double(now() - start) / 1e9)
        }
    }
    return fastest
}

/// A `.given(start)` fit with 21 and with 1 iterations; one Lloyd iteration is
/// (best t(21) − best t(1)) / 20. Keeps the last 21-iteration result for the checks.
final class LloydPair {
    let long: KMeans
    let short: KMeans
    let data: Matrix
    var iterations = 0
    var inertia = 0.0

    init(_ data: Matrix, start: Matrix, threads: Int, kernel: AssignmentKernel) throws {
        self.data = data
        long = try KMeans(k: start.rows, initialization: .given(start), nInit: 1, maxIterations: 21, tolerance: 0,
                          seed: 0, threads: threads, kernel: kernel)
        short = try KMeans(k: start.rows, initialization: .given(start), nInit: 1, maxIterations: 1, tolerance: 0,
                           seed: 0, threads: threads, kernel: kernel)
    }

    var items: [() throws -> Void] {
        [{ let r = try self.long.fit(self.data); self.iterations = r.model.iterations; self.inertia = r.model.inertia },
         { _ = try self.short.fit(self.data) }]
    }

    static func perIteration(t21: Double, t1: Double) -> Double { (t21 - t1) / 20 }
}

// MARK: - Main

let options = parseOptions()
BLASConfiguration.setThreadCount(1)
let repeats = options.repeats

func printJSON(_ object: [String: Any]) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

switch options.only {
case .lloyd(let kernel, let threads, let float32)?:
    // The same matrix and start as the full run; raw t(21) and t(1) of every repeat.
    let data = try uniformMatrix(rows: options.rows, columns: 16, seed: 1)
    let start = try sampledRows(data, k: 8, seed: 2)
    func timed<Element: MatrixElement>(_ data: DenseMatrix<Element>) throws {
        let long = try KMeans(k: 8, initialization: .given(start), nInit: 1, maxIterations: 21, tolerance: 0,
                              seed: 0, threads: threads, kernel: kernel)
        let short = try KMeans(k: 8, initialization: .given(start), nInit: 1, maxIterations: 1, tolerance: 0,
                               seed: 0, threads: threads, kernel: kernel)
        _ = try short.fit(data)
        var t21: [Double] = [], t1: [Double] = []
        var last: KMeansResult?
        for _ in 0..<repeats {
            let a = try best(1) { try long.fit(data) }
            let b = try best(1) { try short.fit(data) }
            t21.append(a.seconds); t1.append(b.seconds); last = a.value
        }
        try printJSON(["kernel": kernel.rawValue, "threads": threads, "storage": Element.storageName, "t21": t21, "t1": t1,
                       "iterations": last!.model.iterations, "inertia": last!.model.inertia])
    }
    if float32 { try timed(data.narrowed()) } else { try timed(data) }
    exit(0)
case .csv(let threads)?:
    guard let csv = options.csv else { fail("--only csv:THREADS needs --csv FILE") }
    var o = CSVReadOptions()
    o.idColumn = "id"
    o.threads = threads
    _ = try CSVReader.read(path: csv, options: o)
    var times: [Double] = []
    var rows = 0
    for _ in 0..<repeats {
        let r = try best(1) { try CSVReader.read(path: csv, options: o) }
        times.append(r.seconds); rows = r.value.rowCount
    }
    try printJSON(["threads": threads, "seconds": times, "rows": rows])
    exit(0)
case .format?:
    // SEGMENTS.csv's rows formatted on one thread: the id (an integer, or with --csv FILE the
    // ids of FILE's `id` column as they are written), the cluster and the distance to 12
    // significant digits, as `persona cluster` writes them; MB/s of output.
    var ids: IdentifierColumn?
    if let csv = options.csv {
        var o = CSVReadOptions()
        o.idColumn = "id"
        ids = try CSVReader.read(path: csv, options: o).identifiers
    }
    let rows = ids?.count ?? options.rows
    var rng = SeededRandom(seed: 3)
    let distances = (0..<rows).map { _ in 0.05 + 3 * rng.nextUnit() }
    // Into the memory of the previous round's text, as `persona cluster` formats each chunk
    // into the buffer of one already written: fresh memory would time the kernel's first
    // touch of the pages, not the formatting.
    var seconds: [Double] = [], bytes = 0
    var buffer = CSVWriter(reserve: rows * 48).finished()
    for _ in 0..<repeats {
        let start = now()
        var out = CSVWriter(recycling: consume buffer)
        if let ids {
            formatRows(&out, ids: ids, distances: distances)
        } else {
            formatRows(&out, distances: distances)
        }
        buffer = out.finished()
        seconds.append(Double(now() - start) / 1e9)
        bytes = buffer.count
    }
    try printJSON(["rows": rows, "bytes": bytes, "seconds": seconds,
                   "mb_per_second": Double(bytes) / 1e6 / (seconds.min() ?? .nan)])
    exit(0)
case .metrics(let threads)?:
    // What `persona cluster` spends on quality metrics after k-means, in its parts: the
    // whole evaluate(), the sampled silhouette alone (10,000 rows, as evaluate() samples
    // them) and Calinski-Harabasz alone (the two passes over all rows it shares with
    // Davies-Bouldin). Data: the uniform matrix, labelled by a 3-iteration fit.
    let data = try uniformMatrix(rows: options.rows, columns: 16, seed: 1)
    let labels = try KMeans(k: 8, initialization: .given(try sampledRows(data, k: 8, seed: 2)), nInit: 1, maxIterations: 3,
                            tolerance: 0, seed: 0, threads: threads).fit(data).labels
    var rng = SeededRandom(seed: 0, stream: 0x5111)
    let sample = rng.sampleIndices(min(10_000, data.rows), from: data.rows)
    let sampled = data.selectingRows(sample)
    let sampledLabels = sample.map { labels[$0] }
    var whole: [Double] = [], silhouette: [Double] = [], partition: [Double] = []
    var metrics: ClusterMetrics?
    for _ in 0..<repeats {
        let a = try best(1) { try ClusterMetrics.evaluate(data, labels: labels, threads: threads) }
        let b = best(1) { ClusterMetrics.silhouette(sampled, labels: sampledLabels, threads: threads) }
        let c = best(1) { ClusterMetrics.calinskiHarabasz(data, labels: labels, threads: threads) }
        whole.append(a.seconds); silhouette.append(b.seconds); partition.append(c.seconds); metrics = a.value
    }
    try printJSON(["threads": threads, "evaluate": whole, "silhouette_sample": silhouette, "partition_passes": partition,
                   "silhouette": metrics?.silhouette ?? .nan, "calinski_harabasz": metrics?.calinskiHarabasz ?? .nan,
                   "davies_bouldin": metrics?.daviesBouldin ?? .nan])
    exit(0)
case .logistic(let threads)?:
    // The matrix and labels compare_logistic.py wrote: DIR/logit_X_<rows>x<d>.f64 and
    // DIR/logit_y_<rows>.f64. Fits LogisticRegression(l2: 1) = sklearn's C = 1.
    guard let dir = options.export else { fail("--only logistic:THREADS needs --export DIR (where the data are)") }
    let y = try readRaw("\(dir)/logit_y_\(options.rows).f64")
    let xValues = try readRaw("\(dir)/logit_X_\(options.rows)x20.f64")
    let x = try Matrix(rows: options.rows, columns: xValues.count / options.rows, storage: xValues)
    let model = try LogisticRegression(l2: 1, threads: threads)
    var times: [Double] = []
    var fit: LogisticRegression.Fit?
    for _ in 0..<repeats {
        let r = try best(1) { try model.fit(x, labels: y) }
        times.append(r.seconds); fit = r.value
    }
    guard let fit else { fail("no fit") }
    try printJSON(["threads": threads, "seconds": times, "iterations": fit.iterations, "converged": fit.converged,
                   "intercept": fit.intercept, "coefficients": fit.coefficients])
    exit(0)
case .scoring(let threads)?:
    // Scoring after the CSV is read: encode the table with a fitted encoding, scale, and
    // compute probabilities; the model is fitted once on the same table beforehand.
    guard let csv = options.csv else { fail("--only scoring:THREADS needs --csv FILE") }
    var o = CSVReadOptions()
    o.idColumn = "customer_id"
    o.threads = threads
    let table = try CSVReader.read(path: csv, options: o)
    let (encoding, _) = try FeatureEncoder.fit(table, features: nil, exclude: ["customer_id", "churned"], threads: threads)
    var encoded = try Matrix(rows: table.rowCount, columns: encoding.featureNames.count, storage: try encoding.encode(table, threads: threads).matrix)
    let scaler = try Scaler.fit(encoded, method: .zscore)
    try scaler.transform(&encoded)
    let labels = try churnLabels(table)
    let fit = try LogisticRegression(l2: 1, threads: threads).fit(encoded, labels: labels)
    // What `persona churn score` does after reading: the scaler folded into the weights, one
    // pass over the columns for the linear predictor, then the logistic function.
    var times: [Double] = [], parts: [[Double]] = []
    var mean = 0.0
    let (weights, intercept) = try scaler.foldedIntoLinear(coefficients: fit.coefficients, intercept: fit.intercept)
    for _ in 0..<repeats {
        let t0 = now()
        let (eta, _) = try encoding.linearPredictor(table, weights: weights, intercept: intercept, threads: threads)
        let t1 = now()
        let p = eta.map(LogisticRegression.sigmoid)
        let t2 = now()
        times.append(Double(t2 - t0) / 1e9)
        parts.append([Double(t1 - t0) / 1e9, Double(t2 - t1) / 1e9])
        mean = p.reduce(0, +) / Double(p.count)
    }
    // The same probabilities as scaling the encoded matrix and multiplying.
    let reference = try fit.probabilities(encoded, threads: threads)
    let eta = try encoding.linearPredictor(table, weights: weights, intercept: intercept, threads: threads).values
    let largest = zip(eta.map(LogisticRegression.sigmoid), reference).map { abs($0 - $1) }.max() ?? 0
    try printJSON(["threads": threads, "seconds": times, "predictor_sigmoid": parts, "max_difference_to_matrix_path": largest, "rows": table.rowCount, "features": encoding.featureNames.count,
                   "mean_probability": mean])
    exit(0)
case nil:
    break
}
let n = options.rows, d = 16, k = 8
var json: [String: Any] = ["rows": n, "features": d, "k": k, "repeats": repeats]

print("## persona-bench")
print()
print("- rows × features: \(n) × \(d) (uniform random doubles, seed 1), k = \(k), best of \(repeats)")
print("- BLAS: \(BLASConfiguration.configuration) (set to 1 thread; Persona parallelizes over row chunks)")
print()

let data = try uniformMatrix(rows: n, columns: d, seed: 1)
let start = try sampledRows(data, k: k, seed: 2)
let matrixBytes = Double(n * d * 8)

if let dir = options.export {
    try writeRaw(data.storage, to: "\(dir)/uniform_\(n)x\(d).f64")
    try writeRaw(start.storage, to: "\(dir)/init_\(k)x\(d).f64")
}

// Memory floor and one Lloyd iteration at 1M × 16, k = 8, all measured in the same rounds.
let kernels: [AssignmentKernel] = [.fused, .gemm, .automatic]
let configs = kernels.flatMap { kernel in [1, 2].map { (kernel: kernel, threads: $0) } }
let pairs = try configs.map { try LloydPair(data, start: start, threads: $0.threads, kernel: $0.kernel) }
var floorItems: [() throws -> Void] = []
for threads in [1, 2] {
    // Three sums per round: the floor is short (a few ms) and worth more samples.
    floorItems.append { for _ in 0..<3 { sink += streamSum(data.storage, threads: threads) } }
}
let times = try interleaved(rounds: repeats, floorItems + pairs.flatMap { $0.items })
// A floor item ran three sums; its best round is at least as slow as its best sum.
let floor: [Int: Double] = [1: times[0] / 3, 2: times[1] / 3]
var floorBest: [Int: Double] = [:]
for threads in [1, 2] {
    floorBest[threads] = best(10) { streamSum(data.storage, threads: threads) }.seconds
}

print("### Memory-read floor (SIMD sum of the \(String(format: "%.0f", matrixBytes / 1e6)) MB matrix)")
print()
print("Interleaved with the Lloyd fits below (\(repeats) rounds, best round, mean of its 3 sums), and best of 10 back to back.")
print()
print("| threads | floor (ms) | bandwidth (GB/s) | best of 10 back to back (ms) |")
print("|---:|---:|---:|---:|")
for threads in [1, 2] {
    print("| \(threads) | \(ms(floor[threads]!)) | \(String(format: "%.1f", matrixBytes / floor[threads]! / 1e9)) | \(ms(floorBest[threads]!)) |")
}
print()
json["floor_ms"] = ["1": floor[1]! * 1e3, "2": floor[2]! * 1e3]

print("### One Lloyd iteration, \(n) × \(d), k = \(k): (best t(21 it.) − best t(1 it.)) / 20, \(repeats) interleaved rounds")
print()
print("| kernel | threads | per iteration (ms) | ÷ floor (same threads) | ÷ floor (2 threads) | best t(21) ms | best t(1) ms | iterations run | inertia after 21 |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
var lloydJSON: [String: Any] = [:]
var inertias: [String: Double] = [:]
var perIteration: [String: Double] = [:]
for (index, config) in configs.enumerated() {
    let t21 = times[2 + 2 * index], t1 = times[3 + 2 * index]
    let per = LloydPair.perIteration(t21: t21, t1: t1)
    let pair = pairs[index]
    let key = "\(config.kernel.rawValue)_\(config.threads)"
    print("| \(config.kernel.rawValue) | \(config.threads) | \(ms(per)) | \(ratio(per / floor[config.threads]!)) | \(ratio(per / floor[2]!)) | \(ms(t21)) | \(ms(t1)) | \(pair.iterations) | \(String(format: "%.10g", pair.inertia)) |")
    if pair.iterations != 21 {
        print("> WARNING: the 21-iteration fit stopped after \(pair.iterations) iterations; the per-iteration figure is not valid.")
    }
    lloydJSON[key] = ["per_iteration_ms": per * 1e3, "iterations": pair.iterations, "inertia": pair.inertia]
    inertias[key] = pair.inertia
    perIteration[key] = per
}
print()
json["lloyd"] = lloydJSON
for kernel in ["fused", "gemm", "automatic"] where inertias["\(kernel)_1"] != inertias["\(kernel)_2"] {
    print("> WARNING: \(kernel): inertia differs between 1 and 2 threads (\(inertias["\(kernel)_1"]!) vs \(inertias["\(kernel)_2"]!)).")
}
if let f = inertias["fused_1"], let g = inertias["gemm_1"] {
    print("Fused vs GEMM inertia after 21 iterations: relative difference \(String(format: "%.2e", abs(f - g) / f)); 1 vs 2 threads: identical unless warned above.")
    print()
}

// k-means++ seeding.
print("### k-means++ seeding, \(n) × \(d), k = \(k)")
print()
print("Best t(k-means++ init + 1 iteration) − best t(given init + 1 iteration), kernel automatic, \(repeats) interleaved rounds.")
print()
print("| threads | seeding (ms) | in Lloyd iterations (automatic kernel, same threads) |")
print("|---:|---:|---:|")
var seedingJSON: [String: Double] = [:]
var seedingItems: [() throws -> Void] = []
for threads in [1, 2] {
    let kpp = try KMeans(k: k, initialization: .kMeansPlusPlus, nInit: 1, maxIterations: 1, tolerance: 0, seed: 0, threads: threads)
    let given = try KMeans(k: k, initialization: .given(start), nInit: 1, maxIterations: 1, tolerance: 0, seed: 0, threads: threads)
    seedingItems.append { _ = try kpp.fit(data) }
    seedingItems.append { _ = try given.fit(data) }
}
let seedingTimes = try interleaved(rounds: repeats, seedingItems)
for (index, threads) in [1, 2].enumerated() {
    let seeding = seedingTimes[2 * index] - seedingTimes[2 * index + 1]
    print("| \(threads) | \(ms(seeding)) | \(String(format: "%.1f", seeding / perIteration["automatic_\(threads)"]!)) |")
    seedingJSON["\(threads)"] = seeding * 1e3
}
print()
json["kmeanspp_seeding_ms"] = seedingJSON

// Where GEMM wins: larger k and d (the same 128 MB of data for d = 64).
if options.grid {
    let rounds = max(3, repeats / 2)
    print("### Kernels by shape (2 threads, ms per Lloyd iteration, \(rounds) interleaved rounds per shape)")
    print()
    print("| rows × d | k | fused | gemm | automatic | faster of fused/gemm |")
    print("|---|---:|---:|---:|---:|---|")
    let shapes: [(rows: Int, d: Int, k: Int)] = [
        (n, 16, 8), (n, 16, 16), (n, 16, 32), (n, 16, 64), (n / 4, 64, 8), (n / 4, 64, 16), (n / 4, 64, 32), (n / 4, 64, 64),
    ]
    var gridJSON: [[String: Any]] = []
    var cache: [Int: Matrix] = [16: data]
    for shape in shapes {
        let x = try cache[shape.d] ?? uniformMatrix(rows: shape.rows, columns: shape.d, seed: 3)
        cache[shape.d] = x
        let c = try sampledRows(x, k: shape.k, seed: 4)
        let shapePairs = try kernels.map { try LloydPair(x, start: c, threads: 2, kernel: $0) }
        let t = try interleaved(rounds: rounds, shapePairs.flatMap { $0.items })
        let per = (0..<kernels.count).map { LloydPair.perIteration(t21: t[2 * $0], t1: t[2 * $0 + 1]) }
        let (fused, gemm, automatic) = (per[0], per[1], per[2])
        let faster = fused <= gemm ? "fused \(ratio(gemm / fused))" : "gemm \(ratio(fused / gemm))"
        print("| \(x.rows) × \(shape.d) | \(shape.k) | \(ms(fused)) | \(ms(gemm)) | \(ms(automatic)) | \(faster) |")
        for pair in shapePairs where pair.iterations != 21 {
            print("> WARNING: a fit stopped after \(pair.iterations) iterations.")
        }
        gridJSON.append(["rows": x.rows, "d": shape.d, "k": shape.k, "fused_ms": fused * 1e3, "gemm_ms": gemm * 1e3, "automatic_ms": automatic * 1e3])
    }
    print()
    json["grid"] = gridJSON
}

// CSV parsing.
if let csv = options.csv {
    let size = Double((try? FileManager.default.attributesOfItem(atPath: csv)[.size] as? Int) ?? 0)
    var rows = 0
    let readers: [() throws -> Void] = [1, 2].map { threads in
        var o = CSVReadOptions()
        o.idColumn = "id"
        o.threads = threads
        return { rows = try CSVReader.read(path: csv, options: o).rowCount }
    }
    let rounds = max(3, repeats / 2)
    let t = try interleaved(rounds: rounds, readers)
    print("### CSVReader.read on \((csv as NSString).lastPathComponent) (\(String(format: "%.1f", size / 1e6)) MB, page cache warm, best of \(rounds) interleaved rounds)")
    print()
    print("| threads | time (ms) | MB/s | rows |")
    print("|---:|---:|---:|---:|")
    for (index, threads) in [1, 2].enumerated() {
        print("| \(threads) | \(ms(t[index])) | \(String(format: "%.0f", size / t[index] / 1e6)) | \(rows) |")
    }
    print()
    json["csv_read_ms"] = ["1": t[0] * 1e3, "2": t[1] * 1e3]
    json["csv_bytes"] = size
}

if let dir = options.export {
    let out = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    try out.write(to: URL(fileURLWithPath: "\(dir)/persona_bench.json"))
}
if sink == .infinity { print("") }  // keep the floor sums alive
