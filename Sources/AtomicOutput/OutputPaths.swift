/// The check a command makes on its file options before doing any work.
public enum OutputPaths {
    /// Refuses, before any work, outputs that could not be written or would destroy something:
    /// two outputs naming one file, an output that is one of the inputs, and an output path
    /// holding anything but a regular file (a directory, a symbolic link, a named pipe, a device
    /// node, a socket).
    ///
    /// "One file" is decided by device and inode, not by spelling: `a.csv`, `./a.csv`, a hard
    /// link of `a.csv` and a symbolic link to it are all the same file. Outputs that do not
    /// exist yet are the same when they name one entry of one directory.
    ///
    /// - Parameters:
    ///   - outputs: each output's label (as the user gave it, e.g. `--out`) and path; nil and
    ///     `-` (standard output) are skipped.
    ///   - inputs: the files the run reads, labelled the same way.
    /// - Throws: `OutputError.sameOutput`, `.overwritesInput` or `.notReplaceable`.
    public static func check(outputs: [(label: String, path: String?)],
                             inputs: [(label: String, path: String?)] = []) throws(OutputError) {
        var seen: [(label: String, path: String, key: PathKey, isInput: Bool)] = []
        for (label, path) in inputs {
            guard let path else { continue }
            seen.append((label, path, PathKey(path), true))
        }
        for (label, path) in outputs {
            guard let path, path != "-" else { continue }
            let key = PathKey(path)
            if let earlier = seen.first(where: { $0.key == key }) {
                if earlier.isInput {
                    throw .overwritesInput(label: label, inputLabel: earlier.label, path: path, inputPath: earlier.path)
                }
                throw .sameOutput(label: label, earlierLabel: earlier.label, path: path, earlierPath: earlier.path)
            }
            let kind = FileKind(path: path)
            guard kind.isReplaceable else { throw .notReplaceable(label: label, path: path, kind: kind) }
            seen.append((label, path, key, false))
        }
    }
}

/// What makes two paths name the same file: the file's identity when it exists, else the
/// directory's identity and the entry's name, else (no such directory) the spelling.
private enum PathKey: Equatable {
    case file(FileIdentity)
    case entry(directory: FileIdentity, name: String)
    case spelling(String)

    init(_ path: String) {
        if let identity = FileIdentity(path: path) {
            self = .file(identity)
            return
        }
        let (directory, name) = splitPath(path)
        if let identity = FileIdentity(path: directory) {
            self = .entry(directory: identity, name: name)
        } else {
            self = .spelling(path)
        }
    }
}
