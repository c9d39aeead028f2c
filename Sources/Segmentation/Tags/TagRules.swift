import CustomerData
import Foundation
import Yams

/// The rules of RULES.yaml, parsed and checked for syntax:
///
///     tags:
///       - name: 高价值客户
///         when: "monetary >= 5000 and frequency >= 10"
public struct TagRules: Sendable {
    public struct Rule: Sendable, Equatable {
        public let name: String
        public let condition: String
        public let expression: TagExpression
        /// Where the rule's condition is written: the file, and its line and column when known.
        public var file: String?
        public var line: Int?
        public var column: Int?

        /// `error` (met while applying the rule) with the place of the rule in front.
        func placed(_ error: TagRuleError) -> TagRuleError {
            guard let file else { return error }
            if let line, let column { return .at(file: file, line: line, column: column, problem: error.description) }
            return .file(file: file, problem: error.description)
        }
    }

    public let rules: [Rule]

    /// RULES.yaml: `tags:` and nothing else.
    private struct File: Decodable {
        let tags: [SegmentConfig.TagRule]?

        enum CodingKeys: String, CodingKey, CaseIterable { case tags }

        init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, CodingKeys.self, section: nil)
            tags = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([SegmentConfig.TagRule].self, forKey: .tags)
        }
    }

    static let expected = "expected 'tags:' followed by a list of '- name: …' / 'when: …' entries"

    /// Every rule on every row of `table`: per row the matching tag names in rule order.
    /// An unknown column is an error before any rule runs.
    public func apply(to table: CustomerTable) throws -> [[String]] {
        for rule in rules {
            for column in rule.expression.columns where table.index(of: column) == nil {
                throw rule.placed(.unknownColumn(rule: rule.name, column: column, available: table.columnNames))
            }
        }
        var tags = [[String]](repeating: [], count: table.rowCount)
        for rule in rules {
            let matches: [Bool]
            do {
                matches = try TagEvaluator(table: table, rule: rule.name).evaluate(rule.expression)
            } catch {
                throw rule.placed(error)
            }
            for (i, hit) in matches.enumerated() where hit { tags[i].append(rule.name) }
        }
        return tags
    }

    public static func read(path: String) throws -> TagRules {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TagRuleError.file(file: name, problem: "cannot read it (no such file, or no permission)")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: name)
    }

    /// Parses a rules file; every problem names the file, and the line and column when it
    /// has one.
    public static func parse(_ yaml: String, file: String) throws -> TagRules {
        let source = try YAMLSource(yaml, file: file, empty: "no rules: \(expected)")
        guard let entries = try source.decode(File.self).tags, !entries.isEmpty else {
            throw source.error(at: [ConfigKey(stringValue: "tags")], "no rules: \(expected)")
        }
        return try TagRules(entries, file: file, source: source, at: [ConfigKey(stringValue: "tags")])
    }

    /// The rules of `entries`, each condition parsed. A problem is placed in `source` (under
    /// `path`, the list's key) when there is one, else it names `file` only.
    init(_ entries: [SegmentConfig.TagRule], file: String, source: YAMLSource?, at path: [CodingKey]) throws(TagRuleError) {
        func fail(_ index: Int, _ key: String?, _ error: TagRuleError) -> TagRuleError {
            guard let source else { return error }
            let problem: String
            if case .file(_, let text) = error { problem = text } else { problem = error.description }
            return source.error(at: path + [ConfigKey(intValue: index)] + (key.map { [ConfigKey(stringValue: $0)] } ?? []), problem)
        }
        var rules = [Rule]()
        var seen = Set<String>()
        for (k, entry) in entries.enumerated() {
            let name = entry.name
            guard !name.contains(";") else {
                throw fail(k, "name", .file(file: file, problem: "rule '\(name)': a tag name cannot contain ';' (it separates tags in the output)"))
            }
            guard seen.insert(name).inserted else {
                throw fail(k, "name", .file(file: file, problem: "two rules are named '\(name)'"))
            }
            do {
                var rule = Rule(name: name, condition: entry.when, expression: try TagParser.parse(entry.when))
                rule.file = file
                if let place = source?.place(at: path + [ConfigKey(intValue: k), ConfigKey(stringValue: "when")]) ?? entry.place {
                    (rule.line, rule.column) = place
                }
                rules.append(rule)
            } catch {
                throw fail(k, "when", .syntax(rule: name, condition: entry.when, position: error.position, message: error.message))
            }
        }
        self.rules = rules
    }
}
