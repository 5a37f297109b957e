// The layer protocol, the named-parameter store and the forward-pass context.

/// Whether a forward pass trains (batch statistics, running statistics updated) or infers.
public enum Mode: Sendable { case training, inference }

/// One tensor a layer owns: a trainable weight or non-trainable state (running statistics).
public struct ParameterSpec: Sendable {
    public var name: String
    public var value: Tensor
    public var isTrainable: Bool
    public init(_ name: String, _ value: Tensor, trainable: Bool = true) {
        self.name = name; self.value = value; self.isTrainable = trainable
    }
}

/// The named tensors of a model in a fixed order, as in a PyTorch `state_dict`
/// (`"0.weight"`, `"1.running_mean"`, …). A value: copying a model copies its weights.
public struct Parameters: Sendable, Equatable {
    public private(set) var names: [String]
    public var values: [Tensor]
    public private(set) var isTrainable: [Bool]

    public init(_ specs: [ParameterSpec]) {
        names = specs.map(\.name); values = specs.map(\.value); isTrainable = specs.map(\.isTrainable)
    }

    public var count: Int { names.count }

    /// The position of the tensor called `name`; an unknown name is an error that lists the known ones.
    public func index(of name: String) throws(ParameterError) -> Int {
        guard let i = names.firstIndex(of: name) else { throw .unknownName(name, known: names) }
        return i
    }

    /// Replaces the tensor called `name`; an unknown name or another shape is an error, never a
    /// silent no-op.
    public mutating func set(_ name: String, to value: Tensor) throws(ParameterError) {
        try set(at: index(of: name), to: value)
    }

    /// Replaces the tensor at `index` (from ``index(of:)`` or a layer's position in its
    /// ``Sequential``); another shape is an error.
    public mutating func set(at index: Int, to value: Tensor) throws(ParameterError) {
        guard value.shape == values[index].shape else {
            throw .shapeMismatch(names[index], expected: values[index].shape, found: value.shape)
        }
        values[index] = value
    }

    /// Total number of trainable scalars.
    public var trainableScalarCount: Int {
        zip(values, isTrainable).reduce(0) { $0 + ($1.1 ? $1.0.count : 0) }
    }
}

/// A parameter looked up or set by a name the model does not have, or with the wrong shape.
public enum ParameterError: Error, Equatable, CustomStringConvertible {
    case unknownName(String, known: [String])
    case shapeMismatch(String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .unknownName(let n, let known):
            return "no parameter '\(n)'; the model has \(known.map { "'\($0)'" }.joined(separator: ", "))"
        case .shapeMismatch(let n, let e, let f): return "parameter '\(n)' has shape \(e), not \(f)"
        }
    }
}

/// What a layer's forward pass sees besides its input.
public struct ForwardContext {
    public let tape: Tape
    public let mode: Mode
    /// Every tensor of the model on the tape, in ``Parameters`` order.
    public let bound: [Variable]
    /// New values of non-trainable state (index into ``Parameters``, value), applied after the step.
    public var stateUpdates: [(index: Int, value: Tensor)] = []

    public init(tape: Tape, mode: Mode, bound: [Variable]) {
        self.tape = tape; self.mode = mode; self.bound = bound
    }
}

/// A differentiable building block. Layers hold configuration only; their tensors live in
/// ``Parameters`` so that a model is a plain value that optimizers and model files can walk.
public protocol Layer: Sendable {
    /// The tensors this layer owns (names relative to the layer), with initial values.
    func makeParameters(using rng: inout RandomGenerator) -> [ParameterSpec]
    /// How many tensors ``makeParameters(using:)`` returns.
    var parameterCount: Int { get }
    /// The forward pass. This layer's tensors are `context.bound[first ..< first + parameterCount]`.
    func forward(_ x: Variable, first: Int, context: inout ForwardContext) -> Variable
    /// What the layer computes, as data (``LayerDescription``): one entry for a leaf layer, the
    /// flattened chain for a ``Sequential``. Model files store it so that other programs can
    /// recompute the forward pass; tensor names are relative to the layer, as in
    /// ``makeParameters(using:)``.
    func describe() -> [LayerDescription]
}

extension Layer {
    public var parameterCount: Int { 0 }
    public func makeParameters(using rng: inout RandomGenerator) -> [ParameterSpec] { [] }
}

/// PyTorch's default initialization of linear and convolution layers (Kaiming-uniform with
/// `a = √5`): weights and biases uniform in `±1/√fan_in`.
public func kaimingUniform(shape: [Int], fanIn: Int, using rng: inout RandomGenerator) -> Tensor {
    let bound = 1 / Float(Swift.max(fanIn, 1)).squareRoot()
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-bound, bound) })
}
