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
    }

    public let rules: [Rule]

    private struct File: Decodable {
        struct Entry: Decodable {
            let name: String?
            let when: String?
        }
        let tags: [Entry]?
    }

    /// Every rule on every row of `table`: per row the matching tag names in rule order.
    /// An unknown column is an error before any rule runs.
    func apply(to table: CustomerTable) throws -> [[String]] {
        for rule in rules {
            for column in rule.expression.columns where table.index(of: column) == nil {
                throw TagRuleError.unknownColumn(rule: rule.name, column: column, available: table.columnNames)
            }
        }
        var tags = [[String]](repeating: [], count: table.rowCount)
        for rule in rules {
            let matches = try TagEvaluator(table: table, rule: rule.name).evaluate(rule.expression)
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

    public static func parse(_ yaml: String, file: String) throws -> TagRules {
        let decoded: File
        do {
            decoded = try YAMLDecoder().decode(File.self, from: yaml)
        } catch let error as YamlError {
            throw TagRuleError.file(file: file, problem: "not valid YAML: \(error)")
        } catch {
            throw TagRuleError.file(file: file, problem: "expected 'tags:' followed by a list of '- name: …' / 'when: …' entries (\(error.localizedDescription))")
        }
        guard let entries = decoded.tags, !entries.isEmpty else {
            throw TagRuleError.file(file: file, problem: "no rules: expected 'tags:' followed by a list of '- name: …' / 'when: …' entries")
        }
        var rules = [Rule]()
        var seen = Set<String>()
        for (k, entry) in entries.enumerated() {
            guard let name = entry.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
                throw TagRuleError.file(file: file, problem: "rule \(k + 1) has no 'name'")
            }
            guard let condition = entry.when, !condition.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw TagRuleError.file(file: file, problem: "rule '\(name)' has no 'when' condition")
            }
            guard !name.contains(";") else {
                throw TagRuleError.file(file: file, problem: "rule '\(name)': a tag name cannot contain ';' (it separates tags in the output)")
            }
            guard seen.insert(name).inserted else {
                throw TagRuleError.file(file: file, problem: "two rules are named '\(name)'")
            }
            do {
                rules.append(Rule(name: name, condition: condition, expression: try TagParser.parse(condition)))
            } catch {
                throw TagRuleError.syntax(rule: name, condition: condition, position: error.position, message: error.message)
            }
        }
        return TagRules(rules: rules)
    }
}
