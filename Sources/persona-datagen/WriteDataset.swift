#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

import AtomicOutput
import SyntheticData

/// Generates `dataset` into `out` (and its truth into `truth`), streaming each chunk to a
/// temporary file and putting both files in place together only when everything succeeded
/// (see `OutputSet`); `-` streams the data to standard output.
func writeAtomically<Dataset: SyntheticDataset>(
    _ dataset: Dataset, out: String, truth: String?
) throws {
    let outputs = OutputSet { notice in
        let line = Array("persona-datagen: note: \(notice)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
    let data = try outputs.open(out)
    let truthFile = try truth.map(outputs.open)
    try dataset.generate { file, chunk in
        switch file {
        case .data: try data.write(chunk)
        case .truth: try truthFile?.write(chunk)
        }
    }
    try outputs.commit()
}
