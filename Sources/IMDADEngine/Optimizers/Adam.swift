// Adam (Kingma & Ba, 2015) exactly as PyTorch's `torch.optim.Adam` (coupled weight decay).

import CIMDADKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// For each trainable tensor `p` with gradient `g`, at step `t`:
///
///     g ← g + λ·p                                  (weight decay, coupled as in PyTorch)
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
public struct Adam: Sendable {
    public var learningRate: Float
    public var beta1: Float, beta2: Float, epsilon: Float
    /// λ for tensors outside every group.
    public var weightDecay: Float
    public var groups: [ParameterGroup]
    public private(set) var step = 0
    private var m: [[Float]] = [], v: [[Float]] = []

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, groups: [ParameterGroup] = []) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.groups = groups
    }

    /// One update of every trainable tensor that has a gradient.
    public mutating func update(_ parameters: inout Parameters, gradients: [Tensor?]) {
        precondition(gradients.count == parameters.count, "one gradient slot per parameter")
        if m.isEmpty {
            m = parameters.values.map { [Float](repeating: 0, count: $0.count) }
            v = m
        }
        step += 1
        let bc1 = 1 - powf(beta1, Float(step)), bc2 = 1 - powf(beta2, Float(step))
        let sqrtBC2 = bc2.squareRoot()
        let threads = Parallel.threadsForCaller
        for i in 0..<parameters.count {
            guard parameters.isTrainable[i], let g = gradients[i] else { continue }
            let group = resolve(groups, name: parameters.names[i], defaultDecay: weightDecay)
            let stepSize = learningRate * group.scale / bc1
            let decay = group.decay, beta1 = beta1, beta2 = beta2, epsilon = epsilon
            parameters.values[i].scalars.withUnsafeMutableBufferPointer { p in
                g.scalars.withUnsafeBufferPointer { pg in
                    m[i].withUnsafeMutableBufferPointer { pm in
                        v[i].withUnsafeMutableBufferPointer { pv in
                            guard let pp = p.baseAddress, let gp = pg.baseAddress, let mp = pm.baseAddress, let vp = pv.baseAddress
                            else { return }
                            // In C, vectorized per instruction set (Swift's loop was not: 18 % of an MLP 274
                            // training step, experiments/speed/quiet-zen4.md), the same operations per value,
                            // in pieces over the engine's threads (experiments/speed/small-gemm.md).
                            imdad_adam_update_split(p.count, pp, gp, mp, vp, decay, beta1, beta2, stepSize, sqrtBC2,
                                                    epsilon, Int32(threads))
                        }
                    }
                }
            }
        }
    }
}
