// The direct seam: stride-1 layers with at most 8 channels in and out (the MNIST LeNet's 1 → 8 and
// 8 → 4, its decoder's 4 → 8 and 8 → 1) through direct sums over 16 output columns at a time (Sources/CIMDADKernels/direct.c). There the products over channels are too
// short for oneDNN's 16-channel blocks and for im2col + sgemm (experiments/speed/direct.md).
//
// Switch and start-up check as for Winograd (OwnConvolution.swift). Each call handles a chunk of
// samples on one thread and the chunks' ∂w are summed in chunk order: the same bits on any number
// of threads.

import CIMDADKernels

public enum DirectConvolution: OwnConvolutionSeam {
    /// Error bound of the start-up check, per √(terms summed): direct sums in Float round like the
    /// naive loops' (a wrong kernel gives errors of order 1).
    static let tolerance = 1e-5

    /// The most channels in and out a layer may have for this seam: the MNIST LeNet's layers (1 → 8,
    /// 8 → 4) and its decoder's (4 → 8, 8 → 1). Its training step took 3.29–3.37 ms against oneDNN's
    /// 5.08–7.91; the Fashion-MNIST LeNet's 1 → 16 layer gained nothing measurable (13.96 against
    /// 13.73 ms) and stays with oneDNN (experiments/speed/direct.md).
    static let maximumChannels = 8

    /// Whether `geo` is a layer this seam is for: square kernels up to 7 × 7, stride 1, padding
    /// below the kernel size (the ∂x convolution's padding is r − 1 − p), at most
    /// `maximumChannels` in and out.
    static func isFor(_ geo: Conv2DGeometry) -> Bool {
        geo.kernelHeight == geo.kernelWidth && geo.kernelHeight <= 7 && geo.stride == 1 && geo.padding < geo.kernelHeight
            && Swift.max(geo.channels, geo.outChannels) <= maximumChannels && geo.outHeight > 0 && geo.outWidth > 0
    }

    public static let kernel = OwnConvolutionKernel(
        scope: "direct sums for stride-1 layers of ≤ \(maximumChannels) channels in and out",
        tolerance: tolerance,
        // Rows that are not a multiple of the 16-column vectors, 1 to 8 channels, 3 × 3 and 5 × 5
        // kernels, paddings 0–2.
        checkGeometries: [
            Conv2DGeometry(batch: 3, channels: 1, height: 9, width: 21, outChannels: 7, kernel: 5, padding: 2),
            Conv2DGeometry(batch: 2, channels: 4, height: 7, width: 5, outChannels: 8, kernel: 5, padding: 1),
            Conv2DGeometry(batch: 2, channels: 3, height: 6, width: 18, outChannels: 2, kernel: 3, padding: 0),
        ],
        seed: 0xD1EC, accepts: isFor, forward: forward, backward: backward
    )

    /// y ← conv(x, w) + b for the whole batch of a layer `isFor` accepts.
    private static func forward(
        _ geo: Conv2DGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
    ) {
        geo.forEachKernelChunk { _, n0, nb in
            imdad_direct_forward(nb, geo.channels, geo.height, geo.width, geo.kernelHeight, geo.padding,
                                 x + n0 * geo.inSample, geo.outChannels, w, bias, y + n0 * geo.outSample)
        }
    }

    /// ∂x (when `dx` is given) and ∂w (when `dw` is given, summed over chunks in chunk order) for
    /// the whole batch of a layer `isFor` accepts.
    private static func backward(
        _ geo: Conv2DGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, g: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?
    ) {
        let r = geo.kernelHeight
        // ∂x is the forward convolution of ∂Y (O channels, Ho × Wo, padding r − 1 − p) with every
        // kernel turned 180° and its channels swapped: its output is H × W again.
        let flipped = UnsafeMutablePointer<Float>.allocate(capacity: dx == nil ? 1 : geo.outChannels * geo.patch)
        defer { flipped.deallocate() }
        if dx != nil { imdad_direct_flip(geo.outChannels, geo.channels, r, w, flipped) }
        _ = geo.summingChunkWeights(into: dw) { slot in
            geo.forEachKernelChunk { ci, n0, nb in
                if let dx {
                    imdad_direct_forward(nb, geo.outChannels, geo.outHeight, geo.outWidth, r, r - 1 - geo.padding,
                                         g + n0 * geo.outSample, geo.channels, flipped, nil, dx + n0 * geo.inSample)
                }
                if let partial = slot(ci) {
                    imdad_direct_backward_weights(nb, geo.channels, geo.height, geo.width, r, geo.padding,
                                                  x + n0 * geo.inSample, geo.outChannels, g + n0 * geo.outSample, partial)
                }
            }
            return true
        }
    }
}
