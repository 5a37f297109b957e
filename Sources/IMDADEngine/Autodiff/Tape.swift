// Reverse-mode automatic differentiation: a tape that records one computation and replays it
// backwards.

/// Records the operations of one computation (for example one training step) so that gradients
/// can be computed by replaying it backwards.
///
/// Usage:
///
///     let tape = Tape()
///     let w = tape.variable(weights)          // a leaf whose gradient we want
///     let x = tape.constant(batch)            // data: no gradient
///     let loss = (x.matmul(w)).squaredNorm()
///     tape.backward(from: loss)
///     let dw = tape.gradient(of: w)           // ∂loss/∂w, same shape as w
///
/// A tape is used by one thread for one computation and then discarded. Every op is a method on
/// ``Variable`` that records its result and a *pullback*: given ∂L/∂output it adds ∂L/∂input to
/// each input that needs a gradient (the vector–Jacobian product).
public final class Tape {
    /// A pullback receives the gradient of the node's output and accumulates into its inputs.
    public typealias Pullback = (_ outputGradient: Tensor, _ tape: Tape) -> Void

    @usableFromInline var values: [Tensor] = []
    @usableFromInline var needsGradient: [Bool] = []
    var pullbacks: [Pullback?] = []
    var gradients: [Tensor?] = []

    public init() {}

    /// A value that takes no gradient (input data, constants).
    public func constant(_ value: Tensor) -> Variable { append(value, needsGradient: false, pullback: nil) }

    /// A leaf whose gradient ``backward(from:)`` computes (a parameter).
    public func variable(_ value: Tensor) -> Variable { append(value, needsGradient: true, pullback: nil) }

    /// Records the result of an op. `inputs` decide whether the result needs a gradient; the
    /// pullback is kept only if it does.
    public func record(_ value: Tensor, inputs: [Variable], pullback: @escaping Pullback) -> Variable {
        let needs = inputs.contains { needsGradient[$0.id] }
        return append(value, needsGradient: needs, pullback: needs ? pullback : nil)
    }

    private func append(_ value: Tensor, needsGradient needs: Bool, pullback: Pullback?) -> Variable {
        values.append(value)
        needsGradient.append(needs)
        pullbacks.append(pullback)
        return Variable(tape: self, id: values.count - 1)
    }

    /// Whether gradients flow into `v` (pullbacks skip work for inputs that do not need it).
    @inlinable public func needsGradient(_ v: Variable) -> Bool { needsGradient[v.id] }

    /// Adds `g` to the gradient accumulated for `v` (no-op when `v` needs none).
    public func accumulate(_ g: Tensor, into v: Variable) {
        guard needsGradient[v.id] else { return }
        precondition(g.shape == values[v.id].shape,
                     "gradient shape \(g.shape) does not match value shape \(values[v.id].shape)")
        if var existing = gradients[v.id] {
            gradients[v.id] = nil  // keep the storage uniquely referenced for the in-place add
            existing.scalars.withUnsafeMutableBufferPointer { dst in
                g.scalars.withUnsafeBufferPointer { src in
                    for i in 0..<dst.count { dst[i] += src[i] }
                }
            }
            gradients[v.id] = existing
        } else {
            gradients[v.id] = g
        }
    }

    /// Back-propagates from a scalar `loss` (seed ∂loss/∂loss = 1) through every recorded op.
    public func backward(from loss: Variable) {
        precondition(loss.tape === self, "loss belongs to another tape")
        precondition(values[loss.id].count == 1, "backward(from:) needs a scalar, got shape \(values[loss.id].shape)")
        backward(from: loss, seed: Tensor(shape: values[loss.id].shape, repeating: 1))
    }

    /// Back-propagates a given output gradient `seed` (the vector of a vector–Jacobian product).
    public func backward(from output: Variable, seed: Tensor) {
        gradients = [Tensor?](repeating: nil, count: values.count)
        gradients[output.id] = seed
        for id in stride(from: output.id, through: 0, by: -1) {
            guard let pullback = pullbacks[id], let g = gradients[id] else { continue }
            pullback(g, self)
            // Intermediate gradients are not needed again; leaves keep theirs.
            gradients[id] = nil
        }
    }

    /// The gradient of the last backward pass with respect to `v`, or zeros if nothing reached it.
    public func gradient(of v: Variable) -> Tensor {
        if v.id < gradients.count, let g = gradients[v.id] { return g }
        return Tensor(shape: values[v.id].shape, repeating: 0)
    }
}

/// A value recorded on a ``Tape``: the handle that ops take and return.
public struct Variable {
    /// Unowned: the tape owns the values and pullbacks, which capture variables; a strong
    /// reference here would make every tape with a pullback a reference cycle. A variable is
    /// valid only while its tape is alive.
    public unowned let tape: Tape
    public let id: Int

    /// The forward value.
    @inlinable public var value: Tensor { tape.values[id] }
    @inlinable public var shape: [Int] { tape.values[id].shape }
}
