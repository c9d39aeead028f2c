import CustomerData
import Foundation

/// The one layout and the one reader/writer of every persona model file (`persona.kmeans`,
/// `persona.logistic`, `persona.segment`): a header (`format`, `version`, `source`,
/// `id_column`), the fitted `FeaturePipeline` under `features` / `encoding` / `scaler` (per
/// dimension in a segment model), then the model's own keys. JSON, keys sorted, non-finite
/// numbers as the strings "nan", "inf", "-inf".
enum ModelFile {
    struct Header: Decodable {
        let format: String?
        let version: Int?
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    static func json<T: Encodable>(_ model: T) throws -> [UInt8] {
        Array(try encoder.encode(model)) + [0x0A]
    }

    /// Reads a model file: refuses a key given twice in one object (`JSONKeyCheck`), checks
    /// the header (so a file of another kind or version says so), then decodes, naming the key
    /// at fault.
    /// - Parameter makeWith: the command that makes such a file, for the messages.
    static func read<T: Decodable>(_ type: T.Type, path: String, format: String, version: Int, makeWith: String) throws -> T {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SegmentationError.modelFile(file: name, problem: "cannot read it (no such file, or no permission)")
        }
        let kind = "not a \(format) model"
        switch JSONKeyCheck.check(Array(data)) {
        case let .duplicateKey(key, path, line, column, firstLine, firstColumn)?:
            let object = path.isEmpty ? "the top-level object" : "'\(path)'"
            throw SegmentationError.modelFileAt(
                file: name, line: line, column: column,
                problem: "key '\(key)' appears a second time in \(object) (first at line \(firstLine), column \(firstColumn)): "
                    + "JSON readers differ on which one counts, so the file is refused; keep the one meant and remove the other")
        case let .tooDeep(line, column)?:
            throw SegmentationError.modelFileAt(
                file: name, line: line, column: column,
                problem: "\(kind): objects and lists are nested more than \(JSONKeyCheck.maximumDepth) deep here; a model file nests a few levels")
        case nil:
            break
        }
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: data)
        } catch {
            throw SegmentationError.modelFile(file: name, problem: "\(kind) (it is not a JSON object); make one with \(makeWith)")
        }
        guard header.format == format else {
            let found = header.format.map { "its format is '\($0)'" } ?? "it has no 'format' key"
            throw SegmentationError.modelFile(file: name, problem: "\(kind): \(found); make one with \(makeWith)")
        }
        guard header.version == version else {
            let found = header.version.map(String.init) ?? "missing"
            throw SegmentationError.modelFile(
                file: name, problem: "\(format) version \(found) is not version \(version), which this persona reads; make it again with \(makeWith)")
        }
        do {
            return try decoder.decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw SegmentationError.modelFile(file: name, problem: "\(kind): '\(keyPath(context.codingPath + [key]))' is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw SegmentationError.modelFile(file: name, problem: "\(kind): '\(keyPath(context.codingPath))' has the wrong type")
        } catch let DecodingError.dataCorrupted(context) {
            throw SegmentationError.modelFile(file: name, problem: "\(kind): '\(keyPath(context.codingPath))' \(context.debugDescription)")
        } catch {
            throw SegmentationError.modelFile(file: name, problem: "\(kind): \(error)")
        }
    }

    static func keyPath(_ path: [CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }
}
