// The Winograd seam: 5 × 5 stride-1 convolutions of 32 channels or more through Winograd's
// F(4 × 4, 5 × 5) (Sources/CIMDADKernels/winograd.c), which needs 4 multiplications per output and
// channel pair where the direct loops need 25. The CIFAR-10 LeNet's training step ran at 87 % of
// the two cores' FMA peak with oneDNN's direct kernels and still short of twice PyTorch's speed;
// only fewer multiplications could get there (experiments/speed/winograd.md).
//
// Checked against the naive loops on first use, like the BLAS and oneDNN seams; when the check
// fails, or the CPU lacks the fused multiply-adds of the engine's sgemm, `conv2d` goes on to
// oneDNN or im2col + sgemm and `Winograd.backend` (printed by `imdad info`) says why.
//
// Threads: like oneDNN, each call handles a chunk of samples (a function of the batch size) on one
// thread, and the chunks' ∂w are summed in chunk order: the same bits on any number of threads.

import CIMDADKernels

public enum Winograd: OwnConvolutionSeam {
    /// Error bound of the start-up check, per √(terms summed). Winograd's transforms scale terms by
    /// up to 16 × 16 before sums in which they cancel, so its rounding errors exceed the direct
    /// loops' (4e-6 to 6e-6 measured here against oneDNN's 9e-7); a wrong transform gives errors of
    /// order 1.
    static let tolerance = 1e-4

    /// Channels in and out a layer needs for this seam. With fewer the products over channels are
    /// too short to pay for the transforms: the Fashion-MNIST LeNet's 16 → 32 layer made its
    /// training step slower (16.7–21.7 ms against oneDNN's 13.6–13.9), the CIFAR-10 LeNet's
    /// 32 → 64 and 64 → 128 layers faster (experiments/speed/winograd.md).
    static let minimumChannels = 32

    /// Whether `geo` is a layer this seam is for: 5 × 5, stride 1, padding ≤ 4 (the ∂x
    /// convolution's padding is 4 − p), at least `minimumChannels` in and out.
    static func isFor(_ geo: Conv2DGeometry) -> Bool {
        geo.kernelHeight == 5 && geo.kernelWidth == 5 && geo.stride == 1 && geo.padding <= 4
            && Swift.min(geo.channels, geo.outChannels) >= minimumChannels && geo.outHeight > 0 && geo.outWidth > 0
    }

    public static let kernel = OwnConvolutionKernel(
        scope: "F(4×4, 5×5) for 5×5 stride-1 layers of ≥ \(minimumChannels) channels in and out",
        tolerance: tolerance,
        // Awkward geometries: channels that are not a multiple of 16, outputs that are not a
        // multiple of the 4 × 4 tile, every padding from 0 to 2, a batch that splits unevenly.
        checkGeometries: [
            Conv2DGeometry(batch: 3, channels: 33, height: 9, width: 7, outChannels: 35, kernel: 5, padding: 2),
            Conv2DGeometry(batch: 2, channels: 32, height: 11, width: 6, outChannels: 47, kernel: 5, padding: 1),
            Conv2DGeometry(batch: 2, channels: 40, height: 8, width: 10, outChannels: 32, kernel: 5, padding: 0),
        ],
        seed: 0x3140, accepts: isFor, forward: forward, backward: backward
    )

    /// The plan for F(4 × 4, 5 × 5).
    private static let plan: imdad_winograd_plan = {
        var p = imdad_winograd_plan()
        let status = imdad_winograd_plan_init(&p, 4, 5)
        precondition(status == 0, "F(4×4, 5×5) has α = 8 ≤ IMDAD_WINOGRAD_MAX_ALPHA")
        return p
    }()

    /// y ← conv(x, w) + b for the whole batch of a layer `isFor` accepts.
    private static func forward(
        _ geo: Conv2DGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
    ) {
        withPlan { plan in
            withFilter(plan, geo, w, flip: false) { u in
                geo.forEachKernelChunk { _, n0, nb in
                    imdad_winograd_forward(plan, nb, geo.channels, geo.height, geo.width, geo.padding,
                                           x + n0 * geo.inSample, geo.outChannels, u, bias, y + n0 * geo.outSample)
                }
            }
        }
    }

    /// ∂x (when `dx` is given) and ∂w (when `dw` is given, summed over chunks in chunk order) for
    /// the whole batch of a layer `isFor` accepts.
    private static func backward(
        _ geo: Conv2DGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, g: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?
    ) {
        withPlan { plan in
            // ∂x is the forward convolution of ∂Y (O channels, Ho × Wo, padding 4 − p) with every
            // kernel turned 180° and its channels swapped: its output is H × W again.
            withFilter(plan, geo, w, flip: true, needed: dx != nil) { uf in
                _ = geo.summingChunkWeights(into: dw) { slot in
                    geo.forEachKernelChunk { ci, n0, nb in
                        if let dx, let uf {
                            imdad_winograd_forward(plan, nb, geo.outChannels, geo.outHeight, geo.outWidth, 4 - geo.padding,
                                                   g + n0 * geo.outSample, geo.channels, uf, nil, dx + n0 * geo.inSample)
                        }
                        if let partial = slot(ci) {
                            imdad_winograd_backward_weights(plan, nb, geo.channels, geo.height, geo.width, geo.padding,
                                                            x + n0 * geo.inSample, geo.outChannels, g + n0 * geo.outSample,
                                                            partial)
                        }
                    }
                    return true
                }
            }
        }
    }

    // MARK: Pieces

    private static func withPlan<R>(_ body: (UnsafePointer<imdad_winograd_plan>) -> R) -> R {
        var p = plan
        return withUnsafePointer(to: &p) { body($0) }
    }

    /// `body` with the transformed filter of `w` for the forward (`flip` false) or ∂x convolution.
    private static func withFilter(
        _ plan: UnsafePointer<imdad_winograd_plan>, _ geo: Conv2DGeometry, _ w: UnsafePointer<Float>, flip: Bool,
        _ body: (UnsafePointer<Float>) -> Void
    ) {
        withFilter(plan, geo, w, flip: flip, needed: true) { body($0!) }
    }

    /// `body` with the transformed filter, or with nil when it is not `needed`.
    private static func withFilter(
        _ plan: UnsafePointer<imdad_winograd_plan>, _ geo: Conv2DGeometry, _ w: UnsafePointer<Float>, flip: Bool,
        needed: Bool, _ body: (UnsafePointer<Float>?) -> Void
    ) {
        guard needed else { return body(nil) }
        let (inC, outC) = flip ? (geo.outChannels, geo.channels) : (geo.channels, geo.outChannels)
        let u = UnsafeMutablePointer<Float>.allocate(capacity: imdad_winograd_filter_count(plan, inC, outC))
        defer { u.deallocate() }
        imdad_winograd_filter(plan, geo.outChannels, geo.channels, w, flip ? 1 : 0, u)
        body(u)
    }
}
