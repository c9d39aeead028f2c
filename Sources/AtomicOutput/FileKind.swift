#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a path names, seen without following a final symbolic link (`lstat`).
///
/// Only a missing path or a regular file may become an output: replacing a symbolic link,
/// a named pipe or a device node with a regular file would silently break whatever it was
/// (`/dev/null` would become a file).
public enum FileKind: Equatable, Sendable, CustomStringConvertible {
    case missing
    case regularFile
    case directory
    case symbolicLink
    case namedPipe
    case characterDevice
    case blockDevice
    case socket
    case unknown

    /// Looks at `path` without following it.
    public init(path: String) {
        guard let info = linkStatus(path) else {
            self = .missing
            return
        }
        self = FileKind(mode: info.st_mode)
    }

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regularFile
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symbolicLink
        case S_IFIFO: self = .namedPipe
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFSOCK: self = .socket
        default: self = .unknown
        }
    }

    /// True when an output may be written at a path of this kind.
    public var isReplaceable: Bool { self == .missing || self == .regularFile }

    /// "a symbolic link", "a named pipe (FIFO)", ...
    public var description: String {
        switch self {
        case .missing: return "nothing"
        case .regularFile: return "a regular file"
        case .directory: return "a directory"
        case .symbolicLink: return "a symbolic link"
        case .namedPipe: return "a named pipe (FIFO)"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .socket: return "a socket"
        case .unknown: return "not a regular file"
        }
    }
}

/// The file a path leads to, as the device and inode numbers `stat` reports after following
/// symbolic links: two spellings of one path, a symbolic link and its target, and two hard
/// links of one file all have the same identity.
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    /// The identity of the file at `path`; nil when there is none (or a link leads nowhere).
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(info)
    }

    init(_ info: stat) {
        device = UInt64(truncatingIfNeeded: info.st_dev)
        inode = UInt64(truncatingIfNeeded: info.st_ino)
    }

    init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }
}
