import Foundation
import Testing
@testable import CustomerData
@testable import NumericCore
@testable import Segmentation

@Suite("Cluster pipeline")
struct ClusterJobTests {
    func temporaryCSV(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("persona-job-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("Centroids come back in original units: log1p undone, one-hot columns as shares")
    func originalUnits() throws {
        // Two obvious groups: spend ≈ 10 in the north, ≈ 1000 in the south.
        let path = try temporaryCSV("""
            id,spend,region
            a,9,north
            b,11,north
            c,10,south
            d,999,south
            e,1001,south
            f,1000,south
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = ClusterOptions(input: path, idColumn: "id")
        options.k = .fixed(2)
        options.log1p = ["spend"]
        options.scale = .none  // log spend separates the groups; unscaled, region cannot outweigh it
        options.seed = 1
        let run = try ClusterJob.run(options)
        #expect(run.features == ["spend", "region=south"])
        #expect(run.result.clusterSizes == [3, 3])
        let byCluster = Dictionary(uniqueKeysWithValues: (0..<2).map { (run.result.labels[$0 * 3], $0) })
        #expect(byCluster.count == 2)
        // Cluster of rows d, e, f: the mean of their spend in original units (log1p undone per
        // row, not expm1 of the mean log), as the summary and the report cards show it.
        let high = run.centroidsOriginal.row(Int(run.result.labels[3]))
        let expected = (999.0 + 1001 + 1000) / 3
        #expect(abs(high[0] - expected) < 1e-9 * expected)
        #expect(high[1] == 1)
        let low = run.centroidsOriginal.row(Int(run.result.labels[0]))
        #expect(abs(low[1] - 1.0 / 3) < 1e-12)
    }

    /// `--float32`: the run on the values rounded to floats. On blobs where rounding cannot
    /// move a customer, the clusters are the default run's, and the inertia and the centroids
    /// in original units differ only in the rounding (about 1e-7 relative).
    @Test("float32: the same clusters; inertia, centroids and metrics within the float rounding")
    func float32() throws {
        var rng = SeededRandom(seed: 21)
        var text = "id,spend,visits,tenure,region\n"
        let regions = ["north", "south", "east"]
        for i in 0..<12_000 {
            let c = Double(i % 3)
            text += "c\(i),\(100 + 300 * c + 20 * rng.nextUnit()),\(3 + 4 * c + rng.nextUnit()),\(12.5 * c + 2 * rng.nextUnit()),"
                + "\(regions[i % 3])\n"
        }
        let path = try temporaryCSV(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = ClusterOptions(input: path, idColumn: "id")
        options.k = .fixed(3)
        options.nInit = 2
        options.seed = 4
        options.threads = 2
        options.log1p = ["spend"]
        let double = try ClusterJob.run(options)
        options.float32 = true
        let single = try ClusterJob.run(options)
        #expect(single.matrixStorage == "float" && double.matrixStorage == "double")
        #expect(single.result.labels == double.result.labels)
        #expect(single.result.clusterSizes == [4_000, 4_000, 4_000])
        #expect(abs(single.result.model.inertia - double.result.model.inertia) <= 1e-5 * double.result.model.inertia)
        #expect(single.result.model.inertia != double.result.model.inertia, "the rounding shows")
        for (a, b) in zip(single.centroidsOriginal.storage, double.centroidsOriginal.storage) {
            #expect(abs(a - b) <= 1e-5 * max(1, abs(b)))
        }
        for (a, b) in zip(single.result.squaredDistances, double.result.squaredDistances) {
            #expect(abs(a - b) <= 1e-4 * max(1, b))
        }
        let (m1, m2) = (single.metrics, double.metrics)
        #expect(abs((m1.silhouette ?? 0) - (m2.silhouette ?? 1)) < 1e-5)
        #expect(abs((m1.daviesBouldin ?? 0) - (m2.daviesBouldin ?? 1)) < 1e-5)
        #expect(abs((m1.calinskiHarabasz ?? 0) - (m2.calinskiHarabasz ?? 1)) < 1e-4 * (m2.calinskiHarabasz ?? 1))
    }

    @Test("SEGMENTS.csv quotes ids that need it and keeps them verbatim")
    func segmentsQuoting() throws {
        let path = try temporaryCSV("id,x\n\"a,1\",1\n\" b\",2\n\"c\"\"\",10\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = ClusterOptions(input: path, idColumn: "id")
        options.k = .fixed(2)
        options.scale = .none
        options.start = .kMeansPlusPlus
        let run = try ClusterJob.run(options)
        var bytes = [UInt8]()
        run.writeSegmentsCSV { bytes += $0 }
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("\"a,1\",0,"))
        #expect(lines[2].hasPrefix("\" b\",0,"))
        #expect(lines[3] == "\"c\"\"\",1,0")
    }

    @Test("--k auto records every k tried and keeps the best silhouette")
    func automaticK() throws {
        var csv = "id,x,y\n"
        for i in 0..<300 {
            let center = Double(i % 3) * 10
            csv += "\(i),\(center + Double(i % 7) * 0.1),\(center - Double(i % 5) * 0.1)\n"
        }
        let path = try temporaryCSV(csv)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = ClusterOptions(input: path, idColumn: "id")
        options.k = .auto(2...6)
        let run = try ClusterJob.run(options)
        #expect(run.selection.map(\.k) == [2, 3, 4, 5, 6])
        #expect(run.result.model.k == 3)
        let best = run.selection.compactMap(\.metrics.silhouette).max()
        #expect(run.metrics.silhouette == best)
    }
}
