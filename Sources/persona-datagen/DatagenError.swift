#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the output could not be written. Each case names the file and the system's reason.
enum DatagenError: Error, CustomStringConvertible {
    case cannotCreate(path: String, errno: Int32)
    case cannotWrite(path: String, errno: Int32)
    case cannotRename(from: String, to: String, errno: Int32)

    var description: String {
        switch self {
        case let .cannotCreate(path, code):
            return "cannot create '\(path)': \(DatagenError.reason(code))"
        case let .cannotWrite(path, code):
            return "cannot write '\(path)': \(DatagenError.reason(code))"
        case let .cannotRename(from, to, code):
            return "cannot rename '\(from)' to '\(to)': \(DatagenError.reason(code))"
        }
    }

    private static func reason(_ code: Int32) -> String {
        guard let message = strerror(code) else { return "error \(code)" }
        return String(cString: message)
    }
}
