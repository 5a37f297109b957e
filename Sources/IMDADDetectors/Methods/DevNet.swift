// DevNet: deviation networks (Pang, Shen and van den Hengel, "Deep Anomaly Detection with Deviation
// Networks", KDD 2019), a weakly supervised baseline on the same engine and training loop.
//
// An anomaly-score network φ(x; Θ) : R^D → R (an MLP with ReLU, no bias) is trained so that the
// scores of unlabeled data sit near the mean of a Gaussian reference and labeled anomalies lie at
// least `a` reference standard deviations above it. Per mini-batch, with ℓ draws r₁ … r_ℓ ~ N(0, 1)
// (the prior; ℓ = 5,000):
//
//     μ_R = 1/ℓ Σ rᵢ,   σ_R = sqrt(1/(ℓ − 1) Σ (rᵢ − μ_R)²)
//     dev(x) = (φ(x; Θ) − μ_R) / σ_R
//     L(φ(x; Θ), μ_R, σ_R) = (1 − y)·|dev(x)| + y·max(0, a − dev(x)),   a = 5
//
// y = 1 for a labeled anomaly, 0 for unlabeled data (normals and, in the contaminated setting,
// unlabeled anomalies). The anomaly score of a new x is φ(x; Θ) itself (higher = more anomalous).
//
// | symbol   | meaning                                 | here                                   |
// |----------|-----------------------------------------|----------------------------------------|
// | φ, Θ     | scoring network and its weights         | ``DevNet/network``                     |
// | ℓ        | reference draws per batch               | `referenceSize` (5000)                 |
// | μ_R, σ_R | mean and std of the reference scores    | drawn per batch, ``deviationReference``|
// | a        | confidence margin (Z-score)             | `margin` (5)                           |
//
// Defaults follow DeepOD's DevNet (deepod/models/tabular/devnet.py and its base class): hidden
// layers 100-50 with ReLU and no bias, Adam at 1e-3 without weight decay, batches of 64 with half
// labeled anomalies, 100 epochs of n draws each. Here an epoch is one pass over the unlabeled rows
// in batches of 32 unlabeled + 32 labeled rows, so DeepOD's 100 epochs of ⌈(n + m)/64⌉ steps are
// about 50 of ours (the default). The paper's own network was 20 hidden units with RMSprop;
// DeepOD's is what the comparison in experiments/devnet/ runs against.
//
// Deviations from DeepOD, both stated in docs: DeepOD draws batches with replacement by weight
// (half anomalies in expectation); here the balanced sampler holds `k = min(B/2, m)` labeled
// anomalies per batch and the two terms are averaged separately and weighted ½ each, which is
// DeepOD's loss in expectation whatever `k`. Adam's ε is the engine's 1e-8 (DeepOD: 1e-6).

import IMDADData
import IMDADEngine

/// Configuration of DevNet (what to train); the fitted model is ``DevNet``.
public struct DevNetConfiguration: Sendable, Equatable, Codable {
    /// DeepOD's hidden layers.
    public static let defaultHidden = [100, 50]
    /// The scorer's sizes. Tabular data: `.mlp(input: D, hidden: h, representation: 1)`, an MLP with
    /// ReLU and no bias or BatchNorm (DeepOD's `MLPnet`). Images: the convolutional encoder, then
    /// LeakyReLU and a linear layer to one score.
    public var encoder: EncoderArchitecture
    /// `a`: labeled anomalies are pushed to `dev(x) ≥ a`.
    public var margin: Float = 5
    /// `ℓ`: draws from N(0, 1) per batch for `μ_R` and `σ_R`.
    public var referenceSize = 5000
    /// Fraction of training unlabeled rows flagged by `predict` (the threshold is their
    /// (1 − contamination) quantile, as for Deep SAD).
    public var contamination: Float = 0.1
    /// DeepOD's optimization: 50 of our epochs (see above), batch 64, half of it labeled anomalies,
    /// Adam at 1e-3 (1e-4 for the image encoders), no milestones, no weight decay.
    public var training: TrainingConfiguration

    /// DevNet for data the project would encode with `encoder`: the MLP scorer (``defaultHidden``)
    /// on tabular data, the convolutional encoder plus a linear score on images.
    public init(encoder: EncoderArchitecture) {
        if case .mlp(let input, _, _) = encoder {
            self.encoder = .mlp(input: input, hidden: Self.defaultHidden, representation: 1)
        } else {
            self.encoder = encoder
        }
        var t = TrainingConfiguration()
        t.epochs = 50
        t.batchSize = 64
        t.learningRate = TrainingConfiguration.defaultLearningRate(for: encoder)
        t.milestones = []
        t.weightDecay = 0
        t.sampler = .balanced
        t.anomaliesPerBatch = nil  // half the batch (``DevNet/fit(_:data:using:progress:)``)
        training = t
    }

    /// Checks every setting; the error names the parameter (`margin`, `referenceSize`, …).
    public func validate() throws(DetectorError) {
        try check("margin", margin, margin > 0 && margin.isFinite, "> 0")
        try check("referenceSize", referenceSize, referenceSize >= 2, "≥ 2")
        try check("contamination", contamination, contamination > 0 && contamination < 1, "in (0, 1)")
        if case .mlp(_, let hidden, let d) = encoder {
            try check("encoder.representation", d, d == 1, "1 (DevNet's scorer outputs one score)")
            try check("encoder.hidden", hidden, hidden.allSatisfy { $0 >= 1 }, "sizes ≥ 1")
        }
        try training.validate()
    }
}

/// `(μ_R, σ_R)`: the mean and the sample standard deviation (divisor ℓ − 1, as `torch.std`) of
/// `count` draws from N(0, 1).
public func deviationReference(count: Int, using rng: inout RandomGenerator) -> (mean: Float, std: Float) {
    var sum = 0.0, sumSquares = 0.0
    var draws = [Double](repeating: 0, count: count)
    for i in 0..<count { let r = Double(rng.normal()); draws[i] = r; sum += r }
    let mean = sum / Double(count)
    for r in draws { sumSquares += (r - mean) * (r - mean) }
    return (Float(mean), Float((sumSquares / Double(max(count - 1, 1))).squareRoot()))
}

/// DevNet's deviation loss on one batch of scores `phi` (shape (N, 1) or (N)), unlabeled rows
/// first, then `anomalyCount` labeled anomalies:
///
///     dev = (φ − μ_R)/σ_R
///     L = ½ · 1/(N − k) Σ_unlabeled |dev| + ½ · 1/k Σ_labeled max(0, a − dev)
///
/// (with k = N/2 this is the plain batch mean of (1 − y)|dev| + y·max(0, a − dev)). A batch with no
/// unlabeled row or no labeled anomaly has only the other term, at weight 1. Built from the
/// engine's primitives: |z| = relu(z) + relu(−z).
public func deviationLoss(_ phi: Variable, anomalyCount k: Int, margin a: Float, referenceMean mu: Float,
                          referenceStd sigma: Float) -> Variable {
    let n = phi.shape[0]
    let dev = (phi - mu) / sigma
    let u = n - k
    var terms: [Variable] = []
    if u > 0 {
        let d = dev.rows(0..<u)
        terms.append((d.relu() + (-d).relu()).mean())
    }
    if k > 0 { terms.append((a - dev.rows(u..<n)).relu().mean()) }
    precondition(!terms.isEmpty, "deviationLoss on an empty batch")
    return terms.count == 2 ? (terms[0] + terms[1]) * 0.5 : terms[0]
}

/// A trained DevNet.
public struct DevNet: AnomalyDetector {
    public var configuration: DevNetConfiguration
    public var network: Network
    public var threshold: Float
    public var log: [EpochLog]

    public var methodName: String { "DevNet" }
    public var featureCount: Int { configuration.encoder.inputSize }

    /// The scoring network of `c`: `D → hidden… → 1` with ReLU, no bias (tabular); the image encoder,
    /// LeakyReLU(0.01) and a linear layer to one score (images).
    public static func body(_ c: DevNetConfiguration) -> Sequential {
        switch c.encoder {
        case .mlp(let input, let hidden, _):
            var l: [any Layer] = []
            var prev = input
            for h in hidden { l += [Linear(prev, h, bias: false), ReLU()]; prev = h }
            l.append(Linear(prev, 1, bias: false))
            return Sequential(l)
        default:
            return Sequential(c.encoder.layers(bias: false).layers
                              + [LeakyReLU(slope: 0.01), Linear(c.encoder.representationSize, 1, bias: false)])
        }
    }

    public static func fit(_ configuration: DevNetConfiguration, data: LabeledData, using rng: inout RandomGenerator,
                           progress: ((EpochLog) -> Void)? = nil) throws -> DevNet {
        let c = configuration
        try c.validate()
        let unlabeled = try data.normals(forInputSize: c.encoder.inputSize)
        guard let anomalies = data.anomalies else { throw DetectorError.noLabeledAnomalies(method: "DevNet") }
        var network = Network(body(c), using: &rng)
        var reference = rng.fork()  // the Gaussian prior's draws, one stream apart from the batches'
        var training = c.training
        // Half of every batch labeled anomalies unless told otherwise; the sampler caps it at m.
        training.anomaliesPerBatch = training.anomaliesPerBatch ?? training.batchSize / 2
        let log = try train(network: &network, normals: unlabeled, anomalies: anomalies, configuration: training,
                            groups: [], using: &rng, batchLoss: { _, phi, k, _ in
            let (mu, sigma) = deviationReference(count: c.referenceSize, using: &reference)
            return BatchLoss(loss: deviationLoss(phi, anomalyCount: k, margin: c.margin, referenceMean: mu, referenceStd: sigma))
        }, progress: progress)
        var model = DevNet(configuration: c, network: network, threshold: 0, log: log)
        model.threshold = quantile(model.scores(unlabeled), 1 - Double(c.contamination))
        return model
    }

    /// `φ(x; Θ)` per row.
    public func scores(_ x: Tensor) -> [Float] { scores(x, inferenceBatch: Network.inferenceBatchSize) }
    public func scores(_ x: Tensor, inferenceBatch: Int) -> [Float] { network.infer(x, batchSize: inferenceBatch).scalars }
}
