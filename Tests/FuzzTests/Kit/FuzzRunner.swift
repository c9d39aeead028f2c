import Foundation

/// How long a run goes on, from the environment:
///
/// - `PERSONA_FUZZ_ITERATIONS=N`: N mutated inputs per target (defaults: `FuzzTests.iterations`);
/// - `PERSONA_FUZZ_SECONDS=S`: each target mutates for S seconds instead (long runs);
/// - `PERSONA_FUZZ_SEED=X`: another stream of mutations (default 0x5EED, so every run of the
///   suite checks the same inputs);
/// - `PERSONA_FUZZ_SLOW_SECONDS=T`: one input taking longer than T seconds is a failure
///   (default 10: a hang guard for inputs of a few kilobytes, far above what any takes);
/// - `PERSONA_FUZZ_HANG_SECONDS=T`: after T seconds on one input the process aborts and dumps
///   it (default 300).
struct FuzzSettings {
    var iterations: Int?
    var seconds: Double?
    var seed: UInt64 = 0x5EED
    var slowSeconds = 10.0
    var hangSeconds = 300.0

    static func fromEnvironment() -> FuzzSettings {
        let environment = ProcessInfo.processInfo.environment
        var settings = FuzzSettings()
        settings.iterations = environment["PERSONA_FUZZ_ITERATIONS"].flatMap { Int($0) }
        settings.seconds = environment["PERSONA_FUZZ_SECONDS"].flatMap { Double($0) }
        if let seed = environment["PERSONA_FUZZ_SEED"].flatMap({ UInt64($0.hasPrefix("0x") ? String($0.dropFirst(2)) : $0, radix: $0.hasPrefix("0x") ? 16 : 10) }) {
            settings.seed = seed
        }
        if let slow = environment["PERSONA_FUZZ_SLOW_SECONDS"].flatMap({ Double($0) }) { settings.slowSeconds = slow }
        if let hang = environment["PERSONA_FUZZ_HANG_SECONDS"].flatMap({ Double($0) }) { settings.hangSeconds = hang }
        return settings
    }
}

/// What one target's run did.
struct FuzzRun {
    var corpusInputs = 0
    var mutatedInputs = 0
    var seconds = 0.0
    var slowestSeconds = 0.0
    /// Each broken property, with where the input was saved.
    var failures: [String] = []
}

/// Replays a target's committed corpus, then checks mutations of it.
enum FuzzRunner {
    /// Stop collecting after this many failures: one bug tends to repeat.
    static let maximumFailures = 5

    static func run(_ target: any FuzzTarget.Type, iterations defaultIterations: Int, settings: FuzzSettings) throws -> FuzzRun {
        let corpus = try Corpus(target: target.name)
        let seed = settings.seed ^ stableHash(target.name.utf8)
        var mutator = Mutator(seed: seed, dictionary: corpus.dictionary, maxLength: target.maxLength)
        let structured = StructuredMutations.mutator(for: target.name)
        InFlight.hangSeconds = settings.hangSeconds
        let slot = InFlight.claim(target: target.name)
        defer { slot.map(InFlight.release) }
        var run = FuzzRun()
        let started = DispatchTime.now().uptimeNanoseconds
        func elapsed(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

        // Inputs that got past parsing (the oracles count them): mutated more often, as a
        // cheap stand-in for coverage feedback.
        var accepted = [[UInt8]]()

        func check(_ input: [UInt8], _ origin: @autoclosure () -> String) {
            let counted = FuzzStats.total(target.name)
            defer { if FuzzStats.total(target.name) > counted, accepted.count < 2_000 { accepted.append(input) } }
            if let slot { InFlight.begin(slot, input) }
            let start = DispatchTime.now().uptimeNanoseconds
            var problem: String?
            do {
                try target.check(input)
            } catch {
                problem = error.description
            }
            let seconds = elapsed(since: start)
            if let slot { InFlight.end(slot) }
            run.slowestSeconds = max(run.slowestSeconds, seconds)
            if problem == nil, seconds > settings.slowSeconds {
                problem = "took \(String(format: "%.1f", seconds)) s (limit \(settings.slowSeconds) s): a hang or a blow-up"
            }
            if let problem {
                let path = Corpus.saveFailure(input, target: target.name)
                run.failures.append("\(target.name), \(origin()): \(problem)\n  input saved as \(path)")
            }
        }

        for (path, bytes) in corpus.inputs {
            check(bytes, "corpus file \(path)")
            run.corpusInputs += 1
        }
        // Mutations of the corpus, of some earlier mutations, and of the accepted inputs.
        let seeds = corpus.inputs.isEmpty ? [[]] : corpus.inputs.map(\.bytes)
        var pool = seeds
        let iterations = settings.iterations ?? defaultIterations
        var i = 0
        while run.failures.count < maximumFailures {
            if let seconds = settings.seconds {
                if elapsed(since: started) >= seconds { break }
            } else if i >= iterations {
                break
            }
            let base = !accepted.isEmpty && mutator.random.nextIndex(below: 2) == 0
                ? accepted[mutator.random.nextIndex(below: accepted.count)] : pool[mutator.random.nextIndex(below: pool.count)]
            var input: [UInt8]
            if let structured, mutator.random.nextIndex(below: 2) == 0, let changed = structured(&mutator.random, base, seeds) {
                input = changed
                if mutator.random.nextIndex(below: 4) == 0 { input = mutator.mutate(input, corpus: pool) }
                if input.count > target.maxLength { input.removeLast(input.count - target.maxLength) }
            } else {
                input = mutator.mutate(base, corpus: pool)
            }
            check(input, "mutated input \(i) of seed \(settings.seed)")
            if i % 8 == 0, pool.count < 2_000 { pool.append(input) }
            i += 1
        }
        run.mutatedInputs = i
        run.seconds = elapsed(since: started)
        return run
    }
}
