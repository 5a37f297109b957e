// The model file: one versioned format for every detector, in the safetensors layout.
//
// Layout (all integers little-endian):
//
//     bytes 0..<8     N, the length of the JSON header (UInt64)
//     bytes 8..<8+N   JSON header: { "__metadata__": { "imdad": "<model JSON>", "imdad_crc32": "…" },
//                                    "<tensor name>": { "dtype": "F32"|"F64"|"I32", "shape": […],
//                                                       "data_offsets": [begin, end] }, … }
//     bytes 8+N…      the tensors' raw little-endian data, back to back
//
// Python reads it with `safetensors.numpy.load_file(path)` (tensors) and
// `json.loads(safe_open(path, "np").metadata()["imdad"])` (everything else). `imdad_crc32` is the
// CRC-32 of the model JSON followed by the data section, so a flipped bit anywhere but in the
// tensor table is caught; the tensor table itself is checked against the configuration.
// The metadata's `network` (layers in order, constants, tensor names) and `scoreRule` say how to
// recompute a score without this code: docs/model-format.md specifies every field.

import Foundation
import IMDADData
import IMDADEngine

/// Version of the library writing model files.
public enum IMDADVersion {
    public static let library = "0.1.0"
    /// Bumped when a model file written by this version cannot be read by an older one (2: the
    /// configurations hold their ablation switches in an object of their own; the schema and the
    /// training summary are stored).
    public static let modelFormat = 2
    /// The format versions this version reads: 1 decodes with the later fields absent.
    public static let readableModelFormats = 1...modelFormat
}

/// What a model file holds besides the tensors.
public struct ModelMetadata: Codable, Sendable, Equatable {
    public var format = "imdad-model"
    public var formatVersion = IMDADVersion.modelFormat
    public var libraryVersion = IMDADVersion.library
    public var method: MethodKind
    public var seed: UInt64
    public var featureNames: [String]
    /// The preprocessing fitted on the training data (nil: features used as given).
    public var scaler: StandardMinMaxScaler?
    public var encoder: EncoderArchitecture?
    public var imdad: IMDADConfiguration?
    public var hypersphere: DeepSVDDConfiguration?
    public var isolationForest: IsolationForest?
    public var devnet: DevNetConfiguration?
    /// Read-outs for people: c, R, ρ (IMD-AD); center and R² (Deep SVDD/SAD).
    public var sphere: Sphere?
    public var center: [Float]?
    public var radiusSquared: Float?
    public var threshold: Float
    public var log: [EpochLog]
    /// Scaled training row whose representation is nearest `c` (the prototype of normality) and
    /// the scaled mean of the training normals: baselines for attributions without the data.
    public var prototype: [Float]?
    public var trainingMean: [Float]?
    /// The training file's columns: the features by name and in order, and the label, id and
    /// ignored columns (nil in files written before it was stored: then only `featureNames`).
    public var schema: TableSchema?
    /// What the model did on its own training data, stored at training time (nil in older files).
    public var training: TrainingSummary?
    /// The network in evaluation order: each layer's kind, constants (batch-norm ε, LeakyReLU
    /// slope, kernel sizes, …) and tensor names, derived from the network itself when the model is
    /// made (nil for Isolation Forest, which has no network, and in files written before it was stored).
    public var network: [LayerDescription]?
    /// How the score comes out of the network's output (nil in older files).
    public var scoreRule: ScoreRule?

    /// The schema to read data with: the stored one, or the feature names alone for older files.
    public var effectiveSchema: TableSchema { schema ?? TableSchema(featureNames: featureNames) }
}

/// The model on its own training data, computed once at training time so that reports and scores
/// can say where a new score stands without the training data.
public struct TrainingSummary: Codable, Sendable, Equatable {
    /// Training rows, normal (or unlabeled) rows and labeled anomalies among them.
    public var rows: Int
    public var normals: Int
    public var labeledAnomalies: Int
    /// Normals the model's threshold flags (`score > threshold`).
    public var normalsFlagged: Int
    /// IMD-AD: the training normals per zone ("inside", "margin band", "outside"); nil for the baselines.
    public var normalZones: [String: Int]?
    /// IMD-AD: the labeled anomalies per zone.
    public var anomalyZones: [String: Int]?
    /// The training normals' score quantiles at q = i/``quantileSteps``, i = 0 … quantileSteps
    /// (lower interpolation: the ⌈q·n⌉-th smallest score, the smallest at q = 0).
    public var normalScoreQuantiles: [Float]

    /// Quantiles stored: every 0.1 % of the training normals.
    public static let quantileSteps = 1000

    public init(rows: Int, normals: Int, labeledAnomalies: Int, normalsFlagged: Int, normalZones: [String: Int]?,
                anomalyZones: [String: Int]?, normalScores: [Float]) {
        self.rows = rows; self.normals = normals; self.labeledAnomalies = labeledAnomalies
        self.normalsFlagged = normalsFlagged; self.normalZones = normalZones; self.anomalyZones = anomalyZones
        let sorted = normalScores.sorted()
        normalScoreQuantiles = sorted.isEmpty ? [] : (0...Self.quantileSteps).map { i in
            let q = Double(i) / Double(Self.quantileSteps)
            return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
        }
    }

    /// The share of training normals scoring below `score` (0 … 100), read off the stored quantiles
    /// by linear interpolation between them: within 0.1 percentage points of the exact share.
    public func percentile(_ score: Float) -> Double {
        let q = normalScoreQuantiles
        guard let first = q.first, let last = q.last else { return .nan }
        if score <= first { return 0 }
        if score > last { return 100 }
        // The last quantile index whose value is below the score.
        var lo = 0, hi = q.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if q[mid] < score { lo = mid } else { hi = mid - 1 }
        }
        let step = 100 / Double(Self.quantileSteps)
        let next = min(lo + 1, q.count - 1)
        let span = Double(q[next]) - Double(q[lo])
        let fraction = span > 0 ? (Double(score) - Double(q[lo])) / span : 0
        return min(100, (Double(lo) + fraction) * step)
    }

    /// The score above which about `rate` of the training normals lie: their (1 − rate) quantile.
    public func threshold(flagging rate: Double) -> Float {
        guard !normalScoreQuantiles.isEmpty else { return .nan }
        let i = Int(((1 - rate) * Double(Self.quantileSteps)).rounded())
        return normalScoreQuantiles[min(max(i, 0), normalScoreQuantiles.count - 1)]
    }
}

/// How a model turns a scaled input row into its anomaly score, as data for other programs
/// (docs/model-format.md). A row is flagged when `score > threshold`.
public struct ScoreRule: Codable, Sendable, Equatable {
    public var kind: Kind
    /// The formula, for people.
    public var formula: String
    /// Constants the rule uses beyond the network: tensor names by role, or metadata fields.
    public var tensors: [String: String]?
    public var fields: [String]?

    public enum Kind: String, Codable, Sendable {
        /// IMD-AD: the score is the network's output, its last layer a `hypersphere` layer.
        case sphereLayer
        /// Deep SVDD / Deep SAD: `‖φ − c‖² − R²` with `c` = `center`, `R²` = `radiusSquared`.
        case centerDistance
        /// Isolation Forest: `2^(−E[h(x)]/c(ψ))` over the `forest.*` tensors.
        case isolationForest
        /// DevNet: the score is the network's single output `φ(x)`.
        case networkOutput
    }

    /// The rule of a fitted detector; `network` is the description of its network (if any).
    public static func of(_ fitted: FittedDetector, network: [LayerDescription]?) -> ScoreRule {
        switch fitted {
        case .imdad:
            return ScoreRule(kind: .sphereLayer,
                             formula: "s = ‖φ‖² − wᵀφ − b = ‖φ − c‖² − R², c = w/2, R² = b + ‖w‖²/4",
                             tensors: network?.last?.tensors, fields: nil)
        case .hypersphere:
            return ScoreRule(kind: .centerDistance, formula: "s = ‖φ − c‖² − R²", tensors: nil,
                             fields: ["center", "radiusSquared"])
        case .devnet:
            return ScoreRule(kind: .networkOutput, formula: "s = φ(x), the network's one output", tensors: nil, fields: nil)
        case .isolationForest:
            return ScoreRule(kind: .isolationForest,
                             formula: "s = 2^(−E[h(x)]/c(ψ)), h(x) = edges to the leaf + c(leaf size), "
                                 + "c(n) = 2(ln(n − 1) + 0.5772156649) − 2(n − 1)/n, c(2) = 1, c(n ≤ 1) = 0",
                             tensors: ["tree_roots": "forest.tree_roots", "split_feature": "forest.split_feature",
                                       "split_value": "forest.split_value", "left_child": "forest.left_child",
                                       "right_child": "forest.right_child", "node_size": "forest.node_size",
                                       "shape": "forest.shape"],
                             fields: nil)
        }
    }
}

extension FittedDetector {
    /// The description of the detector's network (nil: Isolation Forest).
    public var networkDescription: [LayerDescription]? {
        switch self {
        case .imdad(let d): return d.network.body.describe()
        case .hypersphere(let d): return d.network.body.describe()
        case .devnet(let d): return d.network.body.describe()
        case .isolationForest: return nil
        }
    }
}

/// A trained detector with everything needed to score raw data: the file's content.
public struct TrainedModel: Sendable {
    public var fitted: FittedDetector
    public var metadata: ModelMetadata

    public init(fitted: FittedDetector, method: MethodKind, seed: UInt64, featureNames: [String], scaler: StandardMinMaxScaler?) {
        self.fitted = fitted
        var m = ModelMetadata(method: method, seed: seed, featureNames: featureNames, scaler: scaler,
                              threshold: fitted.detector.threshold, log: fitted.log)
        switch fitted {
        case .imdad(let d):
            m.encoder = d.configuration.encoder; m.imdad = d.configuration; m.sphere = d.sphere
        case .hypersphere(let d):
            m.encoder = d.configuration.encoder; m.hypersphere = d.configuration
            m.center = d.center; m.radiusSquared = d.radiusSquared
        case .isolationForest(let d):
            m.isolationForest = d.forest
        case .devnet(let d):
            m.encoder = d.configuration.encoder; m.devnet = d.configuration
        }
        m.network = fitted.networkDescription
        m.scoreRule = ScoreRule.of(fitted, network: m.network)
        metadata = m
    }

    public var detector: any AnomalyDetector { fitted.detector }

    /// Records what the model does on its (scaled) training data: the attribution baselines and
    /// the ``TrainingSummary`` (zones, the normals flagged, their score quantiles).
    public mutating func recordTraining(_ training: LabeledData) {
        let normals = training.normals
        let normalScores = fitted.detector.scores(normals)
        let anomalyScores = training.anomalies.map { fitted.detector.scores($0) } ?? []
        var normalZones: [String: Int]?, anomalyZones: [String: Int]?
        if case .imdad(let m) = fitted {
            let sphere = m.sphere
            func zones(_ s: [Float]) -> [String: Int] {
                var out = Dictionary(uniqueKeysWithValues: Zone.allCases.map { ($0.rawValue, 0) })
                for x in s { out[sphere.zone(score: x).rawValue, default: 0] += 1 }
                return out
            }
            normalZones = zones(normalScores)
            anomalyZones = zones(anomalyScores)
        }
        metadata.training = TrainingSummary(rows: training.labels.count, normals: training.normalRows.count,
                                            labeledAnomalies: training.anomalyRows.count,
                                            normalsFlagged: fitted.detector.flags(normalScores).filter { $0 }.count,
                                            normalZones: normalZones, anomalyZones: anomalyZones, normalScores: normalScores)
        recordBaselines(training: training)
    }

    /// Records the attribution baselines from the (scaled) training data.
    public mutating func recordBaselines(training: LabeledData) {
        let normals = training.normals
        let n = normals.shape[0], d = normals.count / max(n, 1)
        guard n > 0 else { return }
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for k in 0..<d { mean[k] += Double(normals.scalars[i * d + k]) } }
        metadata.trainingMean = mean.map { Float($0 / Double(n)) }
        if case .imdad(let m) = fitted {
            let scores = m.scores(normals)
            if let best = scores.indices.min(by: { scores[$0] < scores[$1] }) {
                metadata.prototype = Array(normals.scalars[(best * d)..<((best + 1) * d)])
            }
        }
    }

    /// Scales raw rows with the stored scaler (if any) into the detector's input tensor.
    public func prepare(rawFeatures: [Double], rows: Int, columns: Int) throws -> Tensor {
        guard columns == metadata.featureNames.count else {
            throw DetectorError.featureMismatch(expected: metadata.featureNames.count, found: columns)
        }
        return try Self.input(rawFeatures, rows: rows, columns: columns, scaler: metadata.scaler)
    }

    /// The detector's input tensor for raw rows: scaled by `scaler`, or as given when there is none
    /// (`imdad train --no-scaling`). Training and scoring both go through here.
    public static func input(_ rawFeatures: [Double], rows: Int, columns: Int, scaler: StandardMinMaxScaler?) throws -> Tensor {
        let x = try scaler.map { try $0.transform(rawFeatures, columns: columns) } ?? rawFeatures.map(Float.init)
        return Tensor(shape: [rows, columns], scalars: x)
    }
}

/// A model file could not be read.
public struct ModelFileError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var position: String
    public var problem: String
    public var hint: String?
    public var description: String {
        "\(file): \(position): \(problem)" + (hint.map { ". HINT: \($0)" } ?? "")
    }
}

// MARK: - Encoding

private struct TensorEntry { var name: String; var dtype: String; var shape: [Int]; var bytes: [UInt8] }

private func bytes<T>(of values: [T]) -> [UInt8] {
    values.withUnsafeBytes { Array($0) }  // little-endian on every supported platform
}

extension TrainedModel {
    private var tensorEntries: [TensorEntry] {
        switch fitted {
        case .imdad(let d):
            return zip(d.network.parameters.names, d.network.parameters.values).map {
                TensorEntry(name: $0, dtype: "F32", shape: $1.shape, bytes: bytes(of: $1.scalars))
            }
        case .hypersphere(let d):
            return zip(d.network.parameters.names, d.network.parameters.values).map {
                TensorEntry(name: $0, dtype: "F32", shape: $1.shape, bytes: bytes(of: $1.scalars))
            }
        case .devnet(let d):
            return zip(d.network.parameters.names, d.network.parameters.values).map {
                TensorEntry(name: $0, dtype: "F32", shape: $1.shape, bytes: bytes(of: $1.scalars))
            }
        case .isolationForest(let d):
            let m = d.model
            return [("forest.tree_roots", m.treeRoots), ("forest.split_feature", m.splitFeature),
                    ("forest.left_child", m.leftChild), ("forest.right_child", m.rightChild), ("forest.node_size", m.nodeSize)]
                .map { TensorEntry(name: $0.0, dtype: "I32", shape: [$0.1.count], bytes: bytes(of: $0.1)) }
                + [TensorEntry(name: "forest.split_value", dtype: "F64", shape: [m.splitValue.count], bytes: bytes(of: m.splitValue)),
                   TensorEntry(name: "forest.shape", dtype: "I32", shape: [3],
                               bytes: bytes(of: [Int32(m.columns), Int32(m.sampleSize), Int32(m.heightLimit)]))]
        }
    }

    /// The file's bytes. Deterministic: the same model gives the same bytes.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let modelJSON = String(decoding: try encoder.encode(metadata), as: UTF8.self)
        let entries = tensorEntries
        var data: [UInt8] = []
        var table: [(String, String)] = []
        for e in entries {
            let begin = data.count
            data += e.bytes
            let shape = e.shape.map(String.init).joined(separator: ",")
            table.append((e.name, "{\"dtype\":\"\(e.dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(data.count)]}"))
        }
        let crc = crc32Checksum(Array(modelJSON.utf8) + data)
        let metaJSON = "{\"imdad\":\(Format.jsonString(modelJSON)),\"imdad_crc32\":\"\(crc)\"}"
        var header = "{\"__metadata__\":\(metaJSON)"
        for (name, desc) in table { header += ",\(Format.jsonString(name)):\(desc)" }
        header += "}"
        while (header.utf8.count % 8) != 0 { header += " " }  // safetensors pads the header to 8 bytes
        let h = Array(header.utf8)
        return bytes(of: [UInt64(h.count)]) + h + data
    }

    /// Writes the model to `url` through a temporary file and a rename, so an interrupted write
    /// never leaves a half-written model. Refuses to replace an existing file unless `overwrite`.
    public func write(to url: URL, overwrite: Bool) throws {
        try writeAtomically(try encoded(), to: url, overwrite: overwrite)
    }
}

/// The error thrown when an output file exists and may not be replaced.
public struct OutputExistsError: Error, CustomStringConvertible {
    public var path: String
    public init(path: String) { self.path = path }
    public var description: String { "\(path) already exists. HINT: allow replacing it (overwrite), or choose another path" }
}

/// Writes `bytes` to a temporary file beside `url`, flushes it, then renames it over `url`.
public func writeAtomically(_ bytes: [UInt8], to url: URL, overwrite: Bool) throws {
    let file = try AtomicFileWriter(url: url, overwrite: overwrite)
    try file.write(bytes)
    try file.commit()
}

/// An output file written in pieces through a hidden temporary file beside it
/// (`.<name>.<pid>.tmp`), flushed and renamed over `url` by `commit()`. Until then `url` is
/// untouched; a writer released without `commit()` (an error, a thrown exception) removes its
/// temporary file. Only a kill during the write can leave the hidden temporary file behind.
public final class AtomicFileWriter {
    public let url: URL
    public let temporaryURL: URL
    private var handle: FileHandle?

    /// Creates the temporary file. Throws `OutputExistsError` when `url` exists and not `overwrite`.
    public init(url: URL, overwrite: Bool) throws {
        let fm = FileManager.default
        if !overwrite && fm.fileExists(atPath: url.path) { throw OutputExistsError(path: url.path) }
        self.url = url
        temporaryURL = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        guard fm.createFile(atPath: temporaryURL.path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporaryURL.path])
        }
        do { handle = try FileHandle(forWritingTo: temporaryURL) } catch {
            try? fm.removeItem(at: temporaryURL)
            throw error
        }
    }

    /// Appends bytes to the temporary file.
    public func write(_ bytes: [UInt8]) throws {
        guard let handle else { preconditionFailure("AtomicFileWriter.write after commit") }
        do { try handle.write(contentsOf: Data(bytes)) } catch { discard(); throw error }
    }

    /// Flushes the temporary file to disk and renames it over `url`.
    public func commit() throws {
        guard let handle else { preconditionFailure("AtomicFileWriter.commit twice") }
        do {
            try handle.synchronize()
            try handle.close()
            self.handle = nil
            if rename(temporaryURL.path, url.path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        } catch {
            discard()
            throw error
        }
    }

    private func discard() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(at: temporaryURL)
    }

    deinit { if handle != nil { discard() } }
}
