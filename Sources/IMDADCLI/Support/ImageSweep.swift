// The spec §7 image protocol as a sweep of runs (data set × γ_l × normal class × method × seed),
// shared by `imdad images` and `imdad evaluate --dataset mnist|fmnist`.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

struct ImageSweep {
    var datasets: [ImageDataset]
    /// Folder of each data set's IDX files (missing: `ImageDataset.defaultRoot`).
    var roots: [ImageDataset: String]
    var classes: [Int]
    /// Known anomaly class; nil: normal class + 1 mod 10.
    var knownClass: Int?
    var gammaL: [Double]
    var gammaP: Double
    var kinds: [MethodKind]
    var seeds: [UInt64]
    var method: MethodOptions
    /// JSON-lines file each finished run is appended to (nil: none).
    var results: String?
    /// Skip runs already in `results`.
    var resume: Bool
    var quiet: Bool
    /// Print each finished run on standard output as a JSON line (so a run is never lost to a bad
    /// results path).
    var printRuns = true

    /// Trains and scores every planned run; returns the records of the runs it made.
    func run() throws -> [ImageRunRecord] {
        if gammaL.contains(0), let k = kinds.first(where: { $0 == .deepSADUniform || $0 == .deepSADBalanced }) {
            throw ValidationError("\(k.rawValue) needs labeled anomalies (γ_l > 0); at γ_l = 0 Deep SAD is Deep SVDD: use deepsvdd")
        }
        let settings = method.settings(images: true)
        let (epochs, milestones, batchSize) = (method.epochs, method.milestones, method.batchSize)
        let learningRate = method.learningRate(images: true)

        // The plan: every run of the sweep, minus those already in the results file.
        struct Planned { var dataset: ImageDataset; var kind: MethodKind; var normal: Int; var known: Int; var gammaL: Double; var seed: UInt64 }
        var plan: [Planned] = []
        for d in datasets { for g in gammaL { for c in classes { for kind in kinds { for s in seeds {
            let known = knownClass ?? (c + 1) % 10
            if known == c { continue }
            plan.append(Planned(dataset: d, kind: kind, normal: c, known: known, gammaL: g, seed: s))
        } } } } }
        let lr = Double("\(learningRate)") ?? Double(learningRate)  // 1e-4, not 9.99999974e-05
        func key(_ p: Planned) -> ImageRunKey {
            ImageRunKey(dataset: p.dataset.rawValue, method: p.kind.rawValue, normalClass: p.normal, knownClass: p.known,
                        gammaL: p.gammaL, gammaP: gammaP, seed: p.seed, epochs: epochs, lr: lr, milestones: milestones,
                        batchSize: batchSize, pretrainEpochs: settings.pretraining?.epochs, objective: settings.objective(of: p.kind))
        }
        if resume, let results {
            let done = Set(try ImageRunLog.read(path: results).map(\.key))
            let before = plan.count
            plan.removeAll { done.contains(key($0)) }
            if !quiet { note("resume: \(before - plan.count) of \(before) runs already in \(results); \(plan.count) to go") }
        }
        if let k = knownClass, classes.contains(k), !quiet { note("note: normal class \(k) skipped (it is the known anomaly class)") }
        let kernel = BLAS.backend.kernel
        var loaded: [ImageDataset: ImageProtocol] = [:]
        var finishedSeconds: [Double] = []
        var records: [ImageRunRecord] = []
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
                key: key(p), auroc: auc, ap: ap, trainSeconds: trainSeconds, testSeconds: testSeconds,
                libraryVersion: IMDADVersion.library, blasKernel: kernel, normals: split.normalCount,
                labeled: split.labeledCount, pollution: split.pollutionCount, finished: iso.string(from: Date()))
            if printRuns { print(try record.jsonLine()) }
            if let results { try ImageRunLog.append(record, to: results) }
            records.append(record)
            finishedSeconds.append(trainSeconds + testSeconds)
            if !quiet {
                let left = finishedSeconds.reduce(0, +) / Double(finishedSeconds.count) * Double(plan.count - i - 1)
                note("\(label): AUROC \(Format.fixed(100 * auc, digits: 2)) AP \(Format.fixed(100 * ap, digits: 2)) (n \(split.normalCount), m \(split.labeledCount), "
                     + "u \(split.pollutionCount); train \(Format.fixed(trainSeconds, digits: 1)) s, test \(Format.fixed(testSeconds, digits: 1)) s; "
                     + "sweep ~\(Format.fixed(left / 60, digits: 0)) min left)")
            }
        }
        return records
    }
}
