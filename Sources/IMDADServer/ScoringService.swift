// What the service computes, without HTTP: scores and explanations of a request's rows with one
// loaded model, by the same code as `imdad score --format json` and `imdad explain --format json`.

import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADReports

/// One loaded model and what answers need from it (the threshold, the explainer, the model document).
public struct ScoringService: Sendable {
    public let model: TrainedModel
    /// The model's own threshold (as `imdad score` without `--threshold`).
    public let cut: ScoreCut
    /// nil for a model that is not IMD-AD (explanations need the sphere).
    public let explainer: Explainer?
    /// `GET /v1/model`'s body.
    public let modelDocument: [UInt8]
    /// Requests of at most this many rows are scored in a padded batch of this many rows instead
    /// of ``Network/inferenceBatchSize`` (one row no longer pays for 255 rows of padding), where
    /// that gives the same scores to the bit (``smallestEquivalentBatch(_:columns:)``); nil: none does.
    public let smallBatch: Int?
    /// A score writer with the answer's header already written, copied per request (the header
    /// depends on the model and threshold only).
    let scoreWriter: ScoreWriter

    /// - Parameters:
    ///   - baseline, steps: the attribution baseline and integrated-gradients steps of explanations
    ///     (`imdad explain`'s defaults: nearest-normal, 32).
    public init(model: TrainedModel, baseline: AttributionBaseline = .nearestNormal, steps: Int = 32) throws {
        self.model = model
        cut = .modelThreshold(model)
        if case .imdad(let m) = model.fitted {
            explainer = try Explainer(
                model: m, training: model.baselineRows(baseline), baseline: baseline, steps: steps,
                featureNames: model.metadata.featureNames, scaler: model.metadata.scaler)
        } else {
            explainer = nil
        }
        modelDocument = try ModelDocument(model, cut: cut, explainer: explainer).encoded()
        smallBatch = Self.smallestEquivalentBatch(model.detector, columns: model.metadata.featureNames.count)
        scoreWriter = ScoreWriter(format: .json, model: model, threshold: cut)
    }

    /// The smallest padded batch of 16, 32, 48, …, 128 rows in which every row's score equals, to
    /// the bit, its score at the same place in a full batch (``Network/inferenceBatchSize`` rows,
    /// what `imdad score` uses). A row's score depends on its place in a batch only through the
    /// order of the sums of the products' kernels, which the data do not change; checked here on
    /// eight batches of random rows per size, since which kernel the BLAS library runs for a shape
    /// is not documented.
    public static func smallestEquivalentBatch(_ detector: any AnomalyDetector, columns: Int) -> Int? {
        var rng = RandomGenerator(seed: 26)
        for b in stride(from: 16, through: 128, by: 16) where b < Network.inferenceBatchSize && columns > 0 {
            var same = true
            for _ in 0..<8 where same {
                let x = Tensor(shape: [b, columns], scalars: (0..<(b * columns)).map { _ in rng.uniform(-3, 3) })
                same = detector.scores(x, inferenceBatch: b).map(\.bitPattern) == detector.scores(x).map(\.bitPattern)
            }
            if same { return b }
        }
        return nil
    }

    /// The scaled input of a request's rows.
    func input(_ file: TabularFile) throws -> Tensor {
        try model.prepare(rawFeatures: file.data.features, rows: file.data.rows, columns: file.data.columns)
    }

    /// The detector's scores of `x`, in a small padded batch where that changes nothing.
    func scores(_ x: Tensor) -> [Float] {
        if let b = smallBatch, x.shape[0] <= b { return model.detector.scores(x, inferenceBatch: b) }
        return model.detector.scores(x)
    }

    /// `imdad score --format json`'s output for these rows (one batch layout: the rows scored as one
    /// file, so every score equals the command's for the same rows bit for bit).
    public func score(_ file: TabularFile) throws -> [UInt8] {
        var writer = scoreWriter
        writer.idColumns = file.data.idColumns
        writer.add(
            scores: scores(try input(file)), rows: file.rowNumbers.isEmpty ? Array(1...file.data.rows) : file.rowNumbers,
            ids: file.data.ids, labels: file.data.labels)
        return Array(writer.finish().utf8)
    }

    /// `imdad explain --format json`'s output for every row (all features, by index); with `top`,
    /// each explanation lists only its `top` features ranked by integrated gradients.
    public func explain(_ file: TabularFile, top: Int? = nil) throws(ServeError) -> [UInt8] {
        guard let explainer else {
            throw ServeError(
                status: 422, kind: "notIMDAD",
                message: "explanations need an IMD-AD model; this service holds a \(model.metadata.method.displayName) model "
                    + "(POST /v1/score scores any model)")
        }
        do {
            var explanations = try explainer.explain(try input(file), file: file, rows: Array(0..<file.data.rows))
            if let top {
                for i in explanations.indices {
                    explanations[i].features = Array(explanations[i].ranked(by: .integratedGradients).prefix(max(0, top)))
                }
            }
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            return Array(try enc.encode(explanations)) + [UInt8(ascii: "\n")]
        } catch {
            throw ServeError(status: 500, kind: "internal", message: "the explanation failed: \(error)")
        }
    }
}

/// `GET /v1/model`: method, schema, threshold, sphere (c, R, ρ) and training summary.
struct ModelDocument: Encodable {
    struct SphereDocument: Encodable {
        var center: [Float]
        var radiusSquared: Float
        var radius: Float
        var marginSquared: Float
        var margin: Float
        enum CodingKeys: String, CodingKey {
            case center, radius, margin, radiusSquared = "radius_squared", marginSquared = "margin_squared"
        }
    }
    var method: String
    var methodName: String
    var libraryVersion: String
    var seed: UInt64
    var features: [String]
    var schema: TableSchema
    var threshold: Float
    var thresholdRule: String
    var sphere: SphereDocument?
    var training: TrainingSummary?
    var explanations: [String: String]?

    enum CodingKeys: String, CodingKey {
        case method, seed, features, schema, threshold, sphere, training, explanations
        case methodName = "method_name", libraryVersion = "library_version", thresholdRule = "threshold_rule"
    }

    init(_ model: TrainedModel, cut: ScoreCut, explainer: Explainer?) {
        let m = model.metadata
        method = m.method.rawValue
        methodName = m.method.displayName
        libraryVersion = m.libraryVersion
        seed = m.seed
        features = m.featureNames
        schema = m.effectiveSchema
        threshold = cut.value
        thresholdRule = cut.rule
        if case .imdad(let d) = model.fitted {
            let s = d.sphere
            sphere = SphereDocument(
                center: s.center, radiusSquared: s.radiusSquared, radius: s.radius, marginSquared: s.marginSquared,
                margin: s.margin)
        }
        training = m.training
        explanations = explainer.map { ["baseline": $0.baselineKind.rawValue, "steps": "\($0.steps)"] }
    }

    func encoded() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return Array(try e.encode(self)) + [UInt8(ascii: "\n")]
    }
}
