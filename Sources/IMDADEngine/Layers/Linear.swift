// Fully connected layer.

/// `y = x·Wᵀ + b`, `x (N, in)` → `(N, out)`; `W (out, in)` and `b (out)` as in PyTorch.
public struct Linear: Layer {
    public var inputSize: Int, outputSize: Int, hasBias: Bool

    public init(_ inputSize: Int, _ outputSize: Int, bias: Bool = true) {
        self.inputSize = inputSize; self.outputSize = outputSize; self.hasBias = bias
    }

    public var parameterCount: Int { hasBias ? 2 : 1 }

    public func makeParameters(using rng: inout RandomGenerator) -> [ParameterSpec] {
        var p = [ParameterSpec("weight", kaimingUniform(shape: [outputSize, inputSize], fanIn: inputSize, using: &rng))]
        if hasBias { p.append(ParameterSpec("bias", kaimingUniform(shape: [outputSize], fanIn: inputSize, using: &rng))) }
        return p
    }

    public func forward(_ x: Variable, first: Int, context: inout ForwardContext) -> Variable {
        let input = x.shape.count == 2 ? x : x.flattened()
        return input.linear(weight: context.bound[first], bias: hasBias ? context.bound[first + 1] : nil)
    }
}
