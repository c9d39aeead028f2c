import CustomerData
import Foundation

/// `persona tag`: evaluate every rule on a customer table, add manual tags, write id + tags.
public enum TagJob {
    public struct Run: Sendable {
        public let source: String
        public let idColumn: String
        public let ids: IdentifierColumn?
        /// Per row, the tag names in rule order then manual order.
        public let tags: [[String]]
        public let ruleCounts: [(name: String, count: Int)]
        public let manualApplied: Int
        /// Manual tags for ids the table does not have.
        public let manualUnknownIDs: Int

        /// TAGS.csv: the id column and `tags` (names joined with `;`).
        public func csv() -> [UInt8] {
            var out = CSVWriter(reserve: tags.count * 24)
            out.row([idColumn, "tags"])
            ids.withBytesView { id in
                for (i, names) in tags.enumerated() {
                    out.idField(id, row: i)
                    out.field(names.joined(separator: ";"))
                    out.endRow()
                }
            }
            return out.finished()
        }
    }

    /// - Parameter manualDelimiter: the manual tag file's separator (nil: `read.delimiter`).
    public static func run(input: String, idColumn: String, rules: TagRules, manual: String?, manualDelimiter: UInt8? = nil,
                           read: CSVReadOptions, joining: [CustomerTable] = []) throws -> Run {
        var options = read
        options.idColumn = idColumn
        var table = try CSVReader.read(path: input, options: options)
        for other in joining { table = try table.joining(other).0 }
        var tags = try rules.apply(to: table)
        let counts = rules.rules.map { rule in (name: rule.name, count: tags.reduce(0) { $0 + ($1.contains(rule.name) ? 1 : 0) }) }
        var applied = 0, unknown = 0
        if let manual {
            let records = try CSVRecords.read(path: manual, delimiter: manualDelimiter ?? read.delimiter)
            guard records.header.count >= 2 else {
                throw TagRuleError.file(file: records.file, problem: "manual tags need two columns: the customer id and the tag")
            }
            var row = [String: Int]()
            if let ids = table.identifiers { for i in 0..<ids.count { row[ids[i]] = i } }
            for record in records.rows {
                let id = record.fields[0].trimmingCharacters(in: .whitespaces)
                let tag = record.fields[1].trimmingCharacters(in: .whitespaces)
                guard !tag.isEmpty else { continue }
                guard !tag.contains(";") else {
                    throw TagRuleError.file(file: records.file, problem: "line \(record.line): tag \"\(tag)\" contains ';', which separates tags in the output")
                }
                guard let i = row[id] else { unknown += 1; continue }
                if !tags[i].contains(tag) {
                    tags[i].append(tag)
                    applied += 1
                }
            }
        }
        return Run(source: table.source, idColumn: idColumn, ids: table.identifiers, tags: tags, ruleCounts: counts,
                   manualApplied: applied, manualUnknownIDs: unknown)
    }
}
