// Parameter groups: per-tensor learning-rate scale and weight decay, chosen by name.

/// Settings for the tensors whose names start with `prefix` (first matching group wins;
/// tensors matching no group use the optimizer's defaults).
public struct ParameterGroup: Sendable, Equatable {
    public var prefix: String
    /// Multiplies the optimizer's learning rate for this group.
    public var learningRateScale: Float
    /// L2 penalty `λ` added to the gradient (`g + λ·p`, PyTorch's coupled weight decay).
    public var weightDecay: Float

    public init(prefix: String, learningRateScale: Float = 1, weightDecay: Float) {
        self.prefix = prefix; self.learningRateScale = learningRateScale; self.weightDecay = weightDecay
    }
}

/// A learning rate that falls by `gamma` at each milestone epoch (PyTorch's `MultiStepLR`):
/// `lr(epoch) = base · gamma^{#milestones ≤ epoch}` (epochs counted from 0).
public struct MultiStepSchedule: Sendable, Equatable, Codable {
    public var base: Float
    public var milestones: [Int]
    public var gamma: Float

    public init(base: Float, milestones: [Int] = [], gamma: Float = 0.1) {
        self.base = base; self.milestones = milestones; self.gamma = gamma
    }

    public func learningRate(epoch: Int) -> Float {
        var lr = base
        for m in milestones where epoch >= m { lr *= gamma }
        return lr
    }
}

struct ResolvedGroup { var scale: Float; var decay: Float }

func resolve(_ groups: [ParameterGroup], name: String, defaultDecay: Float) -> ResolvedGroup {
    for g in groups where name.hasPrefix(g.prefix) { return ResolvedGroup(scale: g.learningRateScale, decay: g.weightDecay) }
    return ResolvedGroup(scale: 1, decay: defaultDecay)
}
