/// A seeded generator of one CSV data set (and, on request, its ground truth).
///
/// Generation streams: the bytes arrive in chunks of about `chunkBytes` through `emit`, in
/// file order, so a caller can write files of any size without holding them in memory.
/// The output is a pure function of the configuration: the same configuration gives
/// byte-identical files on every run (for one platform `libm`, see `SeededGenerator`).
public protocol SyntheticDataset: Sendable {
    /// Whether `generate` also emits `.truth` chunks.
    var includeTruth: Bool { get }

    /// Generates the data set.
    /// - Parameters:
    ///   - chunkBytes: roughly how many bytes to gather before each call of `emit`
    ///     (at least 1,024; a chunk may run over by one row).
    ///   - emit: receives each chunk with the file it belongs to. Errors it throws stop
    ///     generation and propagate.
    func generate(chunkBytes: Int, emit: (OutputFile, [UInt8]) throws -> Void) rethrows
}

/// A whole generated data set held in memory: for tests and small samples.
public struct GeneratedFiles: Sendable, Equatable {
    /// The data file's bytes (UTF-8 CSV with a header line).
    public var data: [UInt8]
    /// The truth file's bytes; empty unless the generator's `includeTruth` is set.
    public var truth: [UInt8]

    /// The data file as text.
    public var dataText: String { String(decoding: data, as: UTF8.self) }
    /// The truth file as text.
    public var truthText: String { String(decoding: truth, as: UTF8.self) }
}

extension SyntheticDataset {
    /// Generates in 1 MiB chunks.
    public func generate(emit: (OutputFile, [UInt8]) throws -> Void) rethrows {
        try generate(chunkBytes: 1 << 20, emit: emit)
    }

    /// Generates the whole data set into memory.
    ///
    /// Complexity: memory proportional to the output size; use `generate(emit:)` for big files.
    public func generateInMemory() -> GeneratedFiles {
        var files = GeneratedFiles(data: [], truth: [])
        generate(chunkBytes: 1 << 16) { file, chunk in
            switch file {
            case .data: files.data.append(contentsOf: chunk)
            case .truth: files.truth.append(contentsOf: chunk)
            }
        }
        return files
    }
}
