// Per-sample explanations of an IMD-AD model (spec §5): score, distance, zone, per-dimension
// contributions and input attributions.
//
// For a sample x with representation φ = φ(x), center c, squared radius R² and squared margin ρ²:
//
//     s(x)  = ‖φ − c‖² − R² = Σₖ (φₖ − cₖ)² − R²       the score; s > 0 is outside the sphere
//     zone  = inside (s ≤ 0) | margin band (0 < s < ρ²) | outside (s ≥ ρ²)
//     contribution of dimension k = (φₖ − cₖ)²        (they sum to ‖φ − c‖² = s + R²)
//
// Input attributions (see `Attribution.swift`) are computed in the scaled feature space the
// network consumes; raw feature values are attached when a scaler or raw rows are supplied.

import IMDADEngine
import IMDADCharts
import IMDADData
import IMDADDetectors

/// One input feature of one explained sample.
public struct FeatureAttribution: Sendable, Codable, Equatable {
    /// Column of the feature.
    public var index: Int
    public var name: String
    /// `xᵢ` in the scaled space the network sees.
    public var value: Float
    /// The raw (unscaled) value, when a scaler or raw rows were supplied.
    public var rawValue: Double?
    /// `x′ᵢ`, the baseline of integrated gradients.
    public var baselineValue: Float
    /// `∂s/∂xᵢ` at x.
    public var gradient: Float
    /// `xᵢ · ∂s/∂xᵢ`.
    public var gradientTimesInput: Float
    /// `(xᵢ − x′ᵢ) ∫₀¹ ∂s/∂xᵢ(x′ + α(x − x′)) dα`.
    public var integratedGradients: Float
    /// 1-based rank of |gradient × input| among the sample's features.
    public var gradientTimesInputRank: Int
    /// 1-based rank of |integrated gradients| among the sample's features.
    public var integratedGradientsRank: Int

    /// The attribution of `method`.
    public func attribution(_ method: AttributionMethod) -> Float {
        method == .integratedGradients ? integratedGradients : gradientTimesInput
    }

    /// The rank under `method`.
    public func rank(_ method: AttributionMethod) -> Int {
        method == .integratedGradients ? integratedGradientsRank : gradientTimesInputRank
    }
}

/// Why one sample got its score.
public struct Explanation: Sendable, Codable, Equatable {
    /// Row of the sample in the data that was explained (0-based index into it).
    public var sample: Int
    /// The row's number as people read it (1-based among the file's data rows, as `imdad score`
    /// and error messages number rows); nil: `sample + 1`.
    public var row: Int?
    /// The row's ids ("column" → "value") when the data has id columns.
    public var ids: [String: String]?
    /// `s(x) = ‖φ(x) − c‖² − R²`.
    public var score: Float
    /// `‖φ(x) − c‖²` (= `s + R²`).
    public var distanceSquared: Float
    /// `‖φ(x) − c‖`.
    public var distance: Float
    /// The sphere's `R²` and `ρ²` (so that the explanation reads on its own).
    public var radiusSquared: Float
    public var marginSquared: Float
    public var zone: Zone
    /// `φ(x)`.
    public var representation: [Float]
    /// `(φₖ(x) − cₖ)²` for each representation dimension k.
    public var contributions: [Float]
    /// The input features in column order.
    public var features: [FeatureAttribution]
    public var baseline: AttributionBaseline
    /// `s(x′)`.
    public var baselineScore: Float
    /// Quadrature points of integrated gradients (trapezoid rule on α ∈ [0, 1]).
    public var integrationSteps: Int
    /// `s(x) − s(x′) − Σᵢ IGᵢ`: zero for exact integrated gradients; the quadrature error here.
    public var completenessGap: Float

    /// The attributions of `method` in column order.
    public func attributions(_ method: AttributionMethod) -> [Float] { features.map { $0.attribution(method) } }

    /// Features by decreasing |attribution| (ties: lower column first).
    public func ranked(by method: AttributionMethod) -> [FeatureAttribution] {
        features.sorted { $0.rank(method) < $1.rank(method) }
    }

    /// `|gap| / |s(x) − s(x′)|` (0 when both are 0).
    public var relativeCompletenessGap: Float {
        let delta = abs(score - baselineScore)
        return delta > 0 ? abs(completenessGap) / delta : (completenessGap == 0 ? 0 : .infinity)
    }
}

/// Invalid input to ``Explainer``.
public enum ExplanationError: Error, CustomStringConvertible, Equatable {
    case featureMismatch(expected: Int, found: Int)
    case baselineNeedsTrainingData(AttributionBaseline)
    case invalidSteps(Int)
    case rowOutOfRange(Int, rows: Int)
    case featureNamesMismatch(expected: Int, found: Int)
    case rawRowsMismatch(String)

    public var description: String {
        switch self {
        case let .featureMismatch(e, f): return "the model expects \(e) features per sample, the data has \(f)"
        case let .baselineNeedsTrainingData(b):
            return "the \(b.rawValue) baseline needs the training features. HINT: pass the training data, or use the zeros baseline."
        case let .invalidSteps(s): return "integrated gradients need at least 2 steps, got \(s)"
        case let .rowOutOfRange(r, n): return "row \(r) is out of range: the data has \(n) rows"
        case let .featureNamesMismatch(e, f): return "\(f) feature names for \(e) features"
        case let .rawRowsMismatch(s): return "raw rows do not match the data: \(s)"
        }
    }
}

/// Explains samples of one trained ``IMDAD`` model against one baseline.
public struct Explainer: Sendable {
    public let model: IMDAD
    public let baselineKind: AttributionBaseline
    /// `x′` in scaled feature space.
    public let baseline: [Float]
    /// `s(x′)`.
    public let baselineScore: Float
    /// The training row nearest the center (the prototype of normality), when training data was given.
    public let prototypeIndex: Int?
    public let steps: Int
    public let featureNames: [String]
    /// Maps scaled values back to raw ones (`x_raw = (x·range + min)·scale + mean`).
    public let scaler: StandardMinMaxScaler?

    /// - Parameters:
    ///   - training: training features (scaled like the data), needed by `.nearestNormal` and `.mean`;
    ///     pass the normal rows: the prototype is the row nearest `c`.
    ///   - steps: quadrature points of integrated gradients (≥ 2).
    ///   - featureNames: one per column (default "feature k").
    ///   - scaler: the scaler that produced the features, to report raw values.
    public init(model: IMDAD, training: Tensor? = nil, baseline: AttributionBaseline = .nearestNormal, steps: Int = 32,
                featureNames: [String]? = nil, scaler: StandardMinMaxScaler? = nil) throws {
        let d = model.featureCount
        guard steps >= 2 else { throw ExplanationError.invalidSteps(steps) }
        if let featureNames, featureNames.count != d {
            throw ExplanationError.featureNamesMismatch(expected: d, found: featureNames.count)
        }
        if let scaler, scaler.columns != d { throw ExplanationError.featureMismatch(expected: d, found: scaler.columns) }
        var prototype: Int?
        if let training {
            let n = training.shape[0]
            guard training.count == n * d else { throw ExplanationError.featureMismatch(expected: d, found: training.count / max(n, 1)) }
            prototype = TrainingReference.nearestToCenter(model, training: training)?.index
        }
        switch baseline {
        case .zeros:
            self.baseline = [Float](repeating: 0, count: d)
        case .mean:
            guard let training, training.shape[0] > 0 else { throw ExplanationError.baselineNeedsTrainingData(baseline) }
            self.baseline = TrainingReference.columnMeans(training)
        case .nearestNormal:
            guard let training, let prototype else { throw ExplanationError.baselineNeedsTrainingData(baseline) }
            self.baseline = Array(training.scalars[(prototype * d)..<((prototype + 1) * d)])
        }
        self.model = model
        self.baselineKind = baseline
        self.baselineScore = model.scores(Tensor(shape: [1, d], scalars: self.baseline))[0]
        self.prototypeIndex = prototype
        self.steps = steps
        self.featureNames = featureNames ?? (0..<d).map { "feature \($0)" }
        self.scaler = scaler
    }

    /// Explains `rows` of `x` (all rows by default). `rawRows`, when given, holds the raw values of
    /// every row of `x` (it takes precedence over the scaler). Scores and representations are
    /// those of `model.scores(x)` and `model.representations(x)` on the whole of `x`, so they equal
    /// the library's numbers for the same data bit for bit (a sub-batch could round differently).
    public func explain(_ x: Tensor, rows: [Int]? = nil, rawRows: [[Double]]? = nil) throws -> [Explanation] {
        let n = x.shape.first ?? 0, d = model.featureCount
        guard n > 0, x.count == n * d else { return try explain(x, rows: rows, rawRows: rawRows, precomputed: nil) }
        let flat = Tensor(shape: [n, d], scalars: x.scalars)
        return try explain(x, rows: rows, rawRows: rawRows, precomputed: (model.scores(flat), model.representations(flat)))
    }

    /// As ``explain(_:rows:rawRows:)``; `precomputed` holds `model.scores(x)` and
    /// `model.representations(x)` for all of `x` when the caller already has them (so that the
    /// numbers match the caller's exactly).
    func explain(_ x: Tensor, rows: [Int]?, rawRows: [[Double]]?,
                 precomputed: (scores: [Float], representations: Tensor)?) throws -> [Explanation] {
        let n = x.shape.first ?? 0, d = model.featureCount
        guard x.count == n * d else { throw ExplanationError.featureMismatch(expected: d, found: x.count / max(n, 1)) }
        let rows = rows ?? Array(0..<n)
        if let bad = rows.first(where: { $0 < 0 || $0 >= n }) { throw ExplanationError.rowOutOfRange(bad, rows: n) }
        if let rawRows {
            guard rawRows.count == n else { throw ExplanationError.rawRowsMismatch("\(rawRows.count) raw rows for \(n) rows") }
            if let bad = rows.first(where: { rawRows[$0].count != d }) {
                throw ExplanationError.rawRowsMismatch("raw row \(bad) has \(rawRows[bad].count) values, expected \(d)")
            }
        }
        guard !rows.isEmpty else { return [] }
        let subset = Tensor(shape: [rows.count, d], scalars: x.rows(at: rows).scalars)
        let scores: [Float], phi: Tensor
        if let precomputed {
            scores = rows.map { precomputed.scores[$0] }
            phi = precomputed.representations.rows(at: rows)
        } else {
            scores = model.scores(subset)
            phi = model.representations(subset)
        }
        let grads = ScoreGradient.evaluate(model.network, subset).gradients
        let ig = ScoreGradient.integratedGradients(model.network, subset, baseline: baseline, steps: steps)
        let sphere = model.sphere, k = sphere.center.count
        return rows.enumerated().map { j, row in
            let p = Array(phi.scalars[(j * k)..<((j + 1) * k)])
            let contributions = zip(p, sphere.center).map { ($0 - $1) * ($0 - $1) }
            let d2 = sphere.distanceSquared(p[...])
            let xs = Array(subset.scalars[(j * d)..<((j + 1) * d)])
            let g = Array(grads[(j * d)..<((j + 1) * d)])
            let gxi = zip(xs, g).map { $0 * $1 }
            let raw: [Double]? = rawRows?[row] ?? scaler.map { s in xs.enumerated().map { s.inverse(Double($1), column: $0) } }
            let rankGxI = Self.ranks(gxi), rankIG = Self.ranks(ig[j])
            let features = (0..<d).map { i in
                FeatureAttribution(index: i, name: featureNames[i], value: xs[i], rawValue: raw?[i],
                                   baselineValue: baseline[i], gradient: g[i], gradientTimesInput: gxi[i],
                                   integratedGradients: ig[j][i], gradientTimesInputRank: rankGxI[i],
                                   integratedGradientsRank: rankIG[i])
            }
            let igSum = ig[j].reduce(0.0) { $0 + Double($1) }
            return Explanation(sample: row, score: scores[j], distanceSquared: d2, distance: d2.squareRoot(),
                               radiusSquared: sphere.radiusSquared, marginSquared: sphere.marginSquared,
                               zone: sphere.zone(score: scores[j]), representation: p, contributions: contributions,
                               features: features, baseline: baselineKind, baselineScore: baselineScore,
                               integrationSteps: steps,
                               completenessGap: Float(Double(scores[j]) - Double(baselineScore) - igSum))
        }
    }

    /// 1-based ranks by decreasing |value| (ties: lower index first).
    static func ranks(_ values: [Float]) -> [Int] {
        let order = values.indices.sorted { abs(values[$0]) != abs(values[$1]) ? abs(values[$0]) > abs(values[$1]) : $0 < $1 }
        var r = [Int](repeating: 0, count: values.count)
        for (position, i) in order.enumerated() { r[i] = position + 1 }
        return r
    }
}

extension StandardMinMaxScaler {
    /// The raw value of a scaled one: `((v·range + min)·scale) + mean` (the inverse of `transform`).
    func inverse(_ v: Double, column j: Int) -> Double {
        (v * range[j] + minimum[j]) * scale[j] + mean[j]
    }
}
