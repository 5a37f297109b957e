// The training loop, written once for every deep method: batches, Adam with the multi-step
// schedule, per-epoch log, progress, and a loud stop on non-finite numbers.

import IMDADEngine

/// Hyper-parameters of the optimization shared by the deep methods (Deep SAD's defaults).
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    public var epochs = 150
    public var batchSize = 128
    public var learningRate: Float = 1e-3
    /// Epochs at which the learning rate is divided by 10.
    public var milestones: [Int] = [50]
    /// λ: weight decay of the encoder (Adam's coupled L2).
    public var weightDecay: Float = 0.5e-6
    public var sampler: BatchSampler = .balanced
    /// Labeled anomalies per balanced batch; nil: ``defaultAnomaliesPerBatch(batchSize:normals:anomalies:)``.
    public var anomaliesPerBatch: Int? = nil

    public init() {}

    /// Deep SAD's learning rate for the data kind: 1e-4 for the image encoders, 1e-3 for MLPs.
    public static func defaultLearningRate(for encoder: EncoderArchitecture) -> Float { encoder.isImage ? 1e-4 : 1e-3 }

    /// Checks every setting; the error names the parameter (`training.epochs`, …).
    public func validate() throws(DetectorError) {
        try check("training.epochs", epochs, epochs >= 1, "≥ 1")
        try check("training.batchSize", batchSize, batchSize >= 2, "≥ 2")
        try check("training.learningRate", learningRate, learningRate > 0 && learningRate.isFinite, "a positive number")
        try check("training.weightDecay", weightDecay, weightDecay >= 0 && weightDecay.isFinite, "≥ 0")
        try check("training.milestones", milestones, milestones.allSatisfy { $0 >= 0 }, "epochs ≥ 0")
        if let k = anomaliesPerBatch { try check("training.anomaliesPerBatch", k, k >= 1 && k < batchSize, "in 1..<batchSize") }
    }
}

/// One line of the training log.
public struct EpochLog: Sendable, Equatable, Codable {
    public var epoch: Int
    public var loss: Double
    public var learningRate: Float
    public var seconds: Double
    /// Method-specific read-outs, e.g. `R²` and active-hinge fractions for IMD-AD.
    public var values: [String: Double]

    /// Wall time is not encoded: model files from the same seed must be byte-identical.
    private enum CodingKeys: String, CodingKey { case epoch, loss, learningRate, values }

    public init(epoch: Int, loss: Double, learningRate: Float, seconds: Double, values: [String: Double]) {
        self.epoch = epoch; self.loss = loss; self.learningRate = learningRate; self.seconds = seconds; self.values = values
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(epoch: try c.decode(Int.self, forKey: .epoch), loss: try c.decode(Double.self, forKey: .loss),
                  learningRate: try c.decode(Float.self, forKey: .learningRate), seconds: 0,
                  values: try c.decode([String: Double].self, forKey: .values))
    }
}

/// Training stopped because a number stopped being finite.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
    public var epoch: Int
    public var step: Int
    public var what: String
    public var description: String {
        "training diverged at epoch \(epoch), step \(step): \(what) is not finite. "
            + "HINT: lower the learning rate (training.learningRate), check the input scaling, or reduce κ (kappa)."
    }
}

/// What one mini-batch contributes: its loss on the tape and counters averaged per epoch.
public struct BatchLoss {
    public var loss: Variable
    public var counters: [String: Double]
    public init(loss: Variable, counters: [String: Double] = [:]) { self.loss = loss; self.counters = counters }
}

/// Trains `network` on `normals` (rows) and labeled `anomalies` (rows, may be empty).
///
/// - Parameters:
///   - batchLoss: the objective of one mini-batch given its input rows, the network output
///     (normal rows first, then `anomalyCount` anomalous rows) and the bound parameters.
///   - epochSummary: read-outs appended to each epoch's log (e.g. `R²`).
///   - progress: called after every epoch.
func train(network: inout Network, normals: Tensor, anomalies: Tensor?, configuration c: TrainingConfiguration,
           groups: [ParameterGroup], using rng: inout RandomGenerator,
           batchLoss: (_ input: Tensor, _ output: Variable, _ anomalyCount: Int, _ bound: [Variable]) -> BatchLoss,
           epochSummary: (Network) -> [String: Double] = { _ in [:] },
           endOfEpoch: ((_ network: inout Network, _ epoch: Int) -> Void)? = nil,
           progress: ((EpochLog) -> Void)? = nil) throws -> [EpochLog] {
    let n = normals.shape[0], m = anomalies?.shape[0] ?? 0
    let k = c.anomaliesPerBatch ?? defaultAnomaliesPerBatch(batchSize: c.batchSize, normals: n, anomalies: m)
    let schedule = MultiStepSchedule(base: c.learningRate, milestones: c.milestones)
    var adam = Adam(learningRate: c.learningRate, weightDecay: c.weightDecay, groups: groups)
    var log: [EpochLog] = []
    let clock = ContinuousClock()
    for epoch in 0..<c.epochs {
        let start = clock.now
        adam.learningRate = schedule.learningRate(epoch: epoch)
        var total = 0.0, steps = 0
        var counters: [String: Double] = [:]
        let batches = epochBatches(sampler: c.sampler, normals: n, anomalies: m, batchSize: c.batchSize,
                                   anomaliesPerBatch: k, using: &rng)
        for batch in batches where batch.count >= 2 {
            var x = normals.rows(at: batch.normal)
            if let anomalies, !batch.anomalous.isEmpty {
                x = Tensor.concatenateRows([x, anomalies.rows(at: batch.anomalous)])
            }
            let (value, batchCounters) = try network.trainingStep(&adam) { network, tape, bound in
                let (out, updates) = network.forward(tape.constant(x), bound: bound, mode: .training)
                let b = batchLoss(x, out, batch.anomalous.count, bound)
                let value = b.loss.value.scalar
                guard value.isFinite else { throw TrainingError(epoch: epoch + 1, step: steps + 1, what: "the loss") }
                return (b.loss, updates, (value, b.counters))
            }
            total += Double(value)
            steps += 1
            for (key, v) in batchCounters { counters[key, default: 0] += v }
        }
        if let bad = network.parameters.values.indices.first(where: { !network.parameters.values[$0].isFinite }) {
            throw TrainingError(epoch: epoch + 1, step: steps, what: "parameter '\(network.parameters.names[bad])'")
        }
        endOfEpoch?(&network, epoch)
        var values = epochSummary(network)
        for (key, v) in counters { values[key] = v / Double(max(steps, 1)) }
        let elapsed = start.duration(to: clock.now)
        let entry = EpochLog(epoch: epoch + 1, loss: total / Double(max(steps, 1)), learningRate: adam.learningRate,
                             seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
                             values: values)
        log.append(entry)
        progress?(entry)
    }
    return log
}

/// The representation of every row in training mode (BatchNorm uses batch statistics and
/// updates its running statistics, as PyTorch's initial forward pass in Deep SAD does).
func initialForward(_ network: inout Network, _ x: Tensor, layers: Range<Int>, batchSize: Int = 128) -> Tensor {
    var parts: [Tensor] = []
    var start = 0
    let n = x.shape[0]
    while start < n {
        let end = min(n, start + batchSize)
        if end - start > 1 {
            let tape = Tape()
            let bound = network.bind(on: tape, differentiable: false)
            let (out, updates) = network.forward(tape.constant(x.rows(start..<end)), bound: bound, mode: .training, layers: layers)
            network.apply(updates)
            parts.append(out.value)
        }
        start = end
    }
    return parts.isEmpty ? network.infer(x, layers: layers) : Tensor.concatenateRows(parts)
}

/// Mean of the rows of a (N, d) tensor.
func columnMeans(_ z: Tensor) -> [Float] {
    let n = z.shape[0], d = z.shape[1]
    var sum = [Double](repeating: 0, count: d)
    for i in 0..<n { for k in 0..<d { sum[k] += Double(z.scalars[i * d + k]) } }
    return sum.map { Float($0 / Double(max(n, 1))) }
}
