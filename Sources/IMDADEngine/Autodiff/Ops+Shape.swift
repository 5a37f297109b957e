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

extension Variable {
    /// Nearest-neighbour upsampling of `(N, C, H, W)` by an integer `factor`:
    /// `y[n, c, i, j] = x[n, c, ⌊i/factor⌋, ⌊j/factor⌋]`, shape `(N, C, factor·H, factor·W)`.
    /// ∂/∂x sums `g` over each `factor × factor` block.
    public func upsampled(factor f: Int) -> Variable {
        precondition(shape.count == 4 && f >= 1, "upsampling needs (N, C, H, W) and a factor ≥ 1")
        let x = value
        let planes = shape[0] * shape[1], h = shape[2], w = shape[3], oh = h * f, ow = w * f
        var y = [Float](repeating: 0, count: planes * oh * ow)
        x.scalars.withUnsafeBufferPointer { src in
            y.withUnsafeMutableBufferPointer { dst in
                for p in 0..<planes {
                    for i in 0..<oh {
                        let row = p * h * w + (i / f) * w, out = p * oh * ow + i * ow
                        for j in 0..<ow { dst[out + j] = src[row + j / f] }
                    }
                }
            }
        }
        return tape.record(Tensor(shape: [shape[0], shape[1], oh, ow], scalars: y), inputs: [self]) { g, tape in
            var dx = [Float](repeating: 0, count: x.count)
            g.scalars.withUnsafeBufferPointer { gs in
                dx.withUnsafeMutableBufferPointer { d in
                    for p in 0..<planes {
                        for i in 0..<oh {
                            let row = p * h * w + (i / f) * w, out = p * oh * ow + i * ow
                            for j in 0..<ow { d[row + j / f] += gs[out + j] }
                        }
                    }
                }
            }
            tape.accumulate(Tensor(shape: x.shape, scalars: dx), into: self)
        }
    }
}
