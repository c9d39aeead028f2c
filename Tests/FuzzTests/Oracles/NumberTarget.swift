import Foundation
@testable import CustomerData

/// The cell number parser (`NumberParser`): one input is one cell.
///
/// Properties:
/// - it agrees with a reference classification written from its documented grammar
///   (`[+-]digits[.digits][(e|E)[+-]digits]` between spaces and tabs; blank and NA-like words
///   are missing; NaN/inf words and overflow are non-finite; anything else is not a number),
///   and on numbers with Swift's own `Double(String)`, bit for bit (so -0 stays -0);
/// - the fused fast path the CSV scanner uses (`parsePlainField`), whenever it accepts a field,
///   ends it at a delimiter, a line end or the end, with the value the general path gives;
/// - the C parser of runs of fields (`parsePlainFields`) takes or refuses the cell as
///   `parsePlainField` does, with the same end and the same bits.
enum NumberTarget: FuzzTarget {
    static let name = "number"
    static let maxLength = 400

    static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let parsed = withPointer(input) { NumberParser.parse($0, input.count) }
        let expected = reference(input)
        try require(same(parsed, expected), "parse(\(shown(input))) is \(parsed), the reference says \(expected)")
        if case .number = parsed { FuzzStats.accepted(name, "numbers") }
        for delimiter in [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09] {
            let fast = withPointer(input) { p in
                NumberParser.parsePlainField(p, p + input.count, delimiter: delimiter).map { ($0.0, $0.1 - p) }
            }
            guard let (value, length) = fast else { continue }
            try require(length > 0 && length <= input.count, "parsePlainField(\(shown(input))) ended at \(length)")
            if length < input.count {
                let stop = input[length]
                try require(stop == delimiter || stop == 0x0A || stop == 0x0D,
                            "parsePlainField(\(shown(input))) stopped at byte \(stop), not a delimiter or line end")
            }
            let field = Array(input[..<length])
            let general = withPointer(field) { NumberParser.parse($0, field.count) }
            try require(same(general, .number(value)),
                        "parsePlainField(\(shown(field))) gives \(value), parse gives \(general)")
        }
        // The C parser of runs of fields takes the same first field with the same value, on
        // its byte path (the cell alone) and on its eight-byte path (the cell and more).
        for delimiter in [UInt8(ascii: ","), 0x09] {
            for bytes in [input, input + [delimiter] + Array(repeating: UInt8(ascii: "7"), count: 64)] {
                let one = withPointer(bytes) { p in
                    NumberParser.parsePlainField(p, p + bytes.count, delimiter: delimiter).map { ($0.0, $0.1 - p) }
                }
                let run = PlainFieldRun.parse(bytes, delimiter: delimiter, count: 1)
                try require(run.fields == (one == nil ? 0 : 1) && run.end == (one?.1 ?? 0)
                                && run.values.first.map { $0.bitPattern } == one.map { $0.0.bitPattern },
                            "parsePlainFields(\(shown(bytes))) took \(run), parsePlainField \(String(describing: one))")
            }
        }
    }

    /// The reference: the documented grammar checked by hand, values from `Double(String)`.
    static func reference(_ input: [UInt8]) -> ParsedNumber {
        var cell = input[...]
        while let first = cell.first, first == 0x20 || first == 0x09 { cell.removeFirst() }
        while let last = cell.last, last == 0x20 || last == 0x09 { cell.removeLast() }
        if cell.isEmpty { return .missing }
        if matchesDecimalGrammar(cell) {
            guard let value = Double(String(decoding: cell, as: UTF8.self)) else { return .notANumber }
            return value.isFinite ? .number(value) : .nonFinite
        }
        // Words are compared without regard to ASCII case; no other byte changes.
        let word = String(decoding: cell.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
        if ["na", "n/a", "null", "none", "#n/a", "<na>"].contains(word) { return .missing }
        let unsigned = word.hasPrefix("-") || word.hasPrefix("+") ? String(word.dropFirst()) : word
        if ["nan", "inf", "infinity"].contains(unsigned) { return .nonFinite }
        return .notANumber
    }

    /// `[+-](digits[.digits] | .digits | digits.)[(e|E)[+-]digits]`, nothing else.
    static func matchesDecimalGrammar(_ cell: ArraySlice<UInt8>) -> Bool {
        var i = cell.startIndex
        func isDigit(_ at: Int) -> Bool { at < cell.endIndex && (0x30...0x39).contains(cell[at]) }
        if i < cell.endIndex, cell[i] == 0x2B || cell[i] == 0x2D { i += 1 }
        var mantissaDigits = 0
        while isDigit(i) { i += 1; mantissaDigits += 1 }
        if i < cell.endIndex, cell[i] == 0x2E {
            i += 1
            while isDigit(i) { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return false }
        if i < cell.endIndex, cell[i] == 0x65 || cell[i] == 0x45 {
            i += 1
            if i < cell.endIndex, cell[i] == 0x2B || cell[i] == 0x2D { i += 1 }
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
        }
        return i == cell.endIndex
    }

    static func same(_ a: ParsedNumber, _ b: ParsedNumber) -> Bool {
        if case .number(let x) = a, case .number(let y) = b { return x.bitPattern == y.bitPattern }
        return a == b
    }
}

/// `body` with a pointer to the bytes (a valid pointer even for an empty array).
func withPointer<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>) -> R) -> R {
    bytes.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return withUnsafePointer(to: UInt8(0)) { body($0) } }
        return body(base)
    }
}

/// Runs `NumberParser.parsePlainFields` on bytes: the fields it took, the values it stored and
/// where the last field ends (an offset).
struct PlainFieldRun: CustomStringConvertible {
    var fields: Int
    var values: [Double]
    var end: Int

    static func parse(_ bytes: [UInt8], delimiter: UInt8, count: Int) -> PlainFieldRun {
        var cells = [Double](repeating: .nan, count: count)
        let (fields, end) = withPointer(bytes) { p in
            cells.withUnsafeMutableBufferPointer { c -> (Int, Int) in
                guard let base = c.baseAddress else { return (0, 0) }
                // Column i of the run is cell i (row 0 of a one-row column).
                let columns: [UnsafeMutablePointer<Double>?] = (0..<count).map { base + $0 }
                return columns.withUnsafeBufferPointer { table -> (Int, Int) in
                    guard let first = table.baseAddress else { return (0, 0) }
                    let (n, stop) = NumberParser.parsePlainFields(p, p + bytes.count, delimiter: delimiter, into: first,
                                                                  row: 0, count: count)
                    return (n, stop - p)
                }
            }
        }
        return PlainFieldRun(fields: fields, values: Array(cells.prefix(fields)), end: end)
    }

    var description: String { "\(fields) fields \(values) ending at \(end)" }
}
