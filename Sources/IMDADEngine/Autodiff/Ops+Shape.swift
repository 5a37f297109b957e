// Ops that move elements without arithmetic: reshape and row slices.

extension Variable {
    /// The same elements under a new shape. ∂/∂x = g reshaped back.
    public func reshaped(_ shape: [Int]) -> Variable {
        let old = self.shape
        return tape.record(value.reshaped(shape), inputs: [self]) { g, tape in
            tape.accumulate(g.reshaped(old), into: self)
        }
    }

    /// Flattens every axis but the first: `(N, …)` → `(N, ∏…)`.
    public func flattened() -> Variable {
        let s = shape
        return reshaped([s[0], s.dropFirst().reduce(1, *)])
    }

    /// Rows `range` of the outermost axis. ∂/∂x is `g` placed back into those rows.
    public func rows(_ range: Range<Int>) -> Variable {
        let x = value
        let stride = x.count / Swift.max(x.shape[0], 1)
        return tape.record(x.rows(range), inputs: [self]) { g, tape in
            var dx = [Float](repeating: 0, count: x.count)
            dx.replaceSubrange((range.lowerBound * stride)..<(range.upperBound * stride), with: g.scalars)
            tape.accumulate(Tensor(shape: x.shape, scalars: dx), into: self)
        }
    }
}
