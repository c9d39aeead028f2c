import CustomerData
import Foundation
import Testing
@testable import Segmentation

/// Bugs the fuzz targets found (Tests/FuzzTests), pinned with exact values and messages.
@Suite("Fuzz findings: config names YAML must escape, model fills")
struct SegmentationFuzzFindingsTests {
    private func scratch(_ name: String, _ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("persona-findings-\(UUID().uuidString.prefix(8))-\(name)")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test("--print-config escapes DEL, C1 controls, the BOM and Unicode line breaks, so it reads back")
    func printedConfigReadsBack() throws {
        var config = SegmentConfig()
        config.value.tiers = ["x\u{7F}y", "a\u{85}b", "c\u{2028}d", "e\u{FEFF}f", "g\u{9F}h", "i\u{2029}j"]
        config.lifecycle.vipTier = "x\u{7F}y"
        let yaml = config.yaml()
        #expect(yaml.contains(#"tiers: ["x\x7Fy", "a\x85b", "c\u2028d", "e\uFEFFf", "g\x9Fh", "i\u2029j"]"#))
        #expect(try SegmentConfig.read(path: try scratch("config.yaml", yaml)) == config)
    }

    @Test("a model whose encoding fills a column with NaN is refused when read, naming the column")
    func nonFiniteFill() throws {
        let rows = "id,x,g,y\n" + (0..<12).map { "c\($0),\($0 % 5),\($0 % 3 == 0 ? "a" : "b"),\($0 % 2 == 0 ? "Yes" : "No")" }.joined(separator: "\n")
        var options = ChurnTrainOptions(input: try scratch("train.csv", rows), idColumn: "id", labelColumn: "y")
        options.folds = 0
        let json = String(decoding: try ChurnTraining.run(options).model.json(), as: UTF8.self)
        // x is 0 1 2 3 4 0 1 2 3 4 0 1: its median, the fill, is 1.5.
        let broken = json.replacingOccurrences(of: #""fill" : 1.5"#, with: #""fill" : "nan""#)
        #expect(broken != json)
        let path = try scratch("churn.json", broken)
        let name = (path as NSString).lastPathComponent
        #expect(throws: SegmentationError.modelFile(file: name, problem: "not a persona.logistic model: 'encoding' gives column 'x' the fill nan, not a finite number")) {
            try ChurnModelFile.read(path: path)
        }
    }
}
