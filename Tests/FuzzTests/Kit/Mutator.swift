import NumericCore

/// Byte-level mutations in the manner of libFuzzer's (flip, set, insert, erase, repeat, splice,
/// dictionary tokens), driven by a seeded generator so a run is the same every time.
struct Mutator {
    var random: SeededRandom
    /// Tokens worth inserting whole: the target's dictionary and a few that trouble any parser.
    let tokens: [[UInt8]]
    let maxLength: Int

    static let commonTokens: [[UInt8]] = [
        "\"", "\"\"", ",", ";", "\t", "\n", "\r", "\r\n", "\u{FEFF}", "\0", " ", "-", "+", ".", "e", "E",
        "0", "-0", "1e400", "-1e400", "1e-400", ".5", "5.", "NaN", "inf", "NA", "9223372036854775807",
        "18446744073709551616", "99999999999999999999999", "١٢٣", "１２３", "\u{00A0}", "\u{2028}", "é", "北京",
        "\\", "\\\"", "\u{7F}", "\u{85}", "\u{FFFD}",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98]]

    init(seed: UInt64, dictionary: [[UInt8]], maxLength: Int) {
        random = SeededRandom(seed: seed)
        tokens = dictionary + Mutator.commonTokens
        self.maxLength = maxLength
    }

    private mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : random.nextIndex(below: n) }

    /// One to five stacked mutations of `input`; `corpus` supplies splice partners.
    mutating func mutate(_ input: [UInt8], corpus: [[UInt8]]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(5) { mutateOnce(&bytes, corpus: corpus) }
        if bytes.count > maxLength { bytes.removeLast(bytes.count - maxLength) }
        return bytes
    }

    private mutating func mutateOnce(_ bytes: inout [UInt8], corpus: [[UInt8]]) {
        let n = bytes.count
        switch below(11) {
        case 0 where n > 0:  // flip a bit
            bytes[below(n)] ^= 1 << UInt8(below(8))
        case 1 where n > 0:  // set a byte to something
            bytes[below(n)] = [0x00, 0xFF, 0x7F, 0x80, 0x22, 0x2C, 0x0A, 0x0D, 0x20, 0x09, 0x2D, 0x2E, 0x65, 0x30, 0x39,
                               UInt8(truncatingIfNeeded: below(256))][below(16)]
        case 2:  // insert random bytes
            let count = 1 + below(8)
            bytes.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: below(256)) }, at: below(n + 1))
        case 3 where n > 0:  // erase a range
            let start = below(n)
            bytes.removeSubrange(start..<min(n, start + 1 + below(16)))
        case 4 where n > 0:  // repeat a range: long lines, long chains, deep nesting
            let start = below(n)
            let chunk = Array(bytes[start..<min(n, start + 1 + below(32))])
            let times = [2, 3, 10, 100, 1000][below(5)]
            let room = max(0, maxLength - n) / max(1, chunk.count)
            bytes.insert(contentsOf: Array([[UInt8]](repeating: chunk, count: min(times, room)).joined()), at: start)
        case 5, 6:  // insert a token
            bytes.insert(contentsOf: tokens[below(tokens.count)], at: below(n + 1))
        case 7 where n > 0:  // replace a range with a token
            let start = below(n)
            bytes.replaceSubrange(start..<min(n, start + 1 + below(8)), with: tokens[below(tokens.count)])
        case 8 where !corpus.isEmpty:  // splice: our head, another input's tail
            let other = corpus[below(corpus.count)]
            bytes = Array(bytes[..<below(n + 1)]) + Array(other[below(other.count + 1)...])
        case 9 where n > 1:  // swap two bytes
            bytes.swapAt(below(n), below(n))
        case 10 where n > 0:  // truncate
            bytes.removeLast(below(n) + 1)
        default:
            bytes.insert(contentsOf: tokens[below(tokens.count)], at: below(n + 1))
        }
    }
}
