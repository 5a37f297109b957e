// The contract every detector follows, in the style users know from PyOD and scikit-learn.

import IMDADEngine

/// Training data: rows of features and a label per row (1 = confirmed anomaly, 0 = normal or
/// unlabeled).
public struct LabeledData: Sendable {
    public var features: Tensor
    public var labels: [Int]

    public init(features: Tensor, labels: [Int]) throws {
        guard features.rank >= 2, features.shape[0] == labels.count else {
            throw DetectorError.invalidData("\(features.shape.first ?? 0) rows of features but \(labels.count) labels")
        }
        if let bad = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw DetectorError.invalidData("label of row \(bad) is \(labels[bad]); expected 0 (normal/unlabeled) or 1 (anomaly)")
        }
        if let bad = features.scalars.firstIndex(where: { !$0.isFinite }) {
            let d = features.count / max(features.shape[0], 1)
            throw DetectorError.invalidData("row \(bad / d), feature \(bad % d) is \(features.scalars[bad]); expected a finite number")
        }
        self.features = features
        self.labels = labels
    }

    public var normalRows: [Int] { labels.indices.filter { labels[$0] == 0 } }

    /// The normal rows, after checking what every detector's training needs: rows of `inputSize`
    /// features, and at least one normal row.
    public func normals(forInputSize inputSize: Int) throws -> Tensor {
        let d = features.count / Swift.max(features.shape[0], 1)
        guard d == inputSize else { throw DetectorError.featureMismatch(expected: inputSize, found: d) }
        let n = normals
        guard n.shape[0] > 0 else { throw DetectorError.noNormalSamples }
        return n
    }
    public var anomalyRows: [Int] { labels.indices.filter { labels[$0] == 1 } }
    public var normals: Tensor { features.rows(at: normalRows) }
    public var anomalies: Tensor? { anomalyRows.isEmpty ? nil : features.rows(at: anomalyRows) }
}

/// A fitted detector: scores where higher means more anomalous, and its own threshold.
public protocol AnomalyDetector: Sendable {
    /// Short method name ("IMD-AD", "Deep SAD", …).
    var methodName: String { get }
    /// Features per sample the detector was trained on.
    var featureCount: Int { get }
    /// Anomaly scores, higher = more anomalous. `x` has `featureCount` columns.
    func scores(_ x: Tensor) -> [Float]
    /// The same scores with the network's inference batches padded to `inferenceBatch` rows
    /// instead of ``Network/inferenceBatchSize`` (a row's last bits may depend on its place in a
    /// batch: see ``Network/infer(_:batchSize:layers:)``). Detectors without a network ignore it.
    func scores(_ x: Tensor, inferenceBatch: Int) -> [Float]
    /// The model's own decision threshold: `score > threshold` is flagged.
    var threshold: Float { get }
}

extension AnomalyDetector {
    public func scores(_ x: Tensor, inferenceBatch: Int) -> [Float] { scores(x) }
    /// `score > threshold`.
    public func predict(_ x: Tensor) -> [Bool] { flags(scores(x)) }
    /// Which of the already computed `scores` the threshold flags (`score > threshold`).
    public func flags(_ scores: [Float]) -> [Bool] { scores.map { $0 > threshold } }
}

/// Scores `x` in chunks of `batchSize` rows (bounded memory for large test sets).
public func batchedScores(_ detector: any AnomalyDetector, _ x: Tensor, batchSize: Int = 500) -> [Float] {
    let n = x.shape[0]
    guard n > batchSize else { return detector.scores(x) }
    var out: [Float] = []
    out.reserveCapacity(n)
    var start = 0
    while start < n {
        let end = min(n, start + batchSize)
        out += detector.scores(x.rows(start..<end))
        start = end
    }
    return out
}

/// Invalid training data or configuration.
public enum DetectorError: Error, CustomStringConvertible, Equatable {
    case invalidData(String)
    case noNormalSamples
    case noLabeledAnomalies(method: String)
    case featureMismatch(expected: Int, found: Int)
    case invalidConfiguration(String)
    /// A configuration parameter out of its range; `name` is its path in the configuration
    /// (`nu`, `training.learningRate`, `ablation.anomalyPush`), which front ends map to their options.
    case invalidParameter(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .invalidData(let s): return "invalid training data: \(s)"
        case .noNormalSamples: return "the training data has no normal (label 0) samples"
        case .noLabeledAnomalies(let m):
            return "\(m) needs at least one labeled anomaly (label 1) in the training data. "
                + "HINT: label a few confirmed anomalies, or allow training without them (allowOneClass)."
        case .featureMismatch(let e, let f): return "the model expects \(e) features per sample, the data has \(f)"
        case .invalidConfiguration(let s): return "invalid configuration: \(s)"
        case .invalidParameter(let name, let value, let expected): return "\(name) must be \(expected), got \(value)"
        }
    }
}

/// Index `⌈q·n⌉ − 1` of the sorted values (the q-quantile, lower interpolation).
func quantile(_ values: [Float], _ q: Double) -> Float {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let i = min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))
    return sorted[i]
}
