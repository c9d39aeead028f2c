// swift-tools-version: 6.1
import PackageDescription

// libFuzzer entry points for Persona's parsers: a separate package, so the main build and
// tests never compile with the fuzzer runtime. It checks the same properties as the seeded
// driver of `swift test` — Sources/persona-fuzz/Oracles is a link to Tests/FuzzTests/Oracles —
// with coverage-guided mutations. Do not build it by hand: scripts/fuzz builds it with
// `-sanitize=fuzzer,address` and `-enable-testing` (the oracles use internal API through
// `@testable import`) and runs each target on the committed corpus.
let package = Package(
    name: "PersonaFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Persona", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "persona-fuzz",
            dependencies: [
                .product(name: "NumericCore", package: "Persona"),
                .product(name: "CustomerData", package: "Persona"),
                .product(name: "Segmentation", package: "Persona"),
            ]),
    ]
)
