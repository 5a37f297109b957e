// Batch normalization layer (1-D for (N, C), 2-D for (N, C, H, W): chosen by the input's rank).

/// Normalizes each channel by batch statistics in training and running statistics in inference;
/// `affine` adds a learned scale `γ` and shift `β`. State: `running_mean`, `running_var`.
public struct BatchNorm: Layer {
    public var channels: Int, epsilon: Float, momentum: Float, affine: Bool

    public init(_ channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        self.channels = channels; self.epsilon = epsilon; self.momentum = momentum; self.affine = affine
    }

    public var parameterCount: Int { affine ? 4 : 2 }

    public func makeParameters(using rng: inout RandomGenerator) -> [ParameterSpec] {
        var p: [ParameterSpec] = []
        if affine {
            p.append(ParameterSpec("weight", Tensor(shape: [channels], repeating: 1)))
            p.append(ParameterSpec("bias", Tensor(shape: [channels], repeating: 0)))
        }
        p.append(ParameterSpec("running_mean", Tensor(shape: [channels], repeating: 0), trainable: false))
        p.append(ParameterSpec("running_var", Tensor(shape: [channels], repeating: 1), trainable: false))
        return p
    }

    public func forward(_ x: Variable, first: Int, context: inout ForwardContext) -> Variable {
        let s = affine ? first + 2 : first
        let stats = BatchNormStatistics(mean: context.bound[s].value, variance: context.bound[s + 1].value)
        let training = context.mode == .training
        let (y, updated) = x.batchNorm(statistics: stats, weight: affine ? context.bound[first] : nil,
                                       bias: affine ? context.bound[first + 1] : nil,
                                       training: training, momentum: momentum, epsilon: epsilon)
        if training {
            context.stateUpdates.append((s, updated.mean))
            context.stateUpdates.append((s + 1, updated.variance))
        }
        return y
    }
}
