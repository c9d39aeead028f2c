/// Jaro-Winkler similarity of two strings, over Unicode scalars (so `王小明` is three symbols):
/// 1 for equal strings, 0 when nothing matches.
///
/// Jaro (1989): symbols match when equal and at most `max(|a|, |b|) / 2 - 1` positions apart;
/// with m matches and t half the number of matched symbols out of order,
/// `jaro = (m/|a| + m/|b| + (m - t)/m) / 3`. Winkler (1990) adds a bonus for a common prefix of
/// l ≤ 4 symbols, `jaro + l · 0.1 · (1 - jaro)`, given only when jaro is above 0.7 (Winkler's
/// boost threshold, as in jellyfish and rapidfuzz, which Splink uses through DuckDB).
/// Case and spacing count: compare normalised names (`IdentityKeys.name`).
public enum JaroWinkler {
    public static let prefixScale = 0.1
    public static let maxPrefix = 4
    public static let boostThreshold = 0.7

    public static func similarity(_ a: String, _ b: String) -> Double {
        similarity(Array(a.unicodeScalars), Array(b.unicodeScalars))
    }

    /// - Complexity: O(|a| · |b|) at worst.
    public static func similarity(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Double {
        let j = jaro(a, b)
        guard j > boostThreshold else { return j }
        var prefix = 0
        while prefix < min(maxPrefix, a.count, b.count), a[prefix] == b[prefix] { prefix += 1 }
        return j + Double(prefix) * prefixScale * (1 - j)
    }

    /// The Jaro similarity, without Winkler's prefix bonus.
    public static func jaro(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Double {
        if a.isEmpty || b.isEmpty { return a.isEmpty && b.isEmpty ? 1 : 0 }
        let window = max(0, max(a.count, b.count) / 2 - 1)
        var aMatched = Array(repeating: false, count: a.count)
        var bMatched = Array(repeating: false, count: b.count)
        var matches = 0
        for i in a.indices {
            let low = max(0, i - window), high = min(b.count - 1, i + window)
            guard low <= high else { continue }
            for j in low...high where !bMatched[j] && a[i] == b[j] {
                aMatched[i] = true
                bMatched[j] = true
                matches += 1
                break
            }
        }
        guard matches > 0 else { return 0 }
        var outOfOrder = 0
        var j = 0
        for i in a.indices where aMatched[i] {
            while !bMatched[j] { j += 1 }
            if a[i] != b[j] { outOfOrder += 1 }
            j += 1
        }
        let m = Double(matches)
        return (m / Double(a.count) + m / Double(b.count) + (m - Double(outOfOrder) / 2) / m) / 3
    }
}
