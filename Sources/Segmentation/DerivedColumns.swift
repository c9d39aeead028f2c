import CustomerData

/// A numeric column computed from others, such as `avg_basket = monetary / frequency`.
public struct DerivedColumn: Sendable, Equatable {
    /// The new column's name; not a column the table has, nor an earlier derived one.
    public let name: String
    /// Arithmetic in the grammar of tag-rule conditions (`TagExpression`): numbers, numeric
    /// columns (earlier derived ones included), `+ - * /`, unary `-`, parentheses.
    public let expression: String

    public init(name: String, expression: String) {
        self.name = name
        self.expression = expression
    }
}

/// Why derived columns were refused. Every case names the file they came from and the
/// derived column.
public enum DerivedColumnError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyName(file: String, expression: String)
    /// The table, or an earlier derived column, already has the name.
    case nameTaken(file: String, name: String)
    case syntax(file: String, name: String, expression: String, position: Int, message: String)
    /// `available`: the table's columns, then the derived columns before this one.
    case unknownColumn(file: String, name: String, column: String, available: [String])
    /// A text (or id) column in the arithmetic, starting at `position` of `expression`.
    case textColumn(file: String, name: String, expression: String, column: String, position: Int)
    /// The table refused the computed column (not expected once the checks above pass).
    case table(CustomerTable.AppendError)

    public var description: String {
        switch self {
        case let .emptyName(file, expression):
            return "\(file): a derived column has an empty name (its expression: \(expression))"
        case let .nameTaken(file, name):
            return "\(file): derived column '\(name)': there is already a column named '\(name)'"
        case let .syntax(file, name, expression, position, message):
            return "\(file): derived column '\(name)': \(message), at character \(position) of: \(expression)"
        case let .unknownColumn(file, name, column, available):
            let list = available.prefix(30).map { "'\($0)'" }.joined(separator: ", ")
            return "\(file): derived column '\(name)': there is no column '\(column)'; columns are: \(list)\(available.count > 30 ? ", …" : "")"
        case let .textColumn(file, name, expression, column, position):
            return "\(file): derived column '\(name)': '\(column)' holds text; arithmetic (+ - * /) needs numeric columns, at character \(position) of: \(expression)"
        case let .table(error):
            return error.description
        }
    }
}

/// Adds derived columns to a table.
public enum DerivedColumns {
    /// `table` with one numeric column per entry of `columns` appended in order, each
    /// computed row by row from its expression: NaN where an operand is missing or the
    /// result is not a finite number (division by zero, overflow).
    ///
    /// Every column is checked before any is computed: its name, its syntax, and that each
    /// column it reads exists (in the table or earlier in `columns`) and holds numbers.
    ///
    /// - Parameters:
    ///   - columns: the derived columns, in the order they may refer to each other.
    ///   - table: the table they read; it is not changed.
    ///   - file: the file the definitions came from, for messages.
    /// - Throws: `DerivedColumnError`, naming the file and the derived column.
    /// - Complexity: O(n) per operator, for n rows.
    public static func append(_ columns: [DerivedColumn], to table: CustomerTable, file: String)
        throws(DerivedColumnError) -> CustomerTable {
        let expressions = try check(columns, against: table, file: file)
        var result = table
        for (column, expression) in zip(columns, expressions) {
            let values: [Double]
            do {
                values = try ArithmeticEvaluator(table: result).column(expression)
            } catch {
                // `check` has ruled both out; reported all the same rather than trapped.
                switch error {
                case .unknownColumn(let other):
                    throw .unknownColumn(file: file, name: column.name, column: other, available: result.columnNames)
                case let .textColumn(other, position):
                    throw .textColumn(file: file, name: column.name, expression: column.expression, column: other, position: position)
                }
            }
            do {
                result = try result.appending(numeric: column.name, values: values)
            } catch {
                throw .table(error)
            }
        }
        return result
    }

    /// The parsed expressions, once every name, expression and column read is valid.
    private static func check(_ columns: [DerivedColumn], against table: CustomerTable, file: String)
        throws(DerivedColumnError) -> [TagExpression.Arithmetic] {
        var derived = [String]()
        var expressions = [TagExpression.Arithmetic]()
        for column in columns {
            let name = column.name
            guard !name.isEmpty else { throw .emptyName(file: file, expression: column.expression) }
            guard table.index(of: name) == nil, !derived.contains(name) else { throw .nameTaken(file: file, name: name) }
            let expression: TagExpression.Arithmetic
            do {
                expression = try TagParser.parseArithmetic(column.expression)
            } catch {
                throw .syntax(file: file, name: name, expression: column.expression, position: error.position, message: error.message)
            }
            for (other, position) in expression.references where !derived.contains(other) {
                let kind = table.index(of: other).map { table.columns[$0] }
                switch kind {
                case .numeric:
                    continue
                case .text, .identifier:
                    throw .textColumn(file: file, name: name, expression: column.expression, column: other, position: position)
                case .skipped, nil:
                    throw .unknownColumn(file: file, name: name, column: other, available: table.columnNames + derived)
                }
            }
            derived.append(name)
            expressions.append(expression)
        }
        return expressions
    }
}

extension TagExpression.Arithmetic {
    /// Every column the expression reads, with the position where its name starts.
    fileprivate var references: [(name: String, position: Int)] {
        switch self {
        case let .column(name, position): return [(name, position)]
        case .number: return []
        case .negated(let inner): return inner.references
        case let .chain(first, steps): return first.references + steps.flatMap(\.operand.references)
        }
    }
}
