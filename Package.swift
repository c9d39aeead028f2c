// swift-tools-version: 6.1
import PackageDescription

// No -target-cpu: the k-means kernel is C built for several instruction levels (Sources/CKernels)
// and picks one at run time from CPUID, so one binary uses AVX-512 where the CPU has it and
// the library products stay usable as an ordinary SwiftPM dependency.

let package = Package(
    name: "Persona",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "persona", targets: ["persona"]),
        .executable(name: "persona-datagen", targets: ["persona-datagen"]),
        .library(name: "NumericCore", targets: ["NumericCore"]),
        .library(name: "CustomerData", targets: ["CustomerData"]),
        .library(name: "Segmentation", targets: ["Segmentation"]),
        .library(name: "Reporting", targets: ["Reporting"]),
        .library(name: "SyntheticData", targets: ["SyntheticData"]),
        .library(name: "AtomicOutput", targets: ["AtomicOutput"]),
        .library(name: "ProfileStore", targets: ["ProfileStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "CKernels", dependencies: []),
        .target(
            name: "NumericCore", dependencies: ["COpenBLAS", "CKernels"]),
        .target(
            name: "CustomerData", dependencies: ["NumericCore", "CKernels", "CZlib"]),
        .target(
            name: "Segmentation",
            dependencies: [
                "NumericCore", "CustomerData", .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "Reporting", dependencies: ["NumericCore", "CustomerData", "Segmentation"]),
        // `persona store`: order lines, per-customer totals and snapshots in one SQLite file.
        .target(
            name: "ProfileStore",
            dependencies: [
                "CSQLite", "NumericCore", "CustomerData", "Segmentation",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "SyntheticData", dependencies: []),
        .target(
            name: "AtomicOutput", dependencies: []),
        .executableTarget(
            name: "persona",
            dependencies: [
                "NumericCore", "CustomerData", "Segmentation", "Reporting", "AtomicOutput", "ProfileStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "persona-datagen",
            dependencies: [
                "SyntheticData", "AtomicOutput",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "NumericCoreTests", dependencies: ["NumericCore"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "CustomerDataTests", dependencies: ["CustomerData"]),
        .testTarget(
            name: "SegmentationTests", dependencies: ["Segmentation", "CustomerData", "NumericCore", "SyntheticData"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "ReportingTests", dependencies: ["Reporting"]),
        // Seeded fuzzing of the parsers (CSV, numbers, dates, YAML, JSON models, tag rules);
        // Corpus/ holds its inputs, which the libFuzzer package in fuzz/ shares.
        .testTarget(
            name: "FuzzTests", dependencies: ["CustomerData", "Segmentation", "NumericCore"],
            exclude: ["Corpus", "README.md"]),
        .testTarget(
            name: "AtomicOutputTests", dependencies: ["AtomicOutput"]),
        .testTarget(
            name: "ProfileStoreTests", dependencies: ["ProfileStore", "CustomerData", "SyntheticData"]),
        .testTarget(
            name: "PersonaCLITests", dependencies: ["persona", "persona-datagen", "SyntheticData"],
            exclude: ["Fixtures"]),
    ]
)
