// The catalogue of methods users and benchmarks can pick, fitted through one function.

import IMDADEngine

/// Every detector the project offers, as named on the command line.
public enum MethodKind: String, Sendable, Codable, CaseIterable {
    case imdad = "imdad"
    case deepSADBalanced = "deepsad-balanced"
    case deepSADUniform = "deepsad"
    case deepSVDD = "deepsvdd"
    case deepSVDDSoftBoundary = "deepsvdd-soft"
    case isolationForest = "iforest"

    public var displayName: String {
        switch self {
        case .imdad: return "IMD-AD"
        case .deepSADBalanced: return "Deep SAD (balanced)"
        case .deepSADUniform: return "Deep SAD (uniform)"
        case .deepSVDD: return "Deep SVDD"
        case .deepSVDDSoftBoundary: return "Deep SVDD (soft-boundary)"
        case .isolationForest: return "Isolation Forest"
        }
    }
}

/// The settings a user may change for any method (the rest follow the spec's defaults).
public struct MethodSettings: Sendable, Equatable, Codable {
    public var training = TrainingConfiguration()
    /// ν; nil: the method's own default (``IMDADConfiguration/defaultNu`` for IMD-AD,
    /// ``MethodSettings/softBoundaryNu`` for soft-boundary Deep SVDD).
    public var nu: Float? = nil
    public var kappa: Float = IMDADConfiguration.defaultKappa
    public var eta: Float = 1
    public var hinge: IMDADConfiguration.Hinge = .hinge
    public var anomalyHinge: IMDADConfiguration.Hinge? = nil
    public var compactness: Float = 0
    public var anomalyPush: Float = 0
    public var normalCap: Float? = nil
    public var centerLearningRateScale: Float = 1
    /// IMD-AD: refit `R²` after training at this ν (nil: as trained); see ``IMDADConfiguration/radiusNu``.
    public var radiusNu: Float? = IMDADConfiguration.defaultRadiusNu
    public var initialization: IMDADConfiguration.Initialization = .centerZeroRadius
    public var encoderBias = false
    public var allowOneClass = false
    public var contamination: Float = 0.1
    /// Autoencoder pretraining of the deep methods' encoder (nil: none).
    public var pretraining: PretrainingConfiguration? = nil
    public init() {}

    /// Soft-boundary Deep SVDD's ν when none is given (Ruff et al.'s 0.1).
    public static let softBoundaryNu: Float = 0.1

    /// The settings that shape `kind`'s training objective, in words ("ν 0.7, κ 10" for IMD-AD,
    /// with every non-default IMD-AD option after them); nil for a baseline at its defaults.
    /// Results files key runs by it, so that a run at other settings is never taken for one done.
    /// The radius refit (ν_R) and the contamination move only the threshold, not the scores'
    /// ranking, and are left out.
    public func objective(of kind: MethodKind) -> String? {
        func g(_ x: Float) -> String { String(format: "%g", Double(x)) }
        let d = MethodSettings()   // what "non-default" is measured against
        var parts: [String] = []
        switch kind {
        case .imdad:
            parts = ["ν \(g(nu ?? IMDADConfiguration.defaultNu))", "κ \(g(kappa))"]
            func words(_ h: IMDADConfiguration.Hinge) -> String {
                if case .softplus(let b) = h { return "softplus β \(g(b))" }
                return "hinge"
            }
            if hinge != d.hinge { parts.append(words(hinge)) }
            // The anomalies' term only when it differs from the normals' (nil and `hinge` are one objective).
            if let a = anomalyHinge, a != hinge { parts.append("anomaly " + words(a)) }
            if compactness != d.compactness { parts.append("μ \(g(compactness))") }
            if anomalyPush != d.anomalyPush { parts.append("push π \(g(anomalyPush))") }
            if let t = normalCap { parts.append("cap \(g(t))") }
            if centerLearningRateScale != d.centerLearningRateScale { parts.append("center lr ×\(g(centerLearningRateScale))") }
            if initialization != d.initialization { parts.append("\(initialization.rawValue) init") }
            if encoderBias != d.encoderBias { parts.append("encoder bias") }
        case .deepSADBalanced, .deepSADUniform:
            if eta != d.eta { parts.append("η \(g(eta))") }
        case .deepSVDDSoftBoundary:
            if let nu, nu != MethodSettings.softBoundaryNu { parts.append("ν \(g(nu))") }
        case .deepSVDD, .isolationForest:
            break
        }
        if kind != .isolationForest, training.weightDecay != d.training.weightDecay {
            parts.append("λ \(g(training.weightDecay))")
        }
        // The balanced sampler's anomalies per batch (the uniform sampler ignores it).
        if kind == .imdad || kind == .deepSADBalanced, let k = training.anomaliesPerBatch {
            parts.append("\(k) anomalies per batch")
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

/// A fitted detector of any kind (what a model file holds).
public enum FittedDetector: Sendable {
    case imdad(IMDAD)
    case hypersphere(DeepSVDD)
    case isolationForest(IsolationForestDetector)

    public var detector: any AnomalyDetector {
        switch self {
        case .imdad(let d): return d
        case .hypersphere(let d): return d
        case .isolationForest(let d): return d
        }
    }

    public var log: [EpochLog] {
        switch self {
        case .imdad(let d): return d.log
        case .hypersphere(let d): return d.log
        case .isolationForest: return []
        }
    }
}

/// Fits `kind` on `data` with `encoder` (ignored by Isolation Forest).
public func fitDetector(_ kind: MethodKind, encoder: EncoderArchitecture, settings s: MethodSettings, data: LabeledData,
                        using rng: inout RandomGenerator, progress: ((EpochLog) -> Void)? = nil) throws -> FittedDetector {
    switch kind {
    case .imdad:
        var c = IMDADConfiguration(encoder: encoder)
        c.nu = s.nu ?? IMDADConfiguration.defaultNu; c.kappa = s.kappa; c.hinge = s.hinge; c.anomalyHinge = s.anomalyHinge; c.compactness = s.compactness; c.anomalyPush = s.anomalyPush; c.normalCap = s.normalCap; c.centerLearningRateScale = s.centerLearningRateScale; c.initialization = s.initialization
        c.encoderBias = s.encoderBias; c.allowOneClass = s.allowOneClass; c.training = s.training; c.pretraining = s.pretraining
        c.radiusNu = s.radiusNu
        c.training.sampler = .balanced
        return .imdad(try IMDAD.fit(c, data: data, using: &rng, progress: progress))
    case .deepSADBalanced, .deepSADUniform, .deepSVDD, .deepSVDDSoftBoundary:
        let method: HypersphereMethod
        switch kind {
        case .deepSVDD: method = .deepSVDDOneClass
        case .deepSVDDSoftBoundary: method = .deepSVDDSoftBoundary(nu: s.nu ?? MethodSettings.softBoundaryNu, warmUpEpochs: 10)
        default: method = .deepSAD(eta: s.eta, epsilon: 1e-6)
        }
        var c = DeepSVDDConfiguration(encoder: encoder, method: method)
        c.training = s.training
        c.training.sampler = kind == .deepSADBalanced ? .balanced : .uniform
        c.contamination = s.contamination
        c.pretraining = s.pretraining
        return .hypersphere(try DeepSVDD.fit(c, data: data, using: &rng, progress: progress))
    case .isolationForest:
        return .isolationForest(try IsolationForestDetector.fit(data: data, contamination: Double(s.contamination), using: &rng))
    }
}
