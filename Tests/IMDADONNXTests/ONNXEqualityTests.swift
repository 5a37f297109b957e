// ONNX export proven against `imdad score`: ONNX Runtime (Python, the project's .venv) scores the
// exported graph and must agree with the `imdad` binary's scores, zones and predictions.
//
// Models: IMD-AD on a thyroid MLP, an arrhythmia MLP, an MNIST LeNet and a CIFAR-10 LeNet; Deep SAD
// (thyroid, MNIST), Deep SVDD (arrhythmia) and DevNet (thyroid); Isolation Forest (thyroid) as an
// ONNX-ML tree ensemble. Trained for one epoch (equality needs a trained graph, not a good one).
// The check itself is Tests/IMDADONNXTests/Python/check_onnx.py.

import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADONNX
import IMDADTestSupport
import XCTest

/// Where the repository, the datasets, the `imdad` binary and the venv's Python are.
enum ONNXTestEnvironment {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let environment = ProcessInfo.processInfo.environment

    /// `$IMDAD_DATASETS`, else `../shared/datasets`, `shared/datasets` or `/work/shared/datasets`.
    static let datasetCandidates: [String] = {
        if let env = environment["IMDAD_DATASETS"] { return [env] }
        return [
            repository.deletingLastPathComponent().appendingPathComponent("shared/datasets").path,
            repository.appendingPathComponent("shared/datasets").path, "/work/shared/datasets",
        ]
    }()
    static let datasets = datasetCandidates.first { FileManager.default.fileExists(atPath: $0) } ?? datasetCandidates[0]

    /// The `imdad` executable in the build products directory, or `$IMDAD_BINARY`.
    static let binaryCandidates: [URL] = {
        var c: [URL] = []
        if let env = environment["IMDAD_BINARY"] { c.append(URL(fileURLWithPath: env)) }
        c.append(Bundle(for: ONNXEqualityTests.self).bundleURL.deletingLastPathComponent().appendingPathComponent("imdad"))
        c.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("imdad"))
        return c
    }()
    static let binary = binaryCandidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }

    /// `$IMDAD_PYTHON`, else the project's virtual environment (`make venv` creates it).
    static let python = URL(fileURLWithPath: environment["IMDAD_PYTHON"] ?? repository.appendingPathComponent(".venv/bin/python").path)
    static let checker = repository.appendingPathComponent("Tests/IMDADONNXTests/Python/check_onnx.py")
}

struct ONNXTestSetupError: Error, CustomStringConvertible { var description: String }

class ONNXTestCase: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        guard ONNXTestEnvironment.binary != nil else {
            throw ONNXTestSetupError(
                description: "the imdad executable was not found (looked at "
                    + ONNXTestEnvironment.binaryCandidates.map(\.path).joined(separator: ", ")
                    + "); run `swift build --build-tests` or set IMDAD_BINARY")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    /// `IMDAD_ONNX_KEEP=folder` keeps the trained models, exported graphs and data there (the
    /// LeNet models of experiments/onnx/bench.py come from here: `imdad train` fits tabular MLPs only).
    override func tearDownWithError() throws {
        guard let dir else { return }
        if let keep = ONNXTestEnvironment.environment["IMDAD_ONNX_KEEP"] {
            let fm = FileManager.default
            try fm.createDirectory(atPath: keep, withIntermediateDirectories: true)
            for name in try fm.contentsOfDirectory(atPath: dir.path) where !name.hasPrefix(".") {
                let target = URL(fileURLWithPath: keep).appendingPathComponent(name)
                try? fm.removeItem(at: target)
                try fm.copyItem(at: dir.appendingPathComponent(name), to: target)
            }
        }
        try? FileManager.default.removeItem(at: dir)
    }

    func path(_ name: String) -> URL { dir.appendingPathComponent(name) }

    @discardableResult
    func imdad(_ args: [String]) throws -> ProcessResult {
        guard let binary = ONNXTestEnvironment.binary else { throw ONNXTestSetupError(description: "no imdad executable") }
        return try runProcess(binary, args, in: dir)
    }

    /// A shared dataset file; its absence fails the test (skips with IMDAD_SKIP_SHARED_DATASETS=1).
    func dataset(_ relative: String) throws -> URL {
        let u = URL(fileURLWithPath: ONNXTestEnvironment.datasets).appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: u.path) else {
            let message = "shared dataset \(u.path) not present; set IMDAD_DATASETS to the datasets folder"
            if ONNXTestEnvironment.environment["IMDAD_SKIP_SHARED_DATASETS"] == "1" { throw XCTSkip(message) }
            throw ONNXTestSetupError(description: message + ", or IMDAD_SKIP_SHARED_DATASETS=1 to skip")
        }
        return u
    }

    /// Fits `method` for one epoch on `x` (raw features) and writes the model file `name`.
    func trainModel(
        _ name: String, method: MethodKind, encoder: EncoderArchitecture, features raw: [Double], rows: Int, labels: [Int],
        scale: Bool, batchSize: Int = 128
    ) throws -> TrainedModel {
        let columns = encoder.inputSize
        precondition(raw.count >= rows * columns && labels.count == rows)
        let raw = Array(raw.prefix(rows * columns))
        let scaler = scale ? try StandardMinMaxScaler.fit(raw, rows: rows, columns: columns) : nil
        let x = try TrainedModel.input(raw, rows: rows, columns: columns, scaler: scaler)
        var configuration = DetectorConfiguration.defaults(for: method, encoder: encoder)
        var training = configuration.training ?? TrainingConfiguration()
        training.epochs = 1
        training.batchSize = batchSize
        configuration.training = training
        var rng = RandomGenerator(seed: 7)
        let fitted = try fitDetector(configuration, data: try LabeledData(features: x, labels: labels), using: &rng)
        let model = TrainedModel(fitted: fitted, method: method, seed: 7, featureNames: (0..<columns).map { "f\($0)" }, scaler: scaler)
        try model.write(to: path(name), overwrite: false)
        return model
    }

    /// Writes `rows` of raw features as a CSV with a header (values round-trip exactly).
    func writeCSV(_ name: String, _ raw: [Double], rows: Int, columns: Int) throws {
        var text = (0..<columns).map { "f\($0)" }.joined(separator: ",") + "\n"
        text.reserveCapacity(rows * columns * 12)
        for r in 0..<rows {
            text += raw[(r * columns)..<((r + 1) * columns)].map { "\($0)" }.joined(separator: ",")
            text += "\n"
        }
        try Data(text.utf8).write(to: path(name))
    }
}

final class ONNXEqualityTests: ONNXTestCase {
    /// Exports `model`, scores `data` with `imdad score` and asks ONNX Runtime (check_onnx.py) to agree.
    func assertONNXAgrees(_ model: String, data: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let base = (model as NSString).deletingPathExtension
        let export = try imdad(["export", model, "-o", "\(base).onnx"])
        XCTAssertEqual(export.status, 0, "imdad export \(model): \(export.output)", file: file, line: line)
        let score = try imdad(["score", model, data, "-o", "\(base)-scores.csv"])
        XCTAssertEqual(score.status, 0, "imdad score \(model): \(score.output)", file: file, line: line)
        let python = ONNXTestEnvironment.python
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw ONNXTestSetupError(
                description: "\(python.path) is missing: run `make venv` (onnx, onnxruntime, numpy from PyPI), "
                    + "or set IMDAD_PYTHON to a Python with them")
        }
        let check = try runProcess(python, [ONNXTestEnvironment.checker.path, "\(base).onnx", data, "\(base)-scores.csv"], in: dir)
        XCTAssertEqual(check.status, 0, "ONNX Runtime disagrees with imdad score on \(model):\n\(check.output)", file: file, line: line)
        print("check_onnx \(model): \(check.output.trimmingCharacters(in: .whitespacesAndNewlines))")
    }

    func testThyroidMLP() throws {
        let t = try TabularData.load(url: dataset("adbench/38_thyroid.npz"))
        let encoder = EncoderArchitecture.tabular(inputs: t.columns)
        XCTAssertEqual(encoder, .mlp(input: 6, hidden: [32, 16], representation: 4))
        _ = try trainModel(
            "thyroid-imdad.imdad", method: .imdad, encoder: encoder, features: t.features, rows: t.rows,
            labels: t.labels ?? [], scale: true)
        _ = try trainModel(
            "thyroid-iforest.imdad", method: .isolationForest, encoder: encoder, features: t.features, rows: t.rows,
            labels: t.labels ?? [], scale: true)
        _ = try trainModel(
            "thyroid-deepsad.imdad", method: .deepSADBalanced, encoder: encoder, features: t.features, rows: t.rows,
            labels: t.labels ?? [], scale: true)
        try writeCSV("thyroid.csv", t.features, rows: t.rows, columns: t.columns)
        try assertONNXAgrees("thyroid-imdad.imdad", data: "thyroid.csv")
        try assertONNXAgrees("thyroid-deepsad.imdad", data: "thyroid.csv")
        try assertONNXAgrees("thyroid-iforest.imdad", data: "thyroid.csv")
        _ = try trainModel(
            "thyroid-devnet.imdad", method: .devnet, encoder: encoder, features: t.features, rows: t.rows,
            labels: t.labels ?? [], scale: true)
        try assertONNXAgrees("thyroid-devnet.imdad", data: "thyroid.csv")
    }

    func testArrhythmiaMLP() throws {
        let t = try TabularData.load(url: dataset("odds/arrhythmia.npz"))
        let encoder = EncoderArchitecture.tabular(inputs: t.columns)
        XCTAssertEqual(encoder, .mlp(input: 274, hidden: [128, 64], representation: 32))
        _ = try trainModel(
            "arrhythmia-imdad.imdad", method: .imdad, encoder: encoder, features: t.features, rows: t.rows,
            labels: t.labels ?? [], scale: true)
        _ = try trainModel(
            "arrhythmia-deepsvdd.imdad", method: .deepSVDD, encoder: encoder, features: t.features, rows: t.rows,
            labels: (t.labels ?? []).map { _ in 0 }, scale: true)
        try writeCSV("arrhythmia.csv", t.features, rows: t.rows, columns: t.columns)
        try assertONNXAgrees("arrhythmia-imdad.imdad", data: "arrhythmia.csv")
        try assertONNXAgrees("arrhythmia-deepsvdd.imdad", data: "arrhythmia.csv")
    }

    func testMNISTLeNet() throws {
        let images = try IDXArray.read(contentsOf: dataset("mnist/t10k-images-idx3-ubyte.gz"))
        let labels = try IDXArray.read(contentsOf: dataset("mnist/t10k-labels-idx1-ubyte.gz"))
        let rows = 200, d = 784
        guard let pixels = images.uint8Values, let digits = labels.uint8Values, pixels.count >= rows * d else {
            throw ONNXTestSetupError(description: "MNIST test images are not uint8 or too few")
        }
        let x = pixels.prefix(rows * d).map { Double($0) / 255 }
        let y = digits.prefix(rows).map { $0 == 0 ? 0 : ($0 == 1 ? 1 : 0) }  // digit 1 as the labeled anomalies
        let trainRows = 128  // training is not what is tested: a few batches keep the debug build quick
        _ = try trainModel(
            "mnist-imdad.imdad", method: .imdad, encoder: .mnistLeNet, features: x, rows: trainRows,
            labels: Array(y.prefix(trainRows)), scale: false, batchSize: 64)
        _ = try trainModel(
            "mnist-deepsad.imdad", method: .deepSADUniform, encoder: .mnistLeNet, features: x, rows: trainRows,
            labels: Array(y.prefix(trainRows)), scale: false, batchSize: 64)
        try writeCSV("mnist.csv", x, rows: rows, columns: d)
        try assertONNXAgrees("mnist-imdad.imdad", data: "mnist.csv")
        try assertONNXAgrees("mnist-deepsad.imdad", data: "mnist.csv")
    }

    /// CIFAR-10 geometry on random images (the LeNet's numbers do not depend on what the pixels show);
    /// 200 rows: imdad pads them to one batch of 256, ONNX Runtime takes the 200.
    func testCIFAR10LeNet() throws {
        let rows = 200, d = 3072
        var rng = RandomGenerator(seed: 3)
        let x = (0..<(rows * d)).map { _ in Double(Float(Int(rng.uniform(0, 256)) & 255) / 255) }
        let y = (0..<rows).map { $0 % 8 == 0 ? 1 : 0 }
        _ = try trainModel(
            "cifar-imdad.imdad", method: .imdad, encoder: .cifar10LeNet, features: x, rows: 64, labels: Array(y.prefix(64)),
            scale: false, batchSize: 32)
        try writeCSV("cifar.csv", x, rows: rows, columns: d)
        try assertONNXAgrees("cifar-imdad.imdad", data: "cifar.csv")
    }
}
