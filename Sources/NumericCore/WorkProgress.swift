/// How far a long step has got, for a progress display: one type for every step that can take
/// more than a moment (reading a file, encoding, k-means iterations, Newton iterations,
/// cross-validation folds). Libraries hand it to a callback; only the CLI draws it.
public struct WorkProgress: Sendable, Equatable {
    public enum Unit: Sendable, Equatable {
        /// Bytes of an input file (compressed bytes for a `.gz` file).
        case bytes
        case rows
        /// Iterations of a method that may stop earlier: `total` is the limit, not a promise.
        case iterations
        /// Whole repeats of a fit: restarts, folds, candidate k values.
        case fits
    }

    /// What is being done, in a few words: "reading orders.csv", "k-means k=8, restart 2 of 3".
    public var step: String
    /// Units done so far.
    public var done: Int
    /// Units in all; nil when not known ahead (a pipe).
    public var total: Int?
    public var unit: Unit
    /// Where inside the current unit the work is ("fold 2: Newton iteration 3"): shown, but
    /// not part of the step, so a display keeps timing the step across it.
    public var detail: String?

    public init(step: String, done: Int, total: Int?, unit: Unit, detail: String? = nil) {
        self.step = step
        self.done = done
        self.total = total
        self.unit = unit
        self.detail = detail
    }

    /// A step that has begun, with nothing to count yet.
    public static func started(_ step: String) -> WorkProgress {
        WorkProgress(step: step, done: 0, total: nil, unit: .fits)
    }

    /// The share done, when `total` is known and means the whole (not an iteration limit).
    public var fraction: Double? {
        guard let total, total > 0, unit != .iterations else { return nil }
        return min(1, max(0, Double(done) / Double(total)))
    }
}
