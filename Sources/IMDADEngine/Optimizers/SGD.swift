// Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD`.

/// For each trainable tensor `p` with gradient `g`:
///
///     g ← g + λ·p;   b ← μ·b + g (b = g at the first step);   p ← p − lr·b
///
/// (plain SGD when μ = 0).
public struct SGD: Sendable {
    public var learningRate: Float
    public var momentum: Float
    public var weightDecay: Float
    public var groups: [ParameterGroup]
    private var buffers: [[Float]?] = []

    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0, groups: [ParameterGroup] = []) {
        self.learningRate = learningRate; self.momentum = momentum; self.weightDecay = weightDecay; self.groups = groups
    }

    public mutating func update(_ parameters: inout Parameters, gradients: [Tensor?]) {
        precondition(gradients.count == parameters.count, "one gradient slot per parameter")
        if buffers.isEmpty { buffers = [[Float]?](repeating: nil, count: parameters.count) }
        for i in 0..<parameters.count {
            guard parameters.isTrainable[i], let g = gradients[i] else { continue }
            let group = resolve(groups, name: parameters.names[i], defaultDecay: weightDecay)
            var d = g.scalars
            let p0 = parameters.values[i].scalars
            if group.decay != 0 { for j in 0..<d.count { d[j] += group.decay * p0[j] } }
            if momentum != 0 {
                if var b = buffers[i] {
                    for j in 0..<d.count { b[j] = momentum * b[j] + d[j] }
                    buffers[i] = b
                    d = b
                } else {
                    buffers[i] = d
                }
            }
            let lr = learningRate * group.scale
            parameters.values[i].scalars.withUnsafeMutableBufferPointer { p in
                for j in 0..<p.count { p[j] -= lr * d[j] }
            }
        }
    }
}
