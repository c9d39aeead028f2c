import Foundation
import CKernels

/// The vector instructions the k-means kernels run with, chosen once per process from CPUID:
/// one binary runs AVX-512 code where the CPU has it, AVX2 where that is the best, and plain
/// x86-64 elsewhere. Results are the same at every level (see `CentroidScorer`).
public enum VectorLevel: Int32, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case baseline = 0
    case avx2 = 2
    case avx512 = 3

    /// The best level this CPU supports.
    public static let supported: VectorLevel = VectorLevel(rawValue: persona_vector_level_supported()) ?? .baseline

    /// The level the kernels use: `supported`, unless `PERSONA_VECTOR_LEVEL` (baseline, avx2 or
    /// avx512) asks for a lower one — to compare levels, or to rule one out on a machine where
    /// it misbehaves. A level above `supported` is never used.
    public static let current: VectorLevel = {
        guard let asked = getenv("PERSONA_VECTOR_LEVEL").map({ String(cString: $0) }),
              let level = allCases.first(where: { $0.name == asked.lowercased() }) else { return supported }
        return min(level, supported)
    }()

    public var name: String {
        switch self {
        case .baseline: return "baseline"
        case .avx2: return "avx2"
        case .avx512: return "avx512"
        }
    }

    public var description: String {
        switch self {
        case .baseline: return "plain (scalar fused multiply-add)"
        case .avx2: return "AVX2 + FMA"
        case .avx512: return "AVX-512"
        }
    }

    public static func < (a: VectorLevel, b: VectorLevel) -> Bool { a.rawValue < b.rawValue }
}
