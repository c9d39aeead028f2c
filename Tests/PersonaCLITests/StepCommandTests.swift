import Foundation
import Testing

/// `persona step`: the rounds a Spark driver runs, here driven by hand over files split into
/// partitions, against persona cluster on the whole file.
@Suite("persona step")
struct StepCommandTests {
    /// Splits `text` (a CSV) into partitions after the given data rows; each keeps the header.
    func partitions(_ runner: PersonaRunner, _ text: String, name: String, cuts: [Int], folder: String = "part") throws -> [String] {
        let lines = text.split(separator: "\n").map(String.init)
        let rows = Array(lines.dropFirst())
        let bounds = [0] + cuts + [rows.count]
        return try (0..<(bounds.count - 1)).map { p in
            let directory = runner.directory.appendingPathComponent("\(folder)\(p)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent(name).path
            try ([lines[0]] + rows[bounds[p]..<bounds[p + 1]]).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    func state(_ runner: PersonaRunner, _ name: String = "state.json") throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(runner.read(name).utf8)) as? [String: Any])
    }

    func next(_ state: [String: Any]) -> String? {
        if state["format"] as? String == "persona.scale-out.churn" {
            if state["label"] == nil { return "labels" }
            if let step = (state["features"] as? [String: Any])?["next"] as? String { return step }
            return (state["newton"] as? [String: Any])?["done"] as? Bool == false ? "newton" : nil
        }
        return state["next"] as? String  // a cluster run's state names its next step (null once the model is made)
    }

    /// Runs the rounds until `stop` is the next step (or the model is made).
    @discardableResult
    func drive(_ runner: PersonaRunner, parts: [String], until stop: String? = nil) throws -> [String] {
        var steps = [String]()
        while let step = next(try state(runner)), step != stop {
            var outputs = [String]()
            for (i, part) in parts.enumerated() {
                let result = try runner.run(["step", step, part, "--state", "state.json", "--part", "\(i)"])
                #expect(result.status == 0, "\(step): \(result.stderr)")
                outputs.append(try runner.write("out\(i).json", result.stdout))
            }
            // The next state does not depend on the merge's threads (k-means on the sample, silhouette).
            let threaded = try runner.run(["step", "merge", "state.json"] + outputs + ["--out", "threaded.json", "--threads", "3"])
            let merged = try runner.run(["step", "merge", "state.json"] + outputs + ["--out", "state.json", "--model", "model.json", "--threads", "1"])
            #expect(merged.status == 0 && threaded.status == 0, "\(merged.stderr)")
            #expect(try runner.read("threaded.json") == (try runner.read("state.json")), "\(step): the merge's state depends on its threads")
            steps.append(step)
            if steps.count > 100 { break }
        }
        return steps
    }

    @Test("the column statistics of two halves add up to those of the whole file")
    func columnsAddUp() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("datasets/sample_customers.csv"), encoding: .utf8)
        let halves = try partitions(runner, text, name: "customers.csv", cuts: [999])
        let whole = try partitions(runner, text, name: "customers.csv", cuts: [], folder: "whole")
        #expect(try runner.run(["step", "plan-cluster", "customers.csv", "--id", "customer_id", "--k", "3", "--out", "state.json"]).status == 0)
        var summaries = [Any]()
        for parts in [halves, whole] {
            let outputs = try parts.enumerated().map { i, part in
                try runner.write("out\(i).json", try runner.run(["step", "columns", part, "--state", "state.json", "--part", "\(i)"]).stdout)
            }
            #expect(try runner.run(["step", "merge", "state.json"] + outputs + ["--out", "next.json"]).status == 0)
            let features = try #require(try state(runner, "next.json")["features"] as? [String: Any])
            summaries.append(try #require(features["summary"] as? [String: Any]))
            #expect(features["part_rows"] as? [Int] == (parts.count == 2 ? [999, 1001] : [2000]))
        }
        // Moments (of columns with no blank cell) merge by Chan's update: equal to rounding, not
        // to the bit; everything else exactly.
        var moments = [[String: [String: Any]]]()
        for (i, summary) in summaries.enumerated() {
            var summary = try #require(summary as? [String: Any])
            var columns = try #require(summary["columns"] as? [[String: Any]])
            var found = [String: [String: Any]]()
            for j in columns.indices {
                if let m = columns[j].removeValue(forKey: "moments") as? [String: Any] { found[try #require(columns[j]["name"] as? String)] = m }
            }
            summary["columns"] = columns
            summaries[i] = summary
            moments.append(found)
        }
        #expect(NSDictionary(dictionary: try #require(summaries[0] as? [String: Any])).isEqual(to: try #require(summaries[1] as? [String: Any])))
        #expect(Set(moments[0].keys) == Set(moments[1].keys) && !moments[0].isEmpty)
        for (name, merged) in moments[0] {
            let whole = try #require(moments[1][name])
            #expect(merged["count"] as? Int == whole["count"] as? Int)
            for key in ["means", "squared_deviations"] {
                let (a, b) = (try #require((merged[key] as? [Double])?.first), try #require((whole[key] as? [Double])?.first))
                #expect(abs(a - b) <= 1e-12 * max(abs(b), 1), "\(name) \(key)")
            }
        }
    }

    @Test("a Lloyd step from given centroids: sums, counts and farthest rows worked by hand")
    func lloydByHand() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let parts = try partitions(runner, "id,x\na,0\nb,1\nc,10\nd,11\ne,4\n", name: "tiny.csv", cuts: [2])
        try runner.write("start.csv", "x\n0\n10\n")
        let plan = try runner.run(["step", "plan-cluster", "tiny.csv", "--id", "id", "--k", "2", "--scale", "none",
                                   "--init", "start.csv", "--out", "state.json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        // One numeric column taken as it is: its moments come with the column statistics.
        #expect(try drive(runner, parts: parts, until: "lloyd") == ["columns", "quantiles"])
        // Partition 1 holds c (10), d (11), e (4): e is nearer 0 (16 < 36); d is 1 from 10.
        let result = try runner.run(["step", "lloyd", parts[1], "--state", "state.json", "--part", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let partial = try #require(output["lloyd"] as? [String: Any])
        #expect(partial["sums"] as? [Double] == [4, 21])
        #expect(partial["counts"] as? [Int] == [1, 1 + 1])
        #expect(partial["changed"] as? Int == 3)
        let far = try #require(partial["farthest"] as? [[String: Any]])
        // Squared distances: c 0, d 1, e 16; largest first, local row numbers.
        #expect(far.map { $0["row"] as? Int } == [2, 1])
        #expect(far.map { $0["squared_distance"] as? Double } == [16, 1])
        // Labels changed (there were none before): no final pass's statistics.
        #expect(output["final"] == nil)

        // The next iteration, from centroids 5/3 (a, b, e) and 10.5 (c, d): partition 1's labels
        // stay, so it sends the final pass's statistics under those centroids (used when no
        // partition's label changes): e in cluster 0; c and d in 1; inertia (4 - 5/3)² + 0.5² + 0.5².
        let outputs = try parts.indices.map { i in
            try runner.write("out\(i).json", try runner.run(["step", "lloyd", parts[i], "--state", "state.json", "--part", "\(i)"]).stdout)
        }
        #expect(try runner.run(["step", "merge", "state.json"] + outputs + ["--out", "state.json", "--model", "model.json"]).status == 0)
        let again = try runner.run(["step", "lloyd", parts[1], "--state", "state.json", "--part", "1"])
        let second = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect((second["lloyd"] as? [String: Any])?["changed"] as? Int == 0)
        let final = try #require(second["final"] as? [String: Any])
        #expect(final["counts"] as? [Int] == [1, 2])
        #expect(final["sums"] as? [[Double]] == [[4], [21]] && final["original_sums"] as? [[Double]] == [[4], [21]])
        let inertia = try #require(final["inertia"] as? Double)
        #expect(abs(inertia - (49.0 / 9 + 0.5)) <= 1e-12, "\(inertia)")
    }

    @Test("the whole loop on three partitions gives persona cluster's labels, inertia and model, loadable by --apply",
          arguments: [false, true])
    func loopEqualsOneMachine(strict: Bool) throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = repositoryRoot.appendingPathComponent("datasets/sample_customers.csv").path
        let text = try String(contentsOfFile: input, encoding: .utf8)
        let parts = try partitions(runner, text, name: "sample_customers.csv", cuts: [700, 1300])
        try runner.write("start.csv", "recency_days,frequency,total_spend\n-1,0,0\n0,1,1\n1,-1,0\n")
        let options = ["--id", "customer_id", "--k", "3", "--features", "recency_days,frequency,total_spend", "--scale", "robust",
                       "--log1p", "total_spend", "--init", "start.csv"] + (strict ? ["--tol", "0"] : [])
        #expect(try runner.run(["cluster", input] + options + ["--out", "single.csv", "--model", "single.json"]).status == 0)
        #expect(try runner.run(["step", "plan-cluster", input] + options + ["--out", "state.json"]).status == 0)
        let steps = try drive(runner, parts: parts)
        // Stopped by the tolerance: a final pass relabels under the last centroids. With --tol 0
        // only an iteration that changes no label stops it, and that round's pass is the final one.
        #expect(steps.prefix(4) == ["columns", "quantiles", "moments", "quantiles"], "\(steps)")
        #expect(steps.suffix(2) == (strict ? ["lloyd", "metrics"] : ["final", "metrics"]) && steps.contains("final") == !strict, "\(steps)")
        let single = try #require(try JSONSerialization.jsonObject(with: Data(runner.read("single.json").utf8)) as? [String: Any])
        let split = try #require(try JSONSerialization.jsonObject(with: Data(runner.read("model.json").utf8)) as? [String: Any])
        #expect(split["cluster_sizes"] as? [Int] == single["cluster_sizes"] as? [Int])
        #expect(split["iterations"] as? Int == single["iterations"] as? Int)
        let (a, b) = (try #require(split["inertia"] as? Double), try #require(single["inertia"] as? Double))
        #expect(abs(a - b) <= 1e-9 * b)
        // Robust scaling from exact quartiles: the same scaler, bit for bit.
        #expect(NSDictionary(dictionary: try #require(split["scaler"] as? [String: Any])).isEqual(to: try #require(single["scaler"] as? [String: Any])))
        let applied = try runner.run(["cluster", input, "--id", "customer_id", "--apply", runner.path("model.json"), "--out", "applied.csv"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let labels = { (name: String) in try runner.read(name).split(separator: "\n").map { $0.split(separator: ",").prefix(2) } }
        #expect(try labels("applied.csv") == labels("single.csv"))
    }

    @Test("the churn loop on three partitions gives persona churn train --folds 0's model: coefficients to 1e-8, the same steps")
    func churnLoopEqualsOneMachine() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let input = repositoryRoot.appendingPathComponent("datasets/sample_customers.csv").path
        let text = try String(contentsOfFile: input, encoding: .utf8)
        let parts = try partitions(runner, text, name: "sample_customers.csv", cuts: [500, 1400])
        let options = ["--id", "customer_id", "--label", "churned", "--l2", "0.5"]
        #expect(try runner.run(["churn", "train", input] + options + ["--folds", "0", "--model", "single.json"]).status == 0)
        #expect(try runner.run(["step", "plan-churn", input] + options + ["--out", "state.json"]).status == 0)
        let steps = try drive(runner, parts: parts)
        #expect(steps.first == "labels" && steps.last == "newton")
        let single = try #require(try JSONSerialization.jsonObject(with: Data(runner.read("single.json").utf8)) as? [String: Any])
        let split = try #require(try JSONSerialization.jsonObject(with: Data(runner.read("model.json").utf8)) as? [String: Any])
        #expect(split["iterations"] as? Int == single["iterations"] as? Int)
        #expect(split["rows"] as? Int == single["rows"] as? Int && split["positives"] as? Int == single["positives"] as? Int)
        let (a, b) = (try #require(split["coefficients"] as? [String: Double]), try #require(single["coefficients"] as? [String: Double]))
        #expect(a.keys.sorted() == b.keys.sorted())
        for (name, value) in b { #expect(abs((a[name] ?? .nan) - value) <= 1e-8, "\(name)") }
        let (ia, ib) = (try #require(split["intercept"] as? Double), try #require(single["intercept"] as? Double))
        #expect(abs(ia - ib) <= 1e-8)
    }

    @Test("plain numeric features take their moments from the column statistics: no moments round, the same model to the byte")
    func momentsFromColumns() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        // Seeded values over several magnitudes (a linear congruential generator).
        var seed: UInt64 = 12_345
        func uniform() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 11) / Double(1 << 53)
        }
        var lines = ["id,a,b,c"]
        for i in 0..<2_500 {
            lines.append("c\(i),\(1000 * uniform() - 300),\((uniform() * 9).rounded()),\(exp(8 * uniform()) / 7)")
        }
        let parts = try partitions(runner, lines.joined(separator: "\n") + "\n", name: "plain.csv", cuts: [900, 901])
        var models = [String]()
        for withMoments in [true, false] {
            #expect(try runner.run(["step", "plan-cluster", "plain.csv", "--id", "id", "--k", "3", "--out", "state.json"]).status == 0)
            var steps = [String]()
            while let step = next(try state(runner)), steps.count < 60 {
                var outputs = [String]()
                for (i, part) in parts.enumerated() {
                    let result = try runner.run(["step", step, part, "--state", "state.json", "--part", "\(i)"])
                    #expect(result.status == 0, "\(step): \(result.stderr)")
                    var text = result.stdout
                    if step == "columns" && !withMoments {  // as from a persona that sends no moments
                        for pattern in [#",\s*"moments"\s*:\s*\{[^}]*\}"#, #""moments"\s*:\s*\{[^}]*\}\s*,"#] {
                            text = text.replacingOccurrences(of: pattern, with: "", options: .regularExpression)
                        }
                        #expect(!text.contains("\"moments\""))
                    }
                    outputs.append(try runner.write("out\(i).json", text))
                }
                #expect(try runner.run(["step", "merge", "state.json"] + outputs + ["--out", "state.json", "--model", "model.json"]).status == 0)
                steps.append(step)
            }
            #expect(steps.contains("moments") == !withMoments, "\(steps)")
            #expect(steps.first == "columns" && steps.last == "metrics")
            models.append(try runner.read("model.json"))
        }
        #expect(models[0] == models[1])
    }

    @Test("with no blank cell the medians ride on the sample round (and quantile rounds after it): the model's fills are persona cluster's",
          arguments: [false, true])
    func fillsAfterTheFit(crowded: Bool) throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        var seed: UInt64 = 777
        func uniform() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 11) / Double(1 << 53)
        }
        // `crowded`: 20,000 values of x within 2e-8 of 1, one slice of the column statistics'
        // key histogram, more than --collect-limit 16384 lets the sample round send: it narrows
        // the search and a quantile round after it finds the median. By default (131,072 values)
        // the sample round sends them.
        var lines = ["id,x,y"]
        for i in 0..<20_000 {
            let x = crowded ? 1 + 1e-12 * Double(Int(uniform() * 20_000)) : 50 * uniform() - 10
            lines.append("c\(i),\(x),\((uniform() * 40).rounded())")
        }
        let text = lines.joined(separator: "\n") + "\n"
        try runner.write("fills.csv", text)
        let parts = try partitions(runner, text, name: "fills.csv", cuts: [6_000, 13_000])
        #expect(try runner.run(["cluster", runner.path("fills.csv"), "--id", "id", "--k", "3", "--out", "single.csv", "--model", "single.json"]).status == 0)
        var byDefault: String?
        if crowded {
            #expect(try runner.run(["step", "plan-cluster", "fills.csv", "--id", "id", "--k", "3", "--out", "state.json"]).status == 0)
            #expect(try drive(runner, parts: parts) == ["columns", "sample", "final", "metrics"])
            byDefault = try runner.read("model.json")
        }
        #expect(try runner.run(["step", "plan-cluster", "fills.csv", "--id", "id", "--k", "3", "--out", "state.json"]
                               + (crowded ? ["--collect-limit", "16384"] : [])).status == 0)
        let steps = try drive(runner, parts: parts)
        // 20,000 rows fit in the k-means++ sample, so no Lloyd round: the sample's fit is the whole file's.
        #expect(steps == (crowded ? ["columns", "sample", "quantiles", "final", "metrics"] : ["columns", "sample", "final", "metrics"]))
        if let byDefault { #expect(try runner.read("model.json") == byDefault, "the same model, one round sooner") }
        let negative = try runner.run(["step", "plan-cluster", "fills.csv", "--id", "id", "--k", "3", "--collect-limit=-1", "--out", "bad.json"])
        #expect(negative.status != 0 && negative.stderr.contains("--collect-limit must be 0 or more; got -1"), "\(negative.stderr)")
        let single = try #require(try JSONSerialization.jsonObject(with: Data(runner.read("single.json").utf8)) as? [String: Any])
        let split = try #require(try JSONSerialization.jsonObject(with: Data(runner.read("model.json").utf8)) as? [String: Any])
        // The fills exactly; the scaler's means and deviations (merged moments) to rounding.
        #expect(NSDictionary(dictionary: try #require(split["encoding"] as? [String: Any])).isEqual(to: try #require(single["encoding"] as? [String: Any])))
        let (splitScaler, singleScaler) = (try #require(split["scaler"] as? [String: Any]), try #require(single["scaler"] as? [String: Any]))
        #expect(splitScaler["method"] as? String == singleScaler["method"] as? String)
        for key in ["center", "scale"] {
            let (x, y) = (try #require(splitScaler[key] as? [Double]), try #require(singleScaler[key] as? [Double]))
            #expect(x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= 1e-12 * max(abs($1), 1) }, "\(key): \(x) \(y)")
        }
        #expect(split["cluster_sizes"] as? [Int] == single["cluster_sizes"] as? [Int])
        let (a, b) = (try #require(split["inertia"] as? Double), try #require(single["inertia"] as? Double))
        #expect(abs(a - b) <= 1e-9 * b)
        // A blank cell: its fill matters, so the medians are found before the fit.
        let blank = text.replacingOccurrences(of: "\nc5,", with: "\nc5,,")
            .replacingOccurrences(of: #"\nc5,,[^,]*,"#, with: "\nc5,,", options: .regularExpression)
        #expect(blank.contains("\nc5,,") && blank.count < text.count)
        let blankParts = try partitions(runner, blank, name: "fills.csv", cuts: [6_000, 13_000], folder: "blank")
        #expect(try runner.run(["step", "plan-cluster", "fills.csv", "--id", "id", "--k", "3", "--out", "state.json"]).status == 0)
        #expect(try drive(runner, parts: blankParts, until: "sample").prefix(2) == ["columns", "quantiles"])
    }

    @Test("sampled rows of different widths from two partitions are refused, naming the widths")
    func sampleWidthsDisagree() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let text = "id,x,y\n" + (0..<300).map { "r\($0),\($0 % 17),\(($0 * 7) % 23)" }.joined(separator: "\n") + "\n"
        let parts = try partitions(runner, text, name: "wide.csv", cuts: [150])
        #expect(try runner.run(["step", "plan-cluster", "wide.csv", "--id", "id", "--k", "2", "--sample-size", "50",
                                "--out", "state.json"]).status == 0)
        _ = try drive(runner, parts: parts, until: "sample")
        var outputs = [String]()
        for (i, part) in parts.enumerated() {
            let result = try runner.run(["step", "sample", part, "--state", "state.json", "--part", "\(i)"])
            #expect(result.status == 0, "\(result.stderr)")
            var object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            if i == 0 {
                // One row of one value where the features are two (packed: 8 bytes of row 0, of 0.0).
                let narrow: [String: Any] = ["columns": 1, "rows": Data(count: 8).base64EncodedString(), "values": Data(count: 8).base64EncodedString()]
                if object["sample"] != nil { object["sample"] = narrow } else { object = narrow }
            }
            outputs.append(try runner.write("out\(i).json", String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)))
        }
        let merged = try runner.run(["step", "merge", "state.json"] + outputs + ["--out", "next.json"])
        #expect(merged.status == 1 && merged.stderr.contains("the partitions sent sampled rows of 1 and 2 columns"), "\(merged.stderr)")
    }

    @Test("a merge with another round's outputs names the problem")
    func wrongRound() throws {
        let runner = try PersonaRunner()
        defer { runner.cleanUp() }
        let parts = try partitions(runner, "id,x\na,0\nb,1\n", name: "tiny.csv", cuts: [])
        #expect(try runner.run(["step", "plan-cluster", "tiny.csv", "--id", "id", "--k", "1", "--out", "state.json"]).status == 0)
        let result = try runner.run(["step", "lloyd", parts[0], "--state", "state.json"])
        #expect(result.status == 1)
        #expect(result.stderr == "persona: error: tiny.csv: the state's next step is 'columns', not 'lloyd'\n")
    }
}
