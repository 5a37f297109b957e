// What the engine's own convolution kernels (Winograd.swift, DirectConvolution.swift) share: the
// switch (on unless `IMDAD_CONVOLUTION` is `onednn` or `im2col`), the check against the naive loops
// on first use, and the line `imdad info` prints. `conv2d` asks them in turn before oneDNN and
// im2col + sgemm; each takes only the layers it was measured to be faster on.

import CIMDADKernels

#if canImport(Glibc)
import Glibc
#endif

/// What `imdad info` says about one of the engine's own convolution kernels.
public struct ConvolutionKernelStatus: Sendable, CustomStringConvertible {
    /// The layers the kernel takes.
    public var scope: String
    /// Verified and switched on.
    public var active: Bool
    /// Largest error of the start-up check against the naive loops (per √(terms summed)).
    public var verificationError: Double
    /// Why the kernel is not in use, when it is not.
    public var fallbackReason: String?

    public var description: String {
        if active { return "\(scope), verified against the naive loops (max error \(verificationError))" }
        return "off (\(fallbackReason ?? "switched off"))"
    }
}

/// A seam of one of the engine's own convolution kernels (`Winograd`, `DirectConvolution`): what it
/// shows and lets switch.
public protocol OwnConvolutionSeam {
    /// The kernel behind the seam.
    static var kernel: OwnConvolutionKernel { get }
}

extension OwnConvolutionSeam {
    /// The kernel's state, verified on first use (`imdad info`).
    public static var backend: ConvolutionKernelStatus { kernel.status }

    /// Switches the kernel on or off for the whole process (the tests and benchmarks compare it with
    /// oneDNN's); switching on has no effect when its check failed.
    public static func setEnabled(_ on: Bool) { kernel.setEnabled(on) }

    /// Whether it runs by default: unless `IMDAD_CONVOLUTION` is `onednn` or `im2col`.
    public static var onByDefault: Bool { OwnConvolutionKernel.onByDefault }
}

/// One of the engine's own convolution kernels: its products, its switch and its start-up check.
public final class OwnConvolutionKernel: @unchecked Sendable {
    /// y ← conv(x, w) (+ bias) for the whole batch.
    typealias Forward = (
        _ geo: Conv2DGeometry, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
        _ y: UnsafeMutablePointer<Float>
    ) -> Void
    /// ∂x when `dx` is given, ∂w when `dw` is given (summed over the batch), for the whole batch.
    typealias Backward = (
        _ geo: Conv2DGeometry, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
        _ dx: UnsafeMutablePointer<Float>?, _ dw: UnsafeMutablePointer<Float>?
    ) -> Void

    /// The kernels `conv2d` asks, in order, before oneDNN (built once: every convolution consults it).
    static let inOrder: [OwnConvolutionKernel] = [Winograd.kernel, DirectConvolution.kernel]

    /// The first kernel that takes `geo` computes y; false when none does.
    static func forward(
        _ geo: Conv2DGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>
    ) -> Bool {
        guard let k = inOrder.first(where: { $0.takes(geo) }) else { return false }
        k.forwardBody(geo, x, w, bias, y)
        return true
    }

    /// The first kernel that takes `geo` computes ∂x and ∂w; false when none does.
    static func backward(
        _ geo: Conv2DGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, g: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?
    ) -> Bool {
        guard let k = inOrder.first(where: { $0.takes(geo) }) else { return false }
        k.backwardBody(geo, x, w, g, dx, dw)
        return true
    }

    let scope: String
    /// Error bound of the start-up check, per √(terms summed).
    let tolerance: Double
    private let accepts: (Conv2DGeometry) -> Bool
    private let forwardBody: Forward
    private let backwardBody: Backward
    private let checkGeometries: [Conv2DGeometry]
    private let seed: UInt64
    private let lock = Lock()
    private var enabled: Bool
    private var checked: (error: Double, reason: String?)? = nil

    /// On by default unless `IMDAD_CONVOLUTION` is `onednn` or `im2col`.
    static let onByDefault: Bool = {
        switch getenv("IMDAD_CONVOLUTION").map({ String(cString: $0) }) {
        case "onednn"?, "im2col"?: return false
        default: return true
        }
    }()

    /// `accepts`: the layers the kernel is for; `forward`, `backward`: its products (for those
    /// layers, whatever the switch says); `checkGeometries` (each accepted) and `seed`: the start-up
    /// check's data.
    init(scope: String, tolerance: Double, checkGeometries: [Conv2DGeometry], seed: UInt64,
         accepts: @escaping (Conv2DGeometry) -> Bool, forward: @escaping Forward, backward: @escaping Backward) {
        self.scope = scope
        self.tolerance = tolerance
        self.checkGeometries = checkGeometries
        self.seed = seed
        self.accepts = accepts
        forwardBody = forward
        backwardBody = backward
        enabled = Self.onByDefault
    }

    func setEnabled(_ on: Bool) { lock.withLock { enabled = on } }

    /// Whether `conv2d` should send `geo` here: a layer the kernel is for, switched on and verified.
    func takes(_ geo: Conv2DGeometry) -> Bool { accepts(geo) && isActive }

    /// Whether `geo` is a layer the kernel is for, switch and check aside.
    func isFor(_ geo: Conv2DGeometry) -> Bool { accepts(geo) }

    var isActive: Bool { lock.withLock { enabled } && check().reason == nil }

    var status: ConvolutionKernelStatus {
        let (error, reason) = check()
        let on = lock.withLock { enabled }
        var s = ConvolutionKernelStatus(scope: scope, active: on && reason == nil, verificationError: error,
                                        fallbackReason: reason)
        if reason == nil && !on {
            let v = getenv("IMDAD_CONVOLUTION").map { String(cString: $0) }
            s.fallbackReason = v == "onednn" || v == "im2col" ? "IMDAD_CONVOLUTION=\(v!)" : "switched off by the program"
        }
        return s
    }

    /// The check, run once: every check geometry against the naive loops.
    private func check() -> (error: Double, reason: String?) {
        lock.withLock {
            if let checked { return checked }
            let result: (Double, String?)
            if imdad_sgemm_isa() <= 0 {
                result = (0, "needs AVX2 with FMA or AVX-512 on x86-64 Linux (the engine's own kernels)")
            } else {
                var worst = 0.0
                for (i, geo) in checkGeometries.enumerated() {
                    let error = NaiveConvolution.checkError(geo, seed: seed + UInt64(i)) { geo, x, w, b, g, y, dx, dw in
                        forwardBody(geo, x, w, b, y)
                        backwardBody(geo, x, w, g, dx, dw)
                        return true
                    }
                    worst = Swift.max(worst, error ?? .infinity)
                }
                result = (worst, worst < tolerance ? nil : "failed the numerical check (max error \(worst)); "
                          + "convolutions use oneDNN or im2col + sgemm")
            }
            checked = result
            return result
        }
    }
}
