// docs/model-format.md is enough to recompute a score: Python (numpy + safetensors, in the
// project's .venv) reads four model files (IMD-AD MLP and LeNet, Deep SAD, Isolation Forest) and
// reproduces `imdad score`'s output to 1e-5 (relative, absolute below |score| = 1).

import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADTestSupport
import XCTest

final class ModelFormatPythonTests: CLITestCase {
    /// The repository root (this file is Tests/IMDADCLITests/ModelFormatPythonTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = root.appendingPathComponent("Tests/IMDADCLITests/Python/recompute_scores.py")
    static let python = root.appendingPathComponent(".venv/bin/python")

    /// A CSV of `rows` rows: `columns` features named f0… (written in `order`), a label column
    /// (every tenth row an anomaly, shifted) and an id column. Deterministic for a seed.
    func table(rows: Int, columns: Int, seed: UInt64, order: [Int]? = nil) -> String {
        var rng = RandomGenerator(seed: seed)
        let order = order ?? Array(0..<columns)
        var s = "id," + order.map { "f\($0)" }.joined(separator: ",") + ",label\n"
        for r in 0..<rows {
            let anomaly = r % 10 == 0
            let values = (0..<columns).map { k in Double(rng.normal()) * (1 + Double(k) / 2) + (anomaly ? 4 : 0) + Double(k) * 10 }
            s += "\(1000 + r)," + order.map { String(format: "%.6g", values[$0]) }.joined(separator: ",") + ",\(anomaly ? 1 : 0)\n"
        }
        return s
    }

    /// An IMD-AD model on MNIST-shaped images (the LeNet encoder: conv, batch norm, LeakyReLU, max
    /// pooling, reshape, flatten), trained for one epoch on a few synthetic digits-like images.
    /// `imdad train` builds tabular encoders only, so the library writes it, as `imdad images` would.
    func writeLeNetModel(_ name: String, scoreCSV: String) throws {
        var rng = RandomGenerator(seed: 7)
        func image(anomaly: Bool) -> [Double] {
            // A bright vertical bar (normal) or a horizontal one (anomaly), with noise.
            (0..<784).map { p in
                let (y, x) = (p / 28, p % 28)
                let on = anomaly ? (y >= 12 && y < 16) : (x >= 12 && x < 16)
                return max(0, min(255, (on ? 200 : 20) + Double(rng.normal()) * 30)).rounded()
            }
        }
        let n = 48
        let labels = (0..<n).map { $0 % 8 == 0 ? 1 : 0 }
        let raw = labels.flatMap { image(anomaly: $0 == 1) }
        let scaler = try StandardMinMaxScaler.fit(raw, rows: n, columns: 784)
        let x = try TrainedModel.input(raw, rows: n, columns: 784, scaler: scaler)
        let data = try LabeledData(features: x, labels: labels)
        var c = IMDADConfiguration(encoder: .mnistLeNet)
        c.training.epochs = 1
        c.training.batchSize = 16
        let fitted = try fitDetector(.imdad(c), data: data, using: &rng)
        let names = (0..<784).map { "p\($0)" }
        var model = TrainedModel(fitted: fitted, method: .imdad, seed: 7, featureNames: names, scaler: scaler)
        model.metadata.schema = TableSchema(featureNames: names)
        model.recordTraining(data)
        try model.write(to: path(name), overwrite: false)
        var csv = names.joined(separator: ",") + "\n"
        for r in 0..<12 { csv += image(anomaly: r % 3 == 0).map { String(Int($0)) }.joined(separator: ",") + "\n" }
        try write(scoreCSV, csv)
    }

    func testPythonRecomputesScoresFromTheModelFile() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python.path) else {
            XCTFail("\(Self.python.path) is missing: run `make test` (or `make venv`), which creates the "
                    + "project's .venv with numpy and safetensors, then run this test again")
            return
        }
        // Tabular: trained on one file, scored on another whose feature columns come in another order.
        try write("train.csv", table(rows: 300, columns: 6, seed: 1))
        try write("score.csv", table(rows: 40, columns: 6, seed: 2, order: [3, 0, 5, 1, 4, 2]))
        let common = ["--label-column", "label", "--id-column", "id", "--epochs", "3", "--batch-size", "64", "--quiet", "--threads", "1"]
        for (model, method) in [("imdad.imdad", "imdad"), ("deepsad.imdad", "deepsad-balanced"), ("iforest.imdad", "iforest")] {
            let r = try imdad(["train", "train.csv", "--method", method, "--output", model] + common)
            XCTAssertEqual(r.status, 0, "imdad train --method \(method): \(r.stderr)")
        }
        try writeLeNetModel("lenet.imdad", scoreCSV: "images.csv")
        var cases: [String] = []
        for (name, model, data) in [("IMD-AD MLP", "imdad.imdad", "score.csv"), ("Deep SAD MLP", "deepsad.imdad", "score.csv"),
                                    ("IMD-AD LeNet", "lenet.imdad", "images.csv"), ("Isolation Forest", "iforest.imdad", "score.csv")] {
            let out = "scores-\(model).csv"
            let columns = data == "score.csv" ? ["--id-column", "id", "--label-column", "label"] : []
            let r = try imdad(["score", model, data, "--output", out] + columns)
            XCTAssertEqual(r.status, 0, "imdad score \(model): \(r.stderr)")
            cases += ["--case", name, path(model).path, path(data).path, path(out).path]
        }
        let r = try runProcess(Self.python, [Self.script.path] + cases, in: FileManager.default.temporaryDirectory)
        let output = r.output
        print(output)
        XCTAssertEqual(r.status, 0, "Python did not reproduce imdad's scores:\n\(output)")
        XCTAssertEqual(output.components(separatedBy: "max error").count - 1, 4, output)
    }
}
