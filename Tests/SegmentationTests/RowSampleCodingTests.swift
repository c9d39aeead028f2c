import Foundation
import Testing
import CustomerData
@testable import Segmentation

/// The sampled rows a `sample` or `metrics` round sends: values travel as base64 doubles,
/// and come back bit for bit.
@Suite("KMeansFit.RowSample JSON")
struct RowSampleCodingTests {
    @Test("values round-trip bit for bit, -0, subnormals and extremes included")
    func roundTrip() throws {
        let sample = KMeansFit.RowSample(rows: [3, 7, 11], columns: 3, values: [0.1, -0.0, 1e-310, .pi, -.greatestFiniteMagnitude, 2,
                                                                             5e-324, 1 / 3, -7.25], labels: [0, 2, 1])
        let json = try StepFile.line(sample)
        let back = try StepFile.decode(KMeansFit.RowSample.self, Data(json), file: "out.json")
        #expect(back.rows == sample.rows && back.labels == sample.labels && back.columns == 3)
        #expect(back.values.map(\.bitPattern) == sample.values.map(\.bitPattern))
        // One line (the partition's output passes through Spark's pipe as it is).
        #expect(json.filter { $0 == 0x0A }.count == 1 && json.last == 0x0A)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(object["columns"] as? Int == 3 && (object["values"] as? String)?.count == 9 * 8 / 3 * 4)  // 72 bytes in base64
        // Row 2 (position 1) and row 1 (position 0), as a 2x3 matrix.
        let picked = try back.matrix(picking: [1, 0])
        #expect(picked.rows == 2 && picked.columns == 3
                && picked.storage.map(\.bitPattern) == [.pi, -.greatestFiniteMagnitude, 2, 0.1, -0.0, 1e-310].map(\.bitPattern))
        let none = KMeansFit.RowSample(rows: [], columns: 3, values: [], labels: nil)
        let empty = try StepFile.decode(KMeansFit.RowSample.self, Data(try StepFile.line(none)), file: "e.json")
        #expect(empty.rows.isEmpty && empty.values.isEmpty && empty.labels == nil && empty.columns == 3)
    }

    /// Packed strings and other values side by side, nested, in arrays and in the wrapper.
    struct Carrier: Encodable {
        var sample: KMeansFit.RowSample
        var samples: [KMeansFit.RowSample]
        var note: String
        @PackedIntegers var counts: [Int]?
        @PackedIntegers var none: [Int]?
    }

    @Test("StepFile.line puts the packed strings in after encoding: the encoder's own bytes")
    func packedStringsPutInAfterwards() throws {
        let values = (0..<3000).map { Double($0) * 0.37 - 500 } + [-0.0, .pi, 1e-310]
        let big = KMeansFit.RowSample(rows: Array(0..<(values.count / 3)), columns: 3, values: values, labels: nil)
        let small = KMeansFit.RowSample(rows: [4], columns: 2, values: [1, -1], labels: [7])
        // A note that looks like a stand-in (a control character, hex digits, a dash and a
        // number) but holds another nonce: it must come out as the encoder writes it.
        let carrier = Carrier(sample: big, samples: [small, small, big], note: "\u{1}ffffffff-0 \\u0001 é/\"",
                              counts: [1, 2, .max], none: nil)
        let encoder = ModelFile.encoder
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = Array(try encoder.encode(carrier)) + [0x0A]
        let line = try StepFile.line(carrier)
        #expect(line == expected)
        #expect(String(decoding: line, as: UTF8.self).contains(#""note":"\u0001ffffffff-0 \\u0001 é/\"""#))
        // The encoder is left as it was: a second use writes the same bytes.
        #expect(try StepFile.line(carrier) == expected)
    }

    @Test("values of the wrong length are refused, naming the file and the shape")
    func wrongLength() throws {
        // One double (1.0) where one row (row 1, packed: "AQAAAAAAAAA=") of two columns needs two.
        let json = #"{"columns":2,"rows":"AQAAAAAAAAA=","values":"AAAAAAAA8D8="}"#
        let error = #expect(throws: SegmentationError.self) {
            _ = try StepFile.decode(KMeansFit.RowSample.self, Data(json.utf8), file: "out-3.json")
        }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.hasPrefix("out-3.json: not a step file of this kind ("))
        #expect(message.contains("not 1x2 doubles in base64"))
    }
}
