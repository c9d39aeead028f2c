/// A left join of another table's columns onto a customer table by id: how `persona segment`
/// and `persona tag` use columns written by other commands (CLV.csv's `clv`, `p_alive`,
/// `loyalty_tier`; a churn score file) in configs and tag rules.
public struct TableJoin: Sendable, Equatable {
    /// The joined file, the columns added and the ones left out because the table has them.
    public let file: String
    public let added: [String]
    public let alreadyPresent: [String]
    /// Rows of the table with a match, and without one (their added cells are blank).
    public let matched: Int
    public let unmatched: Int

    /// Why a join cannot be made.
    public enum JoinError: Error, Equatable, Sendable, CustomStringConvertible {
        case noIDs(file: String)

        public var description: String {
            switch self {
            case let .noIDs(file): return "\(file): a table to join needs the id column"
            }
        }
    }
}

extension CustomerTable {
    /// This table with `other`'s columns after its own, row by row where the ids are equal
    /// (blank where `other` has no such id). Columns whose names this table already has are
    /// left out (listed in the report); `other`'s rows without a match here are ignored.
    /// - Throws: `TableJoin.JoinError` when either table has no id column. (Ids are unique in
    ///   a table: the reader refuses a repeated one, naming both lines.)
    /// - Complexity: O(rows of both tables + added cells).
    public func joining(_ other: CustomerTable) throws(TableJoin.JoinError) -> (CustomerTable, TableJoin) {
        guard let ids = identifiers else { throw .noIDs(file: source) }
        guard let otherIDs = other.identifiers else { throw .noIDs(file: other.source) }
        var position = [String: Int](minimumCapacity: otherIDs.count)
        for row in 0..<otherIDs.count { position[otherIDs[row]] = row }
        let match = (0..<rowCount).map { position[ids[$0]] ?? -1 }
        var names = columnNames, columns = self.columns
        var added = [String](), present = [String]()
        for (j, name) in other.columnNames.enumerated() {
            let column: Column
            switch other.columns[j] {
            case .numeric(let values):
                let joined = match.map { $0 >= 0 ? values.values[$0] : .nan }
                column = .numeric(NumericColumn(values: joined, missingCount: joined.count { $0.isNaN }))
            case .text(let text):
                column = .text(TextColumn(codes: match.map { $0 >= 0 ? text.codes[$0] : -1 }, levels: text.levels))
            case .identifier, .skipped:
                continue
            }
            if index(of: name) != nil || added.contains(name) {
                present.append(name)
                continue
            }
            names.append(name)
            columns.append(column)
            added.append(name)
        }
        let matched = match.count { $0 >= 0 }
        return (CustomerTable(source: source, columnNames: names, columns: columns, rowCount: rowCount, rowLines: rowLines),
                TableJoin(file: other.source, added: added, alreadyPresent: present, matched: matched, unmatched: rowCount - matched))
    }
}
