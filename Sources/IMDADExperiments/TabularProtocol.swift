// The spec §7 tabular protocol (Deep SAD's ODDS setup) and the benchmark data sets.

import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

/// Which training data a tabular split keeps (the test split is the same in both).
public enum TabularSetting: Sendable, Equatable {
    /// The spec's protocol (Deep SAD's ODDS setup): the training normals and γ_l·n/(1 − γ_l) labeled
    /// anomalies (γ_l = m/(n + m), the `labeledRatio`); the other training anomalies are dropped.
    case clean(labeledRatio: Double)
    /// ADBench's semi-supervised setting: every training anomaly stays; `⌊f·a⌋` of the `a` training
    /// anomalies (at least one) are labeled (label 1), the rest stay among the normals unlabeled
    /// (label 0), so the unlabeled data are contaminated at the data set's own anomaly rate.
    case contaminated(labeledFraction: Double)

    /// "clean" or "contaminated", as run records and the command line name it.
    public var name: String {
        switch self {
        case .clean: return "clean"
        case .contaminated: return "contaminated"
        }
    }

    /// The setting in words for table captions ("clean, γ_l = 0.01").
    public var caption: String {
        switch self {
        case .clean(let g): return "clean setting, γ_l = \(Format.general(g))"
        case .contaminated(let f):
            return "contaminated setting: all training anomalies kept, \(Format.general(100 * f)) % of them labeled"
        }
    }
}

/// One seeded train/test split under a ``TabularSetting``.
public struct TabularSplit: Sendable {
    /// Scaled training data, unlabeled rows (label 0) first, then the labeled anomalies (label 1).
    /// Clean: the training normals and γ_l·n/(1−γ_l) labeled anomalies. Contaminated: the training
    /// normals, then the unlabeled training anomalies (label 0), then the labeled ones.
    public var train: LabeledData
    /// Contaminated setting: training anomalies left unlabeled among the label-0 rows (0 when clean).
    public var unlabeledAnomalies: Int = 0
    /// Scaled test features and their true labels.
    public var testFeatures: Tensor
    public var testLabels: [Int]
    /// Standardize-then-min-max, fitted on the training split.
    public var scaler: StandardMinMaxScaler
}

public enum TabularProtocol {
    /// Labeled anomalies for `n` normals at ratio `γ_l = m/(n + m)`: `m = ⌊γ_l/(1 − γ_l)·n⌋`.
    public static func labeledCount(normals n: Int, gamma: Double) -> Int {
        Int((gamma / (1 - gamma) * Double(n)).rounded(.down))
    }

    /// Stratified 60/40 split (normals and anomalies split separately, 40 % of each to the test
    /// set, rounded up as scikit-learn does); the scaler is fitted on the whole training split;
    /// `γ_l` labeled anomalies are drawn from the training anomalies and the rest are dropped
    /// (pollution 0), as Deep SAD's ODDS pipeline does. Deviation: when `γ_l > 0` but the formula
    /// gives no labeled anomaly (tiny data sets), one is labeled, so the semi-supervised methods
    /// can run at all.
    public static func split(_ data: TabularData, seed: UInt64, labeledRatio gamma: Double = 0.01) throws -> TabularSplit {
        try split(data, seed: seed, setting: .clean(labeledRatio: gamma))
    }

    /// Labeled anomalies of the contaminated setting among `a` training anomalies: `⌊f·a⌋`, at
    /// least one when there is any (ADBench draws `int(la·a)`).
    public static func labeledCount(trainingAnomalies a: Int, fraction f: Double) -> Int {
        a == 0 ? 0 : min(a, max(1, Int((f * Double(a)).rounded(.down))))
    }

    /// The split of `setting`. The permutations are drawn in the same order in both settings, so a
    /// seed gives the same test rows, the same scaler and the same training normals in both.
    public static func split(_ data: TabularData, seed: UInt64, setting: TabularSetting) throws -> TabularSplit {
        guard let labels = data.labels else {
            throw ExperimentError("\(data.source) has no labels; the benchmark protocol needs them")
        }
        var rng = RandomGenerator(seed: seed)
        let normalRows = labels.indices.filter { labels[$0] == 0 }, anomalyRows = labels.indices.filter { labels[$0] == 1 }
        guard !normalRows.isEmpty else { throw DetectorError.noNormalSamples }
        func split(_ rows: [Int]) -> (train: [Int], test: [Int]) {
            let perm = rng.permutation(rows.count).map { rows[$0] }
            let testCount = Int((0.4 * Double(rows.count)).rounded(.up))
            return (Array(perm[testCount...]), Array(perm[..<testCount]))
        }
        let (nTrain, nTest) = split(normalRows)
        let (aTrain, aTest) = split(anomalyRows)
        let train = data.subset(rows: nTrain + aTrain)
        let scaler = try StandardMinMaxScaler.fit(train)
        let m: Int
        switch setting {
        case .clean(let gamma): m = min(gamma > 0 ? max(1, labeledCount(normals: nTrain.count, gamma: gamma)) : 0, aTrain.count)
        case .contaminated(let f): m = labeledCount(trainingAnomalies: aTrain.count, fraction: f)
        }
        let order = rng.permutation(aTrain.count).map { aTrain[$0] }
        let labeled = Array(order.prefix(m))
        // Clean: the unlabeled training anomalies are dropped; contaminated: kept with label 0.
        let hidden: [Int]
        if case .contaminated = setting { hidden = Array(order.dropFirst(m)) } else { hidden = [] }
        let trainRows = nTrain + hidden + labeled
        let testRows = nTest + aTest
        let x = try scaler.transform(data.subset(rows: trainRows))
        let xt = try scaler.transform(data.subset(rows: testRows))
        let d = data.columns
        return TabularSplit(
            train: try LabeledData(features: Tensor(shape: [trainRows.count, d], scalars: x),
                                   labels: [Int](repeating: 0, count: nTrain.count + hidden.count) + [Int](repeating: 1, count: m)),
            unlabeledAnomalies: hidden.count,
            testFeatures: Tensor(shape: [testRows.count, d], scalars: xt),
            testLabels: [Int](repeating: 0, count: nTest.count) + [Int](repeating: 1, count: aTest.count),
            scaler: scaler)
    }
}

/// The Deep SAD paper's six ODDS sets, and where they live in the shared data folder.
public struct BenchmarkDataset: Sendable, Equatable {
    /// The shared data folder, relative to the repository: `odds/`, `adbench/`, `mnist/`, `cifar10/`.
    public static let defaultRoot = "../shared/datasets"

    public var name: String
    /// Path relative to the data root (``defaultRoot``).
    public var relativePath: String
    /// Published Deep SAD AUROC (%), γ_l = 0.01, for reference only.
    public var publishedDeepSAD: Double?

    public static let odds: [BenchmarkDataset] = [
        .init(name: "arrhythmia", relativePath: "odds/arrhythmia.npz", publishedDeepSAD: 75.9),
        .init(name: "cardio", relativePath: "adbench/6_cardio.npz", publishedDeepSAD: 95.0),
        .init(name: "satellite", relativePath: "adbench/30_satellite.npz", publishedDeepSAD: 91.5),
        .init(name: "satimage-2", relativePath: "adbench/31_satimage-2.npz", publishedDeepSAD: 99.9),
        .init(name: "shuttle", relativePath: "adbench/32_shuttle.npz", publishedDeepSAD: 98.4),
        .init(name: "thyroid", relativePath: "adbench/38_thyroid.npz", publishedDeepSAD: 98.6),
    ]

    /// A named ODDS set, or any ADBench file by its name with or without the number prefix
    /// (`"cardio"`, `"6_cardio"`, `"22_magic.gamma"`).
    public static func named(_ name: String, root: URL) -> BenchmarkDataset? {
        if let d = odds.first(where: { $0.name == name }) { return d }
        let dir = root.appendingPathComponent("adbench")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        for f in files where f.hasSuffix(".npz") {
            let stem = String(f.dropLast(4))
            let bare = stem.split(separator: "_", maxSplits: 1).last.map(String.init) ?? stem
            if stem == name || bare.lowercased() == name.lowercased() {
                return .init(name: bare, relativePath: "adbench/\(f)", publishedDeepSAD: nil)
            }
        }
        return nil
    }
}

extension TabularSplit {
    /// Writes the split as two CSV files, `<stem>_train.csv` and `<stem>_test.csv` in `directory`:
    /// a header `f0,…,f{D−1},label`, then one row per sample with the scaled features (Float's
    /// shortest round-trip text, so another program reads the very same numbers) and the label
    /// (training: 1 = labeled anomaly, 0 = unlabeled; test: the truth). For checks of other
    /// implementations on this project's exact splits (experiments/devnet/).
    public func writeCSV(to directory: URL, stem: String) throws {
        func write(_ x: Tensor, _ y: [Int], _ name: String) throws {
            let d = x.count / max(x.shape[0], 1)
            var text = (0..<d).map { "f\($0)" }.joined(separator: ",") + ",label\n"
            for i in 0..<y.count {
                for k in 0..<d { text += x.scalars[i * d + k].description + "," }
                text += "\(y[i])\n"
            }
            try writeAtomically(Array(text.utf8), to: directory.appendingPathComponent(name), overwrite: true)
        }
        try write(train.features, train.labels, "\(stem)_train.csv")
        try write(testFeatures, testLabels, "\(stem)_test.csv")
    }
}
