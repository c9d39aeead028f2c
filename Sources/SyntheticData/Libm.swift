// The C math library, reached from this one file so the rest of the module stays free of
// platform `#if`s: Swift's standard library has no `log` or `exp` of its own.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin wrappers over the platform `libm`.
///
/// Byte-identical output is promised for one platform's `libm`: glibc and Apple's libm may
/// round `log`/`exp` differently in the last bit, which can change a printed digit.
enum Libm {
    @inline(__always) static func log(_ x: Double) -> Double { cLog(x) }
    @inline(__always) static func log10(_ x: Double) -> Double { cLog10(x) }
    @inline(__always) static func log1p(_ x: Double) -> Double { cLog1p(x) }
    @inline(__always) static func exp(_ x: Double) -> Double { cExp(x) }
    @inline(__always) static func lgamma(_ x: Double) -> Double { cLgamma(x) }
}

// Inside `enum Libm` the bare C names would resolve to the wrappers themselves.
@inline(__always) private func cLog(_ x: Double) -> Double { log(x) }
@inline(__always) private func cLog10(_ x: Double) -> Double { log10(x) }
@inline(__always) private func cLog1p(_ x: Double) -> Double { log1p(x) }
@inline(__always) private func cExp(_ x: Double) -> Double { exp(x) }
@inline(__always) private func cLgamma(_ x: Double) -> Double { lgamma(x) }
