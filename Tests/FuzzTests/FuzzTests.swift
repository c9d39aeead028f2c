import Foundation
import NumericCore
import Testing

/// The seeded fuzz driver: for each target, every committed corpus input (seeds and
/// regressions) and then a fixed number of mutations of them, each checked against the
/// target's properties (Oracles/). See Tests/FuzzTests/README.md for long runs, libFuzzer and
/// how a failure becomes a regression input.
@Suite("Fuzzing: seeded mutations of the committed corpus")
struct FuzzTests {
    /// Mutated inputs per target in a normal `swift test`: together about 30 s of a debug
    /// build on two busy cores (the costlier targets run fewer).
    static let iterations: [String: Int] = [
        "number": 20_000, "csv": 4_000, "csv-reader": 2_000, "dates": 10_000, "orderlog": 1_000,
        "tag-expression": 4_000, "tag-rules": 3_000, "config": 2_000, "model-json": 1_500,
    ]

    /// What some inputs of each target must get to (counted by the oracles with `FuzzStats`).
    static let mustReach: [String: [String]] = [
        "number": ["numbers"], "csv": ["files", "files with quotes"], "csv-reader": ["tables"],
        "dates": ["ISO dates", "patterns"], "orderlog": ["feature tables"], "tag-expression": ["conditions", "expressions"],
        "tag-rules": ["rule files"], "config": ["configs"],
        "model-json": ["cluster models applied", "churn models applied", "segment models applied"],
    ]

    @Test("no trap, no hang, only the module's errors, and the target's properties hold",
          arguments: FuzzTargets.names)
    func fuzz(_ name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        let settings = FuzzSettings.fromEnvironment()
        let run = try FuzzRunner.run(target, iterations: FuzzTests.iterations[name] ?? 1_000, settings: settings)
        let reached = FuzzStats.take(name)
        print("fuzz \(name): \(run.corpusInputs) corpus + \(run.mutatedInputs) mutated inputs in "
              + "\(String(format: "%.1f", run.seconds)) s, slowest \(String(format: "%.3f", run.slowestSeconds)) s; "
              + reached.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        #expect(run.corpusInputs > 0, "no committed corpus for \(name)")
        // A target whose inputs never get past parsing checks little.
        for what in FuzzTests.mustReach[name] ?? [] {
            #expect(reached[what, default: 0] > 0, "no input of \(name) reached \(what)")
        }
        for failure in run.failures {
            Issue.record(Comment(rawValue: failure))
        }
    }

    @Test("every target has a default budget, seeds and a dictionary that parses")
    func corpusIsComplete() throws {
        #expect(Set(FuzzTests.iterations.keys) == Set(FuzzTargets.names))
        #expect(Set(FuzzTests.mustReach.keys) == Set(FuzzTargets.names))
        for target in FuzzTargets.all {
            let corpus = try Corpus(target: target.name)
            #expect(corpus.inputs.contains { !$0.path.contains("/regressions/") }, "\(target.name) has no seed inputs")
            #expect(!corpus.dictionary.isEmpty, "\(target.name).dict is missing or empty")
            #expect(corpus.inputs.allSatisfy { $0.bytes.count <= max(target.maxLength, 1 << 16) },
                    "\(target.name) has a corpus file longer than the in-flight slot")
        }
    }

    @Test("dictionaries read libFuzzer's escapes")
    func dictionaryFormat() throws {
        let tokens = try Corpus.parseDictionary("# comment\n\nkw=\"and\"\n\"a\\\"b\"\n\"\\x00\\xff\\\\\"\n", file: "t.dict")
        #expect(tokens == [Array("and".utf8), Array("a\"b".utf8), [0x00, 0xFF, 0x5C]])
        #expect(throws: Corpus.DictionaryError.self) { try Corpus.parseDictionary("and\n", file: "t.dict") }
    }

    @Test("a seed gives the same mutations every time; another seed gives others")
    func mutationsAreSeeded() {
        func stream(_ seed: UInt64) -> [[UInt8]] {
            var mutator = Mutator(seed: seed, dictionary: [Array("tok".utf8)], maxLength: 64)
            return (0..<50).map { _ in mutator.mutate(Array("id,x\n1,2\n".utf8), corpus: [Array("a,b".utf8)]) }
        }
        #expect(stream(7) == stream(7))
        #expect(stream(7) != stream(8))
        #expect(stream(7).allSatisfy { $0.count <= 64 })
    }
}
