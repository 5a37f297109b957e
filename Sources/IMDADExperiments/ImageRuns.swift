// Results of image benchmark runs: one JSON line per run, a key to resume a sweep, and the
// Markdown summary (AUROC per class and mean, per method × γ_l).

import Foundation
import IMDADData
import IMDADDetectors

/// One finished run of the image protocol, as stored in a results file (one JSON object a line):
/// the run's identity (``ImageRunKey``, readable as `record.dataset`, `record.seed`, …) and what it
/// measured. The JSON is flat: the key's fields sit beside the results.
@dynamicMemberLookup
public struct ImageRunRecord: Sendable, Codable, Equatable {
    /// What identifies the run for `--resume`: the data, the split and the training settings.
    public var key: ImageRunKey
    public var auroc: Double
    public var ap: Double
    public var trainSeconds: Double
    public var testSeconds: Double
    public var libraryVersion: String
    public var blasKernel: String
    /// n, m, u of the split.
    public var normals: Int
    public var labeled: Int
    public var pollution: Int
    /// ISO 8601 time the run finished.
    public var finished: String

    public subscript<T>(dynamicMember field: WritableKeyPath<ImageRunKey, T>) -> T {
        get { key[keyPath: field] }
        set { key[keyPath: field] = newValue }
    }

    enum CodingKeys: String, CodingKey {
        case auroc, ap, normals, labeled, pollution, finished
        case trainSeconds = "train_seconds", testSeconds = "test_seconds"
        case libraryVersion = "library_version", blasKernel = "blas_kernel"
    }

    public init(key: ImageRunKey, auroc: Double, ap: Double, trainSeconds: Double, testSeconds: Double,
                libraryVersion: String, blasKernel: String, normals: Int, labeled: Int, pollution: Int, finished: String) {
        self.key = key
        self.auroc = auroc; self.ap = ap; self.trainSeconds = trainSeconds; self.testSeconds = testSeconds
        self.libraryVersion = libraryVersion; self.blasKernel = blasKernel
        self.normals = normals; self.labeled = labeled; self.pollution = pollution; self.finished = finished
    }

    public init(dataset: String, method: String, normalClass: Int, knownClass: Int, gammaL: Double, gammaP: Double,
                seed: UInt64, epochs: Int, lr: Double, milestones: [Int], batchSize: Int,
                auroc: Double, ap: Double, trainSeconds: Double, testSeconds: Double, libraryVersion: String, blasKernel: String,
                normals: Int, labeled: Int, pollution: Int, finished: String) {
        self.init(key: ImageRunKey(dataset: dataset, method: method, normalClass: normalClass, knownClass: knownClass,
                                   gammaL: gammaL, gammaP: gammaP, seed: seed, epochs: epochs, lr: lr, milestones: milestones,
                                   batchSize: batchSize),
                  auroc: auroc, ap: ap, trainSeconds: trainSeconds, testSeconds: testSeconds, libraryVersion: libraryVersion,
                  blasKernel: blasKernel, normals: normals, labeled: labeled, pollution: pollution, finished: finished)
    }

    public init(from decoder: any Decoder) throws {
        key = try ImageRunKey(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        auroc = try c.decode(Double.self, forKey: .auroc); ap = try c.decode(Double.self, forKey: .ap)
        trainSeconds = try c.decode(Double.self, forKey: .trainSeconds)
        testSeconds = try c.decode(Double.self, forKey: .testSeconds)
        libraryVersion = try c.decode(String.self, forKey: .libraryVersion)
        blasKernel = try c.decode(String.self, forKey: .blasKernel)
        normals = try c.decode(Int.self, forKey: .normals); labeled = try c.decode(Int.self, forKey: .labeled)
        pollution = try c.decode(Int.self, forKey: .pollution); finished = try c.decode(String.self, forKey: .finished)
    }

    public func encode(to encoder: any Encoder) throws {
        try key.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(auroc, forKey: .auroc); try c.encode(ap, forKey: .ap)
        try c.encode(trainSeconds, forKey: .trainSeconds); try c.encode(testSeconds, forKey: .testSeconds)
        try c.encode(libraryVersion, forKey: .libraryVersion); try c.encode(blasKernel, forKey: .blasKernel)
        try c.encode(normals, forKey: .normals); try c.encode(labeled, forKey: .labeled)
        try c.encode(pollution, forKey: .pollution); try c.encode(finished, forKey: .finished)
    }

    /// The record as one JSON line (sorted keys, no trailing newline).
    public func jsonLine() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(self), as: UTF8.self)
    }
}

/// The identity of a run: data set, method, classes, γ_l, γ_p, seed and training settings.
public struct ImageRunKey: Hashable, Sendable, Codable {
    public var dataset: String
    public var method: String
    public var normalClass: Int
    public var knownClass: Int
    public var gammaL: Double
    public var gammaP: Double
    public var seed: UInt64
    public var epochs: Int
    public var lr: Double
    public var milestones: [Int]
    public var batchSize: Int
    /// Autoencoder pretraining epochs; nil (absent from the file) when the encoder was not pretrained.
    public var pretrainEpochs: Int?
    /// The method's objective settings (``DetectorConfiguration/objective``, e.g. "ν 0.7, κ 10" for
    /// IMD-AD); nil (absent) for a baseline at its defaults, and in records written before the
    /// field existed, which then never match a run that has one (`--resume` reruns them).
    public var objective: String?

    enum CodingKeys: String, CodingKey {
        case dataset, method, seed, epochs, lr, milestones, objective
        case normalClass = "normal_class", knownClass = "known_class", gammaL = "gamma_l", gammaP = "gamma_p"
        case batchSize = "batch_size", pretrainEpochs = "pretrain_epochs"
    }

    public init(dataset: String, method: String, normalClass: Int, knownClass: Int, gammaL: Double, gammaP: Double,
                seed: UInt64, epochs: Int, lr: Double, milestones: [Int], batchSize: Int, pretrainEpochs: Int? = nil,
                objective: String? = nil) {
        self.dataset = dataset; self.method = method; self.normalClass = normalClass; self.knownClass = knownClass
        self.gammaL = gammaL; self.gammaP = gammaP; self.seed = seed; self.epochs = epochs; self.lr = lr
        self.milestones = milestones; self.batchSize = batchSize; self.pretrainEpochs = pretrainEpochs
        self.objective = objective
    }
}

/// Reading, appending and summarizing results files.
public enum ImageRunLog {
    /// The records of a results file; a missing file is empty. Blank lines are skipped; a line
    /// that is not a record throws with its line number (a half-written last line, from a run
    /// killed while writing, is skipped).
    public static func read(path: String) throws -> [ImageRunRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [ImageRunRecord] = []
        let d = JSONDecoder()
        for (i, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                out.append(try d.decode(ImageRunRecord.self, from: Data(line.utf8)))
            } catch {
                if i == lines.count - 1 && !text.hasSuffix("\n") { continue }
                throw ExperimentError("\(path), line \(i + 1): not an image run record (\(error))")
            }
        }
        return out
    }

    /// Appends one record as a line, creating the file and its folder when missing; sweeps running
    /// at once may share the file (``JSONLines/append(_:to:)``).
    public static func append(_ record: ImageRunRecord, to path: String) throws {
        try JSONLines.append(try record.jsonLine(), to: path)
    }

    /// Markdown tables of AUROC (%), one per data set × γ_p × epochs × lr schedule: a row per normal class
    /// and a mean row, a column per method × γ_l; a cell holds mean ± std over seeds and known
    /// anomaly classes when there are several. Below the mean, the mean training and test seconds per run. When a key
    /// occurs more than once, the last record wins.
    public static func summary(_ records: [ImageRunRecord]) -> String {
        var latest: [ImageRunKey: ImageRunRecord] = [:]
        var order: [ImageRunKey] = []
        for r in records {
            if latest[r.key] == nil { order.append(r.key) }
            latest[r.key] = r
        }
        let runs = order.map { latest[$0]! }
        guard !runs.isEmpty else { return "No runs.\n" }
        struct Group: Hashable { var dataset: String; var gammaP: Double; var epochs: Int; var lr: Double; var milestones: [Int] }
        struct Column: Hashable {
            var method: String, gammaL: Double, pretrainEpochs: Int?, objective: String?
            init(_ r: ImageRunRecord) {
                method = r.method; gammaL = r.gammaL; pretrainEpochs = r.key.pretrainEpochs; objective = r.key.objective
            }
            var settings: String { (objective.map { " (\($0))" } ?? "") + (pretrainEpochs.map { " + AE \($0)" } ?? "") }
        }
        let groups = Dictionary(grouping: runs) {
            Group(dataset: $0.dataset, gammaP: $0.gammaP, epochs: $0.epochs, lr: $0.lr, milestones: $0.milestones)
        }
        let methodOrder = ["imdad", "deepsad-balanced", "deepsad", "deepsvdd", "deepsvdd-soft", "iforest"]
        func methodRank(_ m: String) -> Int { methodOrder.firstIndex(of: m) ?? methodOrder.count }
        func name(_ m: String) -> String { MethodKind(rawValue: m)?.displayName ?? m }
        func pct(_ x: Double) -> String { Format.fixed(100 * x, digits: 1) }
        func secs(_ x: Double) -> String { Format.fixed(x, digits: x >= 100 ? 0 : 1) }
        func mean(_ x: [Double]) -> Double { meanAndStandardDeviation(x).mean }
        func std(_ x: [Double]) -> Double { meanAndStandardDeviation(x).standardDeviation }
        var out = ""
        let sortedGroups = groups.keys.sorted {
            ($0.dataset, $0.gammaP, $0.epochs, $0.lr, $0.milestones.description)
                < ($1.dataset, $1.gammaP, $1.epochs, $1.lr, $1.milestones.description)
        }
        for g in sortedGroups {
            let rs = groups[g]!
            let columns = Set(rs.map(Column.init)).sorted {
                (methodRank($0.method), $0.method, $0.objective ?? "", $0.pretrainEpochs ?? 0, $0.gammaL)
                    < (methodRank($1.method), $1.method, $1.objective ?? "", $1.pretrainEpochs ?? 0, $1.gammaL)
            }
            let classes = Set(rs.map(\.normalClass)).sorted()
            let title = ImageDataset(rawValue: g.dataset)?.displayName ?? g.dataset
            let seeds = Set(rs.map(\.seed)).count
            // Known anomaly classes: the sweep's default (normal + 1 mod 10) or, as in the Deep SAD
            // paper, several per normal class, which the cells then average.
            let severalKnown = Set(rs.map { [$0.normalClass, $0.knownClass] }).count > classes.count
            let known = rs.allSatisfy { $0.knownClass == ($0.normalClass + 1) % 10 } ? "known anomaly class = normal + 1"
                : severalKnown ? "\(Set(rs.map(\.knownClass)).count) known anomaly classes" : "known anomaly class as recorded"
            let over = (seeds > 1 ? ["seeds"] : []) + (severalKnown ? ["known anomaly classes"] : [])
            let steps = g.milestones.map(String.init).joined(separator: ", ")
            out += "### \(title): AUROC % (γ_p = \(g.gammaP), \(g.epochs) epochs, lr \(g.lr) ÷10 at \(steps), \(known)"
            out += over.isEmpty ? ")\n\n" : ", mean ± std over \(over.joined(separator: " and ")))\n\n"
            out += "| normal class | "
                + columns.map { "\(name($0.method))\($0.settings) γ_l=\($0.gammaL)" }.joined(separator: " | ") + " |\n"
            out += "|---|" + columns.map { _ in "---|" }.joined() + "\n"
            for c in classes {
                let cells = columns.map { col -> String in
                    let a = rs.filter { $0.normalClass == c && Column($0) == col }.map(\.auroc)
                    if a.isEmpty { return "—" }
                    return a.count > 1 ? "\(pct(mean(a))) ± \(pct(std(a)))" : pct(a[0])
                }
                out += "| \(c) | " + cells.joined(separator: " | ") + " |\n"
            }
            func row(_ label: String, _ f: ([ImageRunRecord]) -> String) {
                out += "| \(label) | " + columns.map { col in
                    let sel = rs.filter { Column($0) == col }
                    return sel.isEmpty ? "—" : f(sel)
                }.joined(separator: " | ") + " |\n"
            }
            row("**mean**") { sel in
                // Mean over classes of the per-class mean over seeds; marks incomplete columns.
                let perClass = Dictionary(grouping: sel, by: \.normalClass).values.map { mean($0.map(\.auroc)) }
                let m = "**\(pct(mean(perClass)))**"
                return perClass.count < classes.count ? "\(m) (\(perClass.count) classes)" : m
            }
            row("train s/run") { secs(mean($0.map(\.trainSeconds))) }
            row("test s/run") { secs(mean($0.map(\.testSeconds))) }
            row("runs") { "\($0.count)" }
            out += "\n"
        }
        return out
    }
}
