import Foundation
import XCTest
@testable import IMDADData

/// Reads the real shared datasets. They are expected (they live at `../shared/datasets` next to
/// the repository, and CI always has them), so a missing file FAILS the test; set
/// `IMDAD_SKIP_SHARED_DATASETS=1` to skip these tests on a machine without them. The
/// fixture-based tests cover the parsing logic.
final class SharedDatasetTests: XCTestCase {
    /// The repository root, from this file's path (Tests/IMDADDataTests/SharedDatasetTests.swift).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// `$IMDAD_DATASETS`, else the first of `../shared/datasets` (next to the repository),
    /// `shared/datasets` (inside it) and `/work/shared/datasets` that exists.
    static let candidates: [String] = {
        if let env = ProcessInfo.processInfo.environment["IMDAD_DATASETS"] { return [env] }
        return [repository.deletingLastPathComponent().appendingPathComponent("shared/datasets").path,
                repository.appendingPathComponent("shared/datasets").path, "/work/shared/datasets"]
    }()
    static let root = candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]

    /// The dataset file, or a thrown error (a failure) when it is absent.
    func url(_ path: String) throws -> URL {
        let u = URL(fileURLWithPath: SharedDatasetTests.root).appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: u.path) else {
            let message = "shared dataset \(u.path) not present (looked for the datasets at "
                + "\(SharedDatasetTests.candidates.joined(separator: ", "))); set IMDAD_DATASETS to their folder"
            if ProcessInfo.processInfo.environment["IMDAD_SKIP_SHARED_DATASETS"] == "1" {
                throw XCTSkip(message + " (skipped: IMDAD_SKIP_SHARED_DATASETS=1)")
            }
            throw MissingDataset(description: message + ", or IMDAD_SKIP_SHARED_DATASETS=1 to skip")
        }
        return u
    }

    func testThyroid() throws {
        let t = try TabularData.load(url: url("adbench/38_thyroid.npz"))
        XCTAssertEqual(t.rows, 3772)
        XCTAssertEqual(t.columns, 6)
        XCTAssertEqual(t.anomalyRows.count, 93)
        XCTAssertEqual(t.source, "38_thyroid.npz")
    }

    func testSatelliteUInt8() throws {
        let a = try NPZArchive(contentsOf: url("adbench/30_satellite.npz"))
        let x = try a.array(named: "X")
        XCTAssertEqual(x.dtype, .uint8)
        XCTAssertEqual(x.shape, [6435, 36])
        XCTAssertEqual(try TabularData.fromNPZ(a).anomalyRows.count, 2036)
    }

    func testShuttleInt16() throws {
        let start = Date()
        let t = try TabularData.load(url: url("adbench/32_shuttle.npz"))
        XCTAssertEqual(t.rows, 49097)
        XCTAssertEqual(t.columns, 9)
        XCTAssertEqual(t.anomalyRows.count, 3511)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "even debug builds should be quick")
    }

    func testMNISTLabels() throws {
        let a = try IDXArray.read(contentsOf: url("mnist/t10k-labels-idx1-ubyte.gz"))
        XCTAssertEqual(a.shape, [10000])
        var hist = [Int](repeating: 0, count: 10)
        for v in a.uint8Values ?? [] { hist[Int(v)] += 1 }
        XCTAssertEqual(hist, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    }

    /// The shared CIFAR-10 batches (`cifar10/*.bin.gz`): 50,000 training and 10,000 test images,
    /// labels 0–9, 5,000 and 1,000 of each class, the published per-channel training means.
    func testCIFAR10Batches() throws {
        var trainCounts = [Int](repeating: 0, count: 10), testCounts = trainCounts
        var channelSums = [Double](repeating: 0, count: 3)
        for name in CIFAR10.trainingFiles {
            let b = try CIFAR10.read(contentsOf: url("cifar10/\(name).gz"))
            XCTAssertEqual(b.labels.count, 10_000, name)
            XCTAssertEqual(b.pixels.count, 10_000 * CIFAR10.imageBytes, name)
            for l in b.labels { trainCounts[l] += 1 }
            b.pixels.withUnsafeBufferPointer { p in
                for r in 0..<b.labels.count {
                    for c in 0..<3 {
                        var s = 0
                        for k in 0..<1024 { s += Int(p[r * 3072 + c * 1024 + k]) }
                        channelSums[c] += Double(s)
                    }
                }
            }
        }
        let test = try CIFAR10.read(contentsOf: url("cifar10/test_batch.bin.gz"))
        for l in test.labels { testCounts[l] += 1 }
        XCTAssertEqual(trainCounts, [Int](repeating: 5_000, count: 10))
        XCTAssertEqual(testCounts, [Int](repeating: 1_000, count: 10))
        XCTAssertEqual(test.pixels.count, 10_000 * CIFAR10.imageBytes)
        // Published training means 0.4914, 0.4822, 0.4465 (red, green, blue).
        let means = channelSums.map { $0 / (50_000 * 1024 * 255) }
        for (m, published) in zip(means, [0.4914, 0.4822, 0.4465]) { XCTAssertEqual(m, published, accuracy: 0.002, "\(means)") }
    }

    func testMNISTImages() throws {
        let a = try IDXArray.read(contentsOf: url("mnist/t10k-images-idx3-ubyte.gz"))
        XCTAssertEqual(a.shape, [10000, 28, 28])
        XCTAssertEqual(a.payload.count, 7_840_000)
    }
}

/// A shared dataset file is missing: fails the test.
struct MissingDataset: Error, CustomStringConvertible {
    var description: String
}
