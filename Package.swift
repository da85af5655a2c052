// swift-tools-version: 6.1
//
// semadjust — a semantics-aware photo-adjustment service.
//
// Dependency direction (one way only):
//   Server → AdjustService → Inference / Imaging
//   Server → HTTPCore → Sockets
// HTTPCore knows nothing of images; Inference knows nothing of HTTP.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "semadjust",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "semadjust", targets: ["Server"]),
        .library(name: "HTTPCore", targets: ["HTTPCore"]),
        .library(name: "Sockets", targets: ["Sockets"]),
        // For the fuzz package (fuzz/), which reaches these modules by path.
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Inference", targets: ["Inference"]),
        .library(name: "AdjustService", targets: ["AdjustService"]),
        .executable(name: "semadjust-imaging-bench", targets: ["ImagingBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // SHA-256 of API keys (the key file stores digests, never keys); BoringSSL underneath on Linux.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // POSIX sockets and the Dispatch event sources that drive them.
        .target(name: "Sockets", dependencies: ["CSocketShim"], swiftSettings: strict),
        // A pthread-backed lock that ThreadSanitizer can see (Synchronization.Mutex's futex it cannot).
        .target(name: "Locks", swiftSettings: strict),
        // The few Glibc calls Swift cannot see without _GNU_SOURCE.
        .target(name: "CSocketShim"),
        // HTTP/1.1 server: parser, connections, router, multipart, problem details.
        .target(
            name: "HTTPCore",
            dependencies: [
                "Sockets",
                "Locks",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // OpenBLAS's cblas (and its thread count, its kernel choice) for the inference engine.
        .target(name: "CBLAS", linkerSettings: [.linkedLibrary("openblas")]),
        // The engine's own C kernels (convolution helpers, the colour pass, the map refinement),
        // compiled per CPU level (target_clones); apart from the BLAS backend.
        .target(name: "CEngineKernels", dependencies: ["CTargetClones"]),
        .target(name: "Inference", dependencies: ["CBLAS", "CEngineKernels", "CMallocShim", "Locks"], swiftSettings: strict),
        // C shims over libjpeg-turbo and libpng: their setjmp/longjmp error handling stays in C.
        .target(name: "CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "CPNG", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("deflate")]),
        // The same for libwebp (with its demux and mux parts), libheif (HEIC and AVIF decode), libtiff,
        // LittleCMS (ICC colour management) and libavif (AVIF encode), Debian's builds of each.
        .target(name: "CWebP", linkerSettings: [.linkedLibrary("webp"), .linkedLibrary("webpdemux"), .linkedLibrary("webpmux")]),
        .target(name: "CHEIF", linkerSettings: [.linkedLibrary("heif")]),
        .target(name: "CTIFF", linkerSettings: [.linkedLibrary("tiff")]),
        .target(name: "CLCMS", linkerSettings: [.linkedLibrary("lcms2")]),
        .target(name: "CAVIF", linkerSettings: [.linkedLibrary("avif")]),
        // sRGB <-> Lab kernels, compiled per CPU level (target_clones).
        .target(name: "CColourSpace", dependencies: ["CTargetClones"]),
        // SA_CLONES, the target_clones attribute both C kernel targets compile their hot loops with.
        .target(name: "CTargetClones"),
        // Codecs, EXIF orientation, colour management, sRGB <-> Lab, resampling.
        .target(name: "Imaging", dependencies: ["CJPEG", "CPNG", "CWebP", "CHEIF", "CTIFF", "CLCMS", "CAVIF", "CColourSpace", "Locks"], swiftSettings: strict),
        .target(name: "AdjustService", dependencies: ["Inference", "Imaging", "Locks"], swiftSettings: strict),
        // glibc's mallopt, for the server's memory policy.
        .target(name: "CMallocShim"),
        .executableTarget(
            name: "Server",
            dependencies: [
                "HTTPCore",
                "AdjustService",
                "Locks",
                "CMallocShim",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "SocketsTests", dependencies: ["Sockets"], swiftSettings: strict),
        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore", "Sockets", "Locks"], swiftSettings: strict),
        .testTarget(name: "AdjustServiceTests", dependencies: ["AdjustService", "Imaging", "Inference", "Locks"], swiftSettings: strict),
        .testTarget(name: "ServerTests", dependencies: ["Server", "HTTPCore", "AdjustService", "Imaging"], swiftSettings: strict),
        .testTarget(
            name: "InferenceTests",
            dependencies: ["Inference"],
            exclude: ["Fixtures"],  // read through #filePath, not bundled
            swiftSettings: strict
        ),
        .testTarget(
            name: "ImagingTests",
            dependencies: ["Imaging"],
            exclude: ["Fixtures"],  // read through #filePath, not bundled
            swiftSettings: strict
        ),
        // `make bench-inference`: release timing of the inference engine (sgemm peak, context stages,
        // map and colour pass at 512x512 / 2 MP / 12 MP, guided-vs-exact Lab error on 2 MP photos).
        .executableTarget(
            name: "InferenceBench",
            dependencies: ["Inference", "Imaging", "CBLAS", "CMallocShim"],
            path: "bench/inference/Sources/InferenceBench",
            swiftSettings: strict
        ),
        // `make bench-imaging`: decode + encode of a 12 MP JPEG, compared with Pillow.
        .executableTarget(
            name: "ImagingBench",
            dependencies: ["Imaging", "CMallocShim"],
            path: "bench/imaging/Sources/ImagingBench",
            swiftSettings: strict
        ),
    ]
)
