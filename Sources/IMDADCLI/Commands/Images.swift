// `imdad images`: the spec §7 image protocol (Deep SAD's MNIST / Fashion-MNIST setup) as a sweep
// whose runs accumulate in a JSON-lines results file, and the Markdown summary of such a file.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

extension ImageDataset: ExpressibleByArgument {}

struct Images: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Image benchmarks (MNIST, Fashion-MNIST) under the Deep SAD protocol; results accumulate as JSON lines.",
        discussion: """
        Each run: one class normal (its training images, unlabeled); m = ⌊γ_l/(1−γ_l)·(n+u)⌋ labeled \
        anomalies drawn with the seed from the known class (default: normal + 1 mod 10); \
        u = ⌊γ_p/(1−γ_p)·n⌋ unlabeled anomalies from the nine other classes. Test = the whole \
        test set, anomalous = not the normal class. Pixels scaled to [0, 1]; spec §6 encoders.

        Every finished run is appended to --results as one JSON line; --resume skips runs already \
        there (same data set, method, classes, γ_l, γ_p, seed, epochs, lr, milestones, batch size). \
        --summary prints the Markdown table of a results file.

        Data: MNIST from ../shared/datasets/mnist, Fashion-MNIST from /usr/share/datasets/fashion-mnist \
        (apt-get install -y dataset-fashion-mnist). Elsewhere: --data-root DIR (one data set) or \
        --data-root mnist=DIR fmnist=DIR.

        Examples:
          imdad images --dataset fmnist --classes 0 --methods imdad --epochs 3
          imdad images --dataset mnist fmnist --methods imdad,deepsad --resume
          imdad images --summary --results results/images/runs.jsonl
        """)

    @Option(parsing: .upToNextOption, help: "Data sets: mnist, fmnist.") var dataset: [ImageDataset] = [.mnist]
    @Option(parsing: .upToNextOption, help: "Folder of the IDX files: DIR, or NAME=DIR per data set.") var dataRoot: [String] = []
    @Option(parsing: .upToNextOption, help: "Normal classes (default: all ten).") var classes: [Int] = Array(0..<10)
    @Option(help: "Known anomaly class (default: normal class + 1 mod 10).") var knownClass: Int?
    @Option(name: .customLong("gamma-l"), parsing: .upToNextOption, help: "Labeled anomaly ratios γ_l = m/(n+u+m).")
    var gammaL: [Double] = [0.05]
    @Option(name: .customLong("gamma-p"), help: "Pollution γ_p = u/(n+u): unlabeled anomalies in the training set.")
    var gammaP: Double = 0
    @Option(help: "Comma-separated methods: imdad, deepsad, deepsvdd (or any of \(MethodKind.allCases.map(\.rawValue).joined(separator: ", "))).")
    var methods: String = "imdad,deepsad,deepsvdd"
    @Option(parsing: .upToNextOption, help: "Seeds (split and training).") var seed: [UInt64] = [0]
    @Option(help: "Results file (JSON lines, appended).") var results = "results/images/runs.jsonl"
    @Flag(help: "Skip runs already in the results file.") var resume = false
    @Flag(help: "Print the Markdown summary of the results file and exit (trains nothing).") var summary = false
    @Flag(help: "No progress output.") var quiet = false
    @OptionGroup var method: MethodOptions

    var epochs: Int { method.epochs }
    var learningRate: Float { method.learningRate(images: true) }
    var milestones: [Int] { method.milestones }
    var batchSize: Int { method.batchSize }

    func validate() throws {
        guard classes.allSatisfy({ (0..<10).contains($0) }) else { throw ValidationError("--classes must be in 0…9") }
        guard gammaL.allSatisfy({ $0 >= 0 && $0 < 1 }) else { throw ValidationError("--gamma-l values must be in [0, 1)") }
        guard gammaP >= 0, gammaP < 1 else { throw ValidationError("--gamma-p must be in [0, 1)") }
        if let k = knownClass, !(0..<10).contains(k) { throw ValidationError("--known-class must be in 0…9") }
        guard !seed.isEmpty, !dataset.isEmpty, !classes.isEmpty, !gammaL.isEmpty else {
            throw ValidationError("--dataset, --classes, --gamma-l and --seed need at least one value")
        }
        _ = try roots()
    }

    /// The folder of each data set.
    func roots() throws -> [ImageDataset: String] {
        var out: [ImageDataset: String] = [:]
        for r in dataRoot {
            if let eq = r.firstIndex(of: "="), let d = ImageDataset(rawValue: String(r[..<eq])) {
                out[d] = String(r[r.index(after: eq)...])
            } else if dataset.count == 1 {
                out[dataset[0]] = r
            } else {
                throw ValidationError("with several data sets, give --data-root as NAME=DIR (e.g. fmnist=/data/fashion-mnist)")
            }
        }
        return out
    }

    func run() throws {
        try IMDADCLI.run {
            if summary {
                print(ImageRunLog.summary(try ImageRunLog.read(path: results)), terminator: "")
                return
            }
            method.applyThreads()
            let kinds = try methods.split(separator: ",").map { name -> MethodKind in
                guard let k = MethodKind(rawValue: String(name)) else {
                    throw ValidationError("unknown method '\(name)'; expected one of \(MethodKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return k
            }
            if gammaL.contains(0), let k = kinds.first(where: { $0 == .deepSADUniform || $0 == .deepSADBalanced }) {
                throw ValidationError("\(k.rawValue) needs labeled anomalies (γ_l > 0); at γ_l = 0 Deep SAD is Deep SVDD: use deepsvdd")
            }
            let roots = try roots()
            let settings = method.settings(images: true)

            // The plan: every run of the sweep, minus those already in the results file.
            struct Planned { var dataset: ImageDataset; var kind: MethodKind; var normal: Int; var known: Int; var gammaL: Double; var seed: UInt64 }
            var plan: [Planned] = []
            for d in dataset { for g in gammaL { for c in classes { for kind in kinds { for s in seed {
                let known = knownClass ?? (c + 1) % 10
                if known == c { continue }
                plan.append(Planned(dataset: d, kind: kind, normal: c, known: known, gammaL: g, seed: s))
            } } } } }
            let lr = Double("\(learningRate)") ?? Double(learningRate)  // 1e-4, not 9.99999974e-05
            func key(_ p: Planned) -> ImageRunKey {
                ImageRunKey(dataset: p.dataset.rawValue, method: p.kind.rawValue, normalClass: p.normal, knownClass: p.known,
                            gammaL: p.gammaL, gammaP: gammaP, seed: p.seed, epochs: epochs, lr: lr, milestones: milestones,
                            batchSize: batchSize, pretrainEpochs: settings.pretraining?.epochs)
            }
            if resume {
                let done = Set(try ImageRunLog.read(path: results).map(\.key))
                let before = plan.count
                plan.removeAll { done.contains(key($0)) }
                if !quiet { note("resume: \(before - plan.count) of \(before) runs already in \(results); \(plan.count) to go") }
            }
            if let k = knownClass, classes.contains(k), !quiet { note("note: normal class \(k) skipped (it is the known anomaly class)") }
            let kernel = BLAS.backend.kernel
            var loaded: [ImageDataset: ImageProtocol] = [:]
            var finishedSeconds: [Double] = []
            let iso = ISO8601DateFormatter()
            for (i, p) in plan.enumerated() {
                if loaded[p.dataset] == nil {
                    loaded = [:]  // one data set in memory at a time
                    loaded[p.dataset] = try ImageProtocol.load(p.dataset, root: roots[p.dataset])
                }
                let proto = loaded[p.dataset]!
                let split = try proto.split(normalClass: p.normal, knownClass: p.known, labeledRatio: p.gammaL,
                                            pollution: gammaP, seed: p.seed)
                var s = settings
                if split.labeledCount == 0 { s.allowOneClass = true }
                var rng = RandomGenerator(seed: p.seed)
                let label = "[\(i + 1)/\(plan.count)] \(p.dataset.rawValue) \(p.kind.rawValue) class \(p.normal) γ_l \(p.gammaL) seed \(p.seed)"
                let progress = ProgressPrinter(label: label, totalEpochs: epochs, pretrainingEpochs: s.pretraining?.epochs ?? 0, quiet: quiet)
                let t0 = Date()
                let fitted = try fitDetector(p.kind, encoder: p.dataset.encoder, settings: s, data: split.train, using: &rng,
                                             progress: p.kind == .isolationForest ? nil : { progress($0) })
                let trainSeconds = Date().timeIntervalSince(t0)
                let t1 = Date()
                let scores = batchedScores(fitted.detector, split.testFeatures).map(Double.init)
                let testSeconds = Date().timeIntervalSince(t1)
                let auc = try Metrics.auroc(scores: scores, labels: split.testLabels)
                let ap = try Metrics.averagePrecision(scores: scores, labels: split.testLabels)
                let record = ImageRunRecord(
                    dataset: p.dataset.rawValue, method: p.kind.rawValue, normalClass: p.normal, knownClass: p.known,
                    gammaL: p.gammaL, gammaP: gammaP, seed: p.seed, epochs: epochs, lr: lr, milestones: milestones,
                    batchSize: batchSize, pretrainEpochs: settings.pretraining?.epochs, auroc: auc, ap: ap, trainSeconds: trainSeconds, testSeconds: testSeconds,
                    libraryVersion: IMDADVersion.library, blasKernel: kernel, normals: split.normalCount,
                    labeled: split.labeledCount, pollution: split.pollutionCount, finished: iso.string(from: Date()))
                print(try record.jsonLine())  // also on stdout, so a run is never lost to a bad results path
                try ImageRunLog.append(record, to: results)
                finishedSeconds.append(trainSeconds + testSeconds)
                if !quiet {
                    let left = finishedSeconds.reduce(0, +) / Double(finishedSeconds.count) * Double(plan.count - i - 1)
                    note("\(label): AUROC \(fmt(100 * auc, 2)) AP \(fmt(100 * ap, 2)) (n \(split.normalCount), m \(split.labeledCount), "
                         + "u \(split.pollutionCount); train \(fmt(trainSeconds, 1)) s, test \(fmt(testSeconds, 1)) s; "
                         + "sweep ~\(fmt(left / 60, 0)) min left)")
                }
            }
        }
    }
}
