// Matrix products through BLAS: matmul and the fused linear layer op.

extension Tensor {
    /// `op(a)·op(b)` for rank-2 tensors, through ``BLAS/sgemm``.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul needs rank-2 tensors, got \(a.shape) and \(b.shape)")
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let kb = transposeB ? b.shape[1] : b.shape[0], n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == kb, "matmul: inner dimensions \(k) and \(kb) differ (\(a.shape) × \(b.shape))")
        // β = 0: every kernel the engine uses writes C without reading it (BLAS's start-up check
        // fills C with NaN for β = 0), so the buffer needs no zero-fill.
        return Tensor(shape: [m, n]) { pc in
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                               a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
                               c: pc.baseAddress!, ldc: n)
                }
            }
        }
    }
}

extension Variable {
    /// Matrix product `A (m, k) · B (k, n)`. ∂/∂A = G·Bᵀ, ∂/∂B = Aᵀ·G.
    public func matmul(_ b: Variable) -> Variable {
        let av = value, bv = b.value
        return tape.record(Tensor.matmul(av, bv), inputs: [self, b]) { g, tape in
            if tape.needsGradient(self) { tape.accumulate(Tensor.matmul(g, bv, transposeB: true), into: self) }
            if tape.needsGradient(b) { tape.accumulate(Tensor.matmul(av, g, transposeA: true), into: b) }
        }
    }

    /// The affine map of a linear layer in PyTorch's layout:
    ///
    ///     y = x·Wᵀ + b        x (N, in), W (out, in), b (out) → y (N, out)
    ///
    /// ∂/∂x = G·W, ∂/∂W = Gᵀ·x, ∂/∂b = Σₙ Gₙ.
    public func linear(weight: Variable, bias: Variable?) -> Variable {
        let x = value, w = weight.value
        precondition(x.rank == 2 && w.rank == 2 && x.shape[1] == w.shape[1],
                     "linear: input \(x.shape) does not match weight \(w.shape)")
        var y = Tensor.matmul(x, w, transposeB: true)
        let outF = w.shape[0], n = x.shape[0]
        if let bias {
            let bv = bias.value.scalars
            y.scalars.withUnsafeMutableBufferPointer { p in
                for i in 0..<n { for j in 0..<outF { p[i * outF + j] += bv[j] } }
            }
        }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return tape.record(y, inputs: inputs) { g, tape in
            if tape.needsGradient(self) { tape.accumulate(Tensor.matmul(g, w), into: self) }
            if tape.needsGradient(weight) { tape.accumulate(Tensor.matmul(g, x, transposeA: true), into: weight) }
            if let bias, tape.needsGradient(bias) {
                var db = [Float](repeating: 0, count: outF)
                g.scalars.withUnsafeBufferPointer { pg in
                    for i in 0..<n { for j in 0..<outF { db[j] += pg[i * outF + j] } }
                }
                tape.accumulate(Tensor(shape: [outF], scalars: db), into: bias)
            }
        }
    }
}
