// swift-tools-version: 6.1
//
// HTTP benchmark peers. A separate package so that the product never depends on Hummingbird or
// FlyingFox: each executable serves GET /hello → "hello" on the port given as its argument.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which differs between checkouts.
let rootIdentity = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

let package = Package(
    name: "semadjust-http-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .executableTarget(name: "HelloHTTPCore", dependencies: [.product(name: "HTTPCore", package: rootIdentity)]),
        .executableTarget(name: "HelloHummingbird", dependencies: [.product(name: "Hummingbird", package: "hummingbird")]),
        .executableTarget(name: "HelloFlyingFox", dependencies: [.product(name: "FlyingFox", package: "FlyingFox")]),
    ]
)
