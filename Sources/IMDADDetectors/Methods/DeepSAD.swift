// Deep SAD (Ruff et al., ICLR 2020) and Deep SVDD (Ruff et al., ICML 2018): the baselines, on the
// same engine, encoders and training loop as IMD-AD.
//
// Deep SAD, with dist(x) = ‖φ(x) − c‖², n unlabeled and m labeled samples (ỹ = −1 anomaly):
//
//     L = 1/(n+m) [ Σ_unlabeled dist(xᵢ) + η Σ_labeled (dist(x̃ⱼ) + ε)^{ỹⱼ} ]
//
// Deep SVDD one-class: L = 1/n Σ dist(xᵢ). Soft-boundary:
//
//     L = R² + 1/(ν·n) Σ max(0, dist(xᵢ) − R²),
//
// with R set to the (1 − ν) quantile of the batch's distances after a warm-up (Ruff et al.).
// Both need a bias-free encoder and a fixed c (the mean of an initial forward pass, with
// coordinates closer than 0.1 to zero pushed to ±0.1): otherwise φ ≡ c is a trivial optimum.

import IMDADEngine

/// Deep SAD's term on labeled anomalies, `η/(dist + ε)` per row: it pushes them away from `c` with a
/// force that falls off with the distance but never stops. IMD-AD's `--anomaly-push` ablation adds
/// the same term to its objective.
func deepSADPush(_ dist: Variable, eta: Float, epsilon: Float) -> Variable { eta / (dist + epsilon) }

/// Which hypersphere method.
public enum HypersphereMethod: Sendable, Equatable, Codable {
    /// Deep SAD with weight `η` on labeled samples and `ε` in `(dist + ε)⁻¹`.
    case deepSAD(eta: Float, epsilon: Float)
    /// One-class Deep SVDD (labeled anomalies are not used).
    case deepSVDDOneClass
    /// Soft-boundary Deep SVDD with ν (labeled anomalies are not used).
    case deepSVDDSoftBoundary(nu: Float, warmUpEpochs: Int)

    public var name: String {
        switch self {
        case .deepSAD: return "Deep SAD"
        case .deepSVDDOneClass: return "Deep SVDD"
        case .deepSVDDSoftBoundary: return "Deep SVDD (soft-boundary)"
        }
    }
}

public struct DeepSVDDConfiguration: Sendable, Equatable, Codable {
    public var encoder: EncoderArchitecture
    public var method: HypersphereMethod
    /// Fraction of training normals flagged by `predict` when the method has no radius
    /// (one-class Deep SVDD, Deep SAD): the threshold is their (1 − contamination) quantile.
    public var contamination: Float = 0.1
    public var training = TrainingConfiguration()
    /// Optional autoencoder pretraining of the encoder before `c` is computed (nil: none).
    public var pretraining: PretrainingConfiguration? = nil

    public init(encoder: EncoderArchitecture, method: HypersphereMethod) {
        self.encoder = encoder
        self.method = method
        if case .deepSAD = method { training.sampler = .uniform }
    }

    /// Checks every setting; the error names the parameter (`method.eta`, `contamination`, …).
    public func validate() throws(DetectorError) {
        switch method {
        case .deepSAD(let eta, let epsilon):
            try check("method.eta", eta, eta > 0 && eta.isFinite, "> 0")
            try check("method.epsilon", epsilon, epsilon > 0 && epsilon.isFinite, "> 0")
        case .deepSVDDSoftBoundary(let nu, let warmUp):
            try check("method.nu", nu, nu > 0 && nu <= 1, "in (0, 1]")
            try check("method.warmUpEpochs", warmUp, warmUp >= 0, "≥ 0")
        case .deepSVDDOneClass:
            break
        }
        try check("contamination", contamination, contamination > 0 && contamination < 1, "in (0, 1)")
        try training.validate()
        try pretraining?.validate()
    }
}

/// A trained Deep SAD or Deep SVDD model.
public struct DeepSVDD: AnomalyDetector {
    public var configuration: DeepSVDDConfiguration
    public var network: Network
    public var center: [Float]
    /// Soft-boundary radius² (0 for the other methods).
    public var radiusSquared: Float
    public var threshold: Float
    public var log: [EpochLog]

    public var methodName: String { configuration.method.name }
    public var featureCount: Int { configuration.encoder.inputSize }

    public static func fit(_ configuration: DeepSVDDConfiguration, data: LabeledData, using rng: inout RandomGenerator,
                           progress: ((EpochLog) -> Void)? = nil) throws -> DeepSVDD {
        let c = configuration
        try c.validate()
        let normals = try data.normals(forInputSize: c.encoder.inputSize)
        var anomalies = data.anomalies
        if case .deepSAD = c.method {
            guard anomalies != nil else { throw DetectorError.noLabeledAnomalies(method: "Deep SAD") }
        } else {
            anomalies = nil  // Deep SVDD is unsupervised
        }
        var network = Network(c.encoder.layers(bias: false), using: &rng)
        if let p = c.pretraining {
            let rows = anomalies == nil ? normals : data.features  // Deep SVDD never sees the labeled rows
            try network.load(try pretrainEncoder(c.encoder, bias: false, rows: rows, configuration: p, training: c.training,
                                             using: &rng, progress: progress).encoder)
        }
        let all = anomalies.map { Tensor.concatenateRows([normals, $0]) } ?? normals
        let z = initialForward(&network, all, layers: 0..<network.body.layers.count)
        let center = columnMeans(z).map { abs($0) < 0.1 ? ($0 < 0 ? -0.1 : 0.1) : $0 }
        let cTensor = Tensor(center)
        var r2: Float = 0, epochsDone = 0
        let log = try train(network: &network, normals: normals, anomalies: anomalies, configuration: c.training,
                            groups: [], using: &rng, batchLoss: { _, phi, m, _ in
            let dist = (phi - phi.tape.constant(cTensor)).squaredNorm()
            switch c.method {
            case .deepSAD(let eta, let eps):
                let n = dist.shape[0] - m
                var total = dist.rows(0..<n).sum()
                if m > 0 { total = total + deepSADPush(dist.rows(n..<(n + m)), eta: eta, epsilon: eps).sum() }
                return BatchLoss(loss: total / Float(n + m))
            case .deepSVDDOneClass:
                return BatchLoss(loss: dist.mean())
            case .deepSVDDSoftBoundary(let nu, let warmUp):
                let loss = (dist - r2).relu().mean() / nu + r2
                // After the warm-up, R² follows the (1 − ν) quantile of the batch's distances.
                if epochsDone >= warmUp { r2 = quantile(dist.value.scalars, 1 - Double(nu)) }
                return BatchLoss(loss: loss)
            }
        }, epochSummary: { _ in
            epochsDone += 1
            return ["R²": Double(r2)]
        }, progress: progress)
        var model = DeepSVDD(configuration: c, network: network, center: center, radiusSquared: 0, threshold: 0, log: log)
        if case .deepSVDDSoftBoundary = c.method {
            model.radiusSquared = r2
        } else {
            model.threshold = quantile(model.scores(normals), 1 - Double(c.contamination))
        }
        return model
    }

    /// `‖φ(x) − c‖²` per row.
    public func distances(_ x: Tensor, inferenceBatch: Int = Network.inferenceBatchSize) -> [Float] {
        let z = network.infer(x, batchSize: inferenceBatch)
        let d = center.count
        return (0..<z.shape[0]).map { i in
            var s: Float = 0
            for k in 0..<d { let t = z.scalars[i * d + k] - center[k]; s += t * t }
            return s
        }
    }

    /// Deep SAD and one-class Deep SVDD: `dist`; soft-boundary: `dist − R²`.
    public func scores(_ x: Tensor) -> [Float] { scores(x, inferenceBatch: Network.inferenceBatchSize) }
    public func scores(_ x: Tensor, inferenceBatch: Int) -> [Float] {
        let r2 = radiusSquared
        return distances(x, inferenceBatch: inferenceBatch).map { $0 - r2 }
    }
}
