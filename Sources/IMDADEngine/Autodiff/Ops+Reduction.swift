// Sums and means over all elements or one axis, and the squared norm.

extension Variable {
    /// Σ of all elements (a scalar). ∂/∂x = g broadcast back.
    public func sum() -> Variable {
        let x = value
        var s = 0.0
        x.scalars.withUnsafeBufferPointer { p in for v in p { s += Double(v) } }
        return tape.record(Tensor(Float(s)), inputs: [self]) { g, tape in
            tape.accumulate(Tensor(shape: x.shape, repeating: g.scalars[0]), into: self)
        }
    }

    /// Mean of all elements (a scalar).
    public func mean() -> Variable { sum() * (1 / Float(Swift.max(value.count, 1))) }

    /// Σ along `axis`; the axis is removed from the shape.
    ///
    /// Shapes: `x (outer, n, inner)` → `(outer, inner)`.
    public func sum(axis: Int) -> Variable {
        let x = value
        let ax = axis < 0 ? axis + x.rank : axis
        precondition(ax >= 0 && ax < x.rank, "axis \(axis) out of range for shape \(x.shape)")
        let outer = x.shape[..<ax].reduce(1, *), n = x.shape[ax], inner = x.shape[(ax + 1)...].reduce(1, *)
        var outShape = x.shape
        outShape.remove(at: ax)
        var out = [Float](repeating: 0, count: outer * inner)
        x.scalars.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                guard let p = p.baseAddress, let o = o.baseAddress else { return }  // nothing to sum
                if inner == 1 {
                    // Row sums (e.g. ‖z − c‖² per sample): eight rows side by side, each still summed
                    // from 0 in order k = 0, 1, …, so eight independent additions are in flight.
                    var a = 0
                    while a + 8 <= outer {
                        var acc = SIMD8<Float>()
                        for k in 0..<n {
                            for r in 0..<8 { acc[r] += p[(a + r) * n + k] }
                        }
                        for r in 0..<8 { o[a + r] = acc[r] }
                        a += 8
                    }
                    for a in a..<outer { for k in 0..<n { o[a] += p[a * n + k] } }
                } else {
                    for a in 0..<outer {
                        for k in 0..<n {
                            let base = (a * n + k) * inner
                            for i in 0..<inner { o[a * inner + i] += p[base + i] }
                        }
                    }
                }
            }
        }
        return tape.record(Tensor(shape: outShape, scalars: out), inputs: [self]) { g, tape in
            let dx = Tensor(shape: x.shape) { d in
                g.scalars.withUnsafeBufferPointer { pg in
                    guard let pg = pg.baseAddress, let d = d.baseAddress else { return }  // empty
                    for a in 0..<outer {
                        for k in 0..<n {
                            let base = (a * n + k) * inner
                            for i in 0..<inner { d[base + i] = pg[a * inner + i] }
                        }
                    }
                }
            }
            tape.accumulate(dx, into: self)
        }
    }

    /// Mean along `axis`; the axis is removed.
    public func mean(axis: Int) -> Variable {
        let ax = axis < 0 ? axis + value.rank : axis
        return sum(axis: ax) * (1 / Float(Swift.max(value.shape[ax], 1)))
    }

    /// Row-wise squared Euclidean norm: `x (N, d)` → `(N)`, `‖xᵢ‖² = Σₖ xᵢₖ²`.
    /// ∂/∂xᵢₖ = 2 xᵢₖ gᵢ.
    public func squaredNorm(axis: Int = -1) -> Variable { squared().sum(axis: axis) }
}
