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
        let weight = affine ? context.bound[first] : nil, bias = affine ? context.bound[first + 1] : nil
        return withStatistics(first: first, context: &context) { stats, training in
            x.batchNorm(statistics: stats, weight: weight, bias: bias, training: training, momentum: momentum, epsilon: epsilon)
        }
    }

    /// This layer, then LeakyReLU with `slope` and `size × size` max pooling, as one op
    /// (``Variable/pooledBatchNormLeakyReLU(statistics:training:momentum:epsilon:slope:size:)``);
    /// for a layer without affine transform.
    func forwardPooled(_ x: Variable, slope: Float, size: Int, first: Int, context: inout ForwardContext) -> Variable {
        precondition(!affine, "only a batch normalization without affine transform commutes with pooling")
        return withStatistics(first: first, context: &context) { stats, training in
            x.pooledBatchNormLeakyReLU(statistics: stats, training: training, momentum: momentum, epsilon: epsilon,
                                       slope: slope, size: size)
        }
    }

    /// Runs `body` with the running statistics and the mode, and records the statistics it returns
    /// as this step's update when training.
    private func withStatistics(first: Int, context: inout ForwardContext,
                                _ body: (BatchNormStatistics, Bool) -> (output: Variable, statistics: BatchNormStatistics)) -> Variable {
        let s = affine ? first + 2 : first
        let stats = BatchNormStatistics(mean: context.bound[s].value, variance: context.bound[s + 1].value)
        let training = context.mode == .training
        let (y, updated) = body(stats, training)
        if training {
            context.stateUpdates.append((s, updated.mean))
            context.stateUpdates.append((s + 1, updated.variance))
        }
        return y
    }
}
