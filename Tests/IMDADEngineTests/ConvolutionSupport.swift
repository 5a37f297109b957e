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
