// What the tests of the convolution seams (oneDNN, Winograd) share.
import XCTest

@testable import IMDADEngine

/// y, ∂x, ∂w, ∂b of `sum(conv2d(x, w, b) ⊙ gy)` through the tape.
func convolve(_ x: Tensor, _ w: Tensor, _ b: Tensor, _ gy: [Float], stride: Int, padding: Int)
    -> ([Float], [Float], [Float], [Float])
{
    let tape = Tape()
    return withExtendedLifetime(tape) {
        let xv = tape.variable(x), wv = tape.variable(w), bv = tape.variable(b)
        let y = xv.conv2d(weight: wv, bias: bv, stride: stride, padding: padding)
        let loss = (y * tape.constant(Tensor(shape: y.value.shape, scalars: gy))).sum()
        tape.backward(from: loss)
        return (y.value.scalars, tape.gradient(of: xv).scalars, tape.gradient(of: wv).scalars, tape.gradient(of: bv).scalars)
    }
}

/// Random x, w, b and output gradient for `geo`: values in [−1, 1], weights in ±`weightScale`.
func randomConvolutionData(_ geo: Conv2DGeometry, _ rng: inout RandomGenerator, weightScale: Float = 1)
    -> (x: Tensor, w: Tensor, b: Tensor, gy: [Float])
{
    let x = Tensor(shape: [geo.batch, geo.channels, geo.height, geo.width],
                   scalars: (0..<(geo.batch * geo.inSample)).map { _ in rng.uniform(-1, 1) })
    let w = Tensor(shape: [geo.outChannels, geo.channels, geo.kernelHeight, geo.kernelWidth],
                   scalars: (0..<(geo.outChannels * geo.patch)).map { _ in rng.uniform(-weightScale, weightScale) })
    let b = Tensor((0..<geo.outChannels).map { _ in rng.uniform(-1, 1) })
    let gy = (0..<(geo.batch * geo.outSample)).map { _ in rng.uniform(-1, 1) }
    return (x, w, b, gy)
}

/// The naive loops' y (with bias), ∂x and ∂w for `geo`, summed in Double.
func naiveConvolution(_ geo: Conv2DGeometry, _ x: Tensor, _ w: Tensor, _ b: Tensor, _ gy: [Float]) -> ([Float], [Float], [Float]) {
    var ry = [Float](repeating: 0, count: geo.batch * geo.outChannels * geo.outPlane)
    var rdx = [Float](repeating: 0, count: x.count), rdw = [Float](repeating: 0, count: w.count)
    x.scalars.withUnsafeBufferPointer { px in
    w.scalars.withUnsafeBufferPointer { pw in
    b.scalars.withUnsafeBufferPointer { pb in
    gy.withUnsafeBufferPointer { pg in
        ry.withUnsafeMutableBufferPointer {
            NaiveConvolution.forward(geo, x: px.baseAddress!, w: pw.baseAddress!, bias: pb.baseAddress!, y: $0.baseAddress!)
        }
        rdx.withUnsafeMutableBufferPointer {
            NaiveConvolution.backwardData(geo, w: pw.baseAddress!, g: pg.baseAddress!, dx: $0.baseAddress!)
        }
        rdw.withUnsafeMutableBufferPointer {
            NaiveConvolution.backwardWeights(geo, x: px.baseAddress!, g: pg.baseAddress!, dw: $0.baseAddress!)
        }
    } } } }
    return (ry, rdx, rdw)
}

/// Errors relative to √(terms in each sum), the scale of a sum of that many ±1 products, below
/// `tolerance`; and not all zeros.
func assertClose(_ a: [Float], _ b: [Float], terms: Int, tolerance: Double = 1e-5, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, what, file: file, line: line)
    let worst = zip(a, b).map { Double(abs($0 - $1)) }.max() ?? 0
    XCTAssertLessThan(worst / Double(terms).squareRoot(), tolerance, "\(what): max error \(worst)", file: file, line: line)
    XCTAssertTrue(a.contains { $0 != 0 }, "\(what) is all zeros", file: file, line: line)
}

/// conv2d through the tape against the naive loops summed in Double, forward (with bias), ∂x, ∂w
/// and ∂b, for each geometry (random data in [−1, 1]); `route` must hold for each (the kernel under
/// test takes it).
func assertConvolutionMatchesNaiveLoops(_ geometries: [Conv2DGeometry], seed: UInt64, tolerance: Double,
                                        route: (Conv2DGeometry) -> Bool, file: StaticString = #filePath, line: UInt = #line) {
    var rng = RandomGenerator(seed: seed)
    for geo in geometries {
        XCTAssertTrue(route(geo), "\(geo) does not go to the kernel under test", file: file, line: line)
        let (n, o) = (geo.batch, geo.outChannels)
        let (x, w, b, gy) = randomConvolutionData(geo, &rng)
        let (y, dx, dw, db) = convolve(x, w, b, gy, stride: geo.stride, padding: geo.padding)
        let (ry, rdx, rdw) = naiveConvolution(geo, x, w, b, gy)
        let name = "\(geo)"
        assertClose(y, ry, terms: geo.patch, tolerance: tolerance, name + " forward", file: file, line: line)
        assertClose(dx, rdx, terms: o * geo.kernelHeight * geo.kernelWidth, tolerance: tolerance, name + " ∂x", file: file, line: line)
        assertClose(dw, rdw, terms: n * geo.outPlane, tolerance: tolerance, name + " ∂w", file: file, line: line)
        var rdb = [Float](repeating: 0, count: o)
        for s in 0..<n { for oc in 0..<o { for q in 0..<geo.outPlane { rdb[oc] += gy[(s * o + oc) * geo.outPlane + q] } } }
        assertClose(db, rdb, terms: n * geo.outPlane, name + " ∂b", file: file, line: line)
    }
}

/// The same convolution (random data of `geo`) on one and on two threads, and twice on two:
/// identical to the bit. Restores the thread count.
func assertConvolutionBitIdenticalOnOneAndTwoThreads(_ geo: Conv2DGeometry, seed: UInt64,
                                                     file: StaticString = #filePath, line: UInt = #line) {
    var rng = RandomGenerator(seed: seed)
    let before = BLAS.threadCount
    defer { BLAS.setThreadCount(before) }
    let (x, w, b, gy) = randomConvolutionData(geo, &rng, weightScale: 0.2)
    func run(_ threads: Int) -> [[UInt32]] {
        BLAS.setThreadCount(threads)
        let r = convolve(x, w, b, gy, stride: geo.stride, padding: geo.padding)
        return [r.0, r.1, r.2, r.3].map { $0.map(\.bitPattern) }
    }
    let one = run(1), two = run(2), again = run(2)
    for (i, name) in ["y", "∂x", "∂w", "∂b"].enumerated() {
        XCTAssertEqual(one[i], two[i], "\(name) differs between 1 and 2 threads", file: file, line: line)
        XCTAssertEqual(two[i], again[i], "\(name) differs between two runs", file: file, line: line)
    }
}

/// conv2d of random data of `geo` (weights in ±0.2) with the kernel under test, then with it
/// switched off (`off`, undone by `on`): y, ∂x and ∂w agree within `tolerance` per √(terms
/// summed), and some of them differ in their bits (so the kernel under test was in use).
func assertDiffersFromTheFallbackOnlyByRounding(_ geo: Conv2DGeometry, seed: UInt64, tolerance: Double,
                                                 off: () -> Void, on: () -> Void,
                                                 file: StaticString = #filePath, line: UInt = #line) {
    var rng = RandomGenerator(seed: seed)
    let (x, w, b, gy) = randomConvolutionData(geo, &rng, weightScale: 0.2)
    let fast = convolve(x, w, b, gy, stride: geo.stride, padding: geo.padding)
    off()
    let other = convolve(x, w, b, gy, stride: geo.stride, padding: geo.padding)
    on()
    assertClose(fast.0, other.0, terms: geo.patch, tolerance: tolerance, "forward", file: file, line: line)
    assertClose(fast.1, other.1, terms: geo.outChannels * geo.kernelHeight * geo.kernelWidth, tolerance: tolerance, "∂x",
                file: file, line: line)
    assertClose(fast.2, other.2, terms: geo.batch * geo.outPlane, tolerance: tolerance, "∂w", file: file, line: line)
    let bits = { (r: ([Float], [Float], [Float], [Float])) in [r.0, r.1, r.2].map { $0.map(\.bitPattern) } }
    XCTAssertNotEqual(bits(fast), bits(other), "the kernel under test was not used", file: file, line: line)
}
