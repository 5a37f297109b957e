// Optional autoencoder pretraining of the encoder (Deep SAD's; spec §4: an ablation, not a default).

import IMDADEngine

/// How to pretrain the encoder `φ_W` as the first half of an autoencoder `ψ_{W'} ∘ φ_W`:
///
///     min_{W, W'}  1/N Σᵢ ‖ψ(φ(xᵢ)) − xᵢ‖²
///
/// over every training row (labels unused, as in Deep SAD), with Adam and the main training's
/// batch size and learning-rate milestones. The detector then starts from the trained `W`; the
/// decoder `ψ` (``EncoderArchitecture/decoderLayers(bias:)``) is discarded.
public struct PretrainingConfiguration: Sendable, Equatable, Codable {
    public var epochs: Int
    /// nil: the main training's learning rate.
    public var learningRate: Float?
    /// Weight decay of the autoencoder (Deep SAD's `ae_weight_decay`, 0.5e-3).
    public var weightDecay: Float

    public init(epochs: Int, learningRate: Float? = nil, weightDecay: Float = 0.5e-3) {
        self.epochs = epochs; self.learningRate = learningRate; self.weightDecay = weightDecay
    }

    /// Checks every setting; the error names the parameter (`pretraining.epochs`, …).
    public func validate() throws(DetectorError) {
        try check("pretraining.epochs", epochs, epochs >= 1, "≥ 1")
        if let lr = learningRate { try check("pretraining.learningRate", lr, lr > 0 && lr.isFinite, "a positive number") }
        try check("pretraining.weightDecay", weightDecay, weightDecay >= 0 && weightDecay.isFinite, "≥ 0")
    }
}

/// The autoencoder's epochs are reported through `progress` with this key in `values` (its value
/// is the mean reconstruction error, the same as `loss`).
public let pretrainingLogKey = "reconstruction"

/// Trains the autoencoder of `architecture` on `rows` and returns the encoder's tensors (names
/// as in `architecture.layers(bias:)`, e.g. `"0.weight"`) with the autoencoder's epoch log.
func pretrainEncoder(_ architecture: EncoderArchitecture, bias: Bool, rows: Tensor, configuration p: PretrainingConfiguration,
                     training: TrainingConfiguration, using rng: inout RandomGenerator,
                     progress: ((EpochLog) -> Void)?) throws -> (encoder: Parameters, log: [EpochLog]) {
    let body = Sequential([architecture.layers(bias: bias), architecture.decoderLayers(bias: bias)], names: ["encoder", "decoder"])
    var autoencoder = Network(body, using: &rng)
    var t = training
    t.epochs = p.epochs
    t.learningRate = p.learningRate ?? training.learningRate
    t.weightDecay = p.weightDecay
    t.sampler = .uniform
    t.anomaliesPerBatch = nil
    let log = try train(network: &autoencoder, normals: rows, anomalies: nil, configuration: t, groups: [], using: &rng,
                        batchLoss: { x, reconstruction, _, _ in
        BatchLoss(loss: (reconstruction - reconstruction.tape.constant(x)).squaredNorm().mean())
    }, progress: progress.map { report in
        { var e = $0; e.values[pretrainingLogKey] = e.loss; report(e) }
    })
    let prefix = "encoder."
    let kept = autoencoder.parameters.names.indices.filter { autoencoder.parameters.names[$0].hasPrefix(prefix) }
    let encoder = Parameters(kept.map {
        ParameterSpec(String(autoencoder.parameters.names[$0].dropFirst(prefix.count)), autoencoder.parameters.values[$0],
                      trainable: autoencoder.parameters.isTrainable[$0])
    })
    return (encoder, log)
}

extension Network {
    /// Replaces the tensors named `prefix + name` by those of `source`; a name the network lacks
    /// or another shape is an error.
    mutating func load(_ source: Parameters, prefix: String = "") throws(ParameterError) {
        for (name, value) in zip(source.names, source.values) { try parameters.set(prefix + name, to: value) }
    }
}
