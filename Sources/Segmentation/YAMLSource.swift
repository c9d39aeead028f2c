import Yams

/// A YAML file parsed once into Yams' node tree and kept, so that every problem found while
/// decoding it, or later while checking what it says, points at a line and column:
/// `persona.yaml:12:5: lifecycle.new_days must be a finite number; got nan`.
///
/// Columns count Unicode scalars from 1, as libYAML does.
struct YAMLSource {
    let file: String
    private let root: Node

    /// Parses `text`; a syntax error or a key given twice in one section is reported where
    /// libYAML found it, and a file without any setting (empty, or comments only) as such.
    init(_ text: String, file: String, empty: String) throws(TagRuleError) {
        self.file = file
        let parsed: Node?
        do {
            parsed = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.syntaxError(error, file: file)
        } catch {
            throw .file(file: file, problem: "not valid YAML: \(error)")
        }
        guard let parsed else { throw .file(file: file, problem: empty) }
        root = parsed
    }

    /// The file decoded as `T`, with decoding errors placed and put in words.
    func decode<T: Decodable>(_ type: T.Type) throws(TagRuleError) -> T {
        do {
            return try YAMLDecoder().decode(type, from: root)
        } catch let DecodingError.keyNotFound(key, context) {
            throw error(at: context.codingPath, "\(Self.named(context.codingPath + [key])) is missing")
        } catch let DecodingError.typeMismatch(expected, context) {
            let found = node(at: context.codingPath).map(Self.shown) ?? "nothing"
            throw error(at: context.codingPath, "\(Self.named(context.codingPath)) must be \(Self.kind(expected)); got \(found)")
        } catch let DecodingError.valueNotFound(expected, context) {
            throw error(at: context.codingPath, "\(Self.named(context.codingPath)) has no value; give \(Self.kind(expected))")
        } catch let DecodingError.dataCorrupted(context) {
            throw error(at: context.codingPath, context.debugDescription)
        } catch {
            throw .file(file: file, problem: "\(error)")
        }
    }

    /// `problem` placed at the node `path` leads to (or the deepest of its ancestors that the
    /// file has: a default that is wrong points at the section it belongs to).
    func error(at path: [CodingKey], _ problem: String) -> TagRuleError {
        guard let mark = mark(at: path) else { return .file(file: file, problem: problem) }
        return .at(file: file, line: mark.line, column: mark.column, problem: problem)
    }

    /// The line and column `path` points at (see `error(at:_:)`), when the file has them.
    func place(at path: [CodingKey]) -> (line: Int, column: Int)? {
        mark(at: path).map { ($0.line, $0.column) }
    }

    /// The node at `path`, if the file has it.
    func node(at path: [CodingKey]) -> Node? {
        var current = root
        for key in path {
            guard let next = Self.child(of: current, key) else { return nil }
            current = next
        }
        return current
    }

    /// Where `path` points: for a key of a section, where the key is written; for an item of
    /// a list, where the item starts.
    private func mark(at path: [CodingKey]) -> Mark? {
        var current = root
        var mark = root.mark
        for key in path {
            if key.intValue == nil, let pair = current.mapping?.first(where: { $0.key.string == key.stringValue }) {
                mark = pair.key.mark ?? mark
            }
            guard let next = Self.child(of: current, key) else { return mark }
            current = next
            if key.intValue != nil { mark = next.mark ?? mark }
        }
        return mark
    }

    private static func child(of node: Node, _ key: CodingKey) -> Node? {
        if let index = key.intValue {
            guard let sequence = node.sequence, sequence.indices.contains(index) else { return nil }
            return sequence[index]
        }
        return node.mapping?[key.stringValue]
    }

    /// `lifecycle.new_days`, `tags[2].when`.
    static func keyPath(_ path: [CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text
    }

    /// `'lifecycle.new_days'`, or `the file` for the whole document.
    private static func named(_ path: [CodingKey]) -> String {
        path.isEmpty ? "the file" : "'\(keyPath(path))'"
    }

    /// What a value looks like in a message: a scalar as written, else its shape.
    private static func shown(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.string.isEmpty ? "nothing" : scalar.string
        case .mapping: return "a section of 'key: value' lines"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// The expected kind of value, for `type` as the decoder names it.
    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type: return "a number"
        case is Int.Type: return "a whole number"
        case is UInt64.Type: return "a whole number >= 0"
        case is Bool.Type: return "true or false"
        case is String.Type: return "text"
        case is Node.Mapping.Type: return "a section of 'key: value' lines"
        case is Node.Sequence.Type, is [String].Type, is [Int].Type: return "a list"
        case is Node.Scalar.Type: return "a single value"
        default: return "a value of another kind"
        }
    }

    private static func syntaxError(_ error: YamlError, file: String) -> TagRuleError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let during = context.map { " \($0.text) (which starts at \($0.mark.line):\($0.mark.column))" } ?? ""
            if problem.hasPrefix("Maximum nesting level reached") {
                // libYAML's own wording names its C function; say what it means instead.
                return .at(file: file, line: mark.line, column: mark.column,
                           problem: "not valid YAML here: lists and sections nest too deep (a config nests a few levels)")
            }
            return .at(file: file, line: mark.line, column: mark.column, problem: "not valid YAML: \(problem)\(during)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return .at(file: file, line: context.mark.line, column: context.mark.column,
                       problem: "\(keys) \(duplicates.count == 1 ? "appears" : "appear") more than once in this section; keep one")
        default:
            return .file(file: file, problem: "not valid YAML: \(error)")
        }
    }
}

/// A key of a config section, or an index in a list (`tags[2]`), for `YAMLSource` paths.
struct ConfigKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        stringValue = "\(intValue)"
        self.intValue = intValue
    }

    /// `lifecycle.new_days` as a path.
    static func path(_ dotted: String) -> [CodingKey] {
        dotted.split(separator: ".").map { ConfigKey(stringValue: String($0)) }
    }
}

/// The closest of `known` to `word` when it is a plausible typo (at most two edits, and
/// fewer than half the word's length), for "did you mean" hints.
func closest(to word: String, among known: [String]) -> String? {
    let target = Array(word.lowercased())
    var best: (name: String, distance: Int)?
    for name in known {
        let candidate = Array(name.lowercased())
        var previous = Array(0...candidate.count)
        for (i, a) in target.enumerated() {
            var current = [i + 1]
            for (j, b) in candidate.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (a == b ? 0 : 1)))
            }
            previous = current
        }
        let distance = previous[candidate.count]
        if distance <= 2, 2 * distance < max(target.count, 1), distance < (best?.distance ?? .max) { best = (name, distance) }
    }
    return best?.name
}
