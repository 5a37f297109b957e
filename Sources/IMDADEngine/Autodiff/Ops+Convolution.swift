// 2-D convolution (im2col + sgemm) and max pooling, forward and backward side by side.

/// Geometry of a 2-D convolution: `x (N, C, H, W) ⋆ w (O, C, KH, KW) → y (N, O, Ho, Wo)` with
/// `Ho = (H + 2·padding − KH) / stride + 1` (likewise Wo).
public struct Conv2DGeometry: Sendable, Equatable {
    public var batch, channels, height, width: Int
    public var outChannels, kernelHeight, kernelWidth: Int
    public var stride, padding: Int

    public var outHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Rows of the im2col matrix: C·KH·KW.
    var patch: Int { channels * kernelHeight * kernelWidth }
    var outPlane: Int { outHeight * outWidth }

    /// Samples per im2col chunk: bounds the column buffer to about 4 MiB.
    var chunk: Int { Swift.max(1, Swift.min(batch, (1 << 20) / Swift.max(1, patch * outPlane))) }

    /// The output columns `ow` whose input column `ow·s − p + kw` lies inside the image.
    @inline(__always)
    func validColumns(kw: Int) -> Range<Int> {
        // ow·s − p + kw ≥ 0  ⇔  ow ≥ ⌈(p − kw)/s⌉ ;  ow·s − p + kw ≤ W − 1  ⇔  ow ≤ ⌊(W − 1 + p − kw)/s⌋
        let lo = Swift.max(0, (padding - kw + stride - 1) / stride)
        let hiIncl = (width - 1 + padding - kw)
        let hi = hiIncl < 0 ? 0 : Swift.min(outWidth, hiIncl / stride + 1)
        return lo..<Swift.max(lo, hi)
    }

    /// cols (C·KH·KW, nb·Ho·Wo) ← patches of samples n0..<n0+nb of x.
    /// Row `(c, u, v)` holds, for every output position, the input pixel that kernel tap `(u, v)`
    /// of channel `c` sees (0 in the padding).
    func im2col(_ x: UnsafePointer<Float>, n0: Int, nb: Int, into cols: UnsafeMutablePointer<Float>) {
        let ho = outHeight, wo = outWidth, plane = outPlane, ld = nb * plane
        for c in 0..<channels {
            for kh in 0..<kernelHeight {
                for kw in 0..<kernelWidth {
                    let row = cols + ((c * kernelHeight + kh) * kernelWidth + kw) * ld
                    let valid = validColumns(kw: kw)
                    for nl in 0..<nb {
                        let src = x + ((n0 + nl) * channels + c) * height * width
                        for oh in 0..<ho {
                            let ih = oh * stride - padding + kh
                            let dst = row + nl * plane + oh * wo
                            if ih < 0 || ih >= height || valid.isEmpty {
                                dst.update(repeating: 0, count: wo)
                                continue
                            }
                            if valid.lowerBound > 0 { dst.update(repeating: 0, count: valid.lowerBound) }
                            let srow = src + ih * width - padding + kw
                            if stride == 1 {
                                (dst + valid.lowerBound).update(from: srow + valid.lowerBound, count: valid.count)
                            } else {
                                for ow in valid { dst[ow] = srow[ow * stride] }
                            }
                            if valid.upperBound < wo { (dst + valid.upperBound).update(repeating: 0, count: wo - valid.upperBound) }
                        }
                    }
                }
            }
        }
    }

    /// dx += col2im(dcols): the adjoint of ``im2col``.
    func col2im(_ cols: UnsafePointer<Float>, n0: Int, nb: Int, into dx: UnsafeMutablePointer<Float>) {
        let ho = outHeight, wo = outWidth, plane = outPlane, ld = nb * plane
        for c in 0..<channels {
            for kh in 0..<kernelHeight {
                for kw in 0..<kernelWidth {
                    let row = cols + ((c * kernelHeight + kh) * kernelWidth + kw) * ld
                    let valid = validColumns(kw: kw)
                    if valid.isEmpty { continue }
                    for nl in 0..<nb {
                        let dst = dx + ((n0 + nl) * channels + c) * height * width
                        for oh in 0..<ho {
                            let ih = oh * stride - padding + kh
                            if ih < 0 || ih >= height { continue }
                            let src = row + nl * plane + oh * wo
                            let drow = dst + ih * width - padding + kw
                            if stride == 1 {
                                for ow in valid { drow[ow] += src[ow] }
                            } else {
                                for ow in valid { drow[ow * stride] += src[ow] }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Variable {
    /// 2-D cross-correlation (PyTorch's `conv2d`): `x (N, C, H, W)`, `weight (O, C, KH, KW)`,
    /// optional `bias (O)` → `(N, O, Ho, Wo)`:
    ///
    ///     y[n, o, i, j] = b[o] + Σ_{c, u, v} w[o, c, u, v] · x[n, c, i·s − p + u, j·s − p + v]
    ///
    /// computed per chunk of samples as `Y = W (O, C·KH·KW) · cols (C·KH·KW, nb·Ho·Wo)`.
    /// Backward: `∂W = Σ G·colsᵀ`, `∂cols = Wᵀ·G` scattered back by col2im, `∂b = Σ G`.
    public func conv2d(weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0) -> Variable {
        let x = value, w = weight.value
        precondition(x.rank == 4 && w.rank == 4 && x.shape[1] == w.shape[1],
                     "conv2d: input \(x.shape) does not match weight \(w.shape)")
        let geo = Conv2DGeometry(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                                 outChannels: w.shape[0], kernelHeight: w.shape[2], kernelWidth: w.shape[3],
                                 stride: stride, padding: padding)
        precondition(geo.outHeight > 0 && geo.outWidth > 0, "conv2d: kernel larger than padded input")
        let o = geo.outChannels, plane = geo.outPlane, patch = geo.patch
        var out = [Float](unsafeUninitializedCapacity: geo.batch * o * plane) { _, n in n = geo.batch * o * plane }
        let biasValues = bias?.value.scalars
        var cols = [Float](unsafeUninitializedCapacity: patch * geo.chunk * plane) { _, n in n = patch * geo.chunk * plane }
        var tmp = [Float](unsafeUninitializedCapacity: o * geo.chunk * plane) { _, n in n = o * geo.chunk * plane }
        x.scalars.withUnsafeBufferPointer { px in
            w.scalars.withUnsafeBufferPointer { pw in
                out.withUnsafeMutableBufferPointer { py in
                    cols.withUnsafeMutableBufferPointer { pc in
                        tmp.withUnsafeMutableBufferPointer { pt in
                            var n0 = 0
                            while n0 < geo.batch {
                                let nb = Swift.min(geo.chunk, geo.batch - n0)
                                geo.im2col(px.baseAddress!, n0: n0, nb: nb, into: pc.baseAddress!)
                                BLAS.sgemm(m: o, n: nb * plane, k: patch, a: pw.baseAddress!, lda: patch,
                                           b: pc.baseAddress!, ldb: nb * plane, c: pt.baseAddress!, ldc: nb * plane)
                                // (O, nb, plane) → (nb, O, plane), adding the bias
                                for oc in 0..<o {
                                    let bv = biasValues?[oc] ?? 0
                                    for nl in 0..<nb {
                                        let src = pt.baseAddress! + (oc * nb + nl) * plane
                                        let dst = py.baseAddress! + ((n0 + nl) * o + oc) * plane
                                        for i in 0..<plane { dst[i] = src[i] + bv }
                                    }
                                }
                                n0 += nb
                            }
                        }
                    }
                }
            }
        }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        let y = Tensor(shape: [geo.batch, o, geo.outHeight, geo.outWidth], scalars: out)
        return tape.record(y, inputs: inputs) { g, tape in
            let wantX = tape.needsGradient(self), wantW = tape.needsGradient(weight)
            var dx = [Float](repeating: 0, count: wantX ? x.count : 0)
            var dw = [Float](repeating: 0, count: wantW ? w.count : 0)
            var cols = [Float](unsafeUninitializedCapacity: patch * geo.chunk * plane) { _, n in n = patch * geo.chunk * plane }
            var gt = [Float](unsafeUninitializedCapacity: o * geo.chunk * plane) { _, n in n = o * geo.chunk * plane }
            x.scalars.withUnsafeBufferPointer { px in
            w.scalars.withUnsafeBufferPointer { pw in
            g.scalars.withUnsafeBufferPointer { pg in
            cols.withUnsafeMutableBufferPointer { pc in
            gt.withUnsafeMutableBufferPointer { pgt in
            dx.withUnsafeMutableBufferPointer { pdx in
            dw.withUnsafeMutableBufferPointer { pdw in
                var n0 = 0
                while n0 < geo.batch {
                    let nb = Swift.min(geo.chunk, geo.batch - n0)
                    // G chunk (nb, O, plane) → (O, nb·plane)
                    for oc in 0..<o {
                        for nl in 0..<nb {
                            let src = pg.baseAddress! + ((n0 + nl) * o + oc) * plane
                            let dst = pgt.baseAddress! + (oc * nb + nl) * plane
                            for i in 0..<plane { dst[i] = src[i] }
                        }
                    }
                    if wantW {
                        geo.im2col(px.baseAddress!, n0: n0, nb: nb, into: pc.baseAddress!)
                        BLAS.sgemm(transposeB: true, m: o, n: patch, k: nb * plane,
                                   a: pgt.baseAddress!, lda: nb * plane, b: pc.baseAddress!, ldb: nb * plane,
                                   beta: 1, c: pdw.baseAddress!, ldc: patch)
                    }
                    if wantX {
                        BLAS.sgemm(transposeA: true, m: patch, n: nb * plane, k: o,
                                   a: pw.baseAddress!, lda: patch, b: pgt.baseAddress!, ldb: nb * plane,
                                   c: pc.baseAddress!, ldc: nb * plane)
                        geo.col2im(pc.baseAddress!, n0: n0, nb: nb, into: pdx.baseAddress!)
                    }
                    n0 += nb
                }
            } } } } } } }
            if wantX { tape.accumulate(Tensor(shape: x.shape, scalars: dx), into: self) }
            if wantW { tape.accumulate(Tensor(shape: w.shape, scalars: dw), into: weight) }
            if let bias, tape.needsGradient(bias) {
                var db = [Float](repeating: 0, count: o)
                g.scalars.withUnsafeBufferPointer { pg in
                    for n in 0..<geo.batch {
                        for oc in 0..<o {
                            var s: Float = 0
                            let base = (n * o + oc) * plane
                            for i in 0..<plane { s += pg[base + i] }
                            db[oc] += s
                        }
                    }
                }
                tape.accumulate(Tensor(shape: [o], scalars: db), into: bias)
            }
        }
    }

    /// Max pooling with a square window of `size` and stride `size` (floor mode):
    /// `(N, C, H, W)` → `(N, C, H/size, W/size)`. The gradient flows to the arg-max of each
    /// window (the first one on ties, as PyTorch).
    public func maxPool2d(size: Int = 2) -> Variable {
        let x = value
        precondition(x.rank == 4 && size > 0, "maxPool2d needs (N, C, H, W), got \(x.shape)")
        let nc = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
        let ho = h / size, wo = w / size
        var out = [Float](unsafeUninitializedCapacity: nc * ho * wo) { _, n in n = nc * ho * wo }
        var argmax = [Int32](unsafeUninitializedCapacity: out.count) { _, n in n = nc * ho * wo }
        x.scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                argmax.withUnsafeMutableBufferPointer { pa in
                    for p in 0..<nc {
                        let src = px.baseAddress! + p * h * w
                        let dst = po.baseAddress! + p * ho * wo, arg = pa.baseAddress! + p * ho * wo
                        for i in 0..<ho {
                            for j in 0..<wo {
                                var at = (i * size) * w + j * size
                                var best = src[at]
                                if size == 2 {
                                    // Unrolled 2×2 window without data-dependent branches (they
                                    // mispredict half the time): the maximum, then the first
                                    // position holding it.
                                    let a = at + 1, b = at + w, c = at + w + 1
                                    let m = Swift.max(Swift.max(best, src[a]), Swift.max(src[b], src[c]))
                                    at = src[at] == m ? at : (src[a] == m ? a : (src[b] == m ? b : c))
                                    best = m
                                } else {
                                    for u in 0..<size {
                                        let rowStart = (i * size + u) * w + j * size
                                        for v in 0..<size {
                                            let val = src[rowStart + v]
                                            if !(val <= best) && best == best { best = val; at = rowStart + v }
                                        }
                                    }
                                }
                                dst[i * wo + j] = best
                                arg[i * wo + j] = Int32(truncatingIfNeeded: at)
                            }
                        }
                    }
                }
            }
        }
        let y = Tensor(shape: [x.shape[0], x.shape[1], ho, wo], scalars: out)
        return tape.record(y, inputs: [self]) { g, tape in
            var dx = [Float](repeating: 0, count: x.count)
            g.scalars.withUnsafeBufferPointer { pg in
                dx.withUnsafeMutableBufferPointer { pd in
                    for p in 0..<nc {
                        for q in 0..<(ho * wo) {
                            let o = p * ho * wo + q
                            pd[p * h * w + Int(argmax[o])] += pg[o]
                        }
                    }
                }
            }
            tape.accumulate(Tensor(shape: x.shape, scalars: dx), into: self)
        }
    }
}
