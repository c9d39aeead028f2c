import Foundation
import Testing

/// `persona step ... --matrix-cache PATH`: the k-means rounds on a partition's saved scaled
/// matrix instead of its rows, with the same outputs; unusable files are refused (status 3
/// without the rows) or rebuilt (with them).
@Suite("persona step --matrix-cache")
struct StepMatrixCacheTests {
    let loop = StepCommandTests()

    /// Three partitions of the sample customers, the state driven to the first Lloyd round.
    func atLloyd(_ runner: PersonaRunner) throws -> [String] {
        let input = repositoryRoot.appendingPathComponent("datasets/sample_customers.csv").path
        let parts = try loop.partitions(runner, try String(contentsOfFile: input, encoding: .utf8), name: "sample_customers.csv", cuts: [700, 1300])
        try runner.write("start.csv", "recency_days,frequency,total_spend\n-1,0,0\n0,1,1\n1,-1,0\n")
        let plan = try runner.run(["step", "plan-cluster", "sample_customers.csv", "--id", "customer_id", "--k", "3",
                                   "--features", "recency_days,frequency,total_spend", "--log1p", "total_spend",
                                   "--init", "start.csv", "--out", "state.json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        try loop.drive(runner, parts: parts, until: "lloyd")
        return parts
    }

    @Test("every k-means round gives the same output from the saved matrix as from the rows, to the byte")
    func savedMatrixGivesTheSameOutputs() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let parts = try atLloyd(runner)
        var steps = [String]()
        while let step = loop.next(try loop.state(runner)) {
            var outputs = [String]()
            for (i, part) in parts.enumerated() {
                let common = ["--state", "state.json", "--part", "\(i)"]
                let rows = try runner.run(["step", step, part] + common)
                // The first round writes the cache; later ones read it (the rows are given, unused).
                let withCache = try runner.run(["step", step, part] + common + ["--matrix-cache", "m\(i).matrix"])
                let cacheOnly = try runner.run(["step", step] + common + ["--matrix-cache", "m\(i).matrix"])
                #expect(rows.status == 0 && withCache.status == 0 && cacheOnly.status == 0, "\(step): \(cacheOnly.stderr)")
                #expect(withCache.stdout == rows.stdout && cacheOnly.stdout == rows.stdout, "\(step), partition \(i)")
                outputs.append(try runner.write("out\(i).json", cacheOnly.stdout))
            }
            #expect(try runner.run(["step", "merge", "state.json"] + outputs + ["--out", "state.json", "--model", "model.json"]).status == 0)
            steps.append(step)
            if steps.count > 50 { break }
        }
        // The eighth iteration changes no label: its round holds the final pass (no round of its own).
        #expect(steps == Array(repeating: "lloyd", count: 8) + ["metrics"], "\(steps)")
        #expect(runner.files.contains("model.json"))
    }

    @Test("a missing, foreign, stale, cut or damaged cache: status 3 and what is wrong without the rows; rebuilt with them")
    func unusableCaches() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let parts = try atLloyd(runner)
        let common = ["--state", "state.json", "--part", "0"]
        let expected = try runner.run(["step", "lloyd", parts[0]] + common).stdout
        #expect(try runner.run(["step", "lloyd", parts[0]] + common + ["--matrix-cache", "good.matrix"]).status == 0)
        let good = try Data(contentsOf: URL(fileURLWithPath: runner.path("good.matrix")))
        // The 64-byte header, then partition 0: 700 rows x 3 features.
        #expect(good.count == 64 + 700 * 3 * 8)
        #expect(try runner.run(["step", "lloyd", parts[1], "--state", "state.json", "--part", "1", "--matrix-cache", "one.matrix"]).status == 0)
        var damaged = good
        damaged[200] ^= 0x40
        let cases: [(name: String, bytes: Data?, problem: String)] = [
            ("missing.matrix", nil, "no such file, or no permission"),
            ("text.matrix", Data("id,x\n".utf8), "not a persona matrix cache (5 bytes, without the PRSNMAT2 header)"),
            ("one.matrix", nil, "made for other features or another partition (its fingerprint differs from the state's)"),
            ("cut.matrix", good.prefix(1000), "holds 1000 bytes; a 700x3 matrix takes 16864"),
            ("damaged.matrix", damaged, "its values do not match their checksum (the file is damaged)"),
        ]
        for (name, bytes, problem) in cases {
            if let bytes { try bytes.write(to: URL(fileURLWithPath: runner.path(name))) }
            let refused = try runner.run(["step", "lloyd"] + common + ["--matrix-cache", name])
            #expect(refused.status == 3, "\(name)")
            #expect(refused.stderr == "persona: error: \(name): matrix cache: \(problem)\n")
            let rebuilt = try runner.run(["step", "lloyd", parts[0]] + common + ["--matrix-cache", name])
            #expect(rebuilt.status == 0 && rebuilt.stdout == expected, "\(name): \(rebuilt.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: runner.path(name))) == good, "\(name) rebuilt")
        }
    }

    @Test("a feature round refuses a matrix cache, a churn run too, and a round needs rows or a cache")
    func misuse() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let parts = try loop.partitions(runner, "id,x\na,0\nb,1\n", name: "tiny.csv", cuts: [])
        #expect(try runner.run(["step", "plan-cluster", "tiny.csv", "--id", "id", "--k", "1", "--out", "state.json"]).status == 0)
        let columns = try runner.run(["step", "columns", parts[0], "--state", "state.json", "--matrix-cache", "m.matrix"])
        #expect(columns.status == 1)
        #expect(columns.stderr == "persona: error: tiny.csv: the 'columns' round reads the partition's rows: the features are not fitted yet, so there is no matrix to save\n")
        let neither = try runner.run(["step", "columns", "--state", "state.json"])
        #expect(neither.status != 0 && neither.stderr.contains("give the partition (PART.csv), or --matrix-cache PATH"))
        try runner.write("c.csv", "id,x,y\na,0,No\nb,1,Yes\nc,2,No\n")
        #expect(try runner.run(["step", "plan-churn", "c.csv", "--id", "id", "--label", "y", "--out", "churn.json"]).status == 0)
        let churn = try runner.run(["step", "labels", runner.path("c.csv"), "--state", "churn.json", "--matrix-cache", "m.matrix"])
        #expect(churn.status != 0 && churn.stderr.contains("--matrix-cache applies to persona cluster runs (plan-cluster)"))
    }
}
