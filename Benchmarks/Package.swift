// swift-tools-version: 6.1
import PackageDescription

// A separate package so the main build and tests never compile the benchmarks
// (STYLE.md: "Benchmarks are not tests"). Build and run from this directory:
//   swift build -c release && .build/release/persona-bench --help
// or use ./run.sh, which also runs the Python comparisons.

// Same code-generation level as NumericCore, so the memory-read floor loop is compiled
// with the same vector instructions as the k-means kernels it is compared with.
#if arch(x86_64)
let simdSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let simdSettings: [SwiftSetting] = []
#endif

let package = Package(
    name: "PersonaBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Persona", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "persona-bench",
            dependencies: [
                .product(name: "NumericCore", package: "Persona"),
                .product(name: "CustomerData", package: "Persona"),
            ],
            swiftSettings: simdSettings),
    ]
)
