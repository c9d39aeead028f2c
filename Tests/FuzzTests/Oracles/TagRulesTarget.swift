import CustomerData
@testable import Segmentation

/// A RULES.yaml file (`TagRules.parse`, `apply`), as `persona tag --rules` reads it, run on
/// the table of `TagExpressionTarget`.
///
/// Properties:
/// - reading and applying fail only with `TagRuleError`, and nothing traps (YAML anchors,
///   deep nesting, odd scalars included);
/// - rules that read have distinct, non-empty names without `;` and parsed conditions; applied,
///   each row's tags are the names of the rules whose condition `ReferenceTagEvaluator` finds
///   true there, in rule order.
enum TagRulesTarget: FuzzTarget {
    static let name = "tag-rules"
    static let maxLength = 8192

    static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let rules: TagRules
        do {
            rules = try TagRules.parse(String(decoding: input, as: UTF8.self), file: "rules.yaml")
        } catch is TagRuleError {
            return
        } catch {
            throw unexpected(error, from: "TagRules.parse")
        }
        let context = "rules \(shown(input))"
        let names = rules.rules.map(\.name)
        try require(!names.isEmpty && Set(names).count == names.count && names.allSatisfy { !$0.isEmpty && !$0.contains(";") },
                    "\(context): rule names \(names)")
        let table = TagExpressionTarget.table
        let tags: [[String]]
        do {
            tags = try rules.apply(to: table)
        } catch is TagRuleError {
            return
        } catch {
            throw unexpected(error, from: "TagRules.apply")
        }
        let reference = ReferenceTagEvaluator(table)
        let hits = rules.rules.map { reference.evaluate($0.expression) }
        let expected = (0..<table.rowCount).map { row in rules.rules.indices.filter { hits[$0][row] }.map { names[$0] } }
        try require(tags == expected, "\(context): tags \(tags), the reference gives \(expected)")
        FuzzStats.accepted(name, "rule files")
    }
}
