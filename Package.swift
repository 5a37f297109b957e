// swift-tools-version:6.0
// IMDAD: interpretable maximum-margin deep anomaly detection.
//
// Modules, with dependencies pointing one way only:
//   CIMDADKernels   the engine's elementwise loops in C, one version per instruction set (AVX-512, AVX2, baseline);
//                   its own sgemm for small and medium products and the worker thread that shares them;
//                   Winograd F(4×4, 5×5) convolutions and direct ones for few channels
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
//   IMDADServer     the scoring and explanation HTTP service behind `imdad serve` (Hummingbird 2,
//                   swift-service-lifecycle, swift-prometheus; knows no command-line flag)
//   IMDADCLI        the `imdad` command-line tool (maps flags to configuration parameters)
// Tests/IMDADTestSupport holds what only tests use: ZIP/NPZ/NPY/gzip writers, a reference PNG
// decoder, temporary directories.
import PackageDescription

let package = Package(
    name: "IMDAD",
    platforms: [.macOS(.v14)],  // Hummingbird 2 (IMDADServer) needs macOS 14
    products: [
        .library(name: "IMDAD", targets: ["IMDADEngine", "IMDADData", "IMDADCharts", "IMDADDetectors", "IMDADReports"]),
        .library(name: "IMDADExperiments", targets: ["IMDADExperiments"]),
        .library(name: "IMDADServer", targets: ["IMDADServer"]),
        .executable(name: "imdad", targets: ["IMDADCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        // The engine's elementwise loops in C, one version per instruction set chosen at load time.
        .target(name: "CIMDADKernels"),
        .target(name: "IMDADEngine", dependencies: ["CIMDADKernels"]),
        .target(name: "IMDADData", dependencies: ["CZlib"]),
        .target(name: "IMDADCharts", dependencies: ["IMDADData"]),
        .target(name: "IMDADDetectors", dependencies: ["IMDADEngine", "IMDADData"]),
        .target(name: "IMDADReports", dependencies: ["IMDADEngine", "IMDADData", "IMDADCharts", "IMDADDetectors"]),
        .target(name: "IMDADExperiments", dependencies: ["IMDADEngine", "IMDADData", "IMDADDetectors"]),
        // ONNX export: the graph of a trained model, written with swift-protobuf from onnx.proto
        // (Sources/IMDADONNX/Generated/onnx.pb.swift is generated and committed: see docs/onnx.md).
        .target(name: "IMDADONNX", dependencies: ["IMDADEngine", "IMDADData", "IMDADDetectors",
                                                 .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(name: "IMDADServer", dependencies: [
            "IMDADEngine", "IMDADData", "IMDADDetectors", "IMDADReports",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "IMDADCLI", dependencies: [
            "IMDADEngine", "IMDADData", "IMDADCharts", "IMDADDetectors", "IMDADReports", "IMDADExperiments", "IMDADONNX",
            "IMDADServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], resources: [.copy("Resources/thyroid.npz")]),
        .target(name: "IMDADTestSupport", dependencies: ["IMDADData"], path: "Tests/IMDADTestSupport"),
        .testTarget(name: "IMDADEngineTests", dependencies: ["IMDADEngine", "IMDADTestSupport"]),
        .testTarget(name: "IMDADDataTests", dependencies: ["IMDADData", "IMDADTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "IMDADChartsTests", dependencies: ["IMDADCharts", "IMDADData", "IMDADTestSupport"]),
        .testTarget(name: "IMDADDetectorsTests", dependencies: ["IMDADDetectors", "IMDADEngine", "IMDADData", "IMDADTestSupport"]),
        .testTarget(name: "IMDADExperimentsTests", dependencies: ["IMDADExperiments", "IMDADDetectors", "IMDADEngine", "IMDADData",
                                                                 "IMDADTestSupport"]),
        .testTarget(name: "IMDADReportsTests", dependencies: ["IMDADReports", "IMDADCharts", "IMDADDetectors", "IMDADEngine", "IMDADData",
                                                            "IMDADTestSupport"]),
        .testTarget(name: "IMDADONNXTests", dependencies: ["IMDADONNX", "IMDADDetectors", "IMDADEngine", "IMDADData",
                                                          "IMDADTestSupport"], exclude: ["Python"]),
        .testTarget(name: "IMDADServerTests", dependencies: ["IMDADServer", "IMDADReports", "IMDADDetectors", "IMDADEngine", "IMDADData",
                                                            "IMDADTestSupport"]),
        .testTarget(name: "IMDADCLITests", dependencies: ["IMDADCLI", "IMDADData", "IMDADDetectors", "IMDADReports",
                                                         "IMDADExperiments", "IMDADTestSupport"], exclude: ["Python"]),
    ]
)
