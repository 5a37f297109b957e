// Element-wise non-linearities and their derivatives.

import CIMDADKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Variable {
    /// `max(0, x)`, the hinge `[x]₊`. Derivative 1 where x > 0, else 0.
    public func relu() -> Variable { leakyRelu(slope: 0) }

    /// `x` for x > 0, `slope·x` otherwise. Derivative 1 or `slope`.
    public func leakyRelu(slope: Float) -> Variable {
        let x = value
        return tape.record(leakyMasked(x, by: x, slope: slope), inputs: [self]) { g, tape in
            tape.accumulate(leakyMasked(g, by: x, slope: slope), into: self)
        }
    }

    /// `max(x, low)`: clamps from below. Derivative 1 where x > low.
    public func clamped(min low: Float) -> Variable {
        let x = value
        return tape.record(x.map { Swift.max($0, low) }, inputs: [self]) { g, tape in
            tape.accumulate(g.zip(x) { $1 > low ? $0 : 0 }, into: self)
        }
    }

    /// `σ(x) = 1 / (1 + e^{−x})`. Derivative σ(1 − σ).
    public func sigmoid() -> Variable {
        let y = value.map { stableSigmoid($0) }
        return tape.record(y, inputs: [self]) { g, tape in
            tape.accumulate(g.zip(y) { $0 * $1 * (1 - $1) }, into: self)
        }
    }

    /// `softplus_β(x) = log(1 + e^{βx}) / β`, a smooth hinge. Derivative σ(βx).
    public func softplus(beta: Float = 1) -> Variable {
        let x = value
        let y = x.map { v -> Float in
            let t = beta * v
            // log1p(e^t) computed without overflow: max(t, 0) + log1p(e^{−|t|})
            return (Swift.max(t, 0) + log1p(expf(-abs(t)))) / beta
        }
        return tape.record(y, inputs: [self]) { g, tape in
            tape.accumulate(g.zip(x) { $0 * stableSigmoid(beta * $1) }, into: self)
        }
    }

    /// `eˣ`. Derivative eˣ.
    public func exp() -> Variable {
        let y = value.map { expf($0) }
        return tape.record(y, inputs: [self]) { g, tape in tape.accumulate(g.zip(y, *), into: self) }
    }

    /// `√x` (x ≥ 0). Derivative 1 / (2√x).
    public func sqrt() -> Variable {
        let y = value.map { $0.squareRoot() }
        return tape.record(y, inputs: [self]) { g, tape in
            tape.accumulate(g.zip(y) { $0 / (2 * $1) }, into: self)
        }
    }
}

@inline(__always) func stableSigmoid(_ x: Float) -> Float {
    x >= 0 ? 1 / (1 + expf(-x)) : { let e = expf(x); return e / (1 + e) }()
}

/// `v[i]` where `x[i] > 0`, `slope·v[i]` elsewhere: LeakyReLU's forward (`v = x`) and its
/// pullback (`v = g`), in C (`imdad_leaky_masked`, vectorized for the CPU), spread over the cores
/// for large tensors.
private func leakyMasked(_ v: Tensor, by x: Tensor, slope: Float) -> Tensor {
    Tensor(shape: v.shape) { o in
        v.scalars.withUnsafeBufferPointer { pv in
            x.scalars.withUnsafeBufferPointer { px in
                Parallel.forRanges(v.count, pieces: Parallel.elementwisePieces(v.count)) { r in
                    imdad_leaky_masked(r.count, pv.baseAddress! + r.lowerBound, px.baseAddress! + r.lowerBound, slope,
                                       o.baseAddress! + r.lowerBound)
                }
            }
        }
    }
}
