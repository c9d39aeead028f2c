import CustomerData
import Foundation

/// The JSON documents that pass between the partitions of a scale-out run and its driver:
/// states (`PipelineFit`, `KMeansFit`) and per-partition statistics. Written like model files
/// (sorted keys, non-finite numbers as strings), so they diff and round-trip exactly.
public enum StepFile {
    public static func json<T: Encodable>(_ value: T) throws -> [UInt8] {
        try ModelFile.json(value)
    }

    /// A partition's output: the document on one line (keys sorted, no indentation; JSON
    /// escapes every line end and tab inside strings) and a newline, so that `persona step
    /// batch` can hand it to the driver as it is, in one field of a tab-separated line.
    public static func line<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = ModelFile.encoder
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try PackedNumbers.encoded(value, by: encoder) + [0x0A]
    }

    /// Decodes a document; `file` names it in the message.
    public static func decode<T: Decodable>(_ type: T.Type, _ data: Data, file: String) throws -> T {
        do {
            return try ModelFile.decoder.decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw SegmentationError.modelFile(file: file, problem: "not a step file of this kind: '\(ModelFile.keyPath(context.codingPath + [key]))' is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw SegmentationError.modelFile(file: file, problem: "not a step file of this kind: '\(ModelFile.keyPath(context.codingPath))' has the wrong type")
        } catch {
            throw SegmentationError.modelFile(file: file, problem: "not a step file of this kind (\(error))")
        }
    }

    /// Reads and decodes a document.
    public static func read<T: Decodable>(_ type: T.Type, path: String) throws -> T {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SegmentationError.modelFile(file: name, problem: "cannot read it (no such file, or no permission)")
        }
        return try decode(type, data, file: name)
    }

    static func noWork(_ file: String, _ step: String) -> SegmentationError {
        .modelFile(file: file, problem: "the state has no '\(step)' round to run or merge; give the state the driver wrote last")
    }
}
