// `imdad export` on bad input: a clear error, a non-zero exit status and no output file; and the
// graph's interface (opset, inputs, outputs, metadata) checked without ONNX Runtime.

import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import XCTest

@testable import IMDADONNX

final class ONNXExportErrorTests: ONNXTestCase {
    /// 60 rows of 3 features, every tenth an anomaly shifted away.
    func smallData() -> (x: [Double], labels: [Int]) {
        var rng = RandomGenerator(seed: 1)
        let labels = (0..<60).map { $0 % 10 == 0 ? 1 : 0 }
        let x = (0..<180).map { i in Double(rng.uniform(-1, 1)) + (labels[i / 3] == 1 ? 3 : 0) }
        return (x, labels)
    }

    func assertRefused(_ args: [String], mentions: [String], output: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let r = try imdad(args)
        XCTAssertNotEqual(r.status, 0, "imdad \(args.joined(separator: " ")) succeeded", file: file, line: line)
        XCTAssertLessThan(r.status, 128, "died from a signal: \(r.output)", file: file, line: line)
        for m in mentions { XCTAssertTrue(r.output.contains(m), "output lacks \"\(m)\":\n\(r.output)", file: file, line: line) }
        XCTAssertFalse(r.output.contains("Fatal error"), r.output, file: file, line: line)
        let after = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(after, before, "files appeared or vanished", file: file, line: line)
        if !before.contains(output) { XCTAssertFalse(FileManager.default.fileExists(atPath: path(output).path), file: file, line: line) }
    }

    func testNotAModelIsRefusedWithoutOutput() throws {
        try Data("f0,f1\n1,2\n".utf8).write(to: path("data.csv"))
        try assertRefused(["export", "data.csv", "-o", "out.onnx"], mentions: ["data.csv", "not an imdad model file"], output: "out.onnx")
        try assertRefused(
            ["export", "missing.imdad", "-o", "out.onnx"], mentions: ["missing.imdad", "cannot be read"], output: "out.onnx")
    }

    func testExistingOutputIsKeptWithoutForce() throws {
        let (x, labels) = smallData()
        _ = try trainModel(
            "m.imdad", method: .imdad, encoder: .mlp(input: 3, hidden: [8], representation: 2), features: x, rows: 60,
            labels: labels, scale: true)
        try Data("keep me".utf8).write(to: path("m.onnx"))
        try assertRefused(["export", "m.imdad", "-o", "m.onnx"], mentions: ["m.onnx already exists", "--force"], output: "m.onnx")
        XCTAssertEqual(try String(contentsOf: path("m.onnx"), encoding: .utf8), "keep me")
        let r = try imdad(["export", "m.imdad", "-o", "m.onnx", "--force"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(
            try Data(contentsOf: path("m.onnx")), Data(try ONNXExport.serialized(try TrainedModel.read(contentsOf: path("m.imdad")))))
    }

    /// Opset, the one float input [N, D], the outputs per method and the metadata values.
    func testGraphInterfaceAndMetadata() throws {
        let (x, labels) = smallData()
        let encoder = EncoderArchitecture.mlp(input: 3, hidden: [8], representation: 2)
        let imdad = try trainModel("i.imdad", method: .imdad, encoder: encoder, features: x, rows: 60, labels: labels, scale: true)
        let svdd = try trainModel(
            "s.imdad", method: .deepSVDD, encoder: encoder, features: x, rows: 60, labels: labels.map { _ in 0 },
            scale: false)
        for (model, outputs) in [(imdad, ["score", "prediction", "distance", "zone"]), (svdd, ["score", "prediction", "distance"])] {
            let onnx = try ONNXExport.model(model)
            XCTAssertEqual(onnx.opsetImport.map(\.version), [17])
            XCTAssertEqual(onnx.graph.input.map(\.name), ["x"])
            let dims = onnx.graph.input[0].type.tensorType.shape.dim
            XCTAssertEqual(dims.map(\.dimParam), ["N", ""])
            XCTAssertEqual(dims.map(\.dimValue), [0, 3])
            XCTAssertEqual(onnx.graph.output.map(\.name), outputs)
            let meta = Dictionary(uniqueKeysWithValues: onnx.metadataProps.map { ($0.key, $0.value) })
            XCTAssertEqual(meta["imdad.method"], model.metadata.method.rawValue)
            XCTAssertEqual(meta["imdad.library_version"], IMDADVersion.library)
            XCTAssertEqual(meta["imdad.feature_names"], "[\"f0\",\"f1\",\"f2\"]")
            XCTAssertEqual(meta["imdad.threshold"].flatMap(Float.init), model.metadata.threshold)
            XCTAssertEqual(meta["imdad.scaled"], model.metadata.scaler == nil ? "false" : "true")
            // Nodes whose inputs are all produced earlier (a topologically sorted graph), BatchNorm in inference form.
            var known = Set(onnx.graph.initializer.map(\.name) + ["x"])
            for node in onnx.graph.node {
                for i in node.input { XCTAssertTrue(known.contains(i), "\(node.opType) reads \(i) before it exists") }
                known.formUnion(node.output)
                if node.opType == "BatchNormalization" { XCTAssertEqual(node.output.count, 1) }
            }
        }
        let forest = try trainModel(
            "f.imdad", method: .isolationForest, encoder: encoder, features: x, rows: 60, labels: labels, scale: true)
        let forestGraph = try ONNXExport.model(forest)
        XCTAssertEqual(forestGraph.graph.output.map(\.name), ["score", "prediction"])
        XCTAssertEqual(forestGraph.opsetImport.map(\.domain), ["", "ai.onnx.ml"])
        XCTAssertEqual(forestGraph.opsetImport.map(\.version), [17, 3])
        XCTAssertEqual(forestGraph.graph.node.filter { $0.opType == "TreeEnsembleRegressor" }.map(\.domain), ["ai.onnx.ml"])
        let meta = Dictionary(uniqueKeysWithValues: try ONNXExport.model(imdad).metadataProps.map { ($0.key, $0.value) })
        guard case .imdad(let d) = imdad.fitted else { return XCTFail("not IMD-AD") }
        XCTAssertEqual(meta["imdad.radius_squared"].flatMap(Float.init), d.sphere.radiusSquared)
        XCTAssertEqual(meta["imdad.margin_squared"].flatMap(Float.init), d.sphere.marginSquared)
        XCTAssertEqual(meta["imdad.center"], "[" + d.sphere.center.map { "\($0)" }.joined(separator: ",") + "]")
        XCTAssertEqual(meta["imdad.zones"], "[\"inside\",\"margin band\",\"outside\"]")
    }

    /// Float thresholds rounded up take the same branch as the double split `x < p` for every float x:
    /// checked at p's float neighbours, where rounding to nearest would go wrong.
    func testSplitThresholdRoundingKeepsEveryBranch() {
        var rng = RandomGenerator(seed: 5)
        var roundedDown = 0
        for _ in 0..<2000 {
            let p = Double(rng.uniform(-3, 3)) + Double(rng.uniform(-1, 1)) * 1e-9
            let t = ONNXExport.roundedUp(p)
            let f = Float(p)
            if Double(f) < p { roundedDown += 1 }
            for x in [f.nextDown, f, f.nextUp, t.nextDown, t, t.nextUp] {
                XCTAssertEqual(Double(x) < p, x < t, "p = \(p), x = \(x), threshold \(t)")
            }
        }
        XCTAssertGreaterThan(roundedDown, 500, "the cases where nearest rounding would misplace x = Float(p) are covered")
    }
}
