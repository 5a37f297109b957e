// Loops over contiguous floats for the ops' hot paths. Measured: batch norm's normalization,
// written as a loop over the buffers its closures capture, compiled to one scalar subtract,
// multiply and store per element; the same loop over raw pointers in a small inlined function
// is vectorized.

import CIMDADKernels

/// The loops written in C (`Sources/CIMDADKernels`): Adam's update and batch normalization over rows.
public enum ElementwiseKernels {
    /// The instruction set of the C loops' version chosen at load time from the CPU: "avx512f",
    /// "avx2" or "baseline" (every version gives the same results to the bit).
    public static var instructionSet: String { String(cString: imdad_kernels_isa()) }

    public static var description: String {
        "C loops (Adam, batch norm over rows), \(instructionSet) version chosen from the CPU"
    }
}

/// Σ f(pᵢ) over `count` floats, in 8 SIMD lanes.
@inline(__always)
func simdSum(_ p: UnsafePointer<Float>, count: Int, _ f: (SIMD8<Float>) -> SIMD8<Float>) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= count {
        acc += f(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
        i += 8
    }
    var tail = SIMD8<Float>()
    for j in 0..<(count - i) { tail[j] = p[i + j] }
    let ft = f(tail)
    var total = acc.sum()
    for j in 0..<(count - i) { total += ft[j] }
    return total
}

/// Σ aᵢ·bᵢ over `count` floats, in 8 SIMD lanes.
@inline(__always)
func simdDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= count {
        acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var total = acc.sum()
    while i < count { total += a[i] * b[i]; i += 1 }
    return total
}

/// `dst[i] = f(a[i])` for `i` in `0..<count` (`dst` may be `a`). A plain loop over raw pointers,
/// which the optimizer vectorizes (the same loop over buffers captured by the ops' closures it did
/// not); in debug builds it stays a cheap scalar loop.
@inline(__always)
func mapElements(_ count: Int, into dst: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ f: (Float) -> Float) {
    for i in 0..<count { dst[i] = f(a[i]) }
}

/// `dst[i] = f(a[i], b[i])` for `i` in `0..<count` (`dst` may be `a` or `b`).
@inline(__always)
func mapElements(_ count: Int, into dst: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
             _ f: (Float, Float) -> Float) {
    for i in 0..<count { dst[i] = f(a[i], b[i]) }
}
