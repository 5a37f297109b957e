// 2-D convolution layer.

/// `x (N, C, H, W)` → `(N, O, Ho, Wo)` with `W (O, C, k, k)` and optional `b (O)`.
public struct Conv2d: Layer {
    public var inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int, hasBias: Bool

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernelSize = kernelSize
        self.stride = stride; self.padding = padding; self.hasBias = bias
    }

    public var parameterCount: Int { hasBias ? 2 : 1 }

    public func makeParameters(using rng: inout RandomGenerator) -> [ParameterSpec] {
        let fanIn = inChannels * kernelSize * kernelSize
        var p = [ParameterSpec("weight", kaimingUniform(shape: [outChannels, inChannels, kernelSize, kernelSize],
                                                        fanIn: fanIn, using: &rng))]
        if hasBias { p.append(ParameterSpec("bias", kaimingUniform(shape: [outChannels], fanIn: fanIn, using: &rng))) }
        return p
    }

    public func forward(_ x: Variable, first: Int, context: inout ForwardContext) -> Variable {
        x.conv2d(weight: context.bound[first], bias: hasBias ? context.bound[first + 1] : nil,
                 stride: stride, padding: padding)
    }
}
