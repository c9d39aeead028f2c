import Foundation
import Testing

@Suite("persona cluster end to end")
struct ClusterCommandTests {
    @Test("Mall customers, k=5 on income and score: sklearn's five groups (inertia 44448.46), ids as written",
          .enabled(if: sharedDatasets != nil, "../shared/datasets is absent: skipping the Mall customers check"))
    func mallCustomers() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = try #require(sharedDatasets).appendingPathComponent("mall_customers/Mall_Customers.csv").path
        let output = try runner.run(["cluster", input, "--id", "customer_id", "--features", "annual_income_thousands,spending_score",
                                     "--k", "5", "--scale", "none", "--out", "seg.csv", "--model", "model.json"])
        #expect(output.status == 0, "\(output.stderr)")
        let model = try JSONSerialization.jsonObject(with: Data(try runner.read("model.json").utf8)) as? [String: Any]
        let inertia = try #require(model?["inertia"] as? Double)
        // Reference: the dataset README, sklearn 1.9.1 KMeans(n_init=10, random_state=0).
        #expect(abs(inertia - 44448.46) < 0.01)
        #expect(model?["cluster_sizes"] as? [Int] == [81, 39, 35, 23, 22])
        let silhouette = try #require((model?["metrics"] as? [String: Any])?["silhouette"] as? Double)
        #expect(abs(silhouette - 0.5539) < 5e-5)
        let lines = try runner.read("seg.csv").split(separator: "\n")
        #expect(lines.count == 201)
        #expect(lines[0] == "customer_id,cluster,distance")
        #expect(lines[1].hasPrefix("0001,"))
        #expect(lines[200].hasPrefix("0200,"))
    }

    @Test("Given centroids: the CLI reproduces sklearn's Lloyd result through CSV files")
    func givenCentroids() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        // Hand-worked: 1-D points 0, 1, 9, 10, 11 from centroids 0 and 5 → {0,1} and {9,10,11},
        // centres 0.5 and 10, inertia 0.25·2 + (1 + 0 + 1) = 2.5, in two iterations.
        try runner.write("in.csv", "id,x\na,0\nb,1\nc,9\nd,10\ne,11\n")
        try runner.write("c.csv", "x\n0\n5\n")
        let output = try runner.run(["cluster", "in.csv", "--id", "id", "--scale", "none", "--k", "2",
                                     "--init", "c.csv", "--out", "seg.csv", "--model", "model.json"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try runner.read("seg.csv") == "id,cluster,distance\na,1,0.5\nb,1,0.5\nc,0,1\nd,0,0\ne,0,1\n")
        let model = try JSONSerialization.jsonObject(with: Data(try runner.read("model.json").utf8)) as? [String: Any]
        #expect(model?["inertia"] as? Double == 2.5)
        #expect(model?["centroids"] as? [[Double]] == [[10], [0.5]])
        #expect(model?["format"] as? String == "persona.kmeans")
    }

    @Test("A centroids file fixes k: --k auto takes it, a different --k is an error naming both")
    func centroidsFileK() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        try runner.write("in.csv", "id,x\na,0\nb,1\nc,9\nd,10\ne,11\n")
        try runner.write("c.csv", "x\n0\n5\n")
        let auto = try runner.run(["cluster", "in.csv", "--id", "id", "--scale", "none", "--init", "c.csv", "--out", "seg.csv"])
        #expect(auto.status == 0, "\(auto.stderr)")
        #expect(try runner.read("seg.csv").hasPrefix("id,cluster,distance\na,1,0.5\n"))
        let mismatch = try runner.run(["cluster", "in.csv", "--id", "id", "--k", "3", "--init", "c.csv", "--out", "other.csv"])
        #expect(mismatch.status == 1)
        #expect(mismatch.stderr == "persona: error: c.csv: it holds 2 centroids but --k is 3\n")
        #expect(!runner.files.contains("other.csv"))
    }

    @Test("Same seed, any thread count: byte-identical outputs")
    func deterministic() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        var csv = "id,a,b,seg\n"
        var state: UInt64 = 7
        for i in 0..<3000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(state >> 40) / Double(1 << 24)
            csv += "c\(i),\(Double(i % 3) * 5 + noise),\(Double(i % 5) + noise),\(["x", "y"][i % 2])\n"
        }
        try runner.write("in.csv", csv)
        var outputs = [String]()
        for threads in ["1", "2", "3"] {
            let output = try runner.run(["cluster", "in.csv", "--id", "id", "--k", "auto", "--k-range", "2...5", "--seed", "4",
                                         "--threads", threads, "--out", "s\(threads).csv", "--model", "m\(threads).json"])
            #expect(output.status == 0, "\(output.stderr)")
            outputs.append(try runner.read("s\(threads).csv") + runner.read("m\(threads).json"))
        }
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
    }

    @Test("--help explains the command")
    func help() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let output = try runner.run(["cluster", "--help"])
        #expect(output.status == 0)
        for flag in ["--id", "--features", "--k", "--k-range", "--scale", "--log1p", "--init", "--n-init", "--max-iter",
                     "--tol", "--seed", "--threads", "--out", "--model"] {
            #expect(output.stdout.contains(flag), "\(flag)")
        }
    }
}
