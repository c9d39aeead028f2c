import Foundation

/// The committed inputs of a target: Tests/FuzzTests/Corpus/NAME/ (seeds, and the inputs that
/// once broke something under regressions/), and its dictionary Corpus/NAME.dict in
/// libFuzzer's format, which both drivers use.
struct Corpus {
    /// The repository's root, found from this file's place in it.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let directory = root.appendingPathComponent("Tests/FuzzTests/Corpus")
    /// Where a run leaves the inputs that broke a property, for a person to look at and commit.
    static let failures = root.appendingPathComponent(".build/fuzz-failures")

    let name: String
    /// Every committed input with its path relative to the corpus directory, sorted by path.
    let inputs: [(path: String, bytes: [UInt8])]
    let dictionary: [[UInt8]]

    init(target name: String) throws {
        self.name = name
        let base = Corpus.directory.appendingPathComponent(name)
        var inputs = [(path: String, bytes: [UInt8])]()
        if let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                let relative = String(url.path.dropFirst(Corpus.directory.path.count + 1))
                inputs.append((relative, Array(try Data(contentsOf: url))))
            }
        }
        self.inputs = inputs.sorted { $0.path < $1.path }
        let dictionaryURL = Corpus.directory.appendingPathComponent("\(name).dict")
        if let text = try? String(contentsOf: dictionaryURL, encoding: .utf8) {
            dictionary = try Corpus.parseDictionary(text, file: dictionaryURL.lastPathComponent)
        } else {
            dictionary = []
        }
    }

    struct DictionaryError: Error, CustomStringConvertible {
        let description: String
    }

    /// libFuzzer / AFL dictionary lines: `name="value"` or `"value"`, with `\\`, `\"` and `\xHH`
    /// escapes; blank lines and `#` comments ignored.
    static func parseDictionary(_ text: String, file: String) throws -> [[UInt8]] {
        var tokens = [[UInt8]]()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let open = trimmed.firstIndex(of: "\""), trimmed.hasSuffix("\""), trimmed.index(after: open) < trimmed.endIndex else {
                throw DictionaryError(description: "\(file):\(number + 1): expected \"value\" or name=\"value\"")
            }
            let body = Array(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)].utf8)
            var token = [UInt8]()
            var i = 0
            while i < body.count {
                if body[i] == 0x5C, i + 1 < body.count {
                    if body[i + 1] == 0x78, i + 3 < body.count, let v = UInt8(String(decoding: body[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                        token.append(v)
                        i += 4
                    } else {
                        token.append(body[i + 1])
                        i += 2
                    }
                    continue
                }
                token.append(body[i])
                i += 1
            }
            tokens.append(token)
        }
        return tokens
    }

    /// Saves an input that broke a property under .build/fuzz-failures/NAME/ and returns the path.
    static func saveFailure(_ input: [UInt8], target: String) -> String {
        let directory = failures.appendingPathComponent(target)
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(String(format: "%016llx", stableHash(input)))
        try? Data(input).write(to: file)
        return file.path
    }
}
