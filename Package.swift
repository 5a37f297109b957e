// swift-tools-version:6.0
// IMDAD: interpretable maximum-margin deep anomaly detection.
//
// Modules, with dependencies pointing one way only:
//   IMDADEngine     tensors, BLAS seam, reverse-mode autodiff, layers, optimizers (knows no anomaly detection)
//   IMDADData       file formats (NPY, NPZ, CSV, IDX) and preprocessing (knows no neural networks)
//   IMDADDetectors  IMD-AD, Deep SAD, Deep SVDD, Isolation Forest, metrics, protocols, model files
//   IMDADReports    explanations, HTML/SVG report, PNG heat maps
//   IMDADCLI        the `imdad` command-line tool
import PackageDescription

let package = Package(
    name: "IMDAD",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "IMDAD", targets: ["IMDADEngine", "IMDADData", "IMDADDetectors", "IMDADReports"]),
        .executable(name: "imdad", targets: ["IMDADCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "IMDADEngine"),
        .target(name: "IMDADData", dependencies: ["CZlib"]),
        .target(name: "IMDADDetectors", dependencies: ["IMDADEngine", "IMDADData"]),
        .target(name: "IMDADReports", dependencies: ["IMDADEngine", "IMDADData", "IMDADDetectors", "CZlib"]),
        .target(name: "IMDADExperiments", dependencies: ["IMDADEngine", "IMDADData", "IMDADDetectors"]),
        .executableTarget(name: "IMDADCLI", dependencies: [
            "IMDADEngine", "IMDADData", "IMDADDetectors", "IMDADReports", "IMDADExperiments",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], resources: [.copy("Resources/thyroid.npz")]),
        .testTarget(name: "IMDADEngineTests", dependencies: ["IMDADEngine"]),
        .testTarget(name: "IMDADDataTests", dependencies: ["IMDADData"], exclude: ["Fixtures"]),
        .testTarget(name: "IMDADDetectorsTests", dependencies: ["IMDADDetectors", "IMDADEngine", "IMDADData"]),
        .testTarget(name: "IMDADExperimentsTests", dependencies: ["IMDADExperiments", "IMDADDetectors", "IMDADEngine", "IMDADData"]),
        .testTarget(name: "IMDADReportsTests", dependencies: ["IMDADReports", "IMDADDetectors", "IMDADEngine", "IMDADData"]),
        .testTarget(name: "IMDADCLITests", dependencies: ["IMDADCLI", "IMDADData", "IMDADDetectors", "IMDADReports", "IMDADExperiments"]),
    ]
)
