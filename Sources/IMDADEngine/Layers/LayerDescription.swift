// What a layer computes, as data: enough for another program (numpy, docs/model-format.md) to
// recompute the forward pass from a model file's tensors without reading this code.

/// The kind of a layer in a ``LayerDescription``: an open set of names, so a file written by a
/// later version with a new kind still decodes (a reader that does not know the kind cannot
/// recompute the network, and says so).
public struct LayerKind: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public var description: String { rawValue }

    /// `y = x·Wᵀ + b`.
    public static let linear = LayerKind(rawValue: "linear")
    /// 2-D cross-correlation with zero padding.
    public static let conv2d = LayerKind(rawValue: "conv2d")
    /// Per-channel `(x − running_mean)/√(running_var + ε)` (· weight + bias when affine).
    public static let batchNorm = LayerKind(rawValue: "batchnorm")
    public static let relu = LayerKind(rawValue: "relu")
    public static let leakyReLU = LayerKind(rawValue: "leakyrelu")
    public static let sigmoid = LayerKind(rawValue: "sigmoid")
    public static let maxPool2d = LayerKind(rawValue: "maxpool2d")
    public static let upsample2d = LayerKind(rawValue: "upsample2d")
    public static let flatten = LayerKind(rawValue: "flatten")
    public static let reshape = LayerKind(rawValue: "reshape")
    /// IMD-AD's final layer `s = ‖φ‖² − wᵀφ − b` (defined in IMDADDetectors).
    public static let hypersphere = LayerKind(rawValue: "hypersphere")
}

/// One layer of a network in evaluation order, with its constants and the names of its tensors.
/// Fields that do not apply to a kind are absent (nil, left out of the JSON).
///
/// | kind | fields | tensors (role → name) |
/// |---|---|---|
/// | linear | inputs, outputs, bias | weight (outputs, inputs), bias (outputs)? |
/// | conv2d | inChannels, outChannels, kernelSize, stride, padding, bias | weight (O, C, k, k), bias (O)? |
/// | batchnorm | channels, epsilon, momentum, affine | weight?, bias?, running_mean, running_var (channels) |
/// | leakyrelu | slope | — |
/// | maxpool2d | size (window = stride, floor mode) | — |
/// | upsample2d | factor (nearest neighbour) | — |
/// | reshape | shape (per sample) | — |
/// | flatten, relu, sigmoid | — | — |
/// | hypersphere | dimension | w (dimension), b (1) |
public struct LayerDescription: Codable, Sendable, Equatable {
    public var kind: LayerKind
    /// The layer's tensors by role (`weight`, `bias`, `running_mean`, …) → their names in the file.
    public var tensors: [String: String]?
    public var inputs: Int?
    public var outputs: Int?
    public var bias: Bool?
    public var inChannels: Int?
    public var outChannels: Int?
    public var kernelSize: Int?
    public var stride: Int?
    public var padding: Int?
    public var channels: Int?
    public var epsilon: Float?
    public var momentum: Float?
    public var affine: Bool?
    public var slope: Float?
    public var size: Int?
    public var factor: Int?
    public var shape: [Int]?
    public var dimension: Int?

    public init(kind: LayerKind, tensors: [String: String]? = nil) {
        self.kind = kind
        self.tensors = tensors
    }

    /// A copy with every tensor name prefixed by `prefix` and a dot (a ``Sequential``'s naming).
    public func prefixed(_ prefix: String) -> LayerDescription {
        var d = self
        d.tensors = tensors?.mapValues { "\(prefix).\($0)" }
        return d
    }
}

/// `[role: role]` for the roles present: a leaf layer names its tensors as it makes them.
func tensorRoles(_ roles: [String]) -> [String: String]? {
    roles.isEmpty ? nil : Dictionary(uniqueKeysWithValues: roles.map { ($0, $0) })
}

extension Linear {
    public func describe() -> [LayerDescription] {
        var d = LayerDescription(kind: .linear, tensors: tensorRoles(["weight"] + (hasBias ? ["bias"] : [])))
        d.inputs = inputSize; d.outputs = outputSize; d.bias = hasBias
        return [d]
    }
}

extension Conv2d {
    public func describe() -> [LayerDescription] {
        var d = LayerDescription(kind: .conv2d, tensors: tensorRoles(["weight"] + (hasBias ? ["bias"] : [])))
        d.inChannels = inChannels; d.outChannels = outChannels; d.kernelSize = kernelSize
        d.stride = stride; d.padding = padding; d.bias = hasBias
        return [d]
    }
}

extension BatchNorm {
    public func describe() -> [LayerDescription] {
        var d = LayerDescription(kind: .batchNorm,
                                 tensors: tensorRoles((affine ? ["weight", "bias"] : []) + ["running_mean", "running_var"]))
        d.channels = channels; d.epsilon = epsilon; d.momentum = momentum; d.affine = affine
        return [d]
    }
}

extension ReLU { public func describe() -> [LayerDescription] { [LayerDescription(kind: .relu)] } }
extension Sigmoid { public func describe() -> [LayerDescription] { [LayerDescription(kind: .sigmoid)] } }
extension Flatten { public func describe() -> [LayerDescription] { [LayerDescription(kind: .flatten)] } }

extension LeakyReLU {
    public func describe() -> [LayerDescription] {
        var d = LayerDescription(kind: .leakyReLU)
        d.slope = slope
        return [d]
    }
}

extension MaxPool2d {
    public func describe() -> [LayerDescription] {
        var d = LayerDescription(kind: .maxPool2d)
        d.size = size
        return [d]
    }
}

extension Upsample2d {
    public func describe() -> [LayerDescription] {
        var d = LayerDescription(kind: .upsample2d)
        d.factor = factor
        return [d]
    }
}

extension Reshape {
    public func describe() -> [LayerDescription] {
        var d = LayerDescription(kind: .reshape)
        d.shape = shape
        return [d]
    }
}

extension Sequential {
    /// The layers flattened in evaluation order (nested chains inlined), tensor names prefixed as
    /// ``makeParameters(using:)`` names them.
    public func describe() -> [LayerDescription] {
        zip(layers, names).flatMap { layer, name in layer.describe().map { $0.prefixed(name) } }
    }
}
