import Foundation

/// Guesses a CSV file's field separator from its first lines (`--delimiter auto`).
///
/// The candidates are `,` `;` tab and `|`. Up to `sampleRecords` records are split outside
/// double quotes (a quoted field may hold separators and line breaks; `""` inside quotes is a
/// quote, so quoting state is the same whatever the separator). A candidate is *consistent*
/// when every sampled record has the same number of fields and that number is above 1; the
/// consistent candidate with the most fields wins, and among equals the earlier candidate
/// (so `,` wins every tie). When none is consistent (a ragged row among the first lines), the
/// candidate that splits the header into the most fields is taken, so that the reader then
/// reports the ragged row at its line; `,` when no candidate splits the header.
///
/// What is *not* guaranteed: a file whose header and first lines split consistently on two
/// candidates into the same number of fields reads with the earlier one; give `--delimiter`.
/// Whitespace-separated text (runs of spaces) is not a candidate.
///
/// Complexity: reads at most `sampleBytes` bytes, one pass.
public enum DelimiterSniffer {
    /// In order of preference on ties.
    public static let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]
    /// Records (the header included) looked at.
    public static let sampleRecords = 20
    /// At most this much of the file is read (a `.gz` file is inflated only this far).
    static let sampleBytes = 256 << 10

    /// The separator of the file at `path` (plain or `.gz`; a UTF-8 byte-order mark is skipped).
    /// - Throws: `CustomerDataError.unreadable` when the file cannot be opened or inflated.
    public static func detect(path: String) throws -> UInt8 {
        let source = try InputFile(path: path, limits: InputLimits()).open()
        var bytes = [UInt8](repeating: 0, count: sampleBytes)
        var filled = 0
        var atEnd = false
        try bytes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            while filled < buffer.count {
                let n = try source.read(into: base + filled, count: buffer.count - filled)
                if n == 0 { atEnd = true; break }
                filled += n
            }
        }
        return detect(bytes: Array(bytes[..<filled]), complete: atEnd)
    }

    /// The separator of a file whose first bytes are `bytes`; `complete` says they are the
    /// whole file (otherwise the last, possibly cut, record is only looked at when it is the
    /// header).
    public static func detect(bytes: [UInt8], complete: Bool) -> UInt8 {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let records = separatorCounts(bytes[start...], complete: complete)
        guard let header = records.first else { return candidates[0] }
        var best: (candidate: Int, fields: Int)?
        for k in candidates.indices {
            let fields = header[k] + 1
            guard fields > 1, records.allSatisfy({ $0[k] + 1 == fields }) else { continue }
            if fields > best?.fields ?? 0 { best = (k, fields) }
        }
        if best == nil {
            for k in candidates.indices where header[k] + 1 > max(1, best?.fields ?? 0) { best = (k, header[k] + 1) }
        }
        return candidates[best?.candidate ?? 0]
    }

    /// For each of the first `sampleRecords` non-blank records, how often each candidate
    /// occurs outside quotes. Records end at `\n`, `\r\n` or `\r` outside quotes.
    static func separatorCounts(_ bytes: ArraySlice<UInt8>, complete: Bool) -> [[Int]] {
        let quote = UInt8(ascii: "\""), newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D
        var records = [[Int]]()
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        var nonBlank = false
        for b in bytes {
            if records.count == sampleRecords { return records }
            if b == quote {
                inQuotes.toggle()
            } else if !inQuotes, b == newline || b == carriageReturn {
                if nonBlank { records.append(counts) }
                counts = [Int](repeating: 0, count: candidates.count)
                nonBlank = false
                continue
            } else if !inQuotes, let k = candidates.firstIndex(of: b) {
                counts[k] += 1
            }
            nonBlank = true
        }
        // The last record only when the file ends there, or when it is all there is (a header
        // longer than the sample): better a cut header than none.
        if nonBlank, !inQuotes, complete || records.isEmpty { records.append(counts) }
        return records
    }
}
