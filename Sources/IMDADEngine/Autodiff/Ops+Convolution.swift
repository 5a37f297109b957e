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
        let ho = outHeight, wo = outWidth, plane = outPlane, ld = nb * plane, inPlane = height * width
        // With stride 1 and as many output as input columns (same padding), the valid rows of a
        // tap map to one contiguous run of the input plane: copy it in one block, then zero the
        // columns that wrapped around from the neighbouring row.
        let contiguous = stride == 1 && wo == width
        for c in 0..<channels {
            for kh in 0..<kernelHeight {
                // Output rows whose input row oh·s − p + kh lies inside the image.
                let rows = validOutputs(tap: kh, inputSize: height, outputSize: ho)
                let ohLo = rows.lowerBound, ohHi = rows.upperBound
                for kw in 0..<kernelWidth {
                    let row = cols + ((c * kernelHeight + kh) * kernelWidth + kw) * ld
                    let valid = validColumns(kw: kw)
                    for nl in 0..<nb {
                        let src = x + ((n0 + nl) * channels + c) * inPlane
                        let dst = row + nl * plane
                        zero(dst, ohLo * wo)
                        zero(dst + ohHi * wo, (ho - ohHi) * wo)
                        if ohLo == ohHi { continue }
                        if contiguous {
                            // dst[k] = src[k + shift] for k in the valid rows, clipped to the plane.
                            let shift = (kh - padding) * width + (kw - padding)
                            let lo = Swift.max(ohLo * wo, -shift), hi = Swift.min(ohHi * wo, inPlane - shift)
                            if hi > lo { (dst + lo).update(from: src + lo + shift, count: hi - lo) }
                            if valid.lowerBound > 0 || valid.upperBound < wo {
                                for oh in ohLo..<ohHi {
                                    let r = dst + oh * wo
                                    for ow in 0..<valid.lowerBound { r[ow] = 0 }
                                    for ow in valid.upperBound..<wo { r[ow] = 0 }
                                }
                            }
                            continue
                        }
                        for oh in ohLo..<ohHi {
                            let ih = oh * stride - padding + kh
                            let r = dst + oh * wo
                            if valid.isEmpty { zero(r, wo); continue }
                            zero(r, valid.lowerBound)
                            let srow = src + ih * width - padding + kw
                            if stride == 1 {
                                (r + valid.lowerBound).update(from: srow + valid.lowerBound, count: valid.count)
                            } else {
                                for ow in valid { r[ow] = srow[ow * stride] }
                            }
                            zero(r + valid.upperBound, wo - valid.upperBound)
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func zero(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        if count > 0 { p.update(repeating: 0, count: count) }
    }

    /// dx += col2im(dcols): the adjoint of ``im2col``. `cols` is scratch: entries that fall in
    /// the padding may be overwritten with zeros.
    func col2im(_ cols: UnsafeMutablePointer<Float>, n0: Int, nb: Int, into dx: UnsafeMutablePointer<Float>) {
        let ho = outHeight, wo = outWidth, plane = outPlane, ld = nb * plane, inPlane = height * width
        // As in im2col: with stride 1 and same padding, the valid rows of a tap map to one
        // contiguous run of the input plane. Zero the entries of the columns that fall in the
        // padding (they would wrap onto the neighbouring row), then add the run in one pass.
        let contiguous = stride == 1 && wo == width
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
                        if contiguous {
                            if valid.lowerBound > 0 || valid.upperBound < wo {
                                for oh in rows {
                                    let r = src + oh * wo
                                    for ow in 0..<valid.lowerBound { r[ow] = 0 }
                                    for ow in valid.upperBound..<wo { r[ow] = 0 }
                                }
                            }
                            // dst[k + shift] += src[k] for k in the valid rows, clipped to the plane.
                            let shift = (kh - padding) * width + (kw - padding)
                            let lo = Swift.max(rows.lowerBound * wo, -shift), hi = Swift.min(rows.upperBound * wo, inPlane - shift)
                            if hi > lo { mapElements(hi - lo, into: dst + lo + shift, dst + lo + shift, src + lo) { $0 + $1 } }
                            continue
                        }
                        for oh in rows {
                            let ih = oh * stride - padding + kh
                            let srow = src + oh * wo
                            let drow = dst + ih * width - padding + kw
                            for ow in valid { drow[ow * stride] += srow[ow] }
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
        let chunk = geo.chunk, chunks = geo.chunkCount, parallel = chunks > 1
        let biasValues = bias?.value.scalars
        let y = Tensor(shape: [geo.batch, o, geo.outHeight, geo.outWidth]) { py in
            x.scalars.withUnsafeBufferPointer { px in
            w.scalars.withUnsafeBufferPointer { pw in
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
            let sampleSize = geo.channels * geo.height * geo.width
            var dx = [Float](unsafeUninitializedCapacity: wantX ? x.count : 0) { _, n in n = wantX ? x.count : 0 }
            // ∂W of each chunk in its own slot, summed in chunk order below (thread-count independent).
            var partials = [Float](unsafeUninitializedCapacity: wantW ? chunks * w.count : 0) { _, n in n = wantW ? chunks * w.count : 0 }
            x.scalars.withUnsafeBufferPointer { px in
            w.scalars.withUnsafeBufferPointer { pw in
            g.scalars.withUnsafeBufferPointer { pg in
            dx.withUnsafeMutableBufferPointer { pdx in
            partials.withUnsafeMutableBufferPointer { pdw in
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
                            (pdx.baseAddress! + n0 * sampleSize).update(repeating: 0, count: nb * sampleSize)
                            geo.col2im(cols, n0: n0, nb: nb, into: pdx.baseAddress!)
                        }
                    } }
                }
            } } } } }
            if wantX { tape.accumulate(Tensor(shape: x.shape, scalars: dx), into: self) }
            if wantW {
                var dw = [Float](partials[0..<w.count])
                for ci in 1..<chunks {
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
        precondition(x.rank == 4 && size > 0, "maxPool2d needs (N, C, H, W), got \(x.shape)")
        let nc = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
        let ho = h / size, wo = w / size
        var out = [Float](unsafeUninitializedCapacity: nc * ho * wo) { _, n in n = nc * ho * wo }
        var argmax = [Int32](unsafeUninitializedCapacity: out.count) { _, n in n = nc * ho * wo }
        x.scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                argmax.withUnsafeMutableBufferPointer { pa in
                    Parallel.forRanges(nc, pieces: Parallel.elementwisePieces(x.count)) { planes in
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
        let y = Tensor(shape: [x.shape[0], x.shape[1], ho, wo], scalars: out)
        return tape.record(y, inputs: [self]) { g, tape in
            var dx = [Float](unsafeUninitializedCapacity: x.count) { _, n in n = x.count }
            g.scalars.withUnsafeBufferPointer { pg in
            argmax.withUnsafeBufferPointer { pa in
                dx.withUnsafeMutableBufferPointer { pd in
                    Parallel.forRanges(nc, pieces: Parallel.elementwisePieces(x.count)) { planes in
                        let plane = pd.baseAddress! + planes.lowerBound * h * w
                        plane.update(repeating: 0, count: planes.count * h * w)
                        for p in planes {
                            for q in 0..<(ho * wo) {
                                let o = p * ho * wo + q
                                pd[p * h * w + Int(pa[o])] += pg[o]
                            }
                        }
                    }
                }
            } }
            tape.accumulate(Tensor(shape: x.shape, scalars: dx), into: self)
        }
    }
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
