// An ensemble of K detectors of one method trained from different seeds, averaged on a common scale.

import IMDADEngine

/// K fitted detectors, each trained on the same data from its own seed, scored on a common scale:
///
///     S(x) = 1/K Σₖ (sₖ(x) − μₖ) / σₖ,
///
/// where μₖ and σₖ are the mean and standard deviation of member k's scores on the training
/// normals. Members of a deep method differ only by their initialization and batch order, so their
/// raw scores live on different scales (another center, another radius); standardizing on the data
/// every member saw makes each one count the same. The threshold is the members' thresholds on the
/// same scale, averaged: `S > 1/K Σₖ (tₖ − μₖ) / σₖ`.
///
/// Training and scoring cost K times one model's.
public struct Ensemble: AnomalyDetector {
    public var members: [FittedDetector]
    /// (μₖ, σₖ) of every member, from its scores on the training normals.
    public var scales: [(mean: Float, standardDeviation: Float)]

    public var methodName: String { "\(members.first?.detector.methodName ?? "?") ×\(members.count)" }
    public var featureCount: Int { members.first?.detector.featureCount ?? 0 }

    public var threshold: Float {
        zip(members, scales).reduce(0) { $0 + ($1.0.detector.threshold - $1.1.mean) / $1.1.standardDeviation }
            / Float(Swift.max(members.count, 1))
    }

    public func scores(_ x: Tensor) -> [Float] { scores(x, inferenceBatch: Network.inferenceBatchSize) }

    public func scores(_ x: Tensor, inferenceBatch: Int) -> [Float] {
        var total = [Float](repeating: 0, count: x.shape[0])
        for (member, scale) in zip(members, scales) {
            for (i, s) in member.detector.scores(x, inferenceBatch: inferenceBatch).enumerated() {
                total[i] += (s - scale.mean) / scale.standardDeviation
            }
        }
        let k = Float(Swift.max(members.count, 1))
        return total.map { $0 / k }
    }

    /// The seed of member `k` of an ensemble started from `seed`: member 0 is the single model of
    /// `seed` (an ensemble of one is that model), the others are spread by a fixed odd constant.
    public static func memberSeed(_ seed: UInt64, member k: Int) -> UInt64 {
        seed &+ UInt64(k) &* 0x9E37_79B9_7F4A_7C15
    }

    /// Fits `count` members of `configuration` on `data`, member k from ``memberSeed(_:member:)``.
    /// A member whose training normals all score alike (σ = 0) is scaled by 1 instead.
    public static func fit(_ configuration: DetectorConfiguration, count: Int, data: LabeledData, seed: UInt64,
                           progress: ((_ member: Int, EpochLog) -> Void)? = nil) throws -> Ensemble {
        guard count >= 1 else { throw DetectorError.invalidParameter(name: "ensemble", value: "\(count)", expected: "≥ 1") }
        let normals = data.normals
        var members: [FittedDetector] = [], scales: [(mean: Float, standardDeviation: Float)] = []
        for k in 0..<count {
            var rng = RandomGenerator(seed: memberSeed(seed, member: k))
            let fitted = try fitDetector(configuration, data: data, using: &rng, progress: progress.map { p in { p(k, $0) } })
            let s = fitted.detector.scores(normals).map(Double.init)
            let mean = s.reduce(0, +) / Double(Swift.max(s.count, 1))
            let variance = s.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(Swift.max(s.count, 1))
            let sd = variance.squareRoot()
            members.append(fitted)
            scales.append((Float(mean), sd > 0 && sd.isFinite ? Float(sd) : 1))
        }
        return Ensemble(members: members, scales: scales)
    }
}
