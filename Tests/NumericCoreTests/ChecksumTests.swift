import CKernels
import Testing
@testable import NumericCore

/// The matrix cache's checksum (`persona_checksum_*`), which the cache computes in 1 MB pieces
/// while it reads: the pieces must give the checksum of the whole, and a changed, moved, cut or
/// lengthened payload a different one.
@Suite("Matrix cache checksum")
struct ChecksumTests {
    static func checksum(_ words: [UInt64], cuts: [Int] = []) -> UInt64 {
        var lanes = [UInt64](repeating: 0, count: 4)
        persona_checksum_start(&lanes)
        let bounds = [0] + cuts + [words.count]
        words.withUnsafeBufferPointer { all in
            for (start, end) in zip(bounds, bounds.dropFirst()) {
                persona_checksum_update(&lanes, all.baseAddress.map { $0 + start }, Int64(end - start), Int64(start))
            }
        }
        return persona_checksum_finish(lanes, Int64(words.count))
    }

    @Test("pieces of any length, starting at any word, give the checksum of the whole")
    func pieces() {
        var rng = SeededRandom(seed: 41)
        let words = (0..<1001).map { _ in rng.next() }
        let whole = Self.checksum(words)
        for cuts in [[1], [3, 4, 5], [7, 500, 999], [4, 8, 1000], Array(stride(from: 13, to: 1001, by: 13))] {
            #expect(Self.checksum(words, cuts: cuts) == whole, "\(cuts)")
        }
    }

    @Test("every flipped bit, swapped pair, cut word and added zero word changes it")
    func changes() {
        var rng = SeededRandom(seed: 42)
        let words = (0..<64).map { _ in rng.next() }
        let whole = Self.checksum(words)
        for w in words.indices {
            for bit in [0, 17, 52, 63] {
                var changed = words
                changed[w] ^= 1 << UInt64(bit)
                #expect(Self.checksum(changed) != whole, "word \(w) bit \(bit)")
            }
        }
        var swapped = words
        swapped.swapAt(3, 7)  // the same lane
        #expect(Self.checksum(swapped) != whole)
        swapped = words
        swapped.swapAt(0, 1)  // neighbouring lanes
        #expect(Self.checksum(swapped) != whole)
        #expect(Self.checksum(Array(words.dropLast())) != whole)
        #expect(Self.checksum(words + [0]) != whole)
        #expect(Self.checksum([]) != Self.checksum([0]))
    }
}
