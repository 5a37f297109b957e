// swift-tools-version:6.0
// IMDAD: interpretable maximum-margin deep anomaly detection.
//
// Modules, with dependencies pointing one way only:
//   IMDADEngine     tensors, BLAS seam, reverse-mode autodiff, layers, optimizers (knows no anomaly detection)
//   IMDADData       file formats (NPY, NPZ, CSV, IDX), preprocessing, the one zlib seam, number
//                   formatting and mean/standard deviation (knows no neural networks)
//   IMDADCharts     SVG charts (bar, line, scatter, histogram, heat map), ticks, colour maps, PNG
//                   encoding (knows no anomaly detection; uses IMDADData only for zlib)
//   IMDADDetectors  IMD-AD, Deep SAD, Deep SVDD, Isolation Forest: one configuration each, the
//                   training loop, metrics, model files (knows no data folder and no command line)
//   IMDADReports    explanations, HTML report (draws with IMDADCharts)
//   IMDADExperiments the benchmark harness: the spec §7 protocols, the data-set catalogue and its
//                   default folders, published figures, run records and tables, sweeps, speed
//   IMDADONNX       ONNX export of a trained model (graph built from onnx.proto with swift-protobuf)
//   IMDADCLI        the `imdad` command-line tool (maps flags to configuration parameters)
// Tests/IMDADTestSupport holds what only tests use: ZIP/NPZ/NPY/gzip writers, a reference PNG
// decoder, temporary directories.
import PackageDescription

let package = Package(
    name: "IMDAD",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "IMDAD", targets: ["IMDADEngine", "IMDADData", "IMDADCharts", "IMDADDetectors", "IMDADReports"]),
        .library(name: "IMDADExperiments", targets: ["IMDADExperiments"]),
        .executable(name: "imdad", targets: ["IMDADCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "IMDADEngine"),
        .target(name: "IMDADData", dependencies: ["CZlib"]),
        .target(name: "IMDADCharts", dependencies: ["IMDADData"]),
        .target(name: "IMDADDetectors", dependencies: ["IMDADEngine", "IMDADData"]),
        .target(name: "IMDADReports", dependencies: ["IMDADEngine", "IMDADData", "IMDADCharts", "IMDADDetectors"]),
        .target(name: "IMDADExperiments", dependencies: ["IMDADEngine", "IMDADData", "IMDADDetectors"]),
        // ONNX export: the graph of a trained model, written with swift-protobuf from onnx.proto
        // (Sources/IMDADONNX/Generated/onnx.pb.swift is generated and committed: see docs/onnx.md).
        .target(name: "IMDADONNX", dependencies: ["IMDADEngine", "IMDADData", "IMDADDetectors",
                                                 .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .executableTarget(name: "IMDADCLI", dependencies: [
            "IMDADEngine", "IMDADData", "IMDADCharts", "IMDADDetectors", "IMDADReports", "IMDADExperiments", "IMDADONNX",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], resources: [.copy("Resources/thyroid.npz")]),
        .target(name: "IMDADTestSupport", dependencies: ["IMDADData"], path: "Tests/IMDADTestSupport"),
        .testTarget(name: "IMDADEngineTests", dependencies: ["IMDADEngine"]),
        .testTarget(name: "IMDADDataTests", dependencies: ["IMDADData", "IMDADTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "IMDADChartsTests", dependencies: ["IMDADCharts", "IMDADData", "IMDADTestSupport"]),
        .testTarget(name: "IMDADDetectorsTests", dependencies: ["IMDADDetectors", "IMDADEngine", "IMDADData", "IMDADTestSupport"]),
        .testTarget(name: "IMDADExperimentsTests", dependencies: ["IMDADExperiments", "IMDADDetectors", "IMDADEngine", "IMDADData",
                                                                 "IMDADTestSupport"]),
        .testTarget(name: "IMDADReportsTests", dependencies: ["IMDADReports", "IMDADCharts", "IMDADDetectors", "IMDADEngine", "IMDADData",
                                                            "IMDADTestSupport"]),
        .testTarget(name: "IMDADONNXTests", dependencies: ["IMDADONNX", "IMDADDetectors", "IMDADEngine", "IMDADData",
                                                          "IMDADTestSupport"], exclude: ["Python"]),
        .testTarget(name: "IMDADCLITests", dependencies: ["IMDADCLI", "IMDADData", "IMDADDetectors", "IMDADReports",
                                                         "IMDADExperiments", "IMDADTestSupport"], exclude: ["Python"]),
    ]
)
