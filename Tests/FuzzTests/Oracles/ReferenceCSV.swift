/// A plain RFC 4180 splitter written from the reader's documented rules, to check the fast
/// scanner against: records end at `\n`, `\r\n` or `\r`; blank lines are skipped; a field that
/// starts with `"` runs to the closing quote (`""` is a quote; delimiters and line ends inside
/// are kept), and bytes after the closing quote up to the next delimiter are kept; a record's
/// line is the physical line it starts on, counting every line end inside quotes too.
///
/// Byte at a time and allocation-happy on purpose: it is the slow, obvious version.
struct ReferenceCSV: Equatable {
    struct Record: Equatable {
        var line: Int
        var fields: [[UInt8]]
        /// Which fields were quoted.
        var quoted: [Bool]
    }

    var records: [Record] = []
    /// The record (its line, and its field number counted from 0) whose quote is never closed.
    var unterminated: (line: Int, field: Int)?

    static func == (a: ReferenceCSV, b: ReferenceCSV) -> Bool {
        a.records == b.records && a.unterminated?.line == b.unterminated?.line && a.unterminated?.field == b.unterminated?.field
    }

    init(_ bytes: ArraySlice<UInt8>, delimiter: UInt8, firstLine: Int = 1) {
        let quote: UInt8 = 0x22, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var i = bytes.startIndex
        let end = bytes.endIndex
        var line = firstLine
        /// Consumes a line end at `i` if there is one.
        func lineEnd() -> Bool {
            guard i < end else { return false }
            if bytes[i] == lf { i += 1; return true }
            if bytes[i] == cr {
                i += 1
                if i < end, bytes[i] == lf { i += 1 }
                return true
            }
            return false
        }
        while i < end {
            if lineEnd() { line += 1; continue }
            var record = Record(line: line, fields: [], quoted: [])
            while true {
                var field = [UInt8]()
                let isQuoted = i < end && bytes[i] == quote
                if isQuoted {
                    i += 1
                    var closed = false
                    while i < end {
                        if bytes[i] == quote {
                            if i + 1 < end, bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                            i += 1
                            closed = true
                            break
                        }
                        if bytes[i] == lf || (bytes[i] == cr && !(i + 1 < end && bytes[i + 1] == lf)) { line += 1 }
                        field.append(bytes[i])
                        i += 1
                    }
                    if !closed {
                        unterminated = (record.line, record.fields.count)
                        return
                    }
                }
                while i < end, bytes[i] != delimiter, bytes[i] != lf, bytes[i] != cr {
                    field.append(bytes[i])
                    i += 1
                }
                record.fields.append(field)
                record.quoted.append(isQuoted)
                if i < end, bytes[i] == delimiter { i += 1; continue }
                if lineEnd() { line += 1 }
                break
            }
            records.append(record)
        }
    }

    /// Whether the bytes hold no quote at all (then every line end ends a record).
    static func quoteFree(_ bytes: some Sequence<UInt8>) -> Bool { !bytes.contains(0x22) }
}
