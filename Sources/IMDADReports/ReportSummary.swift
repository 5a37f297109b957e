// The numbers behind the HTML report, computed once from the model and the data.
//
// Everything the report draws or prints is read from a `ReportSummary`, and every number in it
// comes from the library's own functions on the same model and data (`IMDAD.scores`,
// `IMDAD.representations`, `IMDAD.sphere`, `Metrics`, `Explainer`), so a test can compare them.

import Foundation
import IMDADCharts
import IMDADEngine
import IMDADData
import IMDADDetectors

/// What the report is about: the data set and what is known of it.
public struct ReportData: Sendable {
    /// Features (N, D), scaled as the model was trained.
    public var features: Tensor
    /// 1 = anomaly, 0 = normal, one per row; nil when unlabeled.
    public var labels: [Int]?
    /// One per column; default "feature k" (or "pixel (r, c)" for images).
    public var featureNames: [String]?
    /// `[channels, height, width]` (e.g. `[1, 28, 28]`) for image data; nil for tabular.
    public var imageShape: [Int]?
    /// Training features (normal rows), scaled like `features`: the prototype, the baseline of the
    /// attributions and where the training rows fall. Pass the real training rows only: rows that
    /// merely stand in for the baseline go in `baselineRows`.
    public var training: Tensor?
    /// Rows used only as the attribution baseline (e.g. the prototype or the training mean a model
    /// file stores), scaled like `features`; never counted as training data. Ignored when
    /// `training` is given.
    public var baselineRows: Tensor?
    /// What the model did on its training data, stored in the model file at training time (zones,
    /// the normals' score quantiles); nil for a model written before it was stored.
    public var trainingSummary: TrainingSummary?
    /// The prototype of normality stored in the model file (the scaled training normal nearest c);
    /// used when `training` is nil.
    public var storedPrototype: [Float]?
    /// Each row's number as people read it (1-based among the file's data rows, as `imdad score`
    /// numbers them); nil: row index + 1.
    public var rowNumbers: [Int]?
    /// Names of the id columns, in file order (empty without ids).
    public var idColumns: [String]
    /// Each row's id texts, one per `idColumns` entry; nil without id columns.
    public var rowIDs: [[String]]?
    /// Raw values of every row of `features` (reported next to the scaled ones).
    public var rawRows: [[Double]]?
    /// The scaler that produced `features` (raw values when `rawRows` is nil).
    public var scaler: StandardMinMaxScaler?
    /// A name for the data set ("thyroid test split").
    public var name: String

    public init(features: Tensor, labels: [Int]? = nil, featureNames: [String]? = nil, imageShape: [Int]? = nil,
                training: Tensor? = nil, rawRows: [[Double]]? = nil, scaler: StandardMinMaxScaler? = nil,
                name: String = "data", baselineRows: Tensor? = nil, trainingSummary: TrainingSummary? = nil,
                storedPrototype: [Float]? = nil, rowNumbers: [Int]? = nil, idColumns: [String] = [],
                rowIDs: [[String]]? = nil) {
        self.features = features; self.labels = labels; self.featureNames = featureNames
        self.imageShape = imageShape; self.training = training; self.rawRows = rawRows
        self.scaler = scaler; self.name = name; self.baselineRows = baselineRows
        self.trainingSummary = trainingSummary; self.storedPrototype = storedPrototype
        self.rowNumbers = rowNumbers; self.idColumns = idColumns; self.rowIDs = rowIDs
    }
}

/// How the report is made.
public struct ReportOptions: Sendable {
    /// How many of the highest-scoring samples are explained.
    public var topK = 10
    /// Baseline of integrated gradients; falls back to `.zeros` without training data.
    public var baseline: AttributionBaseline = .nearestNormal
    /// Quadrature points of integrated gradients.
    public var steps = 32
    /// Features shown per explained sample (bar chart and table).
    public var featuresShown = 12
    /// Page title (default "IMD-AD report: <data name>").
    public var title: String?
    public init() {}
}

/// Invalid input to the report.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    case emptyData
    case featureMismatch(expected: Int, found: Int)
    case labelCount(labels: Int, rows: Int)
    case imageShapeMismatch(shape: [Int], features: Int)
    case rowNumberCount(numbers: Int, rows: Int)
    case rowIDCount(ids: Int, rows: Int, columns: Int)

    public var description: String {
        switch self {
        case .emptyData: return "the data has no rows"
        case let .featureMismatch(e, f): return "the model expects \(e) features per sample, the data has \(f)"
        case let .labelCount(l, r): return "\(l) labels for \(r) rows"
        case let .imageShapeMismatch(s, f): return "image shape \(s) does not hold \(f) features"
        case let .rowNumberCount(k, r): return "\(k) row numbers for \(r) rows"
        case let .rowIDCount(k, r, c): return "\(k) id rows for \(r) rows (each with \(c) id texts)"
        }
    }
}

/// The numbers of one report.
public struct ReportSummary: Sendable, Codable, Equatable {
    /// The sphere read off the final layer (spec §2): `c = w/2`, `R² = b + ‖w‖²/4`, margin `ρ²`.
    public struct SphereSummary: Sendable, Codable, Equatable {
        public var center: [Float]
        /// `‖c‖`.
        public var centerNorm: Float
        public var radiusSquared: Float
        /// `R = √max(R², 0)`.
        public var radius: Float
        public var marginSquared: Float
        public var margin: Float
        /// `ρ²/R²`; nil when `R² ≤ 0`.
        public var relativeMargin: Float?
        /// `√(R² + ρ²)`: the distance at which a sample leaves the margin band.
        public var outerRadius: Float
        /// `ν`: bound on the fraction of normal training samples left outside.
        public var nu: Float
        /// `κ`: weight of the labeled anomalies.
        public var kappa: Float
        /// `ν_R`: the ν at which `R²` was refit after training (nil: `R²` as trained).
        public var radiusNu: Float? = nil
    }

    /// How many samples fall in each zone.
    public struct ZoneCounts: Sendable, Codable, Equatable {
        public var inside = 0, marginBand = 0, outside = 0
        public var total: Int { inside + marginBand + outside }
        /// Fraction with `s > 0` (margin band or outside: flagged).
        public var flaggedFraction: Double { total > 0 ? Double(marginBand + outside) / Double(total) : 0 }
        public var count: Int { total }
        /// Counts of a stored zone table ("inside", "margin band", "outside" → count).
        public init(stored: [String: Int]) {
            inside = stored[Zone.inside.rawValue] ?? 0
            marginBand = stored[Zone.marginBand.rawValue] ?? 0
            outside = stored[Zone.outside.rawValue] ?? 0
        }
        init(_ zones: [Zone]) {
            for z in zones {
                switch z {
                case .inside: inside += 1
                case .marginBand: marginBand += 1
                case .outside: outside += 1
                }
            }
        }
    }

    /// Detection quality (labeled data with both classes only).
    public struct Evaluation: Sendable, Codable, Equatable {
        public var auroc: Double
        public var averagePrecision: Double
        /// Anomalies / samples (the chance level of precision).
        public var anomalyRate: Double
        /// Confusion at the sphere's own threshold `s > 0`.
        public var confusion: Metrics.Confusion
        /// ROC curve (false-positive rate, true-positive rate), decreasing thresholds.
        public var fpr: [Double], tpr: [Double]
        /// PR curve (recall, precision), decreasing thresholds.
        public var recall: [Double], precision: [Double]
    }

    /// The training sample nearest the center: the prototype of normality.
    public struct Prototype: Sendable, Codable, Equatable {
        /// Row in the training features; nil when the prototype was read from the model file.
        public var trainingRow: Int?
        public var features: [Float]
        public var rawFeatures: [Double]?
        public var score: Float
        /// `‖φ − c‖`.
        public var distance: Float
    }

    public var title: String
    public var dataName: String
    public var method: String
    public var encoder: String
    public var sampleCount: Int
    public var featureCount: Int
    public var featureNames: [String]
    public var imageShape: [Int]?
    public var sphere: SphereSummary
    /// `s(x)` of every row (`IMDAD.scores`).
    public var scores: [Float]
    public var labels: [Int]?
    public var zones: ZoneCounts
    /// Labeled anomalies of the data per zone (nil when unlabeled).
    public var anomalyZones: ZoneCounts?
    /// Zones of the training rows given in ``ReportData/training`` (nil without them; never the
    /// baseline rows).
    public var trainingZones: ZoneCounts?
    /// What the model did on its training data, as stored in the model file at training time.
    public var storedTraining: TrainingSummary?
    /// Each row's number as people read it (1-based); row index + 1 when the data gave none.
    public var rowNumbers: [Int]
    /// Names of the id columns (empty without ids); each top anomaly's ``Explanation/ids`` holds its texts.
    public var idColumns: [String]
    public var evaluation: Evaluation?
    /// `u₁`: the first principal direction of the representations (unit length).
    public var principalDirection: [Float]
    /// `(φ(x) − c)·u₁` for every row (x of the 2-D view).
    public var projection: [Float]
    /// `‖φ(x) − c‖` for every row (y of the 2-D view).
    public var distance: [Float]
    public var trainingLog: [EpochLog]
    /// The `topK` highest-scoring rows, explained (highest first).
    public var topAnomalies: [Explanation]
    public var prototype: Prototype?
    public var baseline: AttributionBaseline
    public var integrationSteps: Int
}

extension ReportSummary {
    /// Computes the report's numbers for `model` on `data`.
    public init(model: IMDAD, data: ReportData, options: ReportOptions = ReportOptions()) throws {
        let x = data.features
        let n = x.shape.first ?? 0, d = model.featureCount
        guard n > 0 else { throw ReportError.emptyData }
        guard x.count == n * d else { throw ReportError.featureMismatch(expected: d, found: x.count / n) }
        if let labels = data.labels, labels.count != n { throw ReportError.labelCount(labels: labels.count, rows: n) }
        if let shape = data.imageShape, shape.reduce(1, *) != d { throw ReportError.imageShapeMismatch(shape: shape, features: d) }
        if let r = data.rowNumbers, r.count != n { throw ReportError.rowNumberCount(numbers: r.count, rows: n) }
        if let ids = data.rowIDs, ids.count != n || ids.contains(where: { $0.count != data.idColumns.count }) {
            throw ReportError.rowIDCount(ids: ids.count, rows: n, columns: data.idColumns.count)
        }
        let flat = Tensor(shape: [n, d], scalars: x.scalars)
        let sp = model.sphere
        let scores = model.scores(flat)
        let phi = model.representations(flat)
        let k = sp.center.count
        let names = data.featureNames ?? Self.defaultNames(d, imageShape: data.imageShape)

        // Training data: zones, prototype; the baseline rows stand in for it in the attributions
        // only; the baseline falls back to zeros without either.
        let training = data.training.flatMap { $0.shape[0] > 0 ? Tensor(shape: [$0.shape[0], d], scalars: $0.scalars) : nil }
        let baselineSource = training ?? data.baselineRows.flatMap {
            $0.shape[0] > 0 && $0.count == $0.shape[0] * d ? Tensor(shape: [$0.shape[0], d], scalars: $0.scalars) : nil
        }
        let baselineKind = baselineSource == nil ? .zeros : options.baseline
        let explainer = try Explainer(model: model, training: baselineSource, baseline: baselineKind, steps: options.steps,
                                      featureNames: names, scaler: data.scaler)
        var trainingZones: ZoneCounts?
        var prototype: Prototype?
        if let training, training.shape[0] > 0 {
            let ts = model.scores(training)
            trainingZones = ZoneCounts(ts.map { sp.zone(score: $0) })
            if let p = explainer.prototypeIndex {
                let row = Array(training.scalars[(p * d)..<((p + 1) * d)])
                let pphi = model.representations(Tensor(shape: [1, d], scalars: row))
                prototype = Prototype(trainingRow: p, features: row,
                                      rawFeatures: data.scaler.map { s in row.enumerated().map { s.inverse(Double($1), column: $0) } },
                                      score: ts[p], distance: sp.distanceSquared(pphi.scalars[...]).squareRoot())
            }
        } else if let row = data.storedPrototype, row.count == d {
            let pflat = Tensor(shape: [1, d], scalars: row)
            let pphi = model.representations(pflat)
            prototype = Prototype(trainingRow: nil, features: row,
                                  rawFeatures: data.scaler.map { s in row.enumerated().map { s.inverse(Double($1), column: $0) } },
                                  score: model.scores(pflat)[0], distance: sp.distanceSquared(pphi.scalars[...]).squareRoot())
        }

        // Evaluation when both classes are present.
        var evaluation: Evaluation?
        if let labels = data.labels, labels.contains(1), labels.contains(0) {
            let s = scores.map(Double.init)
            let roc = try Metrics.rocCurve(scores: s, labels: labels)
            let pr = try Metrics.precisionRecallCurve(scores: s, labels: labels)
            evaluation = Evaluation(
                auroc: try Metrics.auroc(scores: s, labels: labels),
                averagePrecision: try Metrics.averagePrecision(scores: s, labels: labels),
                anomalyRate: Double(labels.filter { $0 == 1 }.count) / Double(n),
                confusion: try Metrics.confusion(predictions: model.flags(scores), labels: labels),
                fpr: roc.map(\.fpr), tpr: roc.map(\.tpr), recall: pr.map(\.recall), precision: pr.map(\.precision))
        }

        // 2-D view: (φ − c)·u₁ and ‖φ − c‖.
        let u = PrincipalDirection.first(phi)
        var projection = [Float](), distance = [Float]()
        projection.reserveCapacity(n); distance.reserveCapacity(n)
        for i in 0..<n {
            let row = phi.scalars[(i * k)..<((i + 1) * k)]
            var p = 0.0
            for (j, v) in row.enumerated() { p += Double(v - sp.center[j]) * Double(u[j]) }
            projection.append(Float(p))
            distance.append(sp.distanceSquared(row).squareRoot())
        }

        // Top-k explanations.
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        let top = Array(order.prefix(max(0, options.topK)))
        var explanations = try explainer.explain(flat, rows: top, rawRows: data.rawRows, precomputed: (scores, phi))
        let rowNumbers = data.rowNumbers ?? Array(1...n)
        for j in explanations.indices {
            let i = explanations[j].sample
            explanations[j].row = rowNumbers[i]
            if let ids = data.rowIDs, !data.idColumns.isEmpty {
                explanations[j].ids = Dictionary(zip(data.idColumns, ids[i]), uniquingKeysWith: { a, _ in a })
            }
        }
        let zones = scores.map { sp.zone(score: $0) }
        let anomalyZones = data.labels.map { labels in ZoneCounts(zones.indices.filter { labels[$0] == 1 }.map { zones[$0] }) }

        let c2 = sp.center.reduce(0.0) { $0 + Double($1) * Double($1) }
        self.init(
            title: options.title ?? "IMD-AD report: \(data.name)", dataName: data.name, method: model.methodName,
            encoder: model.configuration.encoder.name, sampleCount: n, featureCount: d, featureNames: names,
            imageShape: data.imageShape,
            sphere: SphereSummary(center: sp.center, centerNorm: Float(c2.squareRoot()), radiusSquared: sp.radiusSquared,
                                  radius: sp.radius, marginSquared: sp.marginSquared, margin: sp.margin,
                                  relativeMargin: sp.radiusSquared > 0 ? sp.relativeMargin : nil,
                                  outerRadius: max(sp.radiusSquared + sp.marginSquared, 0).squareRoot(),
                                  nu: model.configuration.nu, kappa: model.configuration.kappa,
                                  radiusNu: model.configuration.radiusNu),
            scores: scores, labels: data.labels, zones: ZoneCounts(zones), anomalyZones: anomalyZones,
            trainingZones: trainingZones, storedTraining: data.trainingSummary, rowNumbers: rowNumbers,
            idColumns: data.rowIDs == nil ? [] : data.idColumns, evaluation: evaluation, principalDirection: u, projection: projection,
            distance: distance, trainingLog: model.log, topAnomalies: explanations, prototype: prototype,
            baseline: baselineKind, integrationSteps: options.steps)
    }

    static func defaultNames(_ d: Int, imageShape: [Int]?) -> [String] {
        guard let shape = imageShape, shape.count >= 2 else { return (0..<d).map { "feature \($0)" } }
        let h = shape[shape.count - 2], w = shape[shape.count - 1], ch = shape.count == 3 ? shape[0] : 1
        return (0..<d).map { i in
            let p = i % (h * w)
            return ch > 1 ? "pixel (\(i / (h * w)), \(p / w), \(p % w))" : "pixel (\(p / w), \(p % w))"
        }
    }
}

/// The first principal direction by power iteration.
enum PrincipalDirection {
    /// `u₁ = argmax_{‖u‖=1} uᵀ C u` with `C = (1/N) Σᵢ (φᵢ − μ)(φᵢ − μ)ᵀ`, by power iteration
    /// `u ← C u / ‖C u‖` (200 iterations from a fixed start). The sign is chosen so that the
    /// largest-magnitude component is positive; a constant cloud gives `e₁`.
    static func first(_ phi: Tensor, iterations: Int = 200) -> [Float] {
        let n = phi.shape[0], k = phi.count / max(n, 1)
        guard k > 0 else { return [] }
        var mean = [Double](repeating: 0, count: k)
        for i in 0..<n { for j in 0..<k { mean[j] += Double(phi.scalars[i * k + j]) } }
        for j in 0..<k { mean[j] /= Double(max(n, 1)) }
        var cov = [Double](repeating: 0, count: k * k)
        for i in 0..<n {
            for a in 0..<k {
                let da = Double(phi.scalars[i * k + a]) - mean[a]
                for b in a..<k { cov[a * k + b] += da * (Double(phi.scalars[i * k + b]) - mean[b]) }
            }
        }
        for a in 0..<k { for b in a..<k { cov[a * k + b] /= Double(max(n, 1)); cov[b * k + a] = cov[a * k + b] } }
        var u = (0..<k).map { 1 + 0.01 * Double($0) }
        let e1 = (0..<k).map { $0 == 0 ? Float(1) : 0 }
        for _ in 0..<iterations {
            var v = [Double](repeating: 0, count: k)
            for a in 0..<k { for b in 0..<k { v[a] += cov[a * k + b] * u[b] } }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0, norm.isFinite else { return e1 }
            u = v.map { $0 / norm }
        }
        if let m = u.indices.max(by: { abs(u[$0]) < abs(u[$1]) }), u[m] < 0 { u = u.map { -$0 } }
        return u.map { Float($0) }
    }
}
