/// A strict pre-check of a model file's JSON that `JSONDecoder` does not make: a key given twice
/// in one object (the decoder silently keeps the last, so a hand-edited or pasted-together file
/// is read with values nobody may have meant), and nesting beyond `maximumDepth`.
///
/// One pass over the bytes; each open object keeps the set of its keys (escapes decoded, so
/// `"k"` and `"\u006b"` are the same key), so the time is linear in the file's size. Anything
/// that is not well-formed JSON is left for the decoder to report: the scan then stops quietly.
enum JSONKeyCheck {
    /// Model files nest a few levels (a pipeline's scaler inside a dimension); far more is not
    /// a model, and bounding it bounds the scan's stack.
    static let maximumDepth = 64

    enum Problem: Equatable {
        /// `path`: where the object is, `scaler` or `persona.clusters[2]`; empty at the top.
        case duplicateKey(key: String, path: String, line: Int, column: Int, firstLine: Int, firstColumn: Int)
        case tooDeep(line: Int, column: Int)
    }

    private struct Place { var line: Int, column: Int }

    private enum Frame {
        case object(name: String, expectingKey: Bool, lastKey: String)
        case array(name: String, index: Int)
    }

    /// The first problem in `bytes`, or nil.
    static func check(_ bytes: [UInt8]) -> Problem? {
        var stack = [Frame]()
        // Each open frame's keys, beside the stack so that adding one mutates in place (inside
        // the enum a copy-on-write of the whole set would make the scan quadratic).
        var keys = [[String: Place]]()
        var i = 0, line = 1, lineStart = 0
        // Columns count characters, not bytes (UTF-8 continuation bytes are skipped), counted
        // on from the last position asked about, so the whole scan stays linear.
        var counted = 0, countedColumn = 1
        func column(_ at: Int) -> Int {
            if counted < lineStart { (counted, countedColumn) = (lineStart, 1) }
            while counted < at {
                if bytes[counted] & 0xC0 != 0x80 { countedColumn += 1 }
                counted += 1
            }
            return countedColumn
        }
        /// The name the next container gets, from its parent: its key, or its index.
        func childName() -> String {
            switch stack.last {
            case .object(let name, _, let key)?: return name.isEmpty ? key : "\(name).\(key)"
            case .array(let name, let index)?: return "\(name)[\(index)]"
            case nil: return ""
            }
        }
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x0A:
                line += 1
                lineStart = i + 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard stack.count < maximumDepth else { return .tooDeep(line: line, column: column(i)) }
                let name = childName()
                stack.append(b == UInt8(ascii: "{") ? .object(name: name, expectingKey: true, lastKey: "") : .array(name: name, index: 0))
                keys.append([:])
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard stack.popLast() != nil else { return nil }
                keys.removeLast()
            case UInt8(ascii: ","):
                switch stack.last {
                case .object(let name, _, let key)?: stack[stack.count - 1] = .object(name: name, expectingKey: true, lastKey: key)
                case .array(let name, let index)?: stack[stack.count - 1] = .array(name: name, index: index + 1)
                case nil: return nil
                }
            case UInt8(ascii: ":"):
                guard case .object(let name, true, let key)? = stack.last else { return nil }
                stack[stack.count - 1] = .object(name: name, expectingKey: false, lastKey: key)
            case UInt8(ascii: "\""):
                let start = i
                guard let (text, end) = string(bytes, from: i) else { return nil }
                if case .object(let name, true, _)? = stack.last {
                    let here = Place(line: line, column: column(start))
                    if let first = keys[keys.count - 1][text] {
                        return .duplicateKey(key: text, path: name, line: here.line, column: here.column,
                                             firstLine: first.line, firstColumn: first.column)
                    }
                    keys[keys.count - 1][text] = here
                    stack[stack.count - 1] = .object(name: name, expectingKey: true, lastKey: text)
                }
                i = end
                continue
            default:
                break
            }
            i += 1
        }
        return nil
    }

    private static let simpleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
        UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
    ]

    /// The string starting at the quote at `start`, escapes decoded, and the index after its
    /// closing quote; nil when it is not a well-formed JSON string.
    private static func string(_ bytes: [UInt8], from start: Int) -> (String, Int)? {
        var i = start + 1
        var out = [UInt8]()
        var pendingHigh: UInt32?
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for b in bytes[at..<(at + 4)] {
                guard let d = Character(Unicode.Scalar(b)).hexDigitValue else { return nil }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { return (String(decoding: out, as: UTF8.self), i + 1) }
            if b < 0x20 { return nil }
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                i += 1
                continue
            }
            guard i + 1 < bytes.count else { return nil }
            let e = bytes[i + 1]
            i += 2
            if let c = simpleEscapes[e] {
                out.append(c)
                continue
            }
            guard e == UInt8(ascii: "u"), let unit = hex4(i) else { return nil }
            i += 4
            var value = unit
            if (0xD800..<0xDC00).contains(unit) {
                pendingHigh = unit
                continue
            }
            if (0xDC00..<0xE000).contains(unit) {
                guard let high = pendingHigh else { return nil }
                value = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)
            }
            pendingHigh = nil
            guard let scalar = Unicode.Scalar(value) else { return nil }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        return nil
    }
}
