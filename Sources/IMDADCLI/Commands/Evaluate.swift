// `imdad evaluate`: methods on benchmark data sets under the spec §7 protocol, over seeds.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADExperiments

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate methods under the Deep SAD protocols (spec §7): AUROC and AP mean ± std over seeds.",
        discussion: """
        Tabular data, each seed: stratified 60/40 split, standardize + min-max fitted on the training \
        split. --setting clean (the spec's protocol): γ_l labeled anomalies, the other training \
        anomalies dropped. --setting contaminated (ADBench's semi-supervised setting): every training \
        anomaly kept, --labeled-anomalies of them labeled (at least one), the rest left unlabeled among \
        the normals; the test split is the same in both. Data sets: the six ODDS sets by name \
        (arrhythmia, cardio, satellite, satimage-2, shuttle, thyroid), `odds` for all six, any \
        ADBench file name under <data-root>/adbench, or a file with --data.

        Images (`mnist`, `fmnist`, `cifar10`), each seed and normal class: that class's training \
        images are the normals, γ_l labeled anomalies from --known-class (default: normal + 1 mod \
        10), γ_p unlabeled anomalies from the other classes; the whole test set is scored. MNIST is \
        read from <data-root>/mnist, CIFAR-10's binary batches (.bin.gz or .bin) from <data-root>/cifar10, \
        Fashion-MNIST from its Debian package. `imdad images` runs the same protocol as a resumable \
        sweep.

        Examples:
          imdad evaluate --dataset odds --methods imdad,deepsad-balanced --seeds 10
          imdad evaluate --dataset odds --setting contaminated --labeled-anomalies 0.1 --methods devnet
          imdad evaluate --dataset odds --methods imdad --ensemble 3
          imdad evaluate --dataset fmnist --normal-class 0 --gamma-l 0.05 --seeds 3 --epochs 30
        """)

    enum Format: String, ExpressibleByArgument { case markdown, json }
    enum Setting: String, ExpressibleByArgument, CaseIterable { case clean, contaminated }

    @Option(parsing: .upToNextOption, help: "Benchmark data set names (or `odds`, `adbench`).") var dataset: [String] = []
    @Option(help: "A labeled .npz/.csv file to evaluate instead of named data sets.") var data: String?
    @Option(help: "Label column/array of --data.") var labelColumn: String?
    @Option(help: "Folder holding odds/ and adbench/.") var dataRoot: String = BenchmarkDataset.defaultRoot
    @Option(help: "Comma-separated methods.") var methods: String = "imdad,deepsad-balanced,deepsad,deepsvdd,iforest"
    @Option(help: "Number of seeds (0, 1, …).") var seeds = 10
    @Option(help: """
        First seed: runs seeds first-seed, first-seed + 1, … (new splits beyond the protocol's 0–9, \
        to confirm a choice made on them).
        """)
    var firstSeed = 0
    @Option(help: "Labeled anomaly ratio γ_l = m/(n+m) (clean setting, images).") var gammaL: Double = 0.01
    @Option(help: "Tabular data: clean (training anomalies beyond γ_l dropped) or contaminated (all kept, a fraction labeled).")
    var setting: Setting = .clean
    @Option(help: "Contaminated setting: fraction of the training anomalies labeled (at least one).") var labeledAnomalies: Double = 0.1
    @Option(parsing: .upToNextOption, help: "Images: normal classes (default: all ten).") var normalClass: [Int] = Array(0..<10)
    @Option(help: "Images: known anomaly class (default: normal class + 1 mod 10).") var knownClass: Int?
    @Option(help: "Images: pollution γ_p = u/(n+u), unlabeled anomalies in the training set.") var gammaP: Double = 0
    @Option(help: "Output format.") var format: Format = .markdown
    @Option(help: "Also append each run as a JSON line to this file.") var runsLog: String?
    @Option(help: ArgumentHelp("Tabular data: train K models of each deep method from different seeds and average their "
                               + "scores, each standardized on its training normals (K times the training cost).",
                               valueName: "K")) var ensemble = 1
    @Option(help: ArgumentHelp("Tabular data: write each set's split per seed to this folder as "
                               + "<set>_<setting>_seed<k>_train.csv and _test.csv (scaled features, label last) "
                               + "and exit without training."))
    var exportSplits: String?
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
        guard labeledAnomalies > 0, labeledAnomalies <= 1 else { throw ValidationError("--labeled-anomalies must be in (0, 1]") }
        guard (1...64).contains(ensemble) else { throw ValidationError("--ensemble must be in 1…64") }
    }

    /// The tabular protocol's setting from --setting, --gamma-l and --labeled-anomalies.
    var tabularSetting: TabularSetting {
        switch setting {
        case .clean: return .clean(labeledRatio: gammaL)
        case .contaminated: return .contaminated(labeledFraction: labeledAnomalies)
        }
    }

    /// The seeds run: `firstSeed ..< firstSeed + seeds`.
    var seedRange: Range<Int> { firstSeed..<(firstSeed + seeds) }

    func run() throws {
        try IMDADCLI.run {
            method.prepareEngine()
            let kinds = try methodKinds(methods)
            let configure = { (kind: MethodKind, encoder: EncoderArchitecture) in
                try checked { try method.configuration(kind, encoder: encoder) }
            }
            let images = dataset.compactMap(ImageDataset.init(rawValue:))
            if !images.isEmpty {
                guard images.count == dataset.count, data == nil else {
                    throw ValidationError("evaluate image data sets (\(ImageDataset.names)) separately from tabular ones")
                }
                guard setting == .clean else {
                    throw ValidationError("--setting contaminated is for tabular data; images take unlabeled anomalies with --gamma-p")
                }
                guard ensemble == 1 else { throw ValidationError("--ensemble is for tabular data (images train one model per run)") }
                let roots = Dictionary(uniqueKeysWithValues: ImageDataset.allCases.compactMap { d in
                    d.sharedFolder.map { (d, URL(fileURLWithPath: dataRoot).appendingPathComponent($0).path) }
                })
                var sweep = ImageSweep(datasets: images, roots: roots, classes: normalClass, knownClass: knownClass, gammaL: [gammaL],
                                       gammaP: gammaP, methods: kinds, seeds: seedRange.map(UInt64.init), configure: configure)
                sweep.results = runsLog
                sweep.printRuns = false
                let records = try sweep.run(observer: .terminal(quiet: quiet))
                switch format {
                case .markdown: print(ImageRunLog.summary(records), terminator: "")
                case .json: print("[" + (try records.map { try $0.jsonLine() }).joined(separator: ",\n") + "]")
                }
                return
            }
            let root = URL(fileURLWithPath: dataRoot)
            var sets: [TabularBenchmarkSet] = []
            if let data { sets.append(.init(name: URL(fileURLWithPath: data).lastPathComponent, url: URL(fileURLWithPath: data))) }
            for name in dataset {
                do { sets += try TabularBenchmarkSet.named(name, root: root) } catch let e as ExperimentError {
                    throw ValidationError(e.description)
                }
            }
            guard !sets.isEmpty else { throw ValidationError("name data sets with --dataset or a file with --data") }
            if let exportSplits {
                let folder = URL(fileURLWithPath: exportSplits)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for set in sets {
                    let tabular = try TabularData.load(url: set.url, labelColumn: data != nil ? labelColumn : nil)
                    for seed in seedRange {
                        try TabularProtocol.split(tabular, seed: UInt64(seed), setting: tabularSetting)
                            .writeCSV(to: folder, stem: "\(set.name)_\(tabularSetting.name)_seed\(seed)")
                    }
                }
                return
            }
            var benchmark = TabularBenchmark(sets: sets, methods: kinds, seeds: seedRange, setting: tabularSetting, configure: configure)
            benchmark.labelColumn = data != nil ? labelColumn : nil
            benchmark.runsLog = runsLog
            benchmark.ensemble = ensemble
            let (_, summaries) = try benchmark.run(observer: .terminal(quiet: quiet))
            switch format {
            case .markdown:
                print(benchmark.markdown(summaries), terminator: "")
            case .json:
                let e = JSONEncoder()
                e.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try e.encode(summaries), as: UTF8.self))
            }
        }
    }
}
