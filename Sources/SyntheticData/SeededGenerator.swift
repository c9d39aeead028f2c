/// A small, fast, seedable pseudo-random number generator: xoshiro256\*\*.
///
/// The 256-bit state is filled from the seed by SplitMix64, as the authors recommend.
/// The output sequence depends only on `(seed, stream)`, never on the platform or the Swift
/// version, so the same seed always gives the same data. Not cryptographically secure.
///
/// References: D. Blackman & S. Vigna, "Scrambled linear pseudorandom number generators",
/// ACM TOMS 47(4), 2021 (xoshiro256\*\*); G. Steele, D. Lea & C. Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014 (SplitMix64).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64
    /// The second deviate of the last Marsaglia polar pair, if not used yet.
    var spareNormal: Double = 0
    var hasSpareNormal = false

    /// Creates a generator whose sequence is fixed by `seed` and `stream`.
    ///
    /// Different `stream` numbers under one seed give unrelated sequences; generators use
    /// them to keep, say, the product catalogue independent of the customers drawn.
    /// - Parameters:
    ///   - seed: any 64-bit value.
    ///   - stream: a sub-sequence number, 0 by default.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var mixer = SplitMix64(state: seed)
        if stream != 0 {
            var streamMixer = SplitMix64(state: stream ^ 0x6A09_E667_F3BC_C909)
            mixer = SplitMix64(state: mixer.next() ^ streamMixer.next())
        }
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = (s1 &* 5).rotatedLeft(by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3.rotatedLeft(by: 45)
        return result
    }

    /// A new 64-bit seed drawn from this generator, for a child generator.
    @inline(__always)
    public mutating func nextSeed() -> UInt64 { next() }
}

/// SplitMix64: a 64-bit counter passed through a strong bit mixer. Used only for seeding.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension UInt64 {
    @inline(__always)
    func rotatedLeft(by k: UInt64) -> UInt64 { (self << k) | (self >> (64 &- k)) }
}
