import Foundation
import Testing
@testable import Segmentation

/// The sampled rows a `sample` or `metrics` round sends: values travel as base64 doubles,
/// and come back bit for bit.
@Suite("KMeansFit.RowSample JSON")
struct RowSampleCodingTests {
    @Test("values round-trip bit for bit, -0, subnormals and extremes included")
    func roundTrip() throws {
        let sample = KMeansFit.RowSample(rows: [3, 7, 11], values: [[0.1, -0.0, 1e-310], [.pi, -.greatestFiniteMagnitude, 2],
                                                                    [5e-324, 1 / 3, -7.25]], labels: [0, 2, 1])
        let json = try StepFile.json(sample)
        let back = try StepFile.decode(KMeansFit.RowSample.self, Data(json), file: "out.json")
        #expect(back.rows == sample.rows && back.labels == sample.labels)
        #expect(back.values.flatMap { $0.map(\.bitPattern) } == sample.values.flatMap { $0.map(\.bitPattern) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(object["columns"] as? Int == 3 && (object["values"] as? String)?.count == 9 * 8 / 3 * 4)  // 72 bytes in base64
        let empty = try StepFile.decode(KMeansFit.RowSample.self, Data(try StepFile.json(KMeansFit.RowSample(rows: [], values: [], labels: nil))), file: "e.json")
        #expect(empty.rows.isEmpty && empty.values.isEmpty && empty.labels == nil)
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
