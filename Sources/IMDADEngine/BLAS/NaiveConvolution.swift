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
