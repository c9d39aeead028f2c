// swift-tools-version: 6.1
import PackageDescription

// A separate package so the main build and tests never compile the benchmarks
// (STYLE.md: "Benchmarks are not tests"). Build and run from this directory:
//   swift build -c release && .build/release/persona-bench --help
// or use ./run.sh, which also runs the Python comparisons.

// The memory-read floor loop is compiled for AVX2 + FMA (x86-64-v3), the widest plain read
// every machine we measure on has; NumericCore itself picks its kernels' level at run time
// (Sources/CKernels), with no -target-cpu in the main package.
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
