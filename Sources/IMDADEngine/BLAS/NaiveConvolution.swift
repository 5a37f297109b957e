// The textbook convolution loops in Double accumulation: the reference the oneDNN convolutions are
// checked against (at start-up and in the tests), like `naiveSGEMM` for the matrix kernels.

/// The three products of a 2-D convolution (cross-correlation, PyTorch's `conv2d`) of
/// `x (N, C, H, W)` with `w (O, C, KH, KW)`, written out as sums, all arrays dense and row-major:
///
///     forward          y[n, o, i, j]  = b[o] + Σ_{c, u, v} w[o, c, u, v] · x[n, c, i·s − p + u, j·s − p + v]
///     backward data    ∂x[n, c, h, w] = Σ_{o, u, v, (i, j) : i·s − p + u = h, j·s − p + v = w} w[o, c, u, v] · g[n, o, i, j]
///     backward weights ∂w[o, c, u, v] = Σ_{n, i, j} g[n, o, i, j] · x[n, c, i·s − p + u, j·s − p + v]
///
/// (terms whose input position lies in the zero padding are left out).
public enum NaiveConvolution {
    public static func forward(
        _ geo: Conv2DGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
    ) {
        var acc = [Double](repeating: 0, count: geo.batch * geo.outChannels * geo.outPlane)
        forEachTap(geo) { yi, xi, wi in acc[yi] += Double(w[wi]) * Double(x[xi]) }
        for (i, a) in acc.enumerated() { y[i] = Float(a + Double(bias?[(i / geo.outPlane) % geo.outChannels] ?? 0)) }
    }

    public static func backwardData(
        _ geo: Conv2DGeometry, w: UnsafePointer<Float>, g: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>
    ) {
        var acc = [Double](repeating: 0, count: geo.batch * geo.channels * geo.height * geo.width)
        forEachTap(geo) { yi, xi, wi in acc[xi] += Double(w[wi]) * Double(g[yi]) }
        for (i, a) in acc.enumerated() { dx[i] = Float(a) }
    }

    public static func backwardWeights(
        _ geo: Conv2DGeometry, x: UnsafePointer<Float>, g: UnsafePointer<Float>,
        dw: UnsafeMutablePointer<Float>
    ) {
        var acc = [Double](repeating: 0, count: geo.outChannels * geo.patch)
        forEachTap(geo) { yi, xi, wi in acc[wi] += Double(g[yi]) * Double(x[xi]) }
        for (i, a) in acc.enumerated() { dw[i] = Float(a) }
    }

    /// `body(y, x, w)` with the offsets of every output, input and weight that meet in one term.
    private static func forEachTap(_ geo: Conv2DGeometry, _ body: (Int, Int, Int) -> Void) {
        let (c, h, wd, o, kh, kw) = (geo.channels, geo.height, geo.width, geo.outChannels, geo.kernelHeight, geo.kernelWidth)
        for n in 0..<geo.batch {
            for oc in 0..<o {
                for i in 0..<geo.outHeight {
                    for j in 0..<geo.outWidth {
                        let yi = ((n * o + oc) * geo.outHeight + i) * geo.outWidth + j
                        for ch in 0..<c {
                            for u in 0..<kh {
                                for v in 0..<kw {
                                    let ih = i * geo.stride - geo.padding + u, iw = j * geo.stride - geo.padding + v
                                    guard ih >= 0, ih < h, iw >= 0, iw < wd else { continue }
                                    body(yi, ((n * c + ch) * h + ih) * wd + iw, ((oc * c + ch) * kh + u) * kw + v)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The three products of one convolution as a kernel under test computes them, into `y`, `dx`, `dw`
/// (all dense, row-major); false when the kernel refused the geometry.
typealias ConvolutionKernel = (
    _ geo: Conv2DGeometry, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
    _ g: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    _ dw: UnsafeMutablePointer<Float>
) -> Bool

extension NaiveConvolution {
    /// The start-up check of a convolution seam: `kernel` on random data in [−1, 1] (inputs, weights,
    /// bias, output gradient) for `geo`, against the naive loops. Returns the largest error of the
    /// three products, each divided by √(number of terms in its sum) (the scale of a sum of that
    /// many ±1 products; ∞ for a NaN), or nil when the kernel refused the geometry.
    static func checkError(_ geo: Conv2DGeometry, seed: UInt64, _ kernel: ConvolutionKernel) -> Double? {
        var rng = RandomGenerator(seed: seed)
        let xc = geo.batch * geo.channels * geo.height * geo.width, wc = geo.outChannels * geo.patch
        let yc = geo.batch * geo.outChannels * geo.outPlane
        let x = (0..<xc).map { _ in rng.uniform(-1, 1) }, w = (0..<wc).map { _ in rng.uniform(-1, 1) }
        let b = (0..<geo.outChannels).map { _ in rng.uniform(-1, 1) }, g = (0..<yc).map { _ in rng.uniform(-1, 1) }
        var (y, dx, dw) = ([Float](repeating: .nan, count: yc), [Float](repeating: .nan, count: xc), [Float](repeating: .nan, count: wc))
        var slow = [y, dx, dw]
        var accepted = false
        x.withUnsafeBufferPointer { px in
        w.withUnsafeBufferPointer { pw in
        b.withUnsafeBufferPointer { pb in
        g.withUnsafeBufferPointer { pg in
            let (x, w, b, g) = (px.baseAddress!, pw.baseAddress!, pb.baseAddress!, pg.baseAddress!)
            y.withUnsafeMutableBufferPointer { y in
            dx.withUnsafeMutableBufferPointer { dx in
            dw.withUnsafeMutableBufferPointer { dw in
                accepted = kernel(geo, x, w, b, g, y.baseAddress!, dx.baseAddress!, dw.baseAddress!)
            } } }
            slow[0].withUnsafeMutableBufferPointer { forward(geo, x: x, w: w, bias: b, y: $0.baseAddress!) }
            slow[1].withUnsafeMutableBufferPointer { backwardData(geo, w: w, g: g, dx: $0.baseAddress!) }
            slow[2].withUnsafeMutableBufferPointer { backwardWeights(geo, x: x, g: g, dw: $0.baseAddress!) }
        } } } }
        guard accepted else { return nil }
        let fast = [y, dx, dw]
        let terms = [geo.patch, geo.outChannels * geo.kernelHeight * geo.kernelWidth, geo.batch * geo.outPlane]
        var worst = 0.0
        for k in 0..<3 {
            let scale = Double(terms[k]).squareRoot()
            for (a, r) in zip(fast[k], slow[k]) {
                let e = abs(Double(a) - Double(r)) / scale
                if !(e <= worst) { worst = e.isNaN ? .infinity : e }
            }
        }
        return worst
    }
}
