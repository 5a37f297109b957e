// `imdad evaluate` on an image data set: the spec §7 image protocol through the evaluate command.

import Foundation
import XCTest
import IMDADData
import IMDADTestSupport
import IMDADDetectors
import IMDADExperiments

final class ImageEvaluateTests: CLITestCase {
    /// Writes a tiny MNIST-shaped data set (`perClass` images per class, plain IDX) to `mnist/`.
    func writeTinyMNIST(perClass: Int) throws {
        try FileManager.default.createDirectory(at: path("mnist"), withIntermediateDirectories: true)
        for (prefix, n) in [("train", perClass), ("t10k", 3)] {
            var pixels: [UInt8] = [], labels: [UInt8] = []
            for i in 0..<(10 * n) {
                let c = i % 10
                pixels += (0..<784).map { k in UInt8((k * (c + 3) + i) % 7 == 0 ? 40 + 20 * c : 0) }
                labels.append(UInt8(c))
            }
            try write("mnist/\(prefix)-images-idx3-ubyte", IDXArray(shape: [10 * n, 28, 28], dataType: .uint8, payload: pixels).encode())
            try write("mnist/\(prefix)-labels-idx1-ubyte", IDXArray(shape: [10 * n], dataType: .uint8, payload: labels).encode())
        }
    }

    func testEvaluateRunsTheImageProtocolOverSeeds() throws {
        try writeTinyMNIST(perClass: 12)
        let r = try imdad("evaluate", "--dataset", "mnist", "--data-root", ".", "--normal-class", "2", "--gamma-l", "0.2",
                          "--seeds", "2", "--epochs", "1", "--batch-size", "16", "--methods", "imdad,deepsad", "--format", "json",
                          "--runs-log", "runs.jsonl", "--threads", "1", "--quiet")
        XCTAssertEqual(r.status, 0, r.stderr)
        let runs = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]], r.stdout)
        XCTAssertEqual(runs.count, 4)
        XCTAssertEqual(Set(runs.map { $0["seed"] as? Int }), [0, 1])
        XCTAssertEqual(Set(runs.map { $0["method"] as? String }), ["imdad", "deepsad"])
        XCTAssertTrue(runs.allSatisfy { $0["normal_class"] as? Int == 2 && $0["known_class"] as? Int == 3 })
        XCTAssertTrue(runs.allSatisfy { $0["normals"] as? Int == 12 && ($0["labeled"] as? Int ?? 0) >= 1 }, "\(runs)")
        XCTAssertTrue(runs.allSatisfy { (($0["auroc"] as? Double) ?? -1) >= 0 && (($0["auroc"] as? Double) ?? 2) <= 1 })
        XCTAssertEqual(try ImageRunLog.read(path: path("runs.jsonl").path).count, 4)

        let markdown = try imdad("evaluate", "--dataset", "mnist", "--data-root", ".", "--normal-class", "2", "--gamma-l", "0.2",
                                 "--seeds", "1", "--epochs", "1", "--batch-size", "16", "--methods", "imdad", "--quiet")
        XCTAssertEqual(markdown.status, 0, markdown.stderr)
        XCTAssertTrue(markdown.stdout.hasPrefix("### MNIST: AUROC %"), markdown.stdout)

        let mixed = try imdad("evaluate", "--dataset", "mnist", "thyroid", "--data-root", ".", "--epochs", "1")
        XCTAssertNotEqual(mixed.status, 0)
        XCTAssertTrue(mixed.stderr.contains("separately"), mixed.stderr)

        // Without --results, `imdad images` appends to imdad-images.jsonl in the working directory,
        // never to a results/ folder that may hold someone's committed runs.
        let sweep = try imdad("images", "--dataset", "mnist", "--data-root", "mnist", "--classes", "2", "--gamma-l", "0.2",
                              "--epochs", "1", "--batch-size", "16", "--methods", "imdad", "--threads", "1", "--quiet")
        XCTAssertEqual(sweep.status, 0, sweep.stderr)
        XCTAssertEqual(try ImageRunLog.read(path: path("imdad-images.jsonl").path).count, 1)
        XCTAssertFalse(exists("results"))

        // A folder without the CIFAR-10 batches: the error names the missing batch and where the
        // shared copy is, and no results file appears.
        let cifar = try imdad("images", "--dataset", "cifar10", "--data-root", "cifar", "--classes", "0", "--epochs", "1",
                              "--results", "cifar.jsonl")
        XCTAssertEqual(cifar.status, 2, cifar.stderr)
        XCTAssertTrue(cifar.stderr.contains("data_batch_1.bin") && cifar.stderr.contains("../shared/datasets/cifar10"), cifar.stderr)
        XCTAssertFalse(exists("cifar.jsonl"))
    }
}
