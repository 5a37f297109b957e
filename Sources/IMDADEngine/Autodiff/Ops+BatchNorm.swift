// Batch normalization over (N) or (N, H, W) per channel, training and inference, forward and
// backward side by side.

import CIMDADKernels

/// Running statistics of a batch-normalization layer (PyTorch's `running_mean`/`running_var`).
public struct BatchNormStatistics: Sendable, Equatable {
    public var mean: Tensor
    public var variance: Tensor
}

extension Tensor {
    /// The per-channel `μ_c` and `1/√(σ²_c + ε)` that batch normalization of this `(N, C)` or
    /// `(N, C, H, W)` tensor uses, and the running statistics after it. Training: the batch's mean
    /// and biased variance (two passes, accumulated in Double), the running statistics moved by
    /// `momentum` towards the batch's mean and unbiased variance. Inference: the running ones.
    func batchNormMoments(_ statistics: BatchNormStatistics, training: Bool, momentum: Float, epsilon: Float)
        -> (mean: [Float], invStd: [Float], statistics: BatchNormStatistics) {
        let n = shape[0], c = shape[1], s = rank == 4 ? shape[2] * shape[3] : 1
        let m = n * s
        precondition(statistics.mean.count == c && statistics.variance.count == c)
        precondition(!training || m > 1, "batchNorm in training needs more than one value per channel")
        var mean = [Float](repeating: 0, count: c), invStd = [Float](repeating: 0, count: c)
        var newStats = statistics
        scalars.withUnsafeBufferPointer { px in
            if training {
                let sums = channelSums(px.baseAddress!, n: n, c: c, s: s)
                for ch in 0..<c { mean[ch] = Float(sums[ch] / Double(m)) }
                let sq = channelSums(px.baseAddress!, n: n, c: c, s: s, shift: mean, squared: true)
                for ch in 0..<c {
                    let varBiased = sq[ch] / Double(m), varUnbiased = sq[ch] / Double(Swift.max(m - 1, 1))
                    invStd[ch] = Float(1 / (varBiased + Double(epsilon)).squareRoot())
                    newStats.mean.scalars[ch] = (1 - momentum) * statistics.mean.scalars[ch] + momentum * mean[ch]
                    newStats.variance.scalars[ch] = (1 - momentum) * statistics.variance.scalars[ch] + momentum * Float(varUnbiased)
                }
            } else {
                for ch in 0..<c {
                    mean[ch] = statistics.mean.scalars[ch]
                    invStd[ch] = 1 / (statistics.variance.scalars[ch] + epsilon).squareRoot()
                }
            }
        }
        return (mean, invStd, newStats)
    }
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
        let (mean, invStd, newStats) = x.batchNormMoments(statistics, training: training, momentum: momentum, epsilon: epsilon)
        let gamma = weight?.value.scalars, beta = bias?.value.scalars
        // x̂, and y = x̂·γ + β (y shares x̂'s storage when there is no affine transform).
        let count = x.count
        let affine = gamma != nil || beta != nil
        if s == 1 {  // (N, C): row by row in C (vectorized over the channels), x̂ and y in one pass
            var y: [Float]?
            let xhat = [Float](unsafeUninitializedCapacity: count) { ph, filled in
                if affine {
                    y = [Float](unsafeUninitializedCapacity: count) { py, yFilled in
                        imdad_bn_rows_forward(n, c, x.scalars, mean, invStd, ph.baseAddress, gamma, beta, py.baseAddress)
                        yFilled = count
                    }
                } else {
                    imdad_bn_rows_forward(n, c, x.scalars, mean, invStd, ph.baseAddress, nil, nil, nil)
                }
                filled = count
            }
            return record(x: x, xhat: xhat, y: y ?? xhat, weight: weight, bias: bias, gamma: gamma, invStd: invStd,
                          training: training, newStats: newStats)
        }
        let xhat = [Float](unsafeUninitializedCapacity: count) { ph, filled in
            x.scalars.withUnsafeBufferPointer { px in
                forEachPlane(n: n, c: c, s: s) { ch, base in
                    let mu = mean[ch], k = invStd[ch]
                    mapElements(s, into: ph.baseAddress! + base, px.baseAddress! + base) { ($0 - mu) * k }
                }
            }
            filled = count
        }
        var y = xhat
        if affine {
            y.withUnsafeMutableBufferPointer { py in
                forEachPlane(n: n, c: c, s: s) { ch, base in
                    let gm = gamma?[ch] ?? 1, bt = beta?[ch] ?? 0
                    mapElements(s, into: py.baseAddress! + base, py.baseAddress! + base) { $0 * gm + bt }
                }
            }
        }
        return record(x: x, xhat: xhat, y: y, weight: weight, bias: bias, gamma: gamma, invStd: invStd, training: training,
                      newStats: newStats)
    }

    /// Records batch normalization's output `y` on the tape with its backward pass (see above).
    private func record(x: Tensor, xhat: [Float], y: [Float], weight: Variable?, bias: Variable?, gamma: [Float]?, invStd: [Float],
                        training: Bool, newStats: BatchNormStatistics) -> (output: Variable, statistics: BatchNormStatistics) {
        let n = x.shape[0], c = x.shape[1], s = x.rank == 4 ? x.shape[2] * x.shape[3] : 1
        let m = n * s
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let out = tape.record(Tensor(shape: x.shape, scalars: y), inputs: inputs) { g, tape in
            var dgamma = [Float](repeating: 0, count: c), dbeta = [Float](repeating: 0, count: c)
            var dx = [Float](unsafeUninitializedCapacity: x.count) { _, filled in filled = x.count }
            g.scalars.withUnsafeBufferPointer { pg in
                xhat.withUnsafeBufferPointer { ph in
                    dx.withUnsafeMutableBufferPointer { pd in
                        let sumG = channelSums(pg.baseAddress!, n: n, c: c, s: s)
                        let sumGH = channelSums(pg.baseAddress!, n: n, c: c, s: s, times: ph.baseAddress!)
                        for ch in 0..<c { dgamma[ch] = Float(sumGH[ch]); dbeta[ch] = Float(sumG[ch]) }
                        let gm = (0..<c).map { gamma?[$0] ?? 1 }
                        if training {
                            let meanG = (0..<c).map { Float(sumG[$0] / Double(m)) * gm[$0] }
                            let meanGH = (0..<c).map { Float(sumGH[$0] / Double(m)) * gm[$0] }
                            if s == 1 {
                                imdad_bn_rows_backward(n, c, pg.baseAddress, ph.baseAddress, gm, meanG, meanGH, invStd, pd.baseAddress)
                                return
                            }
                            forEachPlane(n: n, c: c, s: s) { ch, base in
                                let g = gm[ch], k = invStd[ch], mg = meanG[ch], mgh = meanGH[ch]
                                mapElements(s, into: pd.baseAddress! + base, pg.baseAddress! + base, ph.baseAddress! + base) {
                                    ($0 * g - mg - $1 * mgh) * k
                                }
                            }
                        } else if s == 1 {
                            imdad_bn_rows_backward(n, c, pg.baseAddress, ph.baseAddress, gm, nil, nil, invStd, pd.baseAddress)
                        } else {
                            forEachPlane(n: n, c: c, s: s) { ch, base in
                                let g = gm[ch], k = invStd[ch]
                                mapElements(s, into: pd.baseAddress! + base, pg.baseAddress! + base) { $0 * g * k }
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

/// Per-channel sums over the batch and spatial axes of `x (N, C, S)`:
/// `Σ_{i,j} f(x[i, ch, j])` with `f(v) = v`, `(v − shift_ch)²` when `squared`, or `v·y[i, ch, j]`
/// with `times: y`. Planes of `S` values are summed in Float SIMD lanes, then accumulated in
/// Double; for `S = 1` (1-D batch norm) rows are accumulated directly.
func channelSums(_ x: UnsafePointer<Float>, n: Int, c: Int, s: Int, shift: [Float]? = nil, squared: Bool = false,
                 times y: UnsafePointer<Float>? = nil) -> [Double] {
    var out = [Double](repeating: 0, count: c)
    if s == 1 {  // rows in order, in C (vectorized over the channels)
        precondition(!(squared && y != nil), "channelSums: squared or times, not both")
        let zeros = squared && shift == nil ? [Float](repeating: 0, count: c) : nil
        out.withUnsafeMutableBufferPointer { po in
            imdad_channel_sums_rows(n, c, x, squared ? (shift ?? zeros) : nil, y, po.baseAddress)
        }
        return out
    }
    out.withUnsafeMutableBufferPointer { po in
        eachChannel(c, split: splitsChannels(n: n, c: c, s: s)) { ch in
            let k = shift?[ch] ?? 0
            var total = 0.0
            for i in 0..<n {
                let base = (i * c + ch) * s
                if let y {
                    total += Double(simdDot(x + base, y + base, count: s))
                } else if squared {
                    total += Double(simdSum(x + base, count: s) { ($0 - k) * ($0 - k) })
                } else {
                    total += Double(simdSum(x + base, count: s) { $0 })
                }
            }
            po[ch] = total
        }
    }
    return out
}

/// Whether the channels of `x (N, C, S)` are spread over the cores: image tensors (`S > 1`) of at
/// least 2¹⁵ values. Each channel is computed by one thread, so results do not depend on the
/// thread count.
@inline(__always)
func splitsChannels(n: Int, c: Int, s: Int) -> Bool { s > 1 && n * c * s >= 1 << 15 }

/// `body(ch)` for every channel, spread over the cores when `split`.
@inline(__always)
func eachChannel(_ c: Int, split: Bool, _ body: (Int) -> Void) {
    if split { Parallel.forEach(c, body) } else { for ch in 0..<c { body(ch) } }
}

/// `body(ch, offset)` for every plane `(i, ch)` of `x (N, C, S)` (offset `(i·C + ch)·S`): row by
/// row for `(N, C)` data, channel by channel (over the cores when large) for images.
@inline(__always)
func forEachPlane(n: Int, c: Int, s: Int, _ body: (_ ch: Int, _ offset: Int) -> Void) {
    if s == 1 {
        for i in 0..<n { for ch in 0..<c { body(ch, i * c + ch) } }
        return
    }
    eachChannel(c, split: splitsChannels(n: n, c: c, s: s)) { ch in
        for i in 0..<n { body(ch, (i * c + ch) * s) }
    }
}
