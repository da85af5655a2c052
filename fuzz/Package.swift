// swift-tools-version: 6.1
//
// libFuzzer targets for semadjust's parsers and decoders, in their own package so that the
// sanitizer and fuzzer flags never reach the product build (`make fuzz`, fuzz/run.sh).
//
// Each executable defines only `LLVMFuzzerTestOneInput` (one file, no top-level code, so it is
// compiled as a library and libFuzzer supplies `main`). Build with
//   swift build --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table
// (fuzz/run.sh says why the coverage flag is needed).
// Internal parsers (head parser, chunked decoder, user map) are reached with `@testable import`,
// which works because the root package's modules are built in debug, where SwiftPM enables testing.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: dependencies, swiftSettings: strict)
}

let package = Package(
    name: "semadjust-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "semadjust", path: ".."),
    ],
    targets: [
        fuzzTarget("FuzzRequestHead", [.product(name: "HTTPCore", package: "semadjust")]),
        fuzzTarget("FuzzChunked", [.product(name: "HTTPCore", package: "semadjust")]),
        fuzzTarget("FuzzMultipart", [.product(name: "HTTPCore", package: "semadjust")]),
        fuzzTarget("FuzzJPEG", [.product(name: "Imaging", package: "semadjust")]),
        fuzzTarget("FuzzPNG", [.product(name: "Imaging", package: "semadjust")]),
        fuzzTarget("FuzzWebP", [.product(name: "Imaging", package: "semadjust")]),
        fuzzTarget("FuzzHEIF", [.product(name: "Imaging", package: "semadjust")]),
        fuzzTarget("FuzzTIFF", [.product(name: "Imaging", package: "semadjust")]),
        fuzzTarget("FuzzUserMap", [.product(name: "AdjustService", package: "semadjust")]),
        fuzzTarget("FuzzSafetensors", [.product(name: "Inference", package: "semadjust")]),
    ]
)
