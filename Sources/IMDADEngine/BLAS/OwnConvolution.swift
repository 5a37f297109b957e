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

/// One of the engine's own convolution kernels: its switch and its start-up check.
final class OwnConvolutionKernel: @unchecked Sendable {
    let scope: String
    /// Error bound of the start-up check, per √(terms summed).
    let tolerance: Double
    private let accepts: (Conv2DGeometry) -> Bool
    private let compute: ConvolutionKernel
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

    /// `accepts`: the layers the kernel is for; `compute`: its three products, whatever the switch
    /// says; `checkGeometries` (each accepted) and `seed`: the start-up check's data.
    init(scope: String, tolerance: Double, checkGeometries: [Conv2DGeometry], seed: UInt64,
         accepts: @escaping (Conv2DGeometry) -> Bool, compute: @escaping ConvolutionKernel) {
        self.scope = scope
        self.tolerance = tolerance
        self.checkGeometries = checkGeometries
        self.seed = seed
        self.accepts = accepts
        self.compute = compute
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
                    worst = Swift.max(worst, NaiveConvolution.checkError(geo, seed: seed + UInt64(i), compute) ?? .infinity)
                }
                result = (worst, worst < tolerance ? nil : "failed the numerical check (max error \(worst)); "
                          + "convolutions use oneDNN or im2col + sgemm")
            }
            checked = result
            return result
        }
    }
}
