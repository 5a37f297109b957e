// Batch normalization over (N) or (N, H, W) per channel, training and inference, forward and
// backward side by side.

/// Running statistics of a batch-normalization layer (PyTorch's `running_mean`/`running_var`).
public struct BatchNormStatistics: Sendable, Equatable {
    public var mean: Tensor
    public var variance: Tensor
}

extension Variable {
    /// Batch normalization of `x (N, C)` or `x (N, C, H, W)` per channel `c`:
    ///
    ///     y = (x − μ_c) / √(σ²_c + ε) · γ_c + β_c
    ///
    /// In training, `μ, σ²` are the batch's (biased variance) and the running statistics move by
    /// `momentum` towards the batch's (unbiased variance), as PyTorch does. In inference the
    /// running statistics are used. `γ, β` are optional (`affine = false`).
    ///
    /// Backward (training), with `x̂ = (x − μ)/√(σ² + ε)`, `M` elements per channel and
    /// `ĝ = g·γ`: `∂x = (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) / √(σ² + ε)`, `∂γ = Σ g·x̂`, `∂β = Σ g`.
    /// Backward (inference): `∂x = ĝ / √(σ²_run + ε)`.
    ///
    /// Returns the output and the updated running statistics (unchanged in inference).
    public func batchNorm(statistics: BatchNormStatistics, weight: Variable?, bias: Variable?,
                          training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5)
        -> (output: Variable, statistics: BatchNormStatistics) {
        let x = value
        precondition(x.rank == 2 || x.rank == 4, "batchNorm needs (N, C) or (N, C, H, W), got \(x.shape)")
        let n = x.shape[0], c = x.shape[1], s = x.rank == 4 ? x.shape[2] * x.shape[3] : 1
        let m = n * s
        precondition(statistics.mean.count == c && statistics.variance.count == c)
        precondition(!training || m > 1, "batchNorm in training needs more than one value per channel")
        var mean = [Float](repeating: 0, count: c), invStd = [Float](repeating: 0, count: c)
        var newStats = statistics
        x.scalars.withUnsafeBufferPointer { px in
            for ch in 0..<c {
                if training {
                    // Two passes (mean, then squared deviations); each plane of `s` values is
                    // summed in Float SIMD lanes, planes are accumulated in Double.
                    var sum = 0.0
                    for i in 0..<n { sum += Double(simdSum(px.baseAddress! + (i * c + ch) * s, count: s) { $0 }) }
                    let mu = sum / Double(m)
                    var sq = 0.0
                    let muF = Float(mu)
                    for i in 0..<n {
                        sq += Double(simdSum(px.baseAddress! + (i * c + ch) * s, count: s) { ($0 - muF) * ($0 - muF) })
                    }
                    let varBiased = sq / Double(m)
                    mean[ch] = Float(mu)
                    invStd[ch] = Float(1 / (varBiased + Double(epsilon)).squareRoot())
                    let varUnbiased = sq / Double(Swift.max(m - 1, 1))
                    newStats.mean.scalars[ch] = (1 - momentum) * statistics.mean.scalars[ch] + momentum * Float(mu)
                    newStats.variance.scalars[ch] = (1 - momentum) * statistics.variance.scalars[ch] + momentum * Float(varUnbiased)
                } else {
                    mean[ch] = statistics.mean.scalars[ch]
                    invStd[ch] = 1 / (statistics.variance.scalars[ch] + epsilon).squareRoot()
                }
            }
        }
        let gamma = weight?.value.scalars, beta = bias?.value.scalars
        var xhat = x.scalars
        var y = x.scalars
        xhat.withUnsafeMutableBufferPointer { ph in
            y.withUnsafeMutableBufferPointer { py in
                for i in 0..<n {
                    for ch in 0..<c {
                        let base = (i * c + ch) * s, mu = mean[ch], k = invStd[ch]
                        let gm = gamma?[ch] ?? 1, bt = beta?[ch] ?? 0
                        for j in 0..<s {
                            let h = (ph[base + j] - mu) * k
                            ph[base + j] = h
                            py[base + j] = h * gm + bt
                        }
                    }
                }
            }
        }
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let out = tape.record(Tensor(shape: x.shape, scalars: y), inputs: inputs) { g, tape in
            var dgamma = [Float](repeating: 0, count: c), dbeta = [Float](repeating: 0, count: c)
            var dx = [Float](repeating: 0, count: x.count)
            g.scalars.withUnsafeBufferPointer { pg in
                xhat.withUnsafeBufferPointer { ph in
                    dx.withUnsafeMutableBufferPointer { pd in
                        for ch in 0..<c {
                            var sg = 0.0, sgh = 0.0
                            for i in 0..<n {
                                let base = (i * c + ch) * s
                                sg += Double(simdSum(pg.baseAddress! + base, count: s) { $0 })
                                sgh += Double(simdDot(pg.baseAddress! + base, ph.baseAddress! + base, count: s))
                            }
                            dgamma[ch] = Float(sgh); dbeta[ch] = Float(sg)
                            let gm = gamma?[ch] ?? 1, k = invStd[ch]
                            if training {
                                let meanG = Float(sg / Double(m)) * gm, meanGH = Float(sgh / Double(m)) * gm
                                for i in 0..<n {
                                    let base = (i * c + ch) * s
                                    for j in 0..<s { pd[base + j] = (pg[base + j] * gm - meanG - ph[base + j] * meanGH) * k }
                                }
                            } else {
                                for i in 0..<n {
                                    let base = (i * c + ch) * s
                                    for j in 0..<s { pd[base + j] = pg[base + j] * gm * k }
                                }
                            }
                        }
                    }
                }
            }
            tape.accumulate(Tensor(shape: x.shape, scalars: dx), into: self)
            if let weight { tape.accumulate(Tensor(shape: [c], scalars: dgamma), into: weight) }
            if let bias { tape.accumulate(Tensor(shape: [c], scalars: dbeta), into: bias) }
        }
        return (out, newStats)
    }
}

/// Σ f(pᵢ) over `count` floats, in 8 SIMD lanes.
@inline(__always)
func simdSum(_ p: UnsafePointer<Float>, count: Int, _ f: (SIMD8<Float>) -> SIMD8<Float>) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= count {
        acc += f(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
        i += 8
    }
    var tail = SIMD8<Float>()
    for j in 0..<(count - i) { tail[j] = p[i + j] }
    let ft = f(tail)
    var total = acc.sum()
    for j in 0..<(count - i) { total += ft[j] }
    return total
}

/// Σ aᵢ·bᵢ over `count` floats, in 8 SIMD lanes.
@inline(__always)
func simdDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= count {
        acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var total = acc.sum()
    while i < count { total += a[i] * b[i]; i += 1 }
    return total
}
