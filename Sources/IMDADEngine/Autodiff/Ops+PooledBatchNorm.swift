// The tail of a convolutional block, batch normalization (no affine) → LeakyReLU → max pooling,
// as one op that normalizes only the pooled quarter of the values.

extension Variable {
    /// `maxPool(leakyReLU(batchNorm(x)))` for `x (N, C, H, W)` and a batch normalization without
    /// affine transform, computed as `leakyReLU((maxPool(x) − μ_c)·k_c)`, `k_c = 1/√(σ²_c + ε)`.
    ///
    /// The two are equal value for value: `v ↦ leakyReLU((v − μ_c)·k_c)` is non-decreasing (k_c > 0,
    /// slope ≥ 0, and rounding to nearest is monotone), so it commutes with the maximum of a window.
    /// The statistics `μ, σ²` are still those of all of `x` (``Tensor/batchNormMoments``), so the
    /// result and the running statistics are the unfused layers'. What changes is the work: the
    /// normalization and the activation touch a quarter of the values (2×2 windows), and the
    /// backward pass makes one dense pass instead of five.
    ///
    /// Backward, with `z = (p − μ)·k` for the pooled `p`, `ĝ = g·leakyReLU′(z)`, and `ĝ` placed at
    /// each window's arg-max (zero elsewhere) as the gradient with respect to `x̂` (M values per
    /// channel): training `∂x = k·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))`, where the means need only the
    /// pooled values (`Σ ĝ·x̂ = Σ_windows ĝ·z`); inference `∂x = k·ĝ`.
    /// The gradient goes to the arg-max of the window in `x`, the first on ties; the unfused layers
    /// take the first maximum after normalization, a different position only where rounding makes
    /// two inputs of a window normalize to the same value.
    public func pooledBatchNormLeakyReLU(statistics: BatchNormStatistics, training: Bool, momentum: Float = 0.1,
                                         epsilon: Float = 1e-5, slope: Float, size: Int = 2)
        -> (output: Variable, statistics: BatchNormStatistics) {
        let x = value
        precondition(x.rank == 4, "pooledBatchNormLeakyReLU needs (N, C, H, W), got \(x.shape)")
        precondition(slope >= 0, "the fused op needs a non-decreasing activation (slope ≥ 0)")
        let n = x.shape[0], c = x.shape[1], s = x.shape[2] * x.shape[3], m = n * s
        let (mean, invStd, newStats) = x.batchNormMoments(statistics, training: training, momentum: momentum, epsilon: epsilon)
        let (pooled, argmax) = x.maxPooled(size: size)
        let sp = pooled.shape[2] * pooled.shape[3]
        // z = (p − μ)·k, the normalized maximum of each window, and y = leakyReLU(z).
        var z = [Float](unsafeUninitializedCapacity: pooled.count) { _, filled in filled = pooled.count }
        var y = z
        pooled.scalars.withUnsafeBufferPointer { pp in
        z.withUnsafeMutableBufferPointer { pz in
        y.withUnsafeMutableBufferPointer { py in
            forEachPlane(n: n, c: c, s: sp) { ch, base in
                let mu = mean[ch], k = invStd[ch]
                mapElements(sp, into: pz.baseAddress! + base, pp.baseAddress! + base) { ($0 - mu) * k }
                mapElements(sp, into: py.baseAddress! + base, pz.baseAddress! + base) { $0 > 0 ? $0 : slope * $0 }
            }
        } } }
        let out = tape.record(Tensor(shape: pooled.shape, scalars: y), inputs: [self]) { g, tape in
            // ĝ on the pooled values, then its per-channel sums Σ ĝ and Σ ĝ·z.
            var gh = [Float](unsafeUninitializedCapacity: g.count) { _, filled in filled = g.count }
            g.scalars.withUnsafeBufferPointer { pg in
            z.withUnsafeBufferPointer { pz in
                gh.withUnsafeMutableBufferPointer { ph in
                    mapElements(g.count, into: ph.baseAddress!, pg.baseAddress!, pz.baseAddress!) { $1 > 0 ? $0 : slope * $0 }
                }
            } }
            var meanG = [Float](repeating: 0, count: c), meanGH = [Float](repeating: 0, count: c)
            if training {
                gh.withUnsafeBufferPointer { ph in
                z.withUnsafeBufferPointer { pz in
                    let sumG = channelSums(ph.baseAddress!, n: n, c: c, s: sp)
                    let sumGH = channelSums(ph.baseAddress!, n: n, c: c, s: sp, times: pz.baseAddress!)
                    for ch in 0..<c { meanG[ch] = Float(sumG[ch] / Double(m)); meanGH[ch] = Float(sumGH[ch] / Double(m)) }
                } }
            }
            // ∂x = k·(−mean(ĝ) − x̂·mean(ĝ·x̂)) everywhere, then + k·ĝ at each window's arg-max.
            var dx = [Float](unsafeUninitializedCapacity: x.count) { _, filled in filled = x.count }
            x.scalars.withUnsafeBufferPointer { px in
            gh.withUnsafeBufferPointer { ph in
            argmax.withUnsafeBufferPointer { pa in
                dx.withUnsafeMutableBufferPointer { pd in
                    forEachPlane(n: n, c: c, s: s) { ch, base in
                        let mu = mean[ch], k = invStd[ch], mg = meanG[ch], mgh = meanGH[ch]
                        let dst = pd.baseAddress! + base
                        if training {
                            mapElements(s, into: dst, px.baseAddress! + base) { -(mg + ($0 - mu) * k * mgh) * k }
                        } else {
                            dst.update(repeating: 0, count: s)
                        }
                        let pbase = base / s * sp
                        for q in 0..<sp { dst[Int(pa[pbase + q])] += ph[pbase + q] * k }
                    }
                }
            } } }
            tape.accumulate(Tensor(shape: x.shape, scalars: dx), into: self)
        }
        return (out, newStats)
    }
}
