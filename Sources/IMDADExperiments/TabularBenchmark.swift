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
    public var gammaL: Double
    public var blasKernel: String
    /// The last epoch's mean training loss (the deep methods).
    public var finalLoss: Double?

    enum CodingKeys: String, CodingKey {
        case dataset, method, seed, auroc, ap, f1, epochs
        case normalsFlagged = "normals_flagged", trainSeconds = "train_seconds", gammaL = "gamma_l"
        case blasKernel = "blas_kernel", finalLoss = "final_loss"
    }
}

/// A method on a data set over the seeds: AUROC mean ± std, mean AP and training seconds.
public struct TabularSummary: Sendable, Codable, Equatable {
    public var dataset: String
    public var method: String
    public var seeds: Int
    public var aurocMean: Double
    public var aurocStd: Double
    public var apMean: Double
    public var secondsPerRun: Double

    enum CodingKeys: String, CodingKey {
        case dataset, method, seeds
        case aurocMean = "auroc_mean", aurocStd = "auroc_std", apMean = "ap_mean", secondsPerRun = "seconds_per_run"
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
    /// γ_l = m/(n + m).
    public var gammaL: Double
    /// The configuration of each method on a data set's encoder.
    public var configure: (MethodKind, EncoderArchitecture) throws -> DetectorConfiguration
    /// The label array or column of a file given by the user (nil: the benchmark files' `y`).
    public var labelColumn: String?
    /// Each finished run is appended to this JSON-lines file (nil: none).
    public var runsLog: String?

    public init(sets: [TabularBenchmarkSet], methods: [MethodKind], seeds: Range<Int>, gammaL: Double,
                configure: @escaping (MethodKind, EncoderArchitecture) throws -> DetectorConfiguration) {
        self.sets = sets; self.methods = methods; self.seeds = seeds; self.gammaL = gammaL; self.configure = configure
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
                    let split = try TabularProtocol.split(tabular, seed: UInt64(seed), labeledRatio: gammaL)
                    var rng = RandomGenerator(seed: UInt64(seed))
                    let report = configuration.training.flatMap {
                        observer.run("\(set.name) \(kind.displayName) seed \(seed)", $0.epochs, configuration.pretraining?.epochs ?? 0)
                    }
                    let start = Date()
                    var last: EpochLog?
                    let fitted = try fitDetector(configuration, data: split.train, using: &rng,
                                                 progress: configuration.training == nil ? nil : { last = $0; report?($0) })
                    let t = Date().timeIntervalSince(start)
                    let raw = fitted.detector.scores(split.testFeatures), scores = raw.map(Double.init)
                    // At the model's own threshold (IMD-AD: s > 0): F1, and the share of test normals flagged.
                    let at = try Metrics.confusion(predictions: fitted.detector.flags(raw), labels: split.testLabels)
                    let record = TabularRunRecord(
                        dataset: set.name, method: kind.rawValue, seed: seed,
                        auroc: try Metrics.auroc(scores: scores, labels: split.testLabels),
                        ap: try Metrics.averagePrecision(scores: scores, labels: split.testLabels),
                        f1: at.f1, normalsFlagged: at.falsePositiveRate, trainSeconds: t, epochs: configuration.training?.epochs,
                        gammaL: gammaL, blasKernel: BLAS.backend.kernel, finalLoss: last?.loss)
                    if let runsLog { try JSONLines.append(try Self.jsonLine(record), to: runsLog) }
                    these.append(record)
                }
                let auroc = meanAndStandardDeviation(these.map(\.auroc))
                let summary = TabularSummary(dataset: set.name, method: kind.rawValue, seeds: seeds.count, aurocMean: auroc.mean,
                                             aurocStd: auroc.standardDeviation, apMean: meanAndStandardDeviation(these.map(\.ap)).mean,
                                             secondsPerRun: meanAndStandardDeviation(these.map(\.trainSeconds)).mean)
                observer.note("\(set.name) \(kind.displayName): AUROC \(Format.fixed(100 * summary.aurocMean, digits: 1)) ± "
                              + Format.fixed(100 * summary.aurocStd, digits: 1))
                runs += these
                summaries.append(summary)
            }
        }
        return (runs, summaries)
    }

    /// A record as one JSON line (sorted keys).
    public static func jsonLine<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    /// The Markdown table of `imdad evaluate`: a row per data set, a column per method with
    /// "AUROC mean ± std (seconds per run)", and the published Deep SAD figure.
    public func markdown(_ summaries: [TabularSummary], epochs: Int) -> String {
        func pct(_ x: Double) -> String { Format.fixed(100 * x, digits: 1) }
        let over = seeds.lowerBound == 0 ? "\(seeds.count) seeds" : "seeds \(seeds.lowerBound)–\(seeds.upperBound - 1)"
        var out = "AUROC % (mean ± std over \(over); mean training seconds per run), γ_l = \(gammaL), \(epochs) epochs\n\n"
        out += "| data set | " + methods.map(\.displayName).joined(separator: " | ") + " | published Deep SAD |\n"
        out += "|---|" + methods.map { _ in "---|" }.joined() + "---|\n"
        for set in sets {
            let cells = methods.map { kind -> String in
                guard let s = summaries.first(where: { $0.dataset == set.name && $0.method == kind.rawValue }) else { return "—" }
                return "\(pct(s.aurocMean)) ± \(pct(s.aurocStd)) (\(Format.fixed(s.secondsPerRun, digits: 1)) s)"
            }
            let published = set.published.map { Format.fixed($0, digits: 1) } ?? "—"
            out += "| \(set.name) | " + cells.joined(separator: " | ") + " | \(published) |\n"
        }
        return out
    }
}
