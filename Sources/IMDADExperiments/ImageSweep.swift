// The spec §7 image protocol as a sweep of runs (data set × γ_l × normal class × method × seed),
// behind `imdad images` and `imdad evaluate --dataset mnist|fmnist|cifar10`.

import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

/// What a long experiment tells the person running it: notes (one line each) and, per training
/// run, a progress callback. The command line prints them on a terminal; tests pass ``silent``.
public struct ExperimentObserver: Sendable {
    /// A line for the person running the experiment.
    public var note: @Sendable (String) -> Void
    /// A training run begins: its label, epochs and autoencoder epochs; returns what to call after each epoch.
    public var run: @Sendable (_ label: String, _ epochs: Int, _ pretrainingEpochs: Int) -> (@Sendable (EpochLog) -> Void)?

    public init(note: @escaping @Sendable (String) -> Void,
                run: @escaping @Sendable (String, Int, Int) -> (@Sendable (EpochLog) -> Void)?) {
        self.note = note; self.run = run
    }

    /// Says nothing.
    public static let silent = ExperimentObserver(note: { _ in }, run: { _, _, _ in nil })
}

/// An experiment's plan is not runnable as given.
public struct ExperimentError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public struct ImageSweep {
    public var datasets: [ImageDataset]
    /// Folder of each data set's files (missing: ``ImageDataset/defaultRoot``).
    public var roots: [ImageDataset: String]
    public var classes: [Int]
    /// Known anomaly class; nil: normal class + 1 mod 10.
    public var knownClass: Int?
    public var gammaL: [Double]
    public var gammaP: Double
    public var methods: [MethodKind]
    public var seeds: [UInt64]
    /// The configuration of each method on a data set's encoder.
    public var configure: (MethodKind, EncoderArchitecture) throws -> DetectorConfiguration
    /// JSON-lines file each finished run is appended to (nil: none).
    public var results: String?
    /// Skip runs already in `results`.
    public var resume = false
    /// Print each finished run on standard output as a JSON line (so a run is never lost to a bad
    /// results path).
    public var printRuns = true

    public init(datasets: [ImageDataset], roots: [ImageDataset: String] = [:], classes: [Int], knownClass: Int? = nil,
                gammaL: [Double], gammaP: Double = 0, methods: [MethodKind], seeds: [UInt64],
                configure: @escaping (MethodKind, EncoderArchitecture) throws -> DetectorConfiguration) {
        self.datasets = datasets; self.roots = roots; self.classes = classes; self.knownClass = knownClass
        self.gammaL = gammaL; self.gammaP = gammaP; self.methods = methods; self.seeds = seeds; self.configure = configure
    }

    /// One planned run.
    struct Planned {
        var dataset: ImageDataset; var kind: MethodKind; var normal: Int; var known: Int; var gammaL: Double; var seed: UInt64
    }

    /// The results-file key of a planned run: its data, split and the settings that shape the ranking.
    func key(_ p: Planned, _ c: DetectorConfiguration) -> ImageRunKey {
        let t = c.training ?? TrainingConfiguration()
        let lr = Double("\(t.learningRate)") ?? Double(t.learningRate)  // 1e-4, not 9.99999974e-05
        return ImageRunKey(dataset: p.dataset.rawValue, method: p.kind.rawValue, normalClass: p.normal, knownClass: p.known,
                           gammaL: p.gammaL, gammaP: gammaP, seed: p.seed, epochs: t.epochs, lr: lr, milestones: t.milestones,
                           batchSize: t.batchSize, pretrainEpochs: c.pretraining?.epochs, objective: c.objective)
    }

    /// Trains and scores every planned run; returns the records of the runs it made.
    public func run(observer: ExperimentObserver = .silent) throws -> [ImageRunRecord] {
        if gammaL.contains(0), let k = methods.first(where: { $0 == .deepSADUniform || $0 == .deepSADBalanced }) {
            throw ExperimentError("\(k.rawValue) needs labeled anomalies (γ_l > 0); at γ_l = 0 Deep SAD is Deep SVDD: use deepsvdd")
        }
        // The plan: every run of the sweep, minus those already in the results file.
        var plan: [(run: Planned, configuration: DetectorConfiguration)] = []
        for d in datasets { for g in gammaL { for c in classes { for kind in methods { for s in seeds {
            let known = knownClass ?? (c + 1) % 10
            if known == c { continue }
            plan.append((Planned(dataset: d, kind: kind, normal: c, known: known, gammaL: g, seed: s), try configure(kind, d.encoder)))
        } } } } }
        if resume, let results {
            let done = Set(try ImageRunLog.read(path: results).map(\.key))
            let before = plan.count
            plan.removeAll { done.contains(key($0.run, $0.configuration)) }
            observer.note("resume: \(before - plan.count) of \(before) runs already in \(results); \(plan.count) to go")
        }
        if let k = knownClass, classes.contains(k) { observer.note("note: normal class \(k) skipped (it is the known anomaly class)") }
        let kernel = BLAS.backend.kernel
        var loaded: (dataset: ImageDataset, data: ImageProtocol)?
        var finishedSeconds: [Double] = []
        var records: [ImageRunRecord] = []
        let iso = ISO8601DateFormatter()
        for (i, (p, configuration)) in plan.enumerated() {
            if loaded?.dataset != p.dataset {
                loaded = nil  // one data set in memory at a time
                loaded = (p.dataset, try ImageProtocol.load(p.dataset, root: roots[p.dataset]))
            }
            guard let proto = loaded?.data else { continue }
            let split = try proto.split(normalClass: p.normal, knownClass: p.known, labeledRatio: p.gammaL,
                                        pollution: gammaP, seed: p.seed)
            var c = configuration
            if split.labeledCount == 0, case .imdad(var m) = c { m.allowOneClass = true; c = .imdad(m) }
            var rng = RandomGenerator(seed: p.seed)
            let label = "[\(i + 1)/\(plan.count)] \(p.dataset.rawValue) \(p.kind.rawValue) "
                        + "class \(p.normal) γ_l \(p.gammaL) seed \(p.seed)"
            let progress = c.training.flatMap { observer.run(label, $0.epochs, c.pretraining?.epochs ?? 0) }
            let t0 = Date()
            let fitted = try fitDetector(c, data: split.train, using: &rng, progress: progress)
            let trainSeconds = Date().timeIntervalSince(t0)
            let t1 = Date()
            let scores = batchedScores(fitted.detector, split.testFeatures).map(Double.init)
            let testSeconds = Date().timeIntervalSince(t1)
            let auc = try Metrics.auroc(scores: scores, labels: split.testLabels)
            let ap = try Metrics.averagePrecision(scores: scores, labels: split.testLabels)
            let record = ImageRunRecord(
                key: key(p, configuration), auroc: auc, ap: ap, trainSeconds: trainSeconds, testSeconds: testSeconds,
                libraryVersion: IMDADVersion.library, blasKernel: kernel, normals: split.normalCount,
                labeled: split.labeledCount, pollution: split.pollutionCount, finished: iso.string(from: Date()))
            if printRuns { print(try record.jsonLine()) }
            if let results { try ImageRunLog.append(record, to: results) }
            records.append(record)
            finishedSeconds.append(trainSeconds + testSeconds)
            let left = finishedSeconds.reduce(0, +) / Double(finishedSeconds.count) * Double(plan.count - i - 1)
            observer.note("\(label): AUROC \(Format.fixed(100 * auc, digits: 2)) AP \(Format.fixed(100 * ap, digits: 2)) "
                          + "(n \(split.normalCount), "
                          + "m \(split.labeledCount), u \(split.pollutionCount); train \(Format.fixed(trainSeconds, digits: 1)) s, "
                          + "test \(Format.fixed(testSeconds, digits: 1)) s; sweep ~\(Format.fixed(left / 60, digits: 0)) min left)")
        }
        return records
    }
}
