// 2-D convolution (Winograd or direct sums for the layers Winograd.swift and DirectConvolution.swift
// take, else oneDNN when OneDNN.swift loaded it, else im2col + sgemm) and max pooling, forward and backward side by side.

/// Geometry of a 2-D convolution: `x (N, C, H, W) ⋆ w (O, C, KH, KW) → y (N, O, Ho, Wo)` with
/// `Ho = (H + 2·padding − KH) / stride + 1` (likewise Wo).
public struct Conv2DGeometry: Sendable, Equatable {
    public var batch, channels, height, width: Int
    public var outChannels, kernelHeight, kernelWidth: Int
    public var stride, padding: Int

    public init(batch: Int, channels: Int, height: Int, width: Int, outChannels: Int, kernelHeight: Int, kernelWidth: Int,
                stride: Int, padding: Int) {
        (self.batch, self.channels, self.height, self.width) = (batch, channels, height, width)
        (self.outChannels, self.kernelHeight, self.kernelWidth) = (outChannels, kernelHeight, kernelWidth)
        (self.stride, self.padding) = (stride, padding)
    }

    /// A square `kernel × kernel` layer, stride 1 unless given.
    public init(batch: Int, channels: Int, height: Int, width: Int, outChannels: Int, kernel: Int, stride: Int = 1,
                padding: Int) {
        self.init(batch: batch, channels: channels, height: height, width: width, outChannels: outChannels,
                  kernelHeight: kernel, kernelWidth: kernel, stride: stride, padding: padding)
    }

    public var outHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Rows of the im2col matrix: C·KH·KW.
    var patch: Int { channels * kernelHeight * kernelWidth }
    var outPlane: Int { outHeight * outWidth }
    /// Floats of one sample of x and of y.
    var inSample: Int { channels * height * width }
    var outSample: Int { outChannels * outPlane }

    /// Samples per im2col chunk: at most an eighth of the batch (so that the chunks spread over
    /// the cores), and a column buffer of at most 2¹⁸ floats (1 MiB, cache-sized: the Fashion-MNIST
    /// LeNet train step took 69 ms with 2²⁰, 52–54 ms with 2¹⁸, 64 ms with 2¹⁶, `imdad bench engine`,
    /// 2 threads). A function of the shapes only, so that results do not depend on the number of
    /// threads.
    var chunk: Int {
        Swift.max(1, Swift.min((batch + 7) / 8, (1 << 18) / Swift.max(1, patch * outPlane)))
    }
    var chunkCount: Int { (batch + chunk - 1) / chunk }

    /// The outputs `o` (rows or columns) whose input `o·s − p + k` lies inside `0..<inputSize`:
    /// `o ≥ ⌈(p − k)/s⌉` and `o ≤ ⌊(inputSize − 1 + p − k)/s⌋`, clipped to `0..<outputSize`.
    @inline(__always)
    func validOutputs(tap k: Int, inputSize: Int, outputSize: Int) -> Range<Int> {
        let lo = Swift.min(outputSize, Swift.max(0, (padding - k + stride - 1) / stride))
        let last = inputSize - 1 + padding - k
        let hi = last < 0 ? 0 : Swift.min(outputSize, last / stride + 1)
        return lo..<Swift.max(lo, hi)
    }

    /// The output columns `ow` whose input column `ow·s − p + kw` lies inside the image.
    @inline(__always)
    func validColumns(kw: Int) -> Range<Int> { validOutputs(tap: kw, inputSize: width, outputSize: outWidth) }

    /// cols (C·KH·KW, nb·Ho·Wo) ← patches of samples n0..<n0+nb of x.
    /// Row `(c, u, v)` holds, for every output position, the input pixel that kernel tap `(u, v)`
    /// of channel `c` sees (0 in the padding).
    func im2col(_ x: UnsafePointer<Float>, n0: Int, nb: Int, into cols: UnsafeMutablePointer<Float>) {
        let ho = outHeight, wo = outWidth, plane = outPlane, ld = nb * plane
        if stride == 1 {
            // Through a zero-padded copy of the chunk: every output row of a tap is then one run of
            // `wo` pixels of a padded row, copied in SIMD blocks. The per-row copies and zero fills
            // of the unpadded planes were libc calls on a few floats: memset 9 % and memmove 6 % of
            // the samples of `perf record imdad bench engine --only Fashion --threads 1 --trials 2`,
            // 3.2 % and 1.4 % after.
            withScratch(nb * paddedSample) { xp in
                xp.update(repeating: 0, count: nb * paddedSample)
                forEachPaddedRow(n0: n0, nb: nb) { xRow, pRow in copyFloats(xp + pRow, x + xRow, width) }
                forEachTapRow(nb: nb) { cRow, pRow in copyFloats(cols + cRow, xp + pRow, wo) }
            }
            return
        }
        let inPlane = height * width
        for c in 0..<channels {
            for kh in 0..<kernelHeight {
                // Output rows whose input row oh·s − p + kh lies inside the image.
                let rows = validOutputs(tap: kh, inputSize: height, outputSize: ho)
                for kw in 0..<kernelWidth {
                    let row = cols + ((c * kernelHeight + kh) * kernelWidth + kw) * ld
                    let valid = validColumns(kw: kw)
                    for nl in 0..<nb {
                        let src = x + ((n0 + nl) * channels + c) * inPlane
                        let dst = row + nl * plane
                        dst.update(repeating: 0, count: plane)
                        if valid.isEmpty { continue }
                        for oh in rows {
                            let srow = src + (oh * stride - padding + kh) * width - padding + kw
                            for ow in valid { dst[oh * wo + ow] = srow[ow * stride] }
                        }
                    }
                }
            }
        }
    }

    /// Floats of one sample in the zero-padded layout `(C, H + 2p, W + 2p)` of the stride-1 path.
    var paddedSample: Int { channels * (height + 2 * padding) * (width + 2 * padding) }

    /// `body(x, padded)` for every image row of samples n0..<n0+nb: the offset of its `width`
    /// pixels in `x (N, C, H, W)` and in the chunk's padded layout `(nb, C, H + 2p, W + 2p)`.
    @inline(__always)
    func forEachPaddedRow(n0: Int, nb: Int, _ body: (_ x: Int, _ padded: Int) -> Void) {
        let wp = width + 2 * padding, hp = height + 2 * padding
        for s in 0..<(nb * channels) {
            for r in 0..<height { body((n0 * channels + s) * height * width + r * width, (s * hp + r + padding) * wp + padding) }
        }
    }

    /// `body(cols, padded)` for every tap `(c, u, v)`, sample and output row of a stride-1 chunk:
    /// the offset of the row's `Wo` entries in cols `(C·KH·KW, nb·Ho·Wo)` and of the `Wo` padded
    /// pixels they hold, in the order of cols' rows.
    @inline(__always)
    func forEachTapRow(nb: Int, _ body: (_ cols: Int, _ padded: Int) -> Void) {
        let wp = width + 2 * padding, hp = height + 2 * padding, ho = outHeight, wo = outWidth, plane = outPlane
        for c in 0..<channels {
            for kh in 0..<kernelHeight {
                for kw in 0..<kernelWidth {
                    let row = ((c * kernelHeight + kh) * kernelWidth + kw) * nb * plane
                    for nl in 0..<nb {
                        let src = (nl * channels + c) * hp * wp + kh * wp + kw
                        for oh in 0..<ho { body(row + nl * plane + oh * wo, src + oh * wp) }
                    }
                }
            }
        }
    }

    /// dx[n0..<n0+nb] = col2im(dcols): the adjoint of ``im2col``, overwriting the chunk's samples.
    /// Each input pixel receives its taps in the order `(c, u, v)`, as im2col's rows lie.
    func col2im(_ cols: UnsafeMutablePointer<Float>, n0: Int, nb: Int, into dx: UnsafeMutablePointer<Float>) {
        let ho = outHeight, wo = outWidth, plane = outPlane, ld = nb * plane, inPlane = height * width
        if stride == 1 {
            // Into a zero-padded chunk (the taps that fall in the padding land on its border and
            // are dropped), then its interior is copied to dx: the adjoint of im2col's padded copy.
            withScratch(nb * paddedSample) { dp in
                dp.update(repeating: 0, count: nb * paddedSample)
                forEachTapRow(nb: nb) { cRow, pRow in addFloats(dp + pRow, cols + cRow, wo) }
                forEachPaddedRow(n0: n0, nb: nb) { xRow, pRow in copyFloats(dx + xRow, dp + pRow, width) }
            }
            return
        }
        (dx + n0 * channels * inPlane).update(repeating: 0, count: nb * channels * inPlane)
        for c in 0..<channels {
            for kh in 0..<kernelHeight {
                let rows = validOutputs(tap: kh, inputSize: height, outputSize: ho)
                for kw in 0..<kernelWidth {
                    let row = cols + ((c * kernelHeight + kh) * kernelWidth + kw) * ld
                    let valid = validColumns(kw: kw)
                    if valid.isEmpty || rows.isEmpty { continue }
                    for nl in 0..<nb {
                        let dst = dx + ((n0 + nl) * channels + c) * inPlane
                        let src = row + nl * plane
                        for oh in rows {
                            let drow = dst + (oh * stride - padding + kh) * width - padding + kw
                            for ow in valid { drow[ow * stride] += src[oh * wo + ow] }
                        }
                    }
                }
            }
        }
    }
}

/// dst[0..<n] = src[0..<n] (no overlap) in SIMD blocks, the last block overlapping the one before:
/// straight-line vector code for the short rows of image planes (a `memmove` call per row of 14
/// floats cost more than the copy).
@inline(__always)
private func copyFloats(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
    if n >= 8 {
        var i = 0
        while i + 8 <= n {
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        if i < n {
            let j = n - 8
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self), toByteOffset: 4 * j, as: SIMD8<Float>.self)
        }
    } else if n >= 4 {
        d.storeBytes(of: s.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
        let j = n - 4
        d.storeBytes(of: s.loadUnaligned(fromByteOffset: 4 * j, as: SIMD4<Float>.self), toByteOffset: 4 * j, as: SIMD4<Float>.self)
    } else {
        for i in 0..<n { dst[i] = src[i] }
    }
}

/// dst[0..<n] += src[0..<n] in SIMD blocks of 8, then 4, then one at a time.
@inline(__always)
private func addFloats(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
    var i = 0
    while i + 8 <= n {
        let v = UnsafeRawPointer(d).loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            + s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
        d.storeBytes(of: v, toByteOffset: 4 * i, as: SIMD8<Float>.self)
        i += 8
    }
    if i + 4 <= n {
        let v = UnsafeRawPointer(d).loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self)
            + s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self)
        d.storeBytes(of: v, toByteOffset: 4 * i, as: SIMD4<Float>.self)
        i += 4
    }
    while i < n { dst[i] += src[i]; i += 1 }
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
        let chunk = geo.chunk, chunks = geo.chunkCount, parallel = chunks > 1
        let biasValues = bias?.value.scalars
        let y = Tensor(shape: [geo.batch, o, geo.outHeight, geo.outWidth]) { py in
            x.scalars.withUnsafeBufferPointer { px in
            w.scalars.withUnsafeBufferPointer { pw in
                let viaLibrary = withOptionalBuffer(biasValues) { pb in
                    OwnConvolutionKernel.forward(geo, x: px.baseAddress!, w: pw.baseAddress!, bias: pb, y: py.baseAddress!)
                        || OneDNN.forward(geo, x: px.baseAddress!, w: pw.baseAddress!, bias: pb, y: py.baseAddress!)
                }
                if viaLibrary { return }
                // Each chunk of samples: im2col, one product, then (O, nb, plane) → (nb, O, plane)
                // with the bias added.
                Parallel.forEach(chunks) { ci in
                    let n0 = ci * chunk, nb = Swift.min(chunk, geo.batch - n0)
                    withScratch(patch * nb * plane) { cols in
                    withScratch(o * nb * plane) { tmp in
                        geo.im2col(px.baseAddress!, n0: n0, nb: nb, into: cols)
                        BLAS.sgemm(m: o, n: nb * plane, k: patch, a: pw.baseAddress!, lda: patch,
                                   b: cols, ldb: nb * plane, c: tmp, ldc: nb * plane, singleThreaded: parallel)
                        for oc in 0..<o {
                            let bv = biasValues?[oc] ?? 0
                            for nl in 0..<nb {
                                let src = tmp + (oc * nb + nl) * plane
                                let dst = py.baseAddress! + ((n0 + nl) * o + oc) * plane
                                mapElements(plane, into: dst, src) { $0 + bv }
                            }
                        }
                    } }
                }
            } }
        }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return tape.record(y, inputs: inputs) { g, tape in
            let wantX = tape.needsGradient(self), wantW = tape.needsGradient(weight)
            var dx = [Float](unsafeUninitializedCapacity: wantX ? x.count : 0) { _, n in n = wantX ? x.count : 0 }
            // ∂W of each chunk in its own slot, summed in chunk order below (thread-count independent).
            var partials = [Float](unsafeUninitializedCapacity: wantW ? chunks * w.count : 0) { _, n in n = wantW ? chunks * w.count : 0 }
            var viaLibrary = false
            x.scalars.withUnsafeBufferPointer { px in
            w.scalars.withUnsafeBufferPointer { pw in
            g.scalars.withUnsafeBufferPointer { pg in
            dx.withUnsafeMutableBufferPointer { pdx in
            partials.withUnsafeMutableBufferPointer { pdw in
                // The library kernels write the summed ∂W into the first slot.
                let (dxp, dwp) = (wantX ? pdx.baseAddress! : nil, wantW ? pdw.baseAddress! : nil)
                viaLibrary = OwnConvolutionKernel.backward(geo, x: px.baseAddress!, w: pw.baseAddress!, g: pg.baseAddress!,
                                                           dx: dxp, dw: dwp)
                    || OneDNN.backward(geo, x: px.baseAddress!, w: pw.baseAddress!, g: pg.baseAddress!, dx: dxp, dw: dwp)
                if viaLibrary { return }
                Parallel.forEach(chunks) { ci in
                    let n0 = ci * chunk, nb = Swift.min(chunk, geo.batch - n0)
                    withScratch(patch * nb * plane) { cols in
                    withScratch(o * nb * plane) { gt in
                        // G chunk (nb, O, plane) → (O, nb·plane)
                        for oc in 0..<o {
                            for nl in 0..<nb {
                                let src = pg.baseAddress! + ((n0 + nl) * o + oc) * plane
                                (gt + (oc * nb + nl) * plane).update(from: src, count: plane)
                            }
                        }
                        if wantW {
                            // Rebuilt rather than kept from the forward pass: keeping every chunk's
                            // columns (40 MB for the Fashion-MNIST LeNet's second conv) was no faster.
                            geo.im2col(px.baseAddress!, n0: n0, nb: nb, into: cols)
                            BLAS.sgemm(transposeB: true, m: o, n: patch, k: nb * plane,
                                       a: gt, lda: nb * plane, b: cols, ldb: nb * plane,
                                       c: pdw.baseAddress! + ci * w.count, ldc: patch, singleThreaded: parallel)
                        }
                        if wantX {
                            BLAS.sgemm(transposeA: true, m: patch, n: nb * plane, k: o,
                                       a: pw.baseAddress!, lda: patch, b: gt, ldb: nb * plane,
                                       c: cols, ldc: nb * plane, singleThreaded: parallel)
                            geo.col2im(cols, n0: n0, nb: nb, into: pdx.baseAddress!)
                        }
                    } }
                }
            } } } } }
            if wantX { tape.accumulate(Tensor(shape: x.shape, scalars: dx), into: self) }
            if wantW {
                var dw = [Float](partials[0..<w.count])
                for ci in 1..<(viaLibrary ? 1 : chunks) {
                    let base = ci * w.count
                    for j in 0..<w.count { dw[j] += partials[base + j] }
                }
                tape.accumulate(Tensor(shape: w.shape, scalars: dw), into: weight)
            }
            if let bias, tape.needsGradient(bias) {
                var db = [Float](repeating: 0, count: o)
                g.scalars.withUnsafeBufferPointer { pg in
                    for n in 0..<geo.batch {
                        for oc in 0..<o {
                            db[oc] += simdSum(pg.baseAddress! + (n * o + oc) * plane, count: plane) { $0 }
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
        let (y, argmax) = x.maxPooled(size: size)
        return tape.record(y, inputs: [self]) { g, tape in
            tape.accumulate(unpooled(g, argmax: argmax, inputShape: x.shape), into: self)
        }
    }
}

extension Tensor {
    /// Max pooling of `(N, C, H, W)` over `size × size` windows with stride `size` (floor mode),
    /// and for each output the offset of its maximum within its input plane (the first on ties).
    func maxPooled(size: Int) -> (pooled: Tensor, argmax: [Int32]) {
        precondition(rank == 4 && size > 0, "maxPool2d needs (N, C, H, W), got \(shape)")
        let nc = shape[0] * shape[1], h = shape[2], w = shape[3]
        let ho = h / size, wo = w / size
        var out = [Float](unsafeUninitializedCapacity: nc * ho * wo) { _, n in n = nc * ho * wo }
        var argmax = [Int32](unsafeUninitializedCapacity: out.count) { _, n in n = nc * ho * wo }
        scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                argmax.withUnsafeMutableBufferPointer { pa in
                    Parallel.forRanges(nc, pieces: Parallel.elementwisePieces(count)) { planes in
                        for p in planes {
                            let src = px.baseAddress! + p * h * w
                            let dst = po.baseAddress! + p * ho * wo, arg = pa.baseAddress! + p * ho * wo
                            for i in 0..<ho {
                                if size == 2 {
                                    pool2x2Row(src, rowOffset: 2 * i * w, width: w, windows: wo,
                                               into: dst + i * wo, argmax: arg + i * wo)
                                    continue
                                }
                                for j in 0..<wo {
                                    var at = (i * size) * w + j * size
                                    var best = src[at]
                                    for u in 0..<size {
                                        let rowStart = (i * size + u) * w + j * size
                                        for v in 0..<size {
                                            let val = src[rowStart + v]
                                            if !(val <= best) && best == best { best = val; at = rowStart + v }
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
        }
        return (Tensor(shape: [shape[0], shape[1], ho, wo], scalars: out), argmax)
    }
}

/// The adjoint of max pooling: a tensor of `inputShape` (N, C, H, W), zero but for `g`'s values
/// at each window's arg-max (offsets within their plane, as ``Tensor/maxPooled(size:)`` gives).
func unpooled(_ g: Tensor, argmax: [Int32], inputShape: [Int]) -> Tensor {
    let nc = inputShape[0] * inputShape[1], h = inputShape[2], w = inputShape[3]
    let plane = g.shape[2] * g.shape[3], total = nc * h * w
    var dx = [Float](unsafeUninitializedCapacity: total) { _, n in n = total }
    g.scalars.withUnsafeBufferPointer { pg in
    argmax.withUnsafeBufferPointer { pa in
        dx.withUnsafeMutableBufferPointer { pd in
            Parallel.forRanges(nc, pieces: Parallel.elementwisePieces(total)) { planes in
                (pd.baseAddress! + planes.lowerBound * h * w).update(repeating: 0, count: planes.count * h * w)
                for p in planes {
                    for q in 0..<plane {
                        let o = p * plane + q
                        pd[p * h * w + Int(pa[o])] += pg[o]
                    }
                }
            }
        }
    } }
    return Tensor(shape: inputShape, scalars: dx)
}

/// Runs `body` with a pointer to `values`' storage, or with nil when there are no values.
@inline(__always)
func withOptionalBuffer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Runs `body` with `count` floats of uninitialized scratch memory.
@inline(__always)
func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(count, 1))
    defer { p.deallocate() }
    return body(p)
}

/// One output row of 2×2 max pooling: windows `j` cover columns `2j, 2j+1` of input rows
/// `rowOffset` and `rowOffset + width`. The maximum, then the first position holding it
/// (PyTorch's tie rule), computed four windows at a time without data-dependent branches;
/// the last block overlaps the previous one when `windows` is not a multiple of 4.
@inline(__always)
private func pool2x2Row(_ src: UnsafePointer<Float>, rowOffset: Int, width w: Int, windows wo: Int,
                        into dst: UnsafeMutablePointer<Float>, argmax arg: UnsafeMutablePointer<Int32>) {
    let top = UnsafeRawPointer(src + rowOffset), bottom = UnsafeRawPointer(src + rowOffset + w)
    func block(_ j: Int) {
        let t = top.loadUnaligned(fromByteOffset: 8 * j, as: SIMD8<Float>.self)
        let b = bottom.loadUnaligned(fromByteOffset: 8 * j, as: SIMD8<Float>.self)
        let a0 = t.evenHalf, a1 = t.oddHalf, b0 = b.evenHalf, b1 = b.oddHalf
        // Lane-wise maxima by compare-and-select (the standard library's generic `pointwiseMax`
        // compiled to a call with a scalar loop per lane here: 13 % of the `perf` samples of a
        // Fashion-MNIST training step).
        func larger(_ u: SIMD4<Float>, _ v: SIMD4<Float>) -> SIMD4<Float> { u.replacing(with: v, where: v .> u) }
        let m = larger(larger(a0, a1), larger(b0, b1))
        let left = SIMD4<Int32>(0, 2, 4, 6) &+ Int32(truncatingIfNeeded: rowOffset + 2 * j)
        var at = left &+ Int32(truncatingIfNeeded: w + 1)
        at.replace(with: left &+ Int32(truncatingIfNeeded: w), where: b0 .== m)
        at.replace(with: left &+ 1, where: a1 .== m)
        at.replace(with: left, where: a0 .== m)
        UnsafeMutableRawPointer(dst + j).storeBytes(of: m, as: SIMD4<Float>.self)
        UnsafeMutableRawPointer(arg + j).storeBytes(of: at, as: SIMD4<Int32>.self)
    }
    if wo < 4 {
        for j in 0..<wo {
            let at = rowOffset + 2 * j, a = at + 1, b = at + w, c = at + w + 1
            let m = Swift.max(Swift.max(src[at], src[a]), Swift.max(src[b], src[c]))
            dst[j] = m
            arg[j] = Int32(truncatingIfNeeded: src[at] == m ? at : (src[a] == m ? a : (src[b] == m ? b : c)))
        }
        return
    }
    var j = 0
    while j + 4 <= wo { block(j); j += 4 }
    if j < wo { block(wo - 4) }
}
