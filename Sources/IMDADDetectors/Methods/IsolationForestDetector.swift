// Isolation Forest behind the common detector contract.

import IMDADEngine

/// A fitted ``IsolationForest`` as an ``AnomalyDetector``: score `2^{−E[h(x)]/c(ψ)}`, threshold
/// the (1 − contamination) quantile of the training scores.
public struct IsolationForestDetector: AnomalyDetector {
    public var forest: IsolationForest
    public var model: IsolationForest.Model
    public var threshold: Float
    public var methodName: String { "Isolation Forest" }
    public var featureCount: Int { model.columns }

    /// Fits on every training row (labels are not used: Isolation Forest is unsupervised).
    public static func fit(_ forest: IsolationForest = IsolationForest(), data: LabeledData,
                           using rng: inout RandomGenerator) throws -> IsolationForestDetector {
        try forest.validate()
        let n = data.features.shape[0], d = data.features.count / max(n, 1)
        let x = data.features.scalars.map(Double.init)
        let model = try forest.fit(features: x, rows: n, columns: d, using: &rng)
        let train = model.scores(features: x, rows: n, columns: d).map(Float.init)
        return IsolationForestDetector(forest: forest, model: model, threshold: quantile(train, 1 - Double(forest.contamination)))
    }

    public func scores(_ x: Tensor) -> [Float] {
        let n = x.shape[0]
        return model.scores(features: x.scalars.map(Double.init), rows: n, columns: x.count / max(n, 1)).map(Float.init)
    }
}
