/// Why `persona identity` cannot resolve its sources. Each case names the config line that
/// set the source up, the file, and where it applies the line and column of the data.
public enum IdentityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `place` is `identity.yaml:4:11`, where the source's `file` is written.
    case missingFile(place: String, source: String, path: String)
    /// `place` is where the column is named in the config; `role` is the config key (`phone`).
    case unknownColumn(place: String, source: String, file: String, role: String, column: String, available: [String])
    case blankRecordID(source: String, file: String, line: Int, column: Int, name: String)

    public var description: String {
        switch self {
        case let .missingFile(place, source, path):
            return "\(place): source '\(source)': no file at \(path) (files are relative to the config's folder)"
        case let .unknownColumn(place, source, file, role, column, available):
            let list = available.prefix(30).map { "'\($0)'" }.joined(separator: ", ")
            return "\(place): source '\(source)': \(role) column '\(column)' is not in \(file); its columns are: \(list)\(available.count > 30 ? ", …" : "")"
        case let .blankRecordID(source, file, line, column, name):
            return "\(file):\(line): column '\(name)' (\(column)): source '\(source)' has a record without an id; every record needs one"
        }
    }
}
