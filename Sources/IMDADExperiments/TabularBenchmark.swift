// The spec §7 tabular protocol over data sets × methods × seeds: one record per run, a summary per
// data set and method, and the Markdown table `imdad evaluate` prints.

import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

/// One finished run of the tabular protocol, as `imdad evaluate --runs-log` appends it (one JSON
/// object a line).
public struct TabularRunRecord: Sendable, Codable, Equatable {
    public var dataset: String
    public var method: String
    public var seed: Int
    public var auroc: Double
    public var ap: Double
    /// F1 at the model's own threshold (IMD-AD: `s > 0`).
    public var f1: Double
    /// Share of the test normals the model's own threshold flags.
    public var normalsFlagged: Double
    public var trainSeconds: Double
    /// Training epochs (nil for Isolation Forest).
    public var epochs: Int?
    /// γ_l = m/(n + m) of the training split: the protocol's in the clean setting, the realized
    /// ratio (labeled anomalies over all training rows) in the contaminated one.
    public var gammaL: Double
    public var blasKernel: String
    /// The last epoch's mean training loss (the deep methods).
    public var finalLoss: Double?
    /// ``TabularSetting/name``: "clean" or "contaminated". Records written before the setting existed
    /// decode as "clean" (they were).
    public var setting: String = "clean"
    /// Contaminated setting: the fraction of training anomalies labeled, and how many stayed
    /// unlabeled among the normals (nil when clean).
    public var labeledAnomalies: Double?
    public var unlabeledAnomalies: Int?
    /// Members of an ensemble (``Ensemble``; nil for a single model). Its seconds are all members'.
    public var ensemble: Int?

    enum CodingKeys: String, CodingKey {
        case dataset, method, seed, auroc, ap, f1, epochs, setting
        case normalsFlagged = "normals_flagged", trainSeconds = "train_seconds", gammaL = "gamma_l"
        case blasKernel = "blas_kernel", finalLoss = "final_loss"
        case labeledAnomalies = "labeled_anomalies", unlabeledAnomalies = "unlabeled_anomalies", ensemble
    }

    public init(dataset: String, method: String, seed: Int, auroc: Double, ap: Double, f1: Double, normalsFlagged: Double,
                trainSeconds: Double, epochs: Int?, gammaL: Double, blasKernel: String, finalLoss: Double?,
                setting: String = "clean", labeledAnomalies: Double? = nil, unlabeledAnomalies: Int? = nil) {
        self.dataset = dataset; self.method = method; self.seed = seed; self.auroc = auroc; self.ap = ap; self.f1 = f1
        self.normalsFlagged = normalsFlagged; self.trainSeconds = trainSeconds; self.epochs = epochs; self.gammaL = gammaL
        self.blasKernel = blasKernel; self.finalLoss = finalLoss; self.setting = setting
        self.labeledAnomalies = labeledAnomalies; self.unlabeledAnomalies = unlabeledAnomalies
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(dataset: try c.decode(String.self, forKey: .dataset), method: try c.decode(String.self, forKey: .method),
                  seed: try c.decode(Int.self, forKey: .seed), auroc: try c.decode(Double.self, forKey: .auroc),
                  ap: try c.decode(Double.self, forKey: .ap), f1: try c.decode(Double.self, forKey: .f1),
                  normalsFlagged: try c.decode(Double.self, forKey: .normalsFlagged),
                  trainSeconds: try c.decode(Double.self, forKey: .trainSeconds), epochs: try c.decodeIfPresent(Int.self, forKey: .epochs),
                  gammaL: try c.decode(Double.self, forKey: .gammaL), blasKernel: try c.decode(String.self, forKey: .blasKernel),
                  finalLoss: try c.decodeIfPresent(Double.self, forKey: .finalLoss),
                  setting: try c.decodeIfPresent(String.self, forKey: .setting) ?? "clean",
                  labeledAnomalies: try c.decodeIfPresent(Double.self, forKey: .labeledAnomalies),
                  unlabeledAnomalies: try c.decodeIfPresent(Int.self, forKey: .unlabeledAnomalies))
        ensemble = try c.decodeIfPresent(Int.self, forKey: .ensemble)
    }
}

/// A method on a data set over the seeds: AUROC and AP mean ± std and training seconds.
public struct TabularSummary: Sendable, Codable, Equatable {
    public var dataset: String
    public var method: String
    public var seeds: Int
    public var aurocMean: Double
    public var aurocStd: Double
    public var apMean: Double
    public var apStd: Double
    public var secondsPerRun: Double
    /// ``TabularSetting/name``.
    public var setting: String
    /// Training epochs (nil for Isolation Forest).
    public var epochs: Int?

    enum CodingKeys: String, CodingKey {
        case dataset, method, seeds, setting, epochs
        case aurocMean = "auroc_mean", aurocStd = "auroc_std", apMean = "ap_mean", apStd = "ap_std", secondsPerRun = "seconds_per_run"
    }
}

/// A data set of the benchmark: its name, file and the published Deep SAD AUROC (%), if any.
public struct TabularBenchmarkSet: Sendable, Equatable {
    public var name: String
    public var url: URL
    public var published: Double?
    public init(name: String, url: URL, published: Double? = nil) { self.name = name; self.url = url; self.published = published }

    /// The sets a name stands for under `root`: `odds` (the six), `adbench` (every file, by number),
    /// an ODDS name or an ADBench file name (``BenchmarkDataset/named(_:root:)``).
    public static func named(_ name: String, root: URL) throws -> [TabularBenchmarkSet] {
        if name == "odds" {
            return BenchmarkDataset.odds.map {
                .init(name: $0.name, url: root.appendingPathComponent($0.relativePath), published: $0.publishedDeepSAD)
            }
        }
        if name == "adbench" {
            let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("adbench").path)
                .filter { $0.hasSuffix(".npz") }.sorted { (Int($0.prefix { $0.isNumber }) ?? 0) < (Int($1.prefix { $0.isNumber }) ?? 0) }
            return files.map { .init(name: String($0.dropLast(4)), url: root.appendingPathComponent("adbench/\($0)")) }
        }
        if let d = BenchmarkDataset.named(name, root: root) {
            return [.init(name: d.name, url: root.appendingPathComponent(d.relativePath), published: d.publishedDeepSAD)]
        }
        throw ExperimentError("unknown data set '\(name)' (looked in \(root.path))")
    }
}

/// The tabular protocol over data sets, methods and seeds.
public struct TabularBenchmark {
    public var sets: [TabularBenchmarkSet]
    public var methods: [MethodKind]
    public var seeds: Range<Int>
    /// γ_l = m/(n + m) of the clean setting.
    public var gammaL: Double { if case .clean(let g) = setting { return g } else { return 0 } }
    /// Which training data each split keeps (``TabularSetting``).
    public var setting: TabularSetting
    /// The configuration of each method on a data set's encoder.
    public var configure: (MethodKind, EncoderArchitecture) throws -> DetectorConfiguration
    /// The label array or column of a file given by the user (nil: the benchmark files' `y`).
    public var labelColumn: String?
    /// Each finished run is appended to this JSON-lines file (nil: none).
    public var runsLog: String?
    /// Members per deep model (``Ensemble``); 1 trains the single model of each seed. Isolation
    /// Forest, an ensemble already, always runs alone.
    public var ensemble = 1

    public init(sets: [TabularBenchmarkSet], methods: [MethodKind], seeds: Range<Int>, gammaL: Double,
                configure: @escaping (MethodKind, EncoderArchitecture) throws -> DetectorConfiguration) {
        self.init(sets: sets, methods: methods, seeds: seeds, setting: .clean(labeledRatio: gammaL), configure: configure)
    }

    public init(sets: [TabularBenchmarkSet], methods: [MethodKind], seeds: Range<Int>, setting: TabularSetting,
                configure: @escaping (MethodKind, EncoderArchitecture) throws -> DetectorConfiguration) {
        self.sets = sets; self.methods = methods; self.seeds = seeds; self.setting = setting; self.configure = configure
    }

    /// Runs every set × method × seed; returns every run and a summary per set and method.
    public func run(observer: ExperimentObserver = .silent) throws -> (runs: [TabularRunRecord], summaries: [TabularSummary]) {
        var runs: [TabularRunRecord] = [], summaries: [TabularSummary] = []
        for set in sets {
            let tabular = try TabularData.load(url: set.url, labelColumn: labelColumn)
            for kind in methods {
                let configuration = try configure(kind, .tabular(inputs: tabular.columns))
                var these: [TabularRunRecord] = []
                for seed in seeds {
                    let split = try TabularProtocol.split(tabular, seed: UInt64(seed), setting: setting)
                    var rng = RandomGenerator(seed: UInt64(seed))
                    let report = configuration.training.flatMap {
                        observer.run("\(set.name) \(kind.displayName) seed \(seed)", $0.epochs, configuration.pretraining?.epochs ?? 0)
                    }
                    let start = Date()
                    var last: EpochLog?
                    let members = configuration.training == nil ? 1 : ensemble
                    let detector: any AnomalyDetector
                    if members > 1 {
                        detector = try Ensemble.fit(configuration, count: members, data: split.train, seed: UInt64(seed)) { k, e in
                            if k == members - 1 { last = e }
                        }
                    } else {
                        detector = try fitDetector(configuration, data: split.train, using: &rng,
                                                   progress: configuration.training == nil ? nil : { last = $0; report?($0) }).detector
                    }
                    let t = Date().timeIntervalSince(start)
                    let raw = detector.scores(split.testFeatures), scores = raw.map(Double.init)
                    // At the model's own threshold (IMD-AD: s > 0): F1, and the share of test normals flagged.
                    let at = try Metrics.confusion(predictions: detector.flags(raw), labels: split.testLabels)
                    var record = TabularRunRecord(
                        dataset: set.name, method: kind.rawValue, seed: seed,
                        auroc: try Metrics.auroc(scores: scores, labels: split.testLabels),
                        ap: try Metrics.averagePrecision(scores: scores, labels: split.testLabels),
                        f1: at.f1, normalsFlagged: at.falsePositiveRate, trainSeconds: t, epochs: configuration.training?.epochs,
                        gammaL: realizedGammaL(split), blasKernel: BLAS.backend.kernel, finalLoss: last?.loss,
                        setting: setting.name, labeledAnomalies: labeledFraction,
                        unlabeledAnomalies: labeledFraction == nil ? nil : split.unlabeledAnomalies)
                    if members > 1 { record.ensemble = members }
                    if let runsLog { try JSONLines.append(try Self.jsonLine(record), to: runsLog) }
                    these.append(record)
                }
                let auroc = meanAndStandardDeviation(these.map(\.auroc)), ap = meanAndStandardDeviation(these.map(\.ap))
                let summary = TabularSummary(dataset: set.name, method: kind.rawValue, seeds: seeds.count, aurocMean: auroc.mean,
                                             aurocStd: auroc.standardDeviation, apMean: ap.mean, apStd: ap.standardDeviation,
                                             secondsPerRun: meanAndStandardDeviation(these.map(\.trainSeconds)).mean,
                                             setting: setting.name, epochs: configuration.training?.epochs)
                observer.note("\(set.name) \(kind.displayName): AUROC \(Format.fixed(100 * summary.aurocMean, digits: 1)) ± "
                              + Format.fixed(100 * summary.aurocStd, digits: 1) + ", AP \(Format.fixed(100 * summary.apMean, digits: 1))")
                runs += these
                summaries.append(summary)
            }
        }
        return (runs, summaries)
    }

    /// Contaminated setting: the fraction of training anomalies labeled (nil when clean).
    var labeledFraction: Double? { if case .contaminated(let f) = setting { return f } else { return nil } }

    /// The protocol's γ_l when clean; labeled anomalies over training rows when contaminated.
    private func realizedGammaL(_ split: TabularSplit) -> Double {
        guard labeledFraction != nil else { return gammaL }
        return Double(split.train.anomalyRows.count) / Double(max(split.train.labels.count, 1))
    }

    /// A record as one JSON line (sorted keys).
    public static func jsonLine<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    /// The Markdown table of `imdad evaluate`: a row per data set, a column per method with
    /// "AUROC mean ± std / AP mean ± std (seconds per run)", and the published Deep SAD figure
    /// (clean setting, γ_l = 0.01). Each method's header names its epochs.
    public func markdown(_ summaries: [TabularSummary]) -> String {
        func pct(_ x: Double) -> String { Format.fixed(100 * x, digits: 1) }
        let over = seeds.lowerBound == 0 ? "\(seeds.count) seeds" : "seeds \(seeds.lowerBound)–\(seeds.upperBound - 1)"
        var out = "AUROC % / AP % (mean ± std over \(over); mean training seconds per run), \(setting.caption)\n\n"
        let headers = methods.map { kind -> String in
            guard let e = summaries.first(where: { $0.method == kind.rawValue })?.epochs else { return kind.displayName }
            // Deep methods run as ensembles of `ensemble` members when it is above 1.
            return "\(kind.displayName)\(ensemble > 1 ? " ×\(ensemble)" : "") (\(e) epochs)"
        }
        out += "| data set | " + headers.joined(separator: " | ") + " | published Deep SAD AUROC |\n"
        out += "|---|" + methods.map { _ in "---|" }.joined() + "---|\n"
        for set in sets {
            let cells = methods.map { kind -> String in
                guard let s = summaries.first(where: { $0.dataset == set.name && $0.method == kind.rawValue }) else { return "—" }
                return "\(pct(s.aurocMean)) ± \(pct(s.aurocStd)) / \(pct(s.apMean)) ± \(pct(s.apStd)) "
                    + "(\(Format.fixed(s.secondsPerRun, digits: 1)) s)"
            }
            // The published figures are for the clean setting (γ_l = 0.01).
            let published = labeledFraction == nil ? set.published.map { Format.fixed($0, digits: 1) } ?? "—" : "—"
            out += "| \(set.name) | " + cells.joined(separator: " | ") + " | \(published) |\n"
        }
        return out
    }
}
