import Foundation

/// Ids and keys without the white space around them: the one trimming rule that
/// `persona identity` applies to record ids (and to every key) and that `persona features`
/// applies to an order log's ids before looking them up in an identities file, so that both
/// sides agree on what a record id is.
public enum IdentifierText {
    /// `text` without white space or line breaks at either end (Foundation's
    /// `whitespacesAndNewlines`); a text whose first and last bytes are printable ASCII (most
    /// ids) is returned as it is without asking Foundation.
    public static func trimmed(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        if (0x21..<0x7F).contains(first), (0x21..<0x7F).contains(last) { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Calls `body` with the UTF-8 bytes of `trimmed` applied to the text in `raw` (invalid
    /// UTF-8 repaired with U+FFFD first, as reading a CSV file into text does). ASCII ids are
    /// trimmed in place, on their bytes; others go through `trimmed`.
    public static func withTrimmed<R>(_ raw: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard raw.allSatisfy({ $0 < 0x80 }) else {
            var text = trimmed(String(decoding: raw, as: UTF8.self))
            return text.withUTF8 { body($0) }
        }
        // The ASCII members of `whitespacesAndNewlines`: tab, line feed, vertical tab, form
        // feed, carriage return and space (a test checks every ASCII byte against Foundation).
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }
        var start = 0, end = raw.count
        while start < end, isSpace(raw[start]) { start += 1 }
        while end > start, isSpace(raw[end - 1]) { end -= 1 }
        return body(UnsafeBufferPointer(rebasing: raw[start..<end]))
    }
}
