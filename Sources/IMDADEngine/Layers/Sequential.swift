// A chain of layers, and a network: a chain with its parameters.

/// Layers applied one after the other. Tensor names are prefixed with the layer's position
/// (`"0.weight"`, `"2.running_mean"`), as PyTorch's `nn.Sequential` names them.
public struct Sequential: Layer {
    public var layers: [any Layer]
    /// Name prefix of each layer's tensors (its position unless named).
    public let names: [String]
    /// Index of each layer's first tensor.
    public let offsets: [Int]

    /// `names` replaces the positional prefixes, e.g. `["encoder", "sphere"]`.
    public init(_ layers: [any Layer], names: [String]? = nil) {
        precondition(names == nil || names!.count == layers.count, "one name per layer")
        self.layers = layers
        self.names = names ?? layers.indices.map(String.init)
        var o = [Int](), total = 0
        for l in layers { o.append(total); total += l.parameterCount }
        offsets = o
    }

    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    public func makeParameters(using rng: inout RandomGenerator) -> [ParameterSpec] {
        var out: [ParameterSpec] = []
        for (i, l) in layers.enumerated() {
            for var p in l.makeParameters(using: &rng) { p.name = "\(names[i]).\(p.name)"; out.append(p) }
        }
        return out
    }

    public func forward(_ x: Variable, first: Int, context: inout ForwardContext) -> Variable {
        forward(x, first: first, layers: 0..<layers.count, context: &context)
    }

    /// Runs only `range` of the layers (for example the encoder part of a model).
    public func forward(_ x: Variable, first: Int, layers range: Range<Int>, context: inout ForwardContext) -> Variable {
        var h = x
        var i = range.lowerBound
        while i < range.upperBound {
            // BatchNorm (no affine) → LeakyReLU → MaxPool2d on images: one fused op, the same values
            // (``Variable/pooledBatchNormLeakyReLU(statistics:training:momentum:epsilon:slope:size:)``).
            if i + 2 < range.upperBound, h.value.rank == 4, let bn = layers[i] as? BatchNorm, !bn.affine,
               let act = layers[i + 1] as? LeakyReLU, act.slope >= 0, let pool = layers[i + 2] as? MaxPool2d {
                h = bn.forwardPooled(h, slope: act.slope, size: pool.size, first: first + offsets[i], context: &context)
                i += 3
                continue
            }
            h = layers[i].forward(h, first: first + offsets[i], context: &context)
            i += 1
        }
        return h
    }
}

/// A ``Sequential`` and its ``Parameters``: a trainable model as a value.
public struct Network: Sendable {
    public let body: Sequential
    public var parameters: Parameters

    /// Initializes the parameters with `rng` (PyTorch's default schemes).
    public init(_ body: Sequential, using rng: inout RandomGenerator) {
        self.body = body
        self.parameters = Parameters(body.makeParameters(using: &rng))
    }

    /// A network with given parameters (e.g. loaded from a model file); names and shapes must match.
    public init(_ body: Sequential, parameters: Parameters) {
        self.body = body
        self.parameters = parameters
    }

    /// Puts the parameters on `tape`: trainable ones as variables (gradients wanted) when
    /// `differentiable`, everything else as constants.
    public func bind(on tape: Tape, differentiable: Bool) -> [Variable] {
        zip(parameters.values, parameters.isTrainable).map { value, trainable in
            differentiable && trainable ? tape.variable(value) : tape.constant(value)
        }
    }

    /// Forward through `layers` (all by default) with parameters already bound on the tape.
    public func forward(_ x: Variable, bound: [Variable], mode: Mode, layers: Range<Int>? = nil)
        -> (output: Variable, stateUpdates: [(index: Int, value: Tensor)]) {
        var ctx = ForwardContext(tape: x.tape, mode: mode, bound: bound)
        let y = body.forward(x, first: 0, layers: layers ?? 0..<body.layers.count, context: &ctx)
        return (y, ctx.stateUpdates)
    }

    /// The positions in ``parameters`` of the tensors of `layer` (an index into ``Sequential/layers``),
    /// in the order the layer makes them: found by the network's structure, not by name.
    public func parameterIndices(ofLayer layer: Int) -> Range<Int> {
        body.offsets[layer]..<(body.offsets[layer] + body.layers[layer].parameterCount)
    }

    /// One optimization step: binds the parameters on a fresh tape, lets `body` run the forward
    /// pass (with the network it is given) and the loss on it, back-propagates, then updates the
    /// parameters with `optimizer` and applies the running-statistics updates. `body` returns the loss, the forward pass's state
    /// updates and anything the caller wants back (it may throw, e.g. on a non-finite loss: then
    /// nothing changes).
    ///
    /// The tape, and with it every reference its ops captured to the parameters' storage, is gone
    /// before Adam writes: the update runs in place instead of copying each parameter first (the
    /// copies were about 5 % of an MLP 274-128-64-32 step's samples, experiments/speed/small-gemm.md).
    public mutating func trainingStep<Result>(
        _ optimizer: inout Adam,
        _ body: (_ network: Network, _ tape: Tape, _ bound: [Variable]) throws
            -> (loss: Variable, stateUpdates: [(index: Int, value: Tensor)], result: Result)
    ) rethrows -> Result {
        let (gradients, updates, result) = try {
            let tape = Tape()
            let bound = bind(on: tape, differentiable: true)
            let step = try body(self, tape, bound)
            tape.backward(from: step.loss)
            return (self.gradients(on: tape, bound: bound), step.stateUpdates, step.result)
        }()
        optimizer.update(&parameters, gradients: gradients)
        apply(updates)
        return result
    }

    /// Applies the running-statistics updates of a training forward pass.
    public mutating func apply(_ updates: [(index: Int, value: Tensor)]) {
        for u in updates { parameters.values[u.index] = u.value }
    }

    /// Rows per inference batch (``infer(_:batchSize:layers:)``'s default).
    public static let inferenceBatchSize = 256

    /// Inference on a whole data set in mini-batches: the output of `layers` for every row of `x`.
    ///
    /// Every batch is padded with zero rows to exactly its size. BLAS kernels do not sum every row
    /// of a product in the same order (Haswell's sgemm treats the rows of its 12-row tiles in two
    /// halves; edge tiles and later row blocks differ again), so a row's output depends, in its last
    /// bits, on its position in the batch. That position is the row's index modulo
    /// ``inferenceBatch(_:rowSize:)``, a divisor of `batchSize` that depends on nothing else: callers
    /// that split a data set at multiples of `batchSize` (`imdad score` rounds its chunks up) get
    /// bit-identical outputs, on any number of threads.
    ///
    /// The batches run side by side on the engine's threads, each on one thread (its products and
    /// convolutions in one piece): inference has no batch statistics, so splitting by rows costs
    /// nothing and keeps both cores busy even when every layer is too small to split well.
    public func infer(_ x: Tensor, batchSize: Int = Network.inferenceBatchSize, layers: Range<Int>? = nil) -> Tensor {
        precondition(x.rank >= 1)
        let n = x.shape[0], rowSize = n > 0 ? x.count / n : 0
        let batch = Self.inferenceBatch(batchSize, rowSize: rowSize)
        let batches = Swift.max(1, (n + batch - 1) / batch)
        var parts = [Tensor?](repeating: nil, count: batches)
        parts.withUnsafeMutableBufferPointer { out in
            let out = UncheckedSendable(out)
            Parallel.forEach(batches) { i in
                let start = i * batch, end = Swift.min(n, start + batch)
                var rows = x.rows(start..<end)
                if end - start < batch {
                    var shape = x.shape
                    shape[0] = batch
                    var scalars = rows.scalars
                    scalars.append(contentsOf: repeatElement(0, count: (batch - (end - start)) * rowSize))
                    rows = Tensor(shape: shape, scalars: scalars)
                }
                let tape = Tape()
                let bound = bind(on: tape, differentiable: false)
                let y = forward(tape.constant(rows), bound: bound, mode: .inference, layers: layers).output.value
                out.value[i] = end - start < batch ? y.rows(0..<(end - start)) : y
            }
        }
        return Tensor.concatenateRows(parts.map { $0! })
    }

    /// Input values per inference batch beyond which ``inferenceBatch(_:rowSize:)`` halves it (1 MiB
    /// of Float rows). On image rows a batch of 4,096 spent its time on fresh, page-faulted
    /// activation buffers and cache misses: the MNIST LeNet ran at 24 k rows/s in batches of 4,096
    /// and 40 k in batches of 256 (`experiments/onnx/README.md`).
    public static let inferenceBatchValues = 1 << 18

    /// The rows of one padded inference batch: `batchSize` rounded up to a multiple of 16, halved
    /// while its rows hold more than ``inferenceBatchValues`` values and it stays a multiple of 16.
    /// Always a divisor of the rounded `batchSize`, and a function of the two numbers only.
    public static func inferenceBatch(_ batchSize: Int, rowSize: Int) -> Int {
        var batch = Swift.max(16, (batchSize + 15) / 16 * 16)
        while batch * rowSize > inferenceBatchValues && batch % 32 == 0 { batch /= 2 }
        return batch
    }

    /// Gradients of a backward pass for every parameter (nil for non-trainable ones).
    public func gradients(on tape: Tape, bound: [Variable]) -> [Tensor?] {
        zip(bound, parameters.isTrainable).map { v, t in t ? tape.gradient(of: v) : nil }
    }
}
