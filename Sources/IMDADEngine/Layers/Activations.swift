// Parameter-free layers: activations, pooling, upsampling, flattening.

/// `max(0, x)`.
public struct ReLU: Layer {
    public init() {}
    public func forward(_ x: Variable, first: Int, context: inout ForwardContext) -> Variable { x.relu() }
}

/// `x` for x > 0, `slope·x` otherwise (Deep SAD's encoders use slope 0.01).
public struct LeakyReLU: Layer {
    public var slope: Float
    public init(slope: Float = 0.01) { self.slope = slope }
    public func forward(_ x: Variable, first: Int, context: inout ForwardContext) -> Variable { x.leakyRelu(slope: slope) }
}

/// `1 / (1 + e^{−x})`.
public struct Sigmoid: Layer {
    public init() {}
    public func forward(_ x: Variable, first: Int, context: inout ForwardContext) -> Variable { x.sigmoid() }
}

/// Max pooling over `size × size` windows with stride `size`.
public struct MaxPool2d: Layer {
    public var size: Int
    public init(_ size: Int = 2) { self.size = size }
    public func forward(_ x: Variable, first: Int, context: inout ForwardContext) -> Variable { x.maxPool2d(size: size) }
}

/// Nearest-neighbour upsampling of `(N, C, H, W)` by `factor` (a decoder's inverse of pooling).
public struct Upsample2d: Layer {
    public var factor: Int
    public init(_ factor: Int = 2) { self.factor = factor }
    public func forward(_ x: Variable, first: Int, context: inout ForwardContext) -> Variable { x.upsampled(factor: factor) }
}

/// `(N, …)` → `(N, ∏…)`.
public struct Flatten: Layer {
    public init() {}
    public func forward(_ x: Variable, first: Int, context: inout ForwardContext) -> Variable { x.flattened() }
}

/// `(N, …)` → `(N, shape…)`, e.g. flat pixels to `(N, 1, 28, 28)`.
public struct Reshape: Layer {
    public var shape: [Int]
    public init(_ shape: [Int]) { self.shape = shape }
    public func forward(_ x: Variable, first: Int, context: inout ForwardContext) -> Variable {
        x.reshaped([x.shape[0]] + shape)
    }
}
