// `imdad evaluate`: methods on benchmark data sets under the spec §7 protocol, over seeds.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate methods under the Deep SAD protocols (spec §7): AUROC mean ± std over seeds.",
        discussion: """
        Tabular data, each seed: stratified 60/40 split, standardize + min-max fitted on the training
        split, γ_l labeled anomalies, the others dropped. Data sets: the six ODDS sets by name
        (arrhythmia, cardio, satellite, satimage-2, shuttle, thyroid), `odds` for all six, any
        ADBench file name under <data-root>/adbench, or a file with --data.

        Images (`mnist`, `fmnist`, `cifar10`), each seed and normal class: that class's training
        images are the normals, γ_l labeled anomalies from --known-class (default: normal + 1 mod
        10), γ_p unlabeled anomalies from the other classes; the whole test set is scored. MNIST is
        read from <data-root>/mnist, CIFAR-10's binary batches from <data-root>/cifar-10-batches-bin,
        Fashion-MNIST from its Debian package. `imdad images` runs the same protocol as a resumable
        sweep.

        Examples: imdad evaluate --dataset odds --methods imdad,deepsad-balanced --seeds 10
                  imdad evaluate --dataset fmnist --normal-class 0 --gamma-l 0.05 --seeds 3 --epochs 30
        """)

    enum Format: String, ExpressibleByArgument { case markdown, json }

    @Option(parsing: .upToNextOption, help: "Benchmark data set names (or `odds`, `adbench`).") var dataset: [String] = []
    @Option(help: "A labeled .npz/.csv file to evaluate instead of named data sets.") var data: String?
    @Option(help: "Label column/array of --data.") var labelColumn: String?
    @Option(help: "Folder holding odds/ and adbench/.") var dataRoot: String = "../shared/datasets"
    @Option(help: "Comma-separated methods.") var methods: String = "imdad,deepsad-balanced,deepsad,deepsvdd,iforest"
    @Option(help: "Number of seeds (0, 1, …).") var seeds = 10
    @Option(help: "First seed: runs seeds first-seed, first-seed + 1, … (new splits beyond the protocol's 0–9, to confirm a choice made on them).")
    var firstSeed = 0
    @Option(help: "Labeled anomaly ratio γ_l = m/(n+m).") var gammaL: Double = 0.01
    @Option(parsing: .upToNextOption, help: "Images: normal classes (default: all ten).") var normalClass: [Int] = Array(0..<10)
    @Option(help: "Images: known anomaly class (default: normal class + 1 mod 10).") var knownClass: Int?
    @Option(help: "Images: pollution γ_p = u/(n+u), unlabeled anomalies in the training set.") var gammaP: Double = 0
    @Option(help: "Output format.") var format: Format = .markdown
    @Option(help: "Also append each run as a JSON line to this file.") var runsLog: String?
    @Flag(help: "No progress output.") var quiet = false
    @OptionGroup var method: MethodOptions

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be ≥ 1") }
        guard firstSeed >= 0 else { throw ValidationError("--first-seed must be ≥ 0") }
        guard gammaL >= 0, gammaL < 1 else { throw ValidationError("--gamma-l must be in [0, 1)") }
        guard gammaP >= 0, gammaP < 1 else { throw ValidationError("--gamma-p must be in [0, 1)") }
        guard !normalClass.isEmpty, normalClass.allSatisfy({ (0..<10).contains($0) }) else {
            throw ValidationError("--normal-class must be in 0…9")
        }
        if let k = knownClass, !(0..<10).contains(k) { throw ValidationError("--known-class must be in 0…9") }
    }

    /// The seeds run: `firstSeed ..< firstSeed + seeds`.
    var seedRange: Range<Int> { firstSeed..<(firstSeed + seeds) }

    func run() throws {
        try IMDADCLI.run {
            method.prepareEngine()
            let kinds = try methodKinds(methods)
            let images = dataset.compactMap(ImageDataset.init(rawValue:))
            if !images.isEmpty {
                guard images.count == dataset.count, data == nil else {
                    throw ValidationError("evaluate image data sets (\(ImageDataset.names)) separately from tabular ones")
                }
                let roots = Dictionary(uniqueKeysWithValues: ImageDataset.allCases.compactMap { d in
                    d.sharedFolder.map { (d, URL(fileURLWithPath: dataRoot).appendingPathComponent($0).path) }
                })
                let sweep = ImageSweep(datasets: images, roots: roots,
                                       classes: normalClass, knownClass: knownClass, gammaL: [gammaL], gammaP: gammaP, kinds: kinds,
                                       seeds: seedRange.map(UInt64.init), method: method, results: runsLog, resume: false, quiet: quiet,
                                       printRuns: false)
                let records = try sweep.run()
                switch format {
                case .markdown: print(ImageRunLog.summary(records), terminator: "")
                case .json: print("[" + (try records.map { try $0.jsonLine() }).joined(separator: ",\n") + "]")
                }
                return
            }
            let root = URL(fileURLWithPath: dataRoot)
            var sets: [(name: String, url: URL, published: Double?)] = []
            if let data { sets.append((URL(fileURLWithPath: data).lastPathComponent, URL(fileURLWithPath: data), nil)) }
            for name in dataset {
                if name == "odds" {
                    sets += BenchmarkDataset.odds.map { ($0.name, root.appendingPathComponent($0.relativePath), $0.publishedDeepSAD) }
                } else if name == "adbench" {
                    let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("adbench").path)
                        .filter { $0.hasSuffix(".npz") }.sorted { (Int($0.prefix { $0.isNumber }) ?? 0) < (Int($1.prefix { $0.isNumber }) ?? 0) }
                    sets += files.map { (String($0.dropLast(4)), root.appendingPathComponent("adbench/\($0)"), nil) }
                } else if let d = BenchmarkDataset.named(name, root: root) {
                    sets.append((d.name, root.appendingPathComponent(d.relativePath), d.publishedDeepSAD))
                } else {
                    throw ValidationError("unknown data set '\(name)' (looked in \(root.path))")
                }
            }
            guard !sets.isEmpty else { throw ValidationError("name data sets with --dataset or a file with --data") }
            var results: [[String: Any]] = []
            var table = "| data set | " + kinds.map(\.displayName).joined(separator: " | ") + " | published Deep SAD |\n"
            table += "|---|" + kinds.map { _ in "---|" }.joined() + "---|\n"
            for set in sets {
                let tabular = try TabularData.load(url: set.url, labelColumn: data != nil ? labelColumn : nil)
                var cells: [String] = []
                for kind in kinds {
                    var aurocs: [Double] = [], aps: [Double] = [], seconds: [Double] = []
                    for seed in seedRange {
                        let split = try TabularProtocol.split(tabular, seed: UInt64(seed), labeledRatio: gammaL)
                        var rng = RandomGenerator(seed: UInt64(seed))
                        let progress = ProgressPrinter(label: "\(set.name) \(kind.displayName) seed \(seed)", totalEpochs: method.epochs,
                                                       pretrainingEpochs: method.pretrainEpochs, quiet: quiet)
                        let start = Date()
                        var last: EpochLog?
                        let fitted = try fitDetector(kind, encoder: .tabular(inputs: tabular.columns), settings: method.settings(),
                                                     data: split.train, using: &rng,
                                                     progress: kind == .isolationForest ? nil : { last = $0; progress($0) })
                        let t = Date().timeIntervalSince(start)
                        let raw = fitted.detector.scores(split.testFeatures), scores = raw.map(Double.init)
                        let auc = try Metrics.auroc(scores: scores, labels: split.testLabels)
                        let ap = try Metrics.averagePrecision(scores: scores, labels: split.testLabels)
                        // At the model's own threshold (IMD-AD: s > 0): F1, and the share of test normals flagged.
                        let at = try Metrics.confusion(predictions: fitted.detector.flags(raw), labels: split.testLabels)
                        aurocs.append(auc); aps.append(ap); seconds.append(t)
                        var run: [String: Any] = ["dataset": set.name, "method": kind.rawValue, "seed": seed, "auroc": auc, "ap": ap,
                                                  "f1": at.f1, "normals_flagged": at.falsePositiveRate,
                                                  "train_seconds": t, "epochs": method.epochs, "gamma_l": gammaL,
                                                  "blas_kernel": BLAS.backend.kernel]
                        // The last epoch's mean training loss (the deep methods).
                        if let last { run["final_loss"] = last.loss }
                        if let runsLog { try appendLine(run, to: runsLog) }
                    }
                    let (m, s) = meanStd(aurocs)
                    cells.append("\(fmt(100 * m, 1)) ± \(fmt(100 * s, 1)) (\(fmt(meanStd(seconds).0, 1)) s)")
                    results.append(["dataset": set.name, "method": kind.rawValue, "seeds": seeds, "auroc_mean": m, "auroc_std": s,
                                    "ap_mean": meanStd(aps).0, "seconds_per_run": meanStd(seconds).0])
                    if !quiet { note("\(set.name) \(kind.displayName): AUROC \(fmt(100 * m, 1)) ± \(fmt(100 * s, 1))") }
                }
                table += "| \(set.name) | " + cells.joined(separator: " | ") + " | \(set.published.map { fmt($0, 1) } ?? "—") |\n"
            }
            switch format {
            case .markdown:
                let over = firstSeed == 0 ? "\(seeds) seeds" : "seeds \(firstSeed)–\(firstSeed + seeds - 1)"
                print("AUROC % (mean ± std over \(over); mean training seconds per run), γ_l = \(gammaL), \(method.epochs) epochs\n")
                print(table, terminator: "")
            case .json:
                let d = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys, .prettyPrinted])
                print(String(decoding: d, as: UTF8.self))
            }
        }
    }
}

func meanStd(_ x: [Double]) -> (Double, Double) {
    guard !x.isEmpty else { return (.nan, .nan) }
    let m = x.reduce(0, +) / Double(x.count)
    let v = x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(max(x.count - 1, 1))
    return (m, v.squareRoot())
}

func appendLine(_ object: [String: Any], to path: String) throws {
    let line = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    try JSONLines.append(String(decoding: line, as: UTF8.self), to: path)
}
