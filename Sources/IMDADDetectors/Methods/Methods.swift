// The catalogue of methods users and benchmarks can pick, fitted through one function.

import IMDADData
import IMDADEngine

/// Every detector the project offers, as named on the command line.
public enum MethodKind: String, Sendable, Codable, CaseIterable {
    case imdad = "imdad"
    case deepSADBalanced = "deepsad-balanced"
    case deepSADUniform = "deepsad"
    case deepSVDD = "deepsvdd"
    case deepSVDDSoftBoundary = "deepsvdd-soft"
    case isolationForest = "iforest"
    case devnet = "devnet"

    public var displayName: String {
        switch self {
        case .imdad: return "IMD-AD"
        case .deepSADBalanced: return "Deep SAD (balanced)"
        case .deepSADUniform: return "Deep SAD (uniform)"
        case .deepSVDD: return "Deep SVDD"
        case .deepSVDDSoftBoundary: return "Deep SVDD (soft-boundary)"
        case .isolationForest: return "Isolation Forest"
        case .devnet: return "DevNet"
        }
    }
}

/// The configuration of one detector: what ``fitDetector(_:data:using:progress:)`` trains and what a
/// model file stores. Each case holds that method's one configuration type, with its defaults and
/// its `validate()`.
public enum DetectorConfiguration: Sendable, Equatable {
    case imdad(IMDADConfiguration)
    /// Deep SAD and Deep SVDD (one-class and soft-boundary).
    case hypersphere(DeepSVDDConfiguration)
    case isolationForest(IsolationForest)
    case devnet(DevNetConfiguration)

    /// `kind` at its defaults on `encoder` (ignored by Isolation Forest), the one place that says
    /// which configuration each method of ``MethodKind`` is.
    public static func defaults(for kind: MethodKind, encoder: EncoderArchitecture) -> DetectorConfiguration {
        switch kind {
        case .imdad:
            return .imdad(IMDADConfiguration(encoder: encoder))
        case .deepSADBalanced, .deepSADUniform:
            var c = DeepSVDDConfiguration(encoder: encoder, method: .deepSAD(eta: 1, epsilon: 1e-6))
            c.training.sampler = kind == .deepSADBalanced ? .balanced : .uniform
            return .hypersphere(c)
        case .deepSVDD:
            return .hypersphere(DeepSVDDConfiguration(encoder: encoder, method: .deepSVDDOneClass))
        case .deepSVDDSoftBoundary:
            return .hypersphere(DeepSVDDConfiguration(encoder: encoder,
                                                      method: .deepSVDDSoftBoundary(nu: softBoundaryNu, warmUpEpochs: 10)))
        case .isolationForest:
            return .isolationForest(IsolationForest())
        case .devnet:
            return .devnet(DevNetConfiguration(encoder: encoder))
        }
    }

    /// Soft-boundary Deep SVDD's ν when none is given (Ruff et al.'s 0.1).
    public static let softBoundaryNu: Float = 0.1

    /// The method this configuration trains.
    public var kind: MethodKind {
        switch self {
        case .imdad: return .imdad
        case .isolationForest: return .isolationForest
        case .devnet: return .devnet
        case .hypersphere(let c):
            switch c.method {
            case .deepSAD: return c.training.sampler == .balanced ? .deepSADBalanced : .deepSADUniform
            case .deepSVDDOneClass: return .deepSVDD
            case .deepSVDDSoftBoundary: return .deepSVDDSoftBoundary
            }
        }
    }

    /// The optimization of the deep methods (nil for Isolation Forest, which ignores a new value).
    public var training: TrainingConfiguration? {
        get {
            switch self {
            case .imdad(let c): return c.training
            case .hypersphere(let c): return c.training
            case .devnet(let c): return c.training
            case .isolationForest: return nil
            }
        }
        set {
            guard let newValue else { return }
            switch self {
            case .imdad(var c): c.training = newValue; self = .imdad(c)
            case .hypersphere(var c): c.training = newValue; self = .hypersphere(c)
            case .devnet(var c): c.training = newValue; self = .devnet(c)
            case .isolationForest: break
            }
        }
    }

    /// The encoder's autoencoder pretraining, if any.
    public var pretraining: PretrainingConfiguration? {
        switch self {
        case .imdad(let c): return c.pretraining
        case .hypersphere(let c): return c.pretraining
        case .isolationForest, .devnet: return nil
        }
    }

    /// Checks every setting; the error names the parameter.
    public func validate() throws(DetectorError) {
        switch self {
        case .imdad(let c): try c.validate()
        case .hypersphere(let c): try c.validate()
        case .isolationForest(let c): try c.validate()
        case .devnet(let c): try c.validate()
        }
    }

    /// The settings that shape the training objective, in words ("ν 0.7, κ 10" for IMD-AD, with
    /// every ablation switch after them; "η 2" for Deep SAD), then λ and the anomalies per balanced
    /// batch where they differ from the defaults; nil for a baseline at its defaults. Results files
    /// key runs by it, so that a run at other settings is never taken for one done. The radius
    /// refit (ν_R) and the contamination move only the threshold, not the scores' ranking, and are
    /// left out.
    public var objective: String? {
        var parts: [String] = []
        switch self {
        case .imdad(let c): parts = c.objectiveWords
        case .hypersphere(let c):
            switch c.method {
            case .deepSAD(let eta, _): if eta != 1 { parts.append("η \(Format.general(eta))") }
            case .deepSVDDSoftBoundary(let nu, _): if nu != Self.softBoundaryNu { parts.append("ν \(Format.general(nu))") }
            case .deepSVDDOneClass: break
            }
        case .isolationForest: break
        case .devnet(let c):
            if c.margin != DevNetConfiguration(encoder: c.encoder).margin { parts.append("a \(Format.general(c.margin))") }
            if c.referenceSize != DevNetConfiguration(encoder: c.encoder).referenceSize { parts.append("ℓ \(c.referenceSize)") }
        }
        if let t = training {
            let defaultDecay = DetectorConfiguration.defaults(for: kind, encoder: .tabular(inputs: 1)).training?.weightDecay
            if t.weightDecay != defaultDecay { parts.append("λ \(Format.general(t.weightDecay))") }
            // The balanced sampler's anomalies per batch (the uniform sampler ignores it).
            if kind == .imdad || kind == .deepSADBalanced, let k = t.anomaliesPerBatch {
                parts.append("\(k) anomalies per batch")
            }
            // DevNet's default (nil) is half the batch.
            if kind == .devnet, let k = t.anomaliesPerBatch, k != t.batchSize / 2 { parts.append("\(k) anomalies per batch") }
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

/// A fitted detector of any kind (what a model file holds).
public enum FittedDetector: Sendable {
    case imdad(IMDAD)
    case hypersphere(DeepSVDD)
    case isolationForest(IsolationForestDetector)
    case devnet(DevNet)

    public var detector: any AnomalyDetector {
        switch self {
        case .imdad(let d): return d
        case .hypersphere(let d): return d
        case .isolationForest(let d): return d
        case .devnet(let d): return d
        }
    }

    public var log: [EpochLog] {
        switch self {
        case .imdad(let d): return d.log
        case .hypersphere(let d): return d.log
        case .devnet(let d): return d.log
        case .isolationForest: return []
        }
    }
}

/// Fits the detector `configuration` describes on `data`.
public func fitDetector(_ configuration: DetectorConfiguration, data: LabeledData, using rng: inout RandomGenerator,
                        progress: ((EpochLog) -> Void)? = nil) throws -> FittedDetector {
    switch configuration {
    case .imdad(let c): return .imdad(try IMDAD.fit(c, data: data, using: &rng, progress: progress))
    case .hypersphere(let c): return .hypersphere(try DeepSVDD.fit(c, data: data, using: &rng, progress: progress))
    case .isolationForest(let c): return .isolationForest(try IsolationForestDetector.fit(c, data: data, using: &rng))
    case .devnet(let c): return .devnet(try DevNet.fit(c, data: data, using: &rng, progress: progress))
    }
}
