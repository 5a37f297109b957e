// The spec §7 image protocol on tiny synthetic IDX files; batched scoring of images; results files.
import Foundation
import XCTest
@testable import IMDADExperiments
import IMDADDetectors
import IMDADTestSupport
import IMDADData
import IMDADEngine

final class ImageProtocolTests: XCTestCase {
    /// `perClass` images of each class 0…9, 28×28: pixel 0 = the class, pixel 1 = the index within
    /// the class, pixel 2 = 255, the rest a class-dependent pattern.
    static func images(perClass: Int, shuffleSeed: UInt64) -> (pixels: [UInt8], labels: [UInt8]) {
        var order: [(Int, Int)] = []
        for c in 0..<10 { for i in 0..<perClass { order.append((c, i)) } }
        var rng = RandomGenerator(seed: shuffleSeed)
        order = rng.permutation(order.count).map { order[$0] }
        var pixels: [UInt8] = [], labels: [UInt8] = []
        for (c, i) in order {
            var img = [UInt8](repeating: 0, count: 784)
            img[0] = UInt8(c); img[1] = UInt8(i); img[2] = 255
            for k in 3..<784 where (k + c) % 7 == 0 { img[k] = UInt8(20 * c + 10) }
            pixels += img
            labels.append(UInt8(c))
        }
        return (pixels, labels)
    }

    /// Writes the four IDX files into a fresh folder: training files gzip-compressed, test files plain.
    func writeDataset(trainPerClass: Int = 20, testPerClass: Int = 5) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-images-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let tr = Self.images(perClass: trainPerClass, shuffleSeed: 1), te = Self.images(perClass: testPerClass, shuffleSeed: 2)
        func idx(_ shape: [Int], _ payload: [UInt8]) -> [UInt8] { IDXArray(shape: shape, dataType: .uint8, payload: payload).encode() }
        try Data(Inflate.gzip(idx([tr.labels.count, 28, 28], tr.pixels)))
            .write(to: dir.appendingPathComponent("train-images-idx3-ubyte.gz"))
        try Data(Inflate.gzip(idx([tr.labels.count], tr.labels))).write(to: dir.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        try Data(idx([te.labels.count, 28, 28], te.pixels)).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data(idx([te.labels.count], te.labels)).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        return dir
    }

    func testCountsFollowDeepSAD() {
        // γ_p = 0: m = ⌊γ_l/(1 − γ_l)·n⌋.
        XCTAssertEqual(ImageProtocol.counts(normals: 6000, labeledRatio: 0.05, pollution: 0).labeled, 315)
        XCTAssertEqual(ImageProtocol.counts(normals: 5923, labeledRatio: 0.05, pollution: 0).labeled, 311)
        XCTAssertEqual(ImageProtocol.counts(normals: 950, labeledRatio: 0.05, pollution: 0).labeled, 50)
        XCTAssertEqual(ImageProtocol.counts(normals: 6000, labeledRatio: 0, pollution: 0).labeled, 0)
        // γ_p > 0: u = ⌊γ_p/(1 − γ_p)·n⌋, m = ⌊γ_l/(1 − γ_l)·(n + u)⌋.
        let c = ImageProtocol.counts(normals: 6000, labeledRatio: 0.05, pollution: 0.1)
        XCTAssertEqual(c.pollution, 666)
        XCTAssertEqual(c.labeled, 350)
    }

    func testSplitFollowsTheProtocol() throws {
        let proto = try ImageProtocol.load(root: writeDataset())
        XCTAssertEqual(proto.train.count, 200)
        XCTAssertEqual(proto.test.count, 50)
        let s = try proto.split(normalClass: 3, labeledRatio: 0.2, pollution: 0.1, seed: 7)
        // n = 20, u = ⌊0.1/0.9·20⌋ = 2, m = ⌊0.25·22⌋ = 5.
        XCTAssertEqual([s.normalCount, s.pollutionCount, s.labeledCount], [20, 2, 5])
        XCTAssertEqual(s.train.features.shape, [27, 784])
        XCTAssertEqual(s.train.labels, [Int](repeating: 0, count: 22) + [Int](repeating: 1, count: 5))
        let x = s.train.features.scalars
        func cls(_ r: Int) -> Int { Int((x[r * 784] * 255).rounded()) }
        func id(_ r: Int) -> Int { cls(r) * 100 + Int((x[r * 784 + 1] * 255).rounded()) }
        // Pixels scaled to [0, 1], 255 → 1.
        XCTAssertTrue(x.allSatisfy { $0 >= 0 && $0 <= 1 })
        XCTAssertTrue((0..<27).allSatisfy { x[$0 * 784 + 2] == 1 })
        // Every normal image of class 3, then pollution from other classes, then labeled from class 4 (= 3 + 1).
        XCTAssertEqual(Set((0..<20).map(id)), Set((0..<20).map { 300 + $0 }))
        XCTAssertTrue((20..<22).allSatisfy { cls($0) != 3 })
        XCTAssertTrue((22..<27).allSatisfy { cls($0) == 4 })
        XCTAssertEqual(Set((20..<27).map(id)).count, 7, "no image is both pollution and labeled")
        XCTAssertEqual(s.trainRows.map { proto.train.labels[$0] }, (0..<27).map(cls))
        // Test = the whole test set, anomalous = not the normal class.
        XCTAssertEqual(s.testFeatures.shape, [50, 784])
        XCTAssertEqual(s.testLabels, proto.test.labels.map { $0 == 3 ? 0 : 1 })
        XCTAssertEqual(s.testLabels.filter { $0 == 0 }.count, 5)
        XCTAssertEqual((0..<50).map { Int((s.testFeatures.scalars[$0 * 784] * 255).rounded()) }, proto.test.labels)
        // Seeded: the same seed gives the same split, another seed other labeled images.
        let again = try proto.split(normalClass: 3, labeledRatio: 0.2, pollution: 0.1, seed: 7)
        XCTAssertEqual(again.trainRows, s.trainRows)
        XCTAssertEqual(again.train.features, s.train.features)
        let other = try proto.split(normalClass: 3, labeledRatio: 0.2, pollution: 0.1, seed: 8)
        XCTAssertNotEqual(Set(other.trainRows[22...]), Set(s.trainRows[22...]))
    }

    func testKnownClassAndDefaults() throws {
        let proto = try ImageProtocol.load(root: writeDataset())
        let wrap = try proto.split(normalClass: 9, seed: 0)
        // γ_l 0.05 of 20 normals: m = ⌊20/19⌋ = 1, from class 0 (9 + 1 mod 10); no pollution.
        XCTAssertEqual([wrap.labeledCount, wrap.pollutionCount], [1, 0])
        XCTAssertEqual(proto.train.labels[wrap.trainRows.last!], 0)
        let k = try proto.split(normalClass: 2, knownClass: 7, labeledRatio: 0.5, seed: 0)
        XCTAssertEqual(k.labeledCount, 20)
        XCTAssertTrue(k.trainRows[20...].allSatisfy { proto.train.labels[$0] == 7 })
        // More labeled anomalies than the known class holds: capped.
        XCTAssertEqual(try proto.split(normalClass: 2, labeledRatio: 0.9, seed: 0).labeledCount, 20)
        XCTAssertThrowsError(try proto.split(normalClass: 2, knownClass: 2, seed: 0)) {
            XCTAssertEqual($0 as? DetectorError,
                           .invalidConfiguration("known anomaly class 2 must be in 0…9 and differ from the normal class 2"))
        }
        XCTAssertThrowsError(try proto.split(normalClass: 10, seed: 0)) {
            XCTAssertEqual($0 as? DetectorError, .invalidConfiguration("normal class 10 is outside 0…9"))
        }
        XCTAssertThrowsError(try proto.split(normalClass: 1, labeledRatio: 1, seed: 0)) {
            XCTAssertEqual($0 as? DetectorError, .invalidConfiguration("γ_l must be in [0, 1), got 1.0"))
        }
    }

    func testMissingFilesNameTheFolderAndTheFix() throws {
        let dir = try writeDataset()
        try FileManager.default.removeItem(at: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        XCTAssertThrowsError(try ImageProtocol.load(root: dir, hint: ImageDataset.fmnist.installHint)) { e in
            let s = "\(e)"
            XCTAssertTrue(s.contains("t10k-labels-idx1-ubyte") && s.contains(dir.lastPathComponent)
                          && s.contains("dataset-fashion-mnist"), s)
        }
        // Mismatched counts are refused.
        let img = IDXArray(shape: [2, 28, 28], dataType: .uint8, payload: [UInt8](repeating: 0, count: 2 * 784)).encode()
        let lab = IDXArray(shape: [3], dataType: .uint8, payload: [0, 1, 2]).encode()
        try Data(img).write(to: dir.appendingPathComponent("i"))
        try Data(lab).write(to: dir.appendingPathComponent("l"))
        XCTAssertThrowsError(try LabeledImages.read(images: dir.appendingPathComponent("i"), labels: dir.appendingPathComponent("l"))) {
            XCTAssertEqual(($0 as? DataError)?.kind, .shapeMismatch, "\($0)")
            XCTAssertTrue("\($0)".contains("2 labels, one per image of i"), "\($0)")
        }
    }

    /// CIFAR-10 from its binary batches: (C, H, W) pixels as they lie in the records, the spec §6
    /// CIFAR-10 LeNet trained and scored on a split, and a missing batch named with the fix.
    func testCIFAR10FromBinaryBatches() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-cifar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func batch(_ count: Int, offset: Int) -> Data {
            var b: [UInt8] = []
            for i in 0..<count {
                b.append(UInt8((offset + i) % 10))
                b += (0..<3072).map { k in UInt8(truncatingIfNeeded: (offset + i) * 7 + k / 1024 * 60 + (k % 1024) / 32) }
            }
            return Data(b)
        }
        for (j, name) in CIFAR10.trainingFiles.enumerated() { try batch(20, offset: 20 * j).write(to: dir.appendingPathComponent(name)) }
        try batch(10, offset: 3).write(to: dir.appendingPathComponent(CIFAR10.testFile))
        let proto = try ImageProtocol.load(.cifar10, root: dir.path)
        XCTAssertEqual(proto.train.count, 100)
        XCTAssertEqual(proto.train.channels, 3)
        XCTAssertEqual(proto.test.labels, (3..<13).map { $0 % 10 })
        let s = try proto.split(normalClass: 0, knownClass: 1, labeledRatio: 0.3, seed: 0)
        XCTAssertEqual(s.train.features.shape, [s.normalCount + s.labeledCount, 3072])
        XCTAssertEqual([s.normalCount, s.labeledCount], [10, 4])
        // Image 0 of the training set is a normal (class 0): its green plane starts at 60/255.
        let first = s.trainRows[0]
        XCTAssertEqual(s.train.features.scalars[1024], Float(UInt8(truncatingIfNeeded: first * 7 + 60)) / 255)
        var settings = IMDADConfiguration(encoder: ImageDataset.cifar10.encoder)
        settings.training.epochs = 2
        settings.training.batchSize = 8
        var rng = RandomGenerator(seed: 0)
        let fitted = try fitDetector(.imdad(settings), data: s.train, using: &rng)
        let scores = fitted.detector.scores(s.testFeatures)
        XCTAssertEqual(scores.count, 10)
        XCTAssertTrue(scores.allSatisfy(\.isFinite))
        XCTAssertGreaterThan(Set(scores).count, 1)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("data_batch_4.bin"))
        XCTAssertThrowsError(try ImageProtocol.load(.cifar10, root: dir.path)) { e in
            XCTAssertTrue("\(e)".contains("data_batch_4.bin") && "\(e)".contains("cifar-10-binary.tar.gz"), "\(e)")
        }
    }

    /// The shared layout: six gzip'd batches in `../shared/datasets/cifar10` (the default folder),
    /// read equal to plain ones and mixable with them; a missing batch names the folder and the
    /// shared copy, a damaged one its path and how to replace it.
    func testCIFAR10GzipBatchesAndTheirErrors() throws {
        XCTAssertEqual(ImageDataset.cifar10.defaultRoot, "../shared/datasets/cifar10")
        XCTAssertEqual(ImageDataset.mnist.defaultRoot, "../shared/datasets/mnist")
        let plainDir = try TempDir(), gzDir = try TempDir()
        func batch(_ count: Int, offset: Int) -> [UInt8] {
            var b: [UInt8] = []
            for i in 0..<count {
                b.append(UInt8((offset + i) % 10))
                b += (0..<3072).map { k in UInt8(truncatingIfNeeded: (offset + i) * 13 + k * 3) }
            }
            return b
        }
        let names = CIFAR10.trainingFiles + [CIFAR10.testFile]
        for (j, name) in names.enumerated() {
            let b = batch(10, offset: 10 * j)
            _ = try plainDir.write(name, b)
            // Batches 2 and 4 stay plain in the gzip folder: each file is read as it is.
            _ = try j == 1 || j == 3 ? gzDir.write(name, b) : gzDir.write(name + ".gz", Inflate.gzip(b))
        }
        let plain = try ImageProtocol.load(.cifar10, root: plainDir.url.path)
        let gz = try ImageProtocol.load(.cifar10, root: gzDir.url.path)
        XCTAssertEqual(gz.train.count, 50)
        XCTAssertEqual(gz.test.count, 10)
        XCTAssertEqual(gz.train.pixels, plain.train.pixels)
        XCTAssertEqual(gz.train.labels, plain.train.labels)
        XCTAssertEqual(gz.test.pixels, plain.test.pixels)
        XCTAssertEqual(gz.test.labels, (50..<60).map { $0 % 10 })

        // A damaged batch: its path, the kind, and the fix.
        let damaged = gzDir.url.appendingPathComponent("data_batch_3.bin.gz")
        let bytes = try Data(contentsOf: damaged)
        try Data(bytes.prefix(bytes.count - 20)).write(to: damaged)
        XCTAssertThrowsError(try ImageProtocol.load(.cifar10, root: gzDir.url.path)) { e in
            XCTAssertEqual((e as? DataError)?.kind, .truncated, "\(e)")
            XCTAssertEqual((e as? DataError)?.file, damaged.path)
            XCTAssertTrue("\(e)".contains("data_batch_3.bin.gz") && "\(e)".contains("replace data_batch_3.bin.gz with a good copy")
                          && "\(e)".contains("SHA256SUMS"), "\(e)")
        }
        // A missing batch: the folder, both names tried, and where the shared copy is.
        try FileManager.default.removeItem(at: damaged)
        XCTAssertThrowsError(try ImageProtocol.load(.cifar10, root: gzDir.url.path)) { e in
            XCTAssertEqual((e as? DataError)?.kind, .io, "\(e)")
            XCTAssertTrue("\(e)".contains("data_batch_3.bin.gz or data_batch_3.bin")
                          && "\(e)".contains("../shared/datasets/cifar10"), "\(e)")
        }
    }

    /// A [N, 784] tensor enters the encoders' Reshape([1, 28, 28]) row-major: pixel (r, c) of
    /// image i is element i·784 + 28·r + c.
    func testReshapeKeepsRowMajorPixels() {
        var rng = RandomGenerator(seed: 0)
        let x = Tensor(shape: [3, 784], scalars: (0..<(3 * 784)).map { Float($0) })
        let net = Network(Sequential([Reshape([1, 28, 28])]), using: &rng)
        let y = net.infer(x)
        XCTAssertEqual(y.shape, [3, 1, 28, 28])
        XCTAssertEqual(y.scalars, x.scalars)
        for arch in [EncoderArchitecture.mnistLeNet, .fashionMNISTLeNet] {
            let enc = Network(arch.layers(bias: false), using: &rng)
            XCTAssertEqual(enc.infer(x).shape, [3, arch.representationSize])
        }
    }

    /// Scores of the whole test set in batches equal scores one image at a time (inference-mode
    /// BatchNorm), for both image encoders, after a short training on the protocol's split.
    func testBatchedScoringOfImages() throws {
        let proto = try ImageProtocol.load(root: writeDataset(trainPerClass: 24, testPerClass: 3))
        let s = try proto.split(normalClass: 0, labeledRatio: 0.2, seed: 0)
        for (kind, arch) in [(MethodKind.imdad, EncoderArchitecture.mnistLeNet), (.deepSADUniform, .fashionMNISTLeNet)] {
            var configuration = DetectorConfiguration.defaults(for: kind, encoder: arch)
            configuration.training?.epochs = 2
            configuration.training?.batchSize = 16
            configuration.training?.learningRate = 1e-3
            var rng = RandomGenerator(seed: 0)
            let fitted = try fitDetector(configuration, data: s.train, using: &rng)
            let whole = fitted.detector.scores(s.testFeatures)
            let batched = batchedScores(fitted.detector, s.testFeatures, batchSize: 7)
            XCTAssertEqual(batched.count, 30)
            for (a, b) in zip(whole, batched) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(a))) }
            for i in [0, 13, 29] {
                let one = fitted.detector.scores(s.testFeatures.rows(i..<(i + 1)))[0]
                XCTAssertEqual(one, whole[i], accuracy: 1e-4 * max(1, abs(one)))
            }
            XCTAssertTrue(whole.allSatisfy(\.isFinite))
        }
    }

    func record(_ method: String, _ c: Int, _ auroc: Double, seed: UInt64 = 0, gammaL: Double = 0.05, known: Int? = nil) -> ImageRunRecord {
        ImageRunRecord(dataset: "fmnist", method: method, normalClass: c, knownClass: known ?? (c + 1) % 10, gammaL: gammaL, gammaP: 0,
                       seed: seed, epochs: 150, lr: 1e-4, milestones: [50], batchSize: 128, auroc: auroc, ap: 0.5,
                       trainSeconds: 100, testSeconds: 2, libraryVersion: "0.1.0", blasKernel: "Haswell",
                       normals: 6000, labeled: 315, pollution: 0, finished: "2026-01-01T00:00:00Z")
    }

    func testResultsFileAccumulatesAndResumes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-runs-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sub/runs.jsonl").path
        XCTAssertEqual(try ImageRunLog.read(path: path), [])
        let a = record("imdad", 0, 0.9), b = record("deepsad", 0, 0.8)
        try ImageRunLog.append(a, to: path)
        try ImageRunLog.append(b, to: path)
        XCTAssertEqual(try ImageRunLog.read(path: path), [a, b])
        // The line holds the fields the sweep promises, under their snake_case names.
        let line = try a.jsonLine()
        for k in ["\"dataset\":\"fmnist\"", "\"method\":\"imdad\"", "\"normal_class\":0", "\"known_class\":1", "\"gamma_l\":0.05",
                  "\"gamma_p\":0", "\"seed\":0", "\"epochs\":150", "\"lr\":0.0001", "\"auroc\":0.9", "\"ap\":0.5",
                  "\"train_seconds\":100", "\"test_seconds\":2", "\"library_version\":\"0.1.0\"", "\"blas_kernel\":\"Haswell\""] {
            XCTAssertTrue(line.contains(k), "\(k) missing from \(line)")
        }
        // Keys: same settings match, another seed or γ_l does not.
        XCTAssertEqual(a.key, record("imdad", 0, 0.5).key)
        XCTAssertNotEqual(a.key, record("imdad", 0, 0.9, seed: 1).key)
        XCTAssertNotEqual(a.key, record("imdad", 0, 0.9, gammaL: 0.1).key)
        // A half-written last line (a killed run) is skipped, and the next append starts a new line.
        let h = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try h.seekToEnd(); try h.write(contentsOf: Data("{\"dataset\":\"fm".utf8)); try h.close()
        XCTAssertEqual(try ImageRunLog.read(path: path).count, 2)
        let c = record("imdad", 1, 0.7)
        try ImageRunLog.append(c, to: path)
        XCTAssertThrowsError(try ImageRunLog.read(path: path)) { // the broken line is now in the middle
            guard let message = ($0 as? ExperimentError)?.description else { return XCTFail("\($0)") }
            XCTAssertTrue(message.hasPrefix("\(path), line 3: not an image run record"), message)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.split(separator: "\n").filter { $0.hasSuffix("}") }
            .joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ImageRunLog.read(path: path), [a, b, c])
    }

    func testSummaryTable() throws {
        let runs = [record("imdad", 0, 0.90), record("imdad", 1, 0.80), record("deepsad", 0, 0.70), record("deepsad", 1, 0.60),
                    record("imdad", 0, 0.95) /* same key: replaces the first */, record("deepsvdd", 0, 0.5)]
        let md = ImageRunLog.summary(runs)
        XCTAssertTrue(md.contains("Fashion-MNIST"), md)
        XCTAssertTrue(md.contains("| normal class | IMD-AD γ_l=0.05 | Deep SAD (uniform) γ_l=0.05 | Deep SVDD γ_l=0.05 |"), md)
        XCTAssertTrue(md.contains("| 0 | 95.0 | 70.0 | 50.0 |"), md)
        XCTAssertTrue(md.contains("| 1 | 80.0 | 60.0 | — |"), md)
        XCTAssertTrue(md.contains("| **mean** | **87.5** | **65.0** | **50.0** (1 classes) |"), md)
        XCTAssertTrue(md.contains("| train s/run | 100 | 100 | 100 |"), md)
        // Several seeds: mean ± std.
        let seeds = ImageRunLog.summary([record("imdad", 0, 0.9), record("imdad", 0, 0.8, seed: 1)])
        XCTAssertTrue(seeds.contains("| 0 | 85.0 ± 7.1 |"), seeds)
        XCTAssertTrue(seeds.contains("known anomaly class = normal + 1, mean ± std over seeds)"), seeds)
        XCTAssertTrue(md.contains("known anomaly class = normal + 1)"), md)
        // Several known anomaly classes per normal class (the Deep SAD paper's protocol): averaged, and said so.
        let known = ImageRunLog.summary([record("imdad", 0, 0.9), record("imdad", 0, 0.7, known: 5), record("imdad", 1, 0.6, known: 5)])
        XCTAssertTrue(known.contains("2 known anomaly classes, mean ± std over known anomaly classes)"), known)
        XCTAssertTrue(known.contains("| 0 | 80.0 ± 14.1 |"), known)
        XCTAssertTrue(known.contains("| **mean** | **70.0** |"), known)
        // The objective is part of the key and of the column.
        var tuned = record("imdad", 0, 0.93)
        tuned.key.objective = DetectorConfiguration.defaults(for: .imdad, encoder: .fashionMNISTLeNet).objective
        XCTAssertNotEqual(tuned.key, record("imdad", 0, 0.93).key, "a record without the objective must not count as done")
        let both = ImageRunLog.summary([record("imdad", 0, 0.9), tuned])
        XCTAssertTrue(both.contains("| normal class | IMD-AD γ_l=0.05 | IMD-AD (ν 0.7, κ 10) γ_l=0.05 |"), both)
        XCTAssertTrue(both.contains("| 0 | 90.0 | 93.0 |"), both)
        let line = try tuned.jsonLine()
        XCTAssertTrue(line.contains("\"objective\":\"ν 0.7, κ 10\""), line)
        XCTAssertEqual(try JSONDecoder().decode(ImageRunRecord.self, from: Data(line.utf8)), tuned)
        XCTAssertEqual(ImageRunLog.summary([]), "No runs.\n")
    }

    /// The objective in words: IMD-AD always names ν and κ, then what differs from its defaults;
    /// a baseline at its defaults has none.
    func testObjectiveNamesWhatShapesTheRanking() {
        func defaults(_ kind: MethodKind) -> DetectorConfiguration { .defaults(for: kind, encoder: .tabular(inputs: 3)) }
        XCTAssertEqual(defaults(.imdad).objective, "ν 0.7, κ 10")
        XCTAssertNil(defaults(.deepSADUniform).objective)
        XCTAssertNil(defaults(.deepSVDDSoftBoundary).objective)
        XCTAssertNil(defaults(.isolationForest).objective)
        var c = IMDADConfiguration(encoder: .tabular(inputs: 3))
        c.radiusNu = 0.3                         // the threshold only
        c.ablation.anomalyHinge = .hinge         // the same objective as nil
        XCTAssertEqual(DetectorConfiguration.imdad(c).objective, "ν 0.7, κ 10")
        c.ablation.anomalyHinge = .softplus(beta: 4)
        XCTAssertEqual(DetectorConfiguration.imdad(c).objective, "ν 0.7, κ 10, anomaly softplus β 4")
        c.ablation.anomalyHinge = nil
        c.nu = 0.1; c.kappa = 1; c.ablation.compactness = 1; c.ablation.hinge = .softplus(beta: 10); c.ablation.encoderBias = true
        XCTAssertEqual(DetectorConfiguration.imdad(c).objective, "ν 0.1, κ 1, softplus β 10, μ 1, encoder bias")
        c = IMDADConfiguration(encoder: .tabular(inputs: 3))
        c.ablation.anomalyPush = 0.1; c.ablation.centerLearningRateScale = 0.1
        XCTAssertEqual(DetectorConfiguration.imdad(c).objective, "ν 0.7, κ 10, push π 0.1, center lr ×0.1")
        guard case .hypersphere(var soft) = defaults(.deepSVDDSoftBoundary), case .hypersphere(var sad) = defaults(.deepSADBalanced),
              case .hypersphere(var uniform) = defaults(.deepSADUniform), case .isolationForest(var forest) = defaults(.isolationForest)
        else { return XCTFail("the baselines' defaults are not their configurations") }
        soft.contamination = 0.2                 // the threshold only
        XCTAssertNil(DetectorConfiguration.hypersphere(soft).objective, "ν 0.1 is soft-boundary's default")
        soft.method = .deepSVDDSoftBoundary(nu: 0.2, warmUpEpochs: 10)
        XCTAssertEqual(DetectorConfiguration.hypersphere(soft).objective, "ν 0.2")
        sad.method = .deepSAD(eta: 2, epsilon: 1e-6); sad.training.weightDecay = 1e-4
        XCTAssertEqual(DetectorConfiguration.hypersphere(sad).objective, "η 2, λ 0.0001")
        sad.training.anomaliesPerBatch = 16
        XCTAssertEqual(DetectorConfiguration.hypersphere(sad).objective, "η 2, λ 0.0001, 16 anomalies per batch")
        uniform.method = sad.method; uniform.training.weightDecay = 1e-4; uniform.training.anomaliesPerBatch = 16
        XCTAssertEqual(DetectorConfiguration.hypersphere(uniform).objective, "η 2, λ 0.0001",
                       "the uniform sampler has no anomalies per batch")
        forest.contamination = 0.3
        XCTAssertNil(DetectorConfiguration.isolationForest(forest).objective)
    }
}
