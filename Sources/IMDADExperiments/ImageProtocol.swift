// The spec §7 image protocol (Deep SAD's MNIST / Fashion-MNIST setup): one class normal, the other
// nine anomalous; a few labeled anomalies from one known class; optional pollution.

import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

/// The image benchmarks and where their IDX files live by default.
public enum ImageDataset: String, Sendable, Codable, CaseIterable {
    case mnist
    case fmnist
    case cifar10

    public var displayName: String {
        switch self {
        case .mnist: return "MNIST"
        case .fmnist: return "Fashion-MNIST"
        case .cifar10: return "CIFAR-10"
        }
    }

    /// The data set's folder under the shared datasets folder (`--data-root` of `evaluate`), or
    /// nil for Fashion-MNIST, which comes from its Debian package.
    public var sharedFolder: String? {
        switch self {
        case .mnist: return "mnist"
        case .fmnist: return nil
        case .cifar10: return "cifar10"
        }
    }

    /// Default folder of the data set's files (relative paths are relative to the working
    /// directory): the four IDX files of MNIST and Fashion-MNIST, CIFAR-10's six binary batches
    /// (`../shared/datasets/cifar10`, each `.bin.gz` or `.bin`).
    public var defaultRoot: String {
        sharedFolder.map { BenchmarkDataset.defaultRoot + "/" + $0 } ?? "/usr/share/datasets/fashion-mnist"
    }

    /// The command-line names of every image data set, for help texts: "mnist, fmnist, cifar10".
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The spec §6 encoder of this data set.
    public var encoder: EncoderArchitecture {
        switch self {
        case .mnist: return .mnistLeNet
        case .fmnist: return .fashionMNISTLeNet
        case .cifar10: return .cifar10LeNet
        }
    }

    /// What to do when the files are missing.
    public var installHint: String {
        switch self {
        case .mnist: return "the MNIST files ship in ../shared/datasets/mnist; pass --data-root to point elsewhere"
        case .fmnist: return "install them with `apt-get install -y dataset-fashion-mnist` (or `make fashion-mnist`), or pass --data-root"
        case .cifar10: return "the CIFAR-10 batches ship in ../shared/datasets/cifar10 (data_batch_1…5.bin.gz, test_batch.bin.gz); "
            + "pass --data-root to point elsewhere (a folder of the six batches, .bin.gz or the plain .bin of cifar-10-binary.tar.gz)"
        }
    }
}

/// A set of labeled 8-bit images (one IDX images file + one IDX labels file, or CIFAR-10 batches).
public struct LabeledImages: Sendable {
    /// Pixels in `(count, channels, height, width)` order, one byte each.
    public var pixels: [UInt8]
    public var labels: [Int]
    public var height: Int
    public var width: Int
    public var channels: Int

    public var count: Int { labels.count }
    public var pixelsPerImage: Int { channels * height * width }

    public init(pixels: [UInt8], labels: [Int], height: Int, width: Int, channels: Int = 1) {
        precondition(pixels.count == labels.count * channels * height * width)
        self.pixels = pixels; self.labels = labels; self.height = height; self.width = width; self.channels = channels
    }

    /// Reads CIFAR-10 binary batch files (``CIFAR10``, plain or gzip), concatenated in the order
    /// given. A damaged batch (cut short, corrupt gzip, a bad label) throws its `DataError` with the
    /// batch's path and how to replace it.
    public static func readCIFAR10(batches: [URL]) throws -> LabeledImages {
        var pixels: [UInt8] = [], labels: [Int] = []
        for url in batches {
            do {
                let batch = try CIFAR10.read(contentsOf: url)
                pixels += batch.pixels
                labels += batch.labels
            } catch var error as DataError {
                error.file = url.path
                let replace = "replace \(url.lastPathComponent) with a good copy (the shared one: ../shared/datasets/cifar10, "
                    + "checked by `sha256sum -c SHA256SUMS` in ../shared)"
                error.hint = error.hint.map { $0 + "; " + replace } ?? replace
                throw error
            }
        }
        return LabeledImages(pixels: pixels, labels: labels, height: CIFAR10.side, width: CIFAR10.side, channels: CIFAR10.channels)
    }

    /// Reads an images file (`N × H × W` uint8) and a labels file (`N` uint8), plain or gzip.
    public static func read(images: URL, labels: URL) throws -> LabeledImages {
        let img = try IDXArray.read(contentsOf: images)
        let lab = try IDXArray.read(contentsOf: labels)
        guard img.dataType == .uint8, img.shape.count == 3 else {
            throw DataError(.shapeMismatch, file: images.lastPathComponent, position: "header",
                            expected: "N × H × W uint8 images", found: "shape \(img.shape) of \(img.dataType)")
        }
        guard lab.dataType == .uint8, lab.shape.count == 1 else {
            throw DataError(.shapeMismatch, file: labels.lastPathComponent, position: "header",
                            expected: "N uint8 labels", found: "shape \(lab.shape) of \(lab.dataType)")
        }
        guard img.shape[0] == lab.shape[0] else {
            throw DataError(.shapeMismatch, file: labels.lastPathComponent, position: "header",
                            expected: "\(img.shape[0]) labels, one per image of \(images.lastPathComponent)",
                            found: "\(lab.shape[0])")
        }
        return LabeledImages(pixels: img.payload, labels: lab.payload.map(Int.init), height: img.shape[1], width: img.shape[2])
    }

    /// The rows `indices` as an `(indices.count, C·H·W)` tensor, pixels scaled to [0, 1].
    public func tensor<C: Collection>(rows indices: C) -> Tensor where C.Element == Int {
        let d = pixelsPerImage
        var out = [Float](repeating: 0, count: indices.count * d)
        out.withUnsafeMutableBufferPointer { o in
            pixels.withUnsafeBufferPointer { p in
                for (r, i) in indices.enumerated() {
                    for k in 0..<d { o[r * d + k] = Float(p[i * d + k]) / 255 }
                }
            }
        }
        return Tensor(shape: [indices.count, d], scalars: out)
    }

    /// Row indices of the images whose label is in `classes`.
    public func rows(ofClasses classes: Set<Int>) -> [Int] { labels.indices.filter { classes.contains(labels[$0]) } }
}

/// One seeded setting of the protocol.
public struct ImageSplit: Sendable {
    /// The training set: normals and pollution (label 0, unlabeled) then the labeled anomalies (label 1).
    public var train: LabeledData
    /// The whole test set, pixels in [0, 1].
    public var testFeatures: Tensor
    /// 1 where the test image's class is not the normal class.
    public var testLabels: [Int]
    /// The test images' original classes.
    public var testClasses: [Int]
    /// n (normal training images), m (labeled anomalies), u (unlabeled anomalies, pollution).
    public var normalCount: Int
    public var labeledCount: Int
    public var pollutionCount: Int
    /// Training-set indices of every training row, in the order of ``train``.
    public var trainRows: [Int]
}

/// The Deep SAD image protocol (spec §7) on one data set's training and test images.
public struct ImageProtocol: Sendable {
    public var train: LabeledImages
    public var test: LabeledImages
    /// Classes present (0…9 for MNIST and Fashion-MNIST).
    public var classCount: Int

    public init(train: LabeledImages, test: LabeledImages, classCount: Int = 10) throws {
        guard train.height == test.height, train.width == test.width, train.channels == test.channels else {
            throw DetectorError.invalidData("training images are \(train.channels)×\(train.height)×\(train.width) "
                                            + "but test images are \(test.channels)×\(test.height)×\(test.width)")
        }
        for (set, name) in [(train, "training"), (test, "test")] {
            if let bad = set.labels.first(where: { $0 < 0 || $0 >= classCount }) {
                throw DetectorError.invalidData("\(name) label \(bad) is outside 0…\(classCount - 1)")
            }
        }
        self.train = train; self.test = test; self.classCount = classCount
    }

    /// The four standard file names, each tried with `.gz` first and then plain.
    public static let fileStems = (trainImages: "train-images-idx3-ubyte", trainLabels: "train-labels-idx1-ubyte",
                                   testImages: "t10k-images-idx3-ubyte", testLabels: "t10k-labels-idx1-ubyte")

    /// The first of `names` that exists in `root`; else an error naming the folder, what was
    /// expected there and how to get it.
    static func find(_ names: [String], in root: URL, expected: String, hint: String?) throws -> URL {
        for name in names {
            let u = root.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: u.path) { return u }
        }
        throw DataError(.io, file: root.path, position: "", expected: expected, found: "no such file", hint: hint)
    }

    /// Loads `root/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]`.
    public static func load(root: URL, hint: String? = nil) throws -> ImageProtocol {
        func find(_ stem: String) throws -> URL {
            try Self.find([stem + ".gz", stem], in: root, expected: "an IDX file \(stem).gz or \(stem)", hint: hint)
        }
        let s = fileStems
        let train = try LabeledImages.read(images: find(s.trainImages), labels: find(s.trainLabels))
        let test = try LabeledImages.read(images: find(s.testImages), labels: find(s.testLabels))
        return try ImageProtocol(train: train, test: test)
    }

    /// Loads a named data set from `root` (default: ``ImageDataset/defaultRoot``).
    public static func load(_ dataset: ImageDataset, root: String? = nil) throws -> ImageProtocol {
        let folder = URL(fileURLWithPath: root ?? dataset.defaultRoot)
        switch dataset {
        case .mnist, .fmnist: return try load(root: folder, hint: dataset.installHint)
        case .cifar10: return try loadCIFAR10(root: folder, hint: dataset.installHint)
        }
    }

    /// Loads `root/data_batch_{1…5}.bin[.gz]` (training) and `root/test_batch.bin[.gz]` (test),
    /// each batch gzip'd (tried first) or plain. A missing batch is named with the folder and
    /// `hint`; a damaged one (cut short, corrupt gzip, a bad label) with its path and how to
    /// restore it.
    public static func loadCIFAR10(root: URL, hint: String? = nil) throws -> ImageProtocol {
        func find(_ name: String) throws -> URL {
            try Self.find([name + ".gz", name], in: root, expected: "the CIFAR-10 binary batch \(name).gz or \(name)", hint: hint)
        }
        // Every batch is found before any is read, so a missing one is reported at once.
        let trainFiles = try CIFAR10.trainingFiles.map(find), testFile = try find(CIFAR10.testFile)
        let train = try LabeledImages.readCIFAR10(batches: trainFiles)
        let test = try LabeledImages.readCIFAR10(batches: [testFile])
        return try ImageProtocol(train: train, test: test)
    }

    /// The default known anomaly class: `(normal + 1) mod classes`.
    public func defaultKnownClass(normal: Int) -> Int { (normal + 1) % classCount }

    /// Deep SAD's counts (its `create_semisupervised_setting` with no labeled normals): with `n`
    /// normals, `u = ⌊γ_p/(1 − γ_p)·n⌋` unlabeled anomalies and `m = ⌊γ_l/(1 − γ_l)·(n + u)⌋`
    /// labeled ones, so that `γ_p = u/(n + u)` and `γ_l = m/(n + u + m)`. With `γ_p = 0`,
    /// `m = ⌊γ_l/(1 − γ_l)·n⌋`.
    public static func counts(normals n: Int, labeledRatio gammaL: Double, pollution gammaP: Double) -> (labeled: Int, pollution: Int) {
        // A small tolerance so that exact ratios (e.g. 0.05/0.95·950 = 50) are not floored to 49.
        func floor(_ x: Double) -> Int { Int((x + 1e-9).rounded(.down)) }
        let u = floor(gammaP / (1 - gammaP) * Double(n))
        let m = floor(gammaL / (1 - gammaL) * Double(n + u))
        return (m, u)
    }

    /// One seeded split.
    ///
    /// - Training set: every training image of `normalClass` (label 0); `u` unlabeled anomalies
    ///   (label 0) drawn without replacement from the training images of the other classes
    ///   (all of them, the known class included, as in Deep SAD; never an image that is also
    ///   labeled); `m` labeled anomalies (label 1) drawn from `knownClass`. `m` and `u` follow
    ///   ``counts(normals:labeledRatio:pollution:)`` and are capped by what is available.
    /// - Test set: the whole test set, label 1 where the class is not `normalClass`.
    public func split(normalClass: Int, knownClass: Int? = nil, labeledRatio gammaL: Double = 0.05,
                      pollution gammaP: Double = 0, seed: UInt64) throws -> ImageSplit {
        guard (0..<classCount).contains(normalClass) else {
            throw DetectorError.invalidConfiguration("normal class \(normalClass) is outside 0…\(classCount - 1)")
        }
        let known = knownClass ?? defaultKnownClass(normal: normalClass)
        guard (0..<classCount).contains(known), known != normalClass else {
            throw DetectorError.invalidConfiguration(
                "known anomaly class \(known) must be in 0…\(classCount - 1) and differ from the normal class \(normalClass)")
        }
        guard gammaL >= 0, gammaL < 1 else { throw DetectorError.invalidConfiguration("γ_l must be in [0, 1), got \(gammaL)") }
        guard gammaP >= 0, gammaP < 1 else { throw DetectorError.invalidConfiguration("γ_p must be in [0, 1), got \(gammaP)") }
        var rng = RandomGenerator(seed: seed)
        let normals = train.rows(ofClasses: [normalClass])
        guard !normals.isEmpty else { throw DetectorError.noNormalSamples }
        let (mWanted, uWanted) = Self.counts(normals: normals.count, labeledRatio: gammaL, pollution: gammaP)
        let candidates = train.rows(ofClasses: [known])
        let m = min(mWanted, candidates.count)
        let labeled = rng.permutation(candidates.count).prefix(m).map { candidates[$0] }
        let labeledSet = Set(labeled)
        let others = train.rows(ofClasses: Set((0..<classCount).filter { $0 != normalClass })).filter { !labeledSet.contains($0) }
        let u = min(uWanted, others.count)
        let polluted = u > 0 ? rng.permutation(others.count).prefix(u).map { others[$0] } : []
        let rows = normals + polluted + labeled
        let trainData = try LabeledData(features: train.tensor(rows: rows),
                                        labels: [Int](repeating: 0, count: normals.count + u) + [Int](repeating: 1, count: m))
        return ImageSplit(train: trainData, testFeatures: test.tensor(rows: 0..<test.count),
                          testLabels: test.labels.map { $0 == normalClass ? 0 : 1 }, testClasses: test.labels,
                          normalCount: normals.count, labeledCount: m, pollutionCount: u, trainRows: rows)
    }
}
