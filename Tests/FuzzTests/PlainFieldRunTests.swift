import Foundation
import NumericCore
import Testing
@testable import CustomerData

/// The C parser of runs of plain fields against `parsePlainField` taken field after field, on
/// seeded random records: field ends found 64 bytes at a time must be the ones a field-by-field
/// scan finds, across chunk boundaries, near the end of the data and for delimiters that can be
/// part of a number.
@Suite("Runs of plain decimal fields")
struct PlainFieldRunTests {
    /// A field: mostly plain decimals of every length around the 15-digit limit, sometimes
    /// something the plain path must refuse.
    static func field(_ rng: inout SeededRandom) -> [UInt8] {
        let digits = Array("0123456789".utf8)
        func run(_ n: Int) -> [UInt8] { (0..<n).map { _ in digits[rng.nextIndex(below: 10)] } }
        switch rng.nextIndex(below: 40) {
        case 0: return []
        case 1: return Array(["1e5", "+1", "1.2.3", "abc", "-", ".", "1-2", " 1", "1 ", "NA", "-.", "0x1F", "١"][rng.nextIndex(below: 13)].utf8)
        case 2: return run(14 + rng.nextIndex(below: 6))  // around the limit, no point
        default:
            var f: [UInt8] = rng.nextIndex(below: 3) == 0 ? [UInt8(ascii: "-")] : []
            f += run(rng.nextIndex(below: 9))
            if rng.nextIndex(below: 4) != 0 { f += [UInt8(ascii: ".")] + run(rng.nextIndex(below: 8)) }
            return f
        }
    }

    /// `parsePlainField` field after field, as `persona_parse_plain_fields` promises to behave.
    static func oneByOne(_ bytes: [UInt8], delimiter: UInt8, count: Int) -> PlainFieldRun {
        var values = [Double](), end = 0, p = 0
        withPointer(bytes) { base in
            while values.count < count, let (value, stop) = NumberParser.parsePlainField(base + p, base + bytes.count, delimiter: delimiter) {
                values.append(value)
                end = stop - base
                if end == bytes.count || bytes[end] != delimiter { break }
                p = end + 1
            }
        }
        return PlainFieldRun(fields: values.count, values: values, end: end)
    }

    @Test("the same fields, ends and bits as parsePlainField one field at a time")
    func sameAsOneByOne() {
        var rng = SeededRandom(seed: 17)
        let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "5")]
        var taken = 0, records = 0
        for _ in 0..<20_000 {
            let delimiter = delimiters[rng.nextIndex(below: 10) < 7 ? rng.nextIndex(below: 3) : 3 + rng.nextIndex(below: 3)]
            let fields = 1 + rng.nextIndex(below: 24)
            var bytes = [UInt8]()
            for k in 0..<fields {
                if k > 0 { bytes.append(delimiter) }
                bytes += PlainFieldRunTests.field(&rng)
            }
            bytes += [[0x0A], [0x0D, 0x0A], [0x0D], []][rng.nextIndex(below: 4)]
            if rng.nextIndex(below: 2) == 0 { bytes += (0..<rng.nextIndex(below: 200)).map { _ in UInt8(ascii: "9") - UInt8(rng.nextIndex(below: 12)) } }
            let count = 1 + rng.nextIndex(below: fields + 2)
            let expected = PlainFieldRunTests.oneByOne(bytes, delimiter: delimiter, count: count)
            let got = PlainFieldRun.parse(bytes, delimiter: delimiter, count: count)
            #expect(got.fields == expected.fields && got.end == expected.end
                        && got.values.map(\.bitPattern) == expected.values.map(\.bitPattern),
                    "\(String(decoding: bytes, as: UTF8.self).debugDescription) count \(count): \(got), expected \(expected)")
            if got.fields != expected.fields { return }
            taken += got.fields
            records += got.fields == count ? 1 : 0
        }
        // The records must mostly parse to their end, or the test checks only refusals.
        #expect(taken > 50_000 && records > 5_000, "\(taken) fields, \(records) whole runs")
    }

    @Test("fields of the largest size, starting at every offset of the 64-byte chunks")
    func chunkBoundaries() {
        // Short fields first, so the long ones start `shift` bytes into the run; 15 digits
        // with the point at every place.
        for shift in 0..<64 {
            for point in 0...15 {
                var field = Array(repeating: UInt8(ascii: "9"), count: 15)
                if point < 15 { field.insert(UInt8(ascii: "."), at: point) }
                var bytes = [UInt8](), fields = 0
                if shift > 0 {
                    bytes += Array(repeating: UInt8(ascii: "8"), count: 2 - shift % 2) + [UInt8(ascii: ",")]
                    fields += 1
                    for _ in 0..<(shift - 1) / 2 { bytes += Array("7,".utf8); fields += 1 }
                }
                for _ in 0..<6 { bytes += field + [UInt8(ascii: ",")]; fields += 1 }
                bytes += Array(repeating: UInt8(ascii: "3"), count: 12) + [0x0A] + Array(repeating: UInt8(ascii: "4"), count: 80)
                fields += 1
                let run = PlainFieldRun.parse(bytes, delimiter: UInt8(ascii: ","), count: fields + 1)
                let expected = PlainFieldRunTests.oneByOne(bytes, delimiter: UInt8(ascii: ","), count: fields + 1)
                #expect(run.fields == fields && run.fields == expected.fields && run.end == expected.end
                            && run.values.map(\.bitPattern) == expected.values.map(\.bitPattern), "shift \(shift) point \(point): \(run)")
            }
        }
    }
}
