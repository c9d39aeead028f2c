/// Why a profile store operation failed. Each message names the store file and what to do.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(file: String, reason: String)
    case notAStore(file: String, reason: String)
    case alreadyExists(file: String)
    case missing(file: String)
    /// Made by a newer persona (schema version `found`, this one knows up to `known`).
    case newerSchema(file: String, found: Int, known: Int)
    case storage(file: String, reason: String)
    /// The batch's content was ingested before.
    case duplicateBatch(file: String, store: String, batch: Int, firstFile: String, ingestedAt: String)
    /// A batch's options disagree with the store's (order or category column, dedupe, id normalisation).
    case optionMismatch(store: String, file: String, what: String, stored: String, given: String)
    /// The pseudonym key given does not match how the store keeps ids.
    case pseudonymKey(store: String, file: String, problem: String)
    case empty(store: String, what: String)
    /// A batch must be a regular file: its content hash is taken before it is read.
    case notAFile(file: String)
    case noSnapshot(store: String, date: String, available: [String])
    case snapshotExists(store: String, date: String)
    case unknownCustomer(store: String, id: String)
    case badStatusRule(reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason): return "cannot open the store \(file): \(reason)"
        case let .notAStore(file, reason): return "\(file) is not a persona store: \(reason)"
        case let .alreadyExists(file): return "\(file) already exists; a store is created once (ingest into it, or choose another name)"
        case let .missing(file): return "no store at \(file): create it first with persona store init \(file)"
        case let .newerSchema(file, found, known):
            return "\(file) has schema version \(found), made by a newer persona (this one knows up to version \(known)); upgrade persona"
        case let .storage(file, reason): return "the store \(file) could not be updated: \(reason)"
        case let .duplicateBatch(file, store, batch, firstFile, ingestedAt):
            return "\(file): this batch is already in \(store) (batch \(batch), ingested from \(firstFile) at \(ingestedAt)); nothing was added"
        case let .optionMismatch(store, file, what, stored, given):
            return "\(file): \(what): \(given) here, \(stored) for the batches already in \(store); every batch of a store is read the same way"
        case let .pseudonymKey(store, file, problem): return "\(file): \(problem) (\(store))"
        case let .notAFile(file): return "\(file) is not a regular file: a batch is hashed before it is read, so it must be a file (not a pipe or a device)"
        case let .empty(store, what): return "\(store) holds no \(what)"
        case let .noSnapshot(store, date, available):
            let list = available.isEmpty ? "none yet" : available.suffix(10).joined(separator: ", ")
            return "\(store) has no snapshot as of \(date); snapshots: \(list)"
        case let .snapshotExists(store, date): return "\(store) already has a snapshot as of \(date); give --replace to recompute it"
        case let .unknownCustomer(store, id): return "\(store) has no customer '\(id)'"
        case let .badStatusRule(reason): return "status rule: \(reason)"
        }
    }
}
