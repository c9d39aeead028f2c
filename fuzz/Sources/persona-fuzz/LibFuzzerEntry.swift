import Foundation

/// The target this process fuzzes, from `PERSONA_FUZZ_TARGET` (scripts/fuzz sets it).
// nonisolated(unsafe): set once, before libFuzzer calls in, and only read afterwards.
nonisolated(unsafe) private let target: any FuzzTarget.Type = {
    let name = ProcessInfo.processInfo.environment["PERSONA_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.named(name) else {
        fatalError("set PERSONA_FUZZ_TARGET to one of: \(FuzzTargets.names.joined(separator: ", "))")
    }
    return target
}()

/// libFuzzer's driver, from its runtime (linked by `-sanitize=fuzzer`). SwiftPM makes an
/// executable's `main` its own module's entry point, so libFuzzer's `main` is not linked in:
/// main.swift calls this instead.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// One input, checked against the target's properties. A broken property aborts, which
/// libFuzzer records as a crash with its input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard size <= target.maxLength else { return -1 }  // -1: not worth keeping in the corpus
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try target.check(input)
    } catch {
        fatalError("\(target.name): \(error)")
    }
    return 0
}
