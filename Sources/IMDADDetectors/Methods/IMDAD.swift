// IMD-AD: interpretable maximum-margin deep anomaly detection (spec §2–§5).
//
// Objective (spec §3), with the score s(x) = ‖φ(x)‖² − wᵀφ(x) − b = ‖φ(x) − c‖² − R²:
//
//     J = R² + 1/(ν·n) Σ_normal [s(xᵢ)]₊ + κ/m Σ_anomalous [ρ² − s(x̃ⱼ)]₊ + λ/2 ‖W‖²
//
// | symbol | meaning                                   | here                               |
// |--------|-------------------------------------------|------------------------------------|
// | φ, W   | encoder and its weights                   | `network` layers "encoder.*"       |
// | w, b   | final (hypersphere) layer                 | "sphere.w", "sphere.b"             |
// | c, R²  | center w/2, squared radius b + ‖w‖²/4     | ``Sphere``                         |
// | ρ²     | margin, fixed to 1 (spec §3 decision)     | `marginSquared`                    |
// | ν      | bound on normals left outside             | `nu`                               |
// | κ      | weight of the labeled anomalies           | `kappa`                            |
// | λ      | encoder weight decay (Adam, coupled)      | `training.weightDecay`             |
//
// Reference: arXiv 2603.07073 (2026); the project's reading is ../shared/spec/IMD-AD.md.

import IMDADData
import IMDADEngine

/// Configuration of IMD-AD (what to train); the fitted model is ``IMDAD``. The one source of truth
/// for IMD-AD's settings: the command line's options build it, ``validate()`` checks it, and the
/// model file stores it as it is.
///
/// The spec's parameters sit at the top level (ν, κ, ρ², ν_R, λ in ``training``); the switches of
/// this project's objective study, off by default, sit in ``Ablation``.
public struct IMDADConfiguration: Sendable, Equatable, Codable {
    public enum Hinge: Sendable, Equatable, Codable {
        /// `[z]₊ = max(0, z)` (default).
        case hinge
        /// `softplus_β(z)`; inflates R² by about ln(1/ν − 1)/β (spec §4).
        case softplus(beta: Float)
    }
    public enum Initialization: String, Sendable, Equatable, Codable, CaseIterable {
        /// `c` = mean representation of the normals, `R² = 0` (spec §4 decision).
        case centerZeroRadius
        /// `c` = mean, `R²` = (1 − ν) quantile of the squared distances (stalls; ablation only).
        case quantile
    }

    /// The defaults: ν = 0.7, κ = 10, and `R²` refit at ν_R = 0.1. Chosen by the objective study:
    /// against ν = 0.1, κ = 1 they raise the ODDS mean AUROC from 93.86 to 94.64 (Deep SAD,
    /// balanced: 94.43) and put IMD-AD ahead of Deep SAD in 7 of the 8 MNIST/Fashion-MNIST γ_l
    /// cells (the ablation and images studies under `experiments/`), while the refit keeps `s > 0`
    /// flagging about 10 % of the training normals (ν = 0.7 alone would flag about 70 %).
    public static let defaultNu: Float = 0.7
    public static let defaultKappa: Float = 10
    public static let defaultRadiusNu: Float = 0.1

    public var encoder: EncoderArchitecture
    /// ν ∈ (0, 1]: bound on the fraction of training normals outside the sphere (spec §3).
    public var nu: Float = defaultNu
    /// κ > 0: weight of the labeled anomalies' hinge.
    public var kappa: Float = defaultKappa
    /// ρ² > 0: the margin, fixed to 1 (spec §3 decision).
    public var marginSquared: Float = 1
    /// ν_R ∈ (0, 1], the contamination: after training, refit `R²` alone (encoder and `c` fixed;
    /// ``radiusSquared(flagging:normalDistances:)``) so that `s > 0` flags ⌊ν_R·n⌋ of the training
    /// normals while the ranking keeps what training at ν gave it. nil: `R²` as trained (model files
    /// written before the refit existed decode so).
    public var radiusNu: Float? = defaultRadiusNu
    /// Train without labeled anomalies (then J is soft-boundary Deep SVDD with a free center).
    public var allowOneClass = false
    /// The optimization (λ is `training.weightDecay`); IMD-AD always samples balanced batches.
    public var training = TrainingConfiguration()
    /// Optional autoencoder pretraining of the encoder before the sphere is initialized (nil: none).
    public var pretraining: PretrainingConfiguration? = nil
    /// The objective study's switches (``Ablation``); their defaults are the spec's objective.
    public var ablation = Ablation()

    /// Switches of the objective study: variants of the spec's objective, all off by default. Adding
    /// one touches this type (a field with its default, a line in ``init(from:)``, one in
    /// ``words``, a check in ``IMDADConfiguration/validate()`` if it has a range) and its
    /// command-line option.
    public struct Ablation: Sendable, Equatable, Codable {
        /// The normals' `[·]₊`: the hinge or softplus_β.
        public var hinge: Hinge = .hinge
        /// The labeled anomalies' hinge when it differs from the normals' (nil: `hinge`). A softplus
        /// here keeps pushing anomalies beyond the margin (its gradient never vanishes, like Deep SAD's
        /// `1/dist`) while the normals keep the hinge and with it the ν-property and `s > 0`.
        public var anomalyHinge: Hinge? = nil
        /// μ ≥ 0: weight of the compactness term μ/n Σ_normal ‖φ(xᵢ) − c‖².
        public var compactness: Float = 0
        /// π ≥ 0: weight of Deep SAD's push on the labeled anomalies, π/m Σ_anomalous 1/(‖φ(x̃ⱼ) − c‖² + ε),
        /// added to their hinge so that anomalies beyond the margin keep moving out.
        public var anomalyPush: Float = 0
        /// Ramp cap τ (in units of ρ²): the normal hinge becomes min([s]₊, τ·ρ²), so normals beyond
        /// the cap (likely unlabeled anomalies) stop pulling the sphere. nil = plain hinge.
        public var normalCap: Float? = nil
        public var initialization: Initialization = .centerZeroRadius
        /// Biases in the encoder (allowed: collapse is never optimal under J, spec §3).
        public var encoderBias = false
        /// Learning-rate multiplier of the sphere layer (w, b).
        public var sphereLearningRateScale: Float = 1
        /// Further multiplier for the center alone (`w = 2c`): below 1 the center stays nearer the
        /// normals' mean while `R²` (through `b`) keeps its pace.
        public var centerLearningRateScale: Float = 1
        /// Every this many epochs (and after the last), the sphere layer is replaced by the exact
        /// minimizer of J for the current encoder (``solveSphere(normals:anomalies:nu:kappa:marginSquared:relativeGap:maxIterations:)``,
        /// on the training rows' representations in inference mode) instead of only following
        /// Adam's steps: block-coordinate descent on J. nil = off.
        public var sphereSolveEvery: Int? = nil

        public init() {}

        /// Every switch that differs from the default, in words ("push π 0.1", "center lr ×0.1").
        public var words: [String] {
            func words(_ h: Hinge) -> String {
                if case .softplus(let b) = h { return "softplus β \(Format.general(b))" }
                return "hinge"
            }
            let d = Ablation()
            var parts: [String] = []
            if hinge != d.hinge { parts.append(words(hinge)) }
            // The anomalies' term only when it differs from the normals' (nil and `hinge` are one objective).
            if let a = anomalyHinge, a != hinge { parts.append("anomaly " + words(a)) }
            if compactness != d.compactness { parts.append("μ \(Format.general(compactness))") }
            if anomalyPush != d.anomalyPush { parts.append("push π \(Format.general(anomalyPush))") }
            if let t = normalCap { parts.append("cap \(Format.general(t))") }
            if centerLearningRateScale != d.centerLearningRateScale {
                parts.append("center lr ×\(Format.general(centerLearningRateScale))")
            }
            if sphereLearningRateScale != d.sphereLearningRateScale {
                parts.append("sphere lr ×\(Format.general(sphereLearningRateScale))")
            }
            if initialization != d.initialization { parts.append("\(initialization.rawValue) init") }
            if encoderBias != d.encoderBias { parts.append("encoder bias") }
            if let k = sphereSolveEvery { parts.append("sphere solved every \(k) epochs") }
            return parts
        }

        /// Reads every switch, absent ones as their defaults, so that model files written before a
        /// switch existed keep loading with the objective they were trained with.
        public init(from decoder: any Decoder) throws {
            let k = try decoder.container(keyedBy: CodingKeys.self)
            hinge = try k.decodeIfPresent(Hinge.self, forKey: .hinge) ?? hinge
            anomalyHinge = try k.decodeIfPresent(Hinge.self, forKey: .anomalyHinge)
            compactness = try k.decodeIfPresent(Float.self, forKey: .compactness) ?? compactness
            anomalyPush = try k.decodeIfPresent(Float.self, forKey: .anomalyPush) ?? anomalyPush
            normalCap = try k.decodeIfPresent(Float.self, forKey: .normalCap)
            initialization = try k.decodeIfPresent(Initialization.self, forKey: .initialization) ?? initialization
            encoderBias = try k.decodeIfPresent(Bool.self, forKey: .encoderBias) ?? encoderBias
            sphereLearningRateScale = try k.decodeIfPresent(Float.self, forKey: .sphereLearningRateScale) ?? sphereLearningRateScale
            centerLearningRateScale = try k.decodeIfPresent(Float.self, forKey: .centerLearningRateScale) ?? centerLearningRateScale
            sphereSolveEvery = try k.decodeIfPresent(Int.self, forKey: .sphereSolveEvery)
        }
    }

    public init(encoder: EncoderArchitecture) {
        self.encoder = encoder
        training.sampler = .balanced
    }

    /// Checks every setting; the error names the parameter (`nu`, `ablation.anomalyPush`, …).
    public func validate() throws(DetectorError) {
        try check("nu", nu, nu > 0 && nu <= 1, "in (0, 1]")
        try check("kappa", kappa, kappa > 0 && kappa.isFinite, "> 0")
        try check("marginSquared", marginSquared, marginSquared > 0 && marginSquared.isFinite, "> 0")
        if let v = radiusNu { try check("radiusNu", v, v > 0 && v <= 1, "in (0, 1]") }
        try training.validate()
        try pretraining?.validate()
        let a = ablation
        for (name, h) in [("ablation.hinge", a.hinge), ("ablation.anomalyHinge", a.anomalyHinge ?? .hinge)] {
            if case .softplus(let b) = h { try check(name, b, b > 0 && b.isFinite, "a softplus β > 0") }
        }
        try check("ablation.compactness", a.compactness, a.compactness >= 0 && a.compactness.isFinite, "≥ 0")
        try check("ablation.anomalyPush", a.anomalyPush, a.anomalyPush >= 0 && a.anomalyPush.isFinite, "≥ 0")
        if let t = a.normalCap { try check("ablation.normalCap", t, t > 0 && t.isFinite, "> 0") }
        if let k = a.sphereSolveEvery { try check("ablation.sphereSolveEvery", k, k >= 1, "≥ 1 epochs") }
        try check("ablation.sphereLearningRateScale", a.sphereLearningRateScale,
                  a.sphereLearningRateScale >= 0 && a.sphereLearningRateScale.isFinite, "≥ 0")
        try check("ablation.centerLearningRateScale", a.centerLearningRateScale,
                  a.centerLearningRateScale >= 0 && a.centerLearningRateScale.isFinite, "≥ 0")
    }

    /// The settings that shape the ranking, in words: "ν 0.7, κ 10" and every ablation switch.
    public var objectiveWords: [String] {
        return ["ν \(Format.general(nu))", "κ \(Format.general(kappa))"] + ablation.words
    }

    private enum CodingKeys: String, CodingKey {
        case encoder, nu, kappa, marginSquared, radiusNu, allowOneClass, training, pretraining, ablation
    }

    /// Decodes every field. Model files written before the ablation switches had their own object
    /// hold them beside the spec's parameters; those read from there. `pretraining` and `radiusNu`
    /// (added after format version 1 first shipped) read as absent when missing.
    public init(from decoder: any Decoder) throws {
        let k = try decoder.container(keyedBy: CodingKeys.self)
        encoder = try k.decode(EncoderArchitecture.self, forKey: .encoder)
        nu = try k.decode(Float.self, forKey: .nu)
        kappa = try k.decode(Float.self, forKey: .kappa)
        marginSquared = try k.decode(Float.self, forKey: .marginSquared)
        radiusNu = try k.decodeIfPresent(Float.self, forKey: .radiusNu)
        allowOneClass = try k.decode(Bool.self, forKey: .allowOneClass)
        training = try k.decode(TrainingConfiguration.self, forKey: .training)
        pretraining = try k.decodeIfPresent(PretrainingConfiguration.self, forKey: .pretraining)
        ablation = try k.decodeIfPresent(Ablation.self, forKey: .ablation) ?? Ablation(from: decoder)
    }
}

/// Throws ``DetectorError/invalidParameter(name:value:expected:)`` unless `ok`.
func check<T>(_ name: String, _ value: T, _ ok: Bool, _ expected: String) throws(DetectorError) {
    guard ok else { throw .invalidParameter(name: name, value: "\(value)", expected: expected) }
}

/// A trained IMD-AD model: encoder + hypersphere layer.
public struct IMDAD: AnomalyDetector {
    public var configuration: IMDADConfiguration
    /// `Sequential([encoder, sphere])`, tensors named "encoder.*" and "sphere.w"/"sphere.b".
    public var network: Network
    public var log: [EpochLog]

    public var methodName: String { "IMD-AD" }
    public var featureCount: Int { configuration.encoder.inputSize }
    /// `s > 0` is outside the sphere: the sphere's own threshold, no quantile heuristic.
    public var threshold: Float { 0 }

    /// The network of a configuration: the encoder followed by the sphere layer.
    public static func body(_ c: IMDADConfiguration) -> Sequential {
        Sequential([c.encoder.layers(bias: c.ablation.encoderBias), HypersphereLayer(dimension: c.encoder.representationSize)],
                   names: ["encoder", "sphere"])
    }

    /// The positions of the sphere layer's `w` and `b` in a network of ``body(_:)``: its second
    /// layer's two tensors, found by structure.
    public static func sphereIndices(_ network: Network) -> (w: Int, b: Int) {
        let r = network.parameterIndices(ofLayer: 1)
        return (r.lowerBound, r.lowerBound + 1)
    }

    /// The sphere read off the final layer.
    public var sphere: Sphere {
        let (w, b) = Self.sphereIndices(network)
        return Sphere(w: network.parameters.values[w], b: network.parameters.values[b], marginSquared: configuration.marginSquared)
    }

    /// Trains IMD-AD on `data`.
    public static func fit(_ configuration: IMDADConfiguration, data: LabeledData, using rng: inout RandomGenerator,
                           progress: ((EpochLog) -> Void)? = nil) throws -> IMDAD {
        let c = configuration
        try c.validate()
        let normals = try data.normals(forInputSize: c.encoder.inputSize), anomalies = data.anomalies
        guard anomalies != nil || c.allowOneClass else { throw DetectorError.noLabeledAnomalies(method: "IMD-AD") }

        var network = Network(body(c), using: &rng)
        if let p = c.pretraining {
            let pre = try pretrainEncoder(c.encoder, bias: c.ablation.encoderBias, rows: data.features, configuration: p,
                                          training: c.training, using: &rng, progress: progress)
            try network.load(pre.encoder, prefix: "encoder.")
        }
        // Initialization (spec §4): one forward pass over the normals; c = mean, R² = 0 (or quantile).
        let z = initialForward(&network, normals, layers: 0..<1)
        let center = columnMeans(z)
        var r2: Float = 0
        if c.ablation.initialization == .quantile {
            r2 = quantile(Sphere(center: center, radiusSquared: 0).distancesSquared(rows: z), 1 - Double(c.nu))
        }
        let (w, b) = Sphere(center: center, radiusSquared: r2).layerWeights
        let (wIndex, bIndex) = sphereIndices(network)
        try network.parameters.set(at: wIndex, to: w)
        try network.parameters.set(at: bIndex, to: b)

        let a = c.ablation
        let groups = [
            ParameterGroup(prefix: "sphere.w", learningRateScale: a.sphereLearningRateScale * a.centerLearningRateScale, weightDecay: 0),
            ParameterGroup(prefix: "sphere.", learningRateScale: a.sphereLearningRateScale, weightDecay: 0),
        ]
        let objective = IMDADObjective(c)
        let log = try train(network: &network, normals: normals, anomalies: anomalies, configuration: c.training,
                            groups: groups, using: &rng,
                            batchLoss: { _, s, m, bound in
                                objective.batchLoss(scores: s, anomalyCount: m, w: bound[wIndex], b: bound[bIndex])
                            },
                            epochSummary: { net in
            ["R²": Double(Sphere(w: net.parameters.values[wIndex], b: net.parameters.values[bIndex]).radiusSquared)]
        }, endOfEpoch: a.sphereSolveEvery.map { every in { net, epoch in
            guard (epoch + 1) % every == 0 || epoch + 1 == c.training.epochs else { return }
            let solved = solveSphere(normals: net.infer(normals, layers: 0..<1), anomalies: anomalies.map { net.infer($0, layers: 0..<1) },
                                     nu: c.nu, kappa: c.kappa, marginSquared: c.marginSquared).sphere
            let (w, b) = solved.layerWeights
            net.parameters.values[wIndex] = w
            net.parameters.values[bIndex] = b
        } }, progress: progress)
        var model = IMDAD(configuration: c, network: network, log: log)
        if let nuR = c.radiusNu { model.refitRadius(nu: nuR, normals: normals) }
        return model
    }

    /// Sets `R²` (through `b`; `c` and the encoder stay) so that `s > 0` flags at most ⌊ν·n⌋ of the
    /// training normals (``radiusSquared(flagging:normalDistances:)``, on their distances `‖φ − c‖²`
    /// in inference mode). Every score moves by the same constant, so the ranking (and AUROC, AP)
    /// is unchanged.
    ///
    /// The radius is one normal's distance, so that normal lies on the sphere.
    /// The layer computes its score in Float as `‖φ‖² − wᵀφ − b`, and rounding can put it just above 0
    /// (+3e-8 with `R²` = 0.112, seen on the Cooperlake sgemm kernels). Then `s > 0` flags one normal
    /// more than the ν-property allows. `R²` is therefore raised by a guard `64·ε_F·(‖c‖ + R)²`: a point
    /// on the sphere has `‖φ‖ ≤ ‖c‖ + R`, so each of the three terms is at most 4·(‖c‖ + R)² and the
    /// guard is 16 ulps of their size. That is above their rounding and far below the gaps between the
    /// normals' distances, and raising `R²` can only move normals inside, never outside.
    mutating func refitRadius(nu: Float, normals: Tensor) {
        let old = sphere
        let r2 = radiusSquared(flagging: nu, normalDistances: old.distancesSquared(rows: representations(normals)))
        let reach = old.center.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot() + max(r2, 0).squareRoot()
        let guardBand = 64 * Float.ulpOfOne * reach * reach
        network.parameters.values[Self.sphereIndices(network).b] =
            Sphere(center: old.center, radiusSquared: r2 + guardBand, marginSquared: old.marginSquared).layerWeights.b
    }

    /// Representations `φ(x)` (N, d).
    public func representations(_ x: Tensor) -> Tensor { network.infer(x, layers: 0..<1) }

    /// `s(x) = ‖φ(x) − c‖² − R²` for every row.
    public func scores(_ x: Tensor) -> [Float] { scores(x, inferenceBatch: Network.inferenceBatchSize) }
    public func scores(_ x: Tensor, inferenceBatch: Int) -> [Float] { network.infer(x, batchSize: inferenceBatch).scalars }

    /// The zone of every row.
    public func zones(_ x: Tensor) -> [Zone] {
        let sp = sphere
        return scores(x).map { sp.zone(score: $0) }
    }
}

/// The squared radius that leaves at most ⌊p·n⌋ of the `n` training normals outside the sphere:
///
///     R² = min { r ≥ 0 : #{i : dᵢ > r} ≤ ⌊p·n⌋ },   dᵢ = ‖φ(xᵢ) − c‖²,
///
/// the (n − ⌊p·n⌋)-th smallest distance (0 when p·n ≥ n). This is the ν-property of `J` (spec §3)
/// made exact: with the encoder and `c` fixed, `J` over `R²` alone with ν = p is minimized here
/// whenever no labeled anomaly lies inside the margin (`d̃ⱼ − ρ² > R²`); an anomaly inside it would
/// pull the minimizer lower and flag more normals than asked for, so the threshold keeps the rate
/// the user set instead. O(n log n).
public func radiusSquared(flagging p: Float, normalDistances d: [Float]) -> Float {
    let sorted = d.sorted(), n = sorted.count
    let allowed = min(n, Int((Double(p) * Double(n)).rounded(.down)))
    return n - allowed >= 1 ? max(0, sorted[n - allowed - 1]) : 0
}

/// The mini-batch estimate of `J` (the weight decay `λ/2‖W‖²` is applied by Adam):
///
///     J_B = R² + 1/ν · mean_{normal i ∈ B} [s(xᵢ)]₊ + κ · mean_{anomalous j ∈ B} [ρ² − s(x̃ⱼ)]₊
///           + μ · mean_{normal i ∈ B} ‖φ(xᵢ) − c‖² + π · mean_{anomalous j ∈ B} 1/(‖φ(x̃ⱼ) − c‖² + ε)
///
/// with `R² = b + ‖w‖²/4` computed from the layer's weights, so its gradient reaches `w` and `b`.
/// `[·]₊` is the hinge or, as an ablation, softplus_β; the anomalies' term may use its own
/// (`anomalyHinge`: a softplus there keeps pushing anomalies beyond the margin).
/// The last two terms are ablations of this project, not the spec's, and are off by default:
/// - μ: a Deep SAD-style pull of every normal towards `c`, computed as `μ·(mean s + R²)`. It does
///   not move the ν-property (its derivative in `b` is zero). Measured in the ablation study (`experiments/`): it
///   does not help.
/// - π: Deep SAD's push on the labeled anomalies, with `‖φ − c‖² = s + R²` clamped at 0 against
///   rounding and ε = 1e-6: beyond the margin the hinge stops and the push goes on. Measured
///   there: it lifts cardio and thyroid and costs arrhythmia and satellite.
public struct IMDADObjective: Sendable {
    public var nu: Float, kappa: Float, marginSquared: Float, compactness: Float, anomalyPush: Float
    public var normalCap: Float?
    public var hinge: IMDADConfiguration.Hinge
    public var anomalyHinge: IMDADConfiguration.Hinge

    public init(_ c: IMDADConfiguration) {
        let a = c.ablation
        nu = c.nu; kappa = c.kappa; marginSquared = c.marginSquared; hinge = a.hinge; compactness = a.compactness; normalCap = a.normalCap
        anomalyPush = a.anomalyPush
        anomalyHinge = a.anomalyHinge ?? a.hinge
    }

    func act(_ v: Variable, _ hinge: IMDADConfiguration.Hinge) -> Variable {
        switch hinge {
        case .hinge: return v.relu()
        case .softplus(let beta): return v.softplus(beta: beta)
        }
    }

    /// `scores` holds the normal rows first, then `anomalyCount` labeled anomalies. Counters:
    /// the fractions of active hinges (`s > 0` for normals, `s < ρ²` for anomalies).
    public func batchLoss(scores s: Variable, anomalyCount m: Int, w: Variable, b: Variable) -> BatchLoss {
        let n = s.shape[0] - m
        let sNormal = s.rows(0..<n)
        let r2 = HypersphereLayer.radiusSquared(w: w, b: b)
        var normalTerm = act(sNormal, hinge)
        if let cap = normalCap { normalTerm = normalTerm - act(sNormal - cap * marginSquared, hinge) }
        var J = r2 + normalTerm.mean() * (1 / nu)
        if compactness > 0 { J = J + (sNormal.mean() + r2) * compactness }
        var counters = ["active normal": Double(sNormal.value.scalars.filter { $0 > 0 }.count) / Double(max(n, 1))]
        if m > 0 {
            let sAnomalous = s.rows(n..<(n + m))
            J = J + act(marginSquared - sAnomalous, anomalyHinge).mean() * kappa
            if anomalyPush > 0 { J = J + deepSADPush((sAnomalous + r2).clamped(min: 0), eta: 1, epsilon: 1e-6).mean() * anomalyPush }
            counters["active anomalous"] = Double(sAnomalous.value.scalars.filter { $0 < marginSquared }.count) / Double(m)
        }
        return BatchLoss(loss: J, counters: counters)
    }
}
