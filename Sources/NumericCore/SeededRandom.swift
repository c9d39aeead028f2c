/// A small, fast, seedable generator: xoshiro256** seeded through SplitMix64.
///
/// Blackman & Vigna, "Scrambled linear pseudorandom number generators" (2021). The stream is
/// fully determined by the seed on every platform, which is what `--seed` promises.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// A generator for sub-task `index` of a run seeded with `seed` (an `n_init` restart, a
    /// k in `--k auto`), independent of the order in which sub-tasks run.
    public init(seed: UInt64, stream index: UInt64) {
        self.init(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03) &+ index)
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in `0..<bound` (bound > 0), without modulo bias.
    public mutating func nextIndex(below bound: Int) -> Int {
        Int(truncatingIfNeeded: next(upperBound: UInt64(bound)))
    }

    /// `count` distinct indices from `0..<population`, in the order drawn (Floyd's algorithm
    /// would lose the order; a partial Fisher-Yates keeps it and costs O(population) memory only
    /// when the sample is large).
    public mutating func sampleIndices(_ count: Int, from population: Int) -> [Int] {
        if count * 4 >= population {
            var all = Array(0..<population)
            for i in 0..<count {
                let j = i + nextIndex(below: population - i)
                all.swapAt(i, j)
            }
            return Array(all[0..<count])
        }
        var chosen = Set<Int>()
        var order = [Int]()
        order.reserveCapacity(count)
        while order.count < count {
            let candidate = nextIndex(below: population)
            if chosen.insert(candidate).inserted { order.append(candidate) }
        }
        return order
    }
}
