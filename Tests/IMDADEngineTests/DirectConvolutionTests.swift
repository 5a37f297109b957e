// The direct seam for layers with few channels: conv2d through it equals the naive loops forward
// and backward and passes a finite-difference check, it is identical to the bit on one and two
// threads, and it takes only the layers it is meant for.
import CIMDADKernels
import XCTest

@testable import IMDADEngine

final class DirectConvolutionTests: XCTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try XCTSkipUnless(imdad_sgemm_isa() > 0, "the engine's own kernels need x86-64 Linux with FMA")
        DirectConvolution.setEnabled(true)
    }

    override func tearDown() {
        DirectConvolution.setEnabled(DirectConvolution.onByDefault)
        super.tearDown()
    }

    /// It passes its start-up check and says which layers it takes; switched off, it says so.
    func testPassesTheStartUpCheck() {
        let b = DirectConvolution.backend
        XCTAssertTrue(b.active, "\(b)")
        XCTAssertLessThan(b.verificationError, DirectConvolution.tolerance)
        XCTAssertGreaterThan(b.verificationError, 0, "the check compared nothing")
        XCTAssertTrue(b.description.contains("≤ 8 channels"), b.description)
        DirectConvolution.setEnabled(false)
        XCTAssertFalse(DirectConvolution.backend.active)
        XCTAssertNotNil(DirectConvolution.backend.fallbackReason)
    }

    /// Against the naive loops: the MNIST LeNet's layers and its decoder's, rows shorter and longer
    /// than the 16-column vectors, 3 × 3, 5 × 5 and 7 × 7 kernels, paddings 0 to r − 1.
    func testConvolutionMatchesTheNaiveLoopsForwardAndBackward() {
        let geometries = [
            (37, 1, 28, 28, 8, 5, 2), (9, 8, 14, 14, 4, 5, 2), (5, 4, 14, 14, 8, 5, 2), (3, 8, 28, 28, 1, 5, 2),
            (2, 3, 9, 21, 7, 5, 1), (2, 2, 6, 5, 3, 3, 0), (3, 5, 11, 35, 2, 3, 2), (2, 1, 8, 9, 2, 7, 3),
            (2, 2, 6, 6, 2, 5, 4),
        ].map { n, c, h, w, o, r, p in
            Conv2DGeometry(batch: n, channels: c, height: h, width: w, outChannels: o, kernelHeight: r, kernelWidth: r,
                           stride: 1, padding: p)
        }
        assertConvolutionMatchesNaiveLoops(geometries, seed: 51, tolerance: DirectConvolution.tolerance,
                                           route: DirectConvolution.isFor)
    }

    /// The tape's gradients through the seam against finite differences.
    func testGradientsMatchFiniteDifferences() {
        var rng = RandomGenerator(seed: 52)
        let x = randomTensor([2, 4, 7, 18], &rng), w = randomTensor([3, 4, 5, 5], &rng, scale: 0.3)
        let b = randomTensor([3], &rng)
        XCTAssertTrue(DirectConvolution.isFor(Conv2DGeometry(batch: 2, channels: 4, height: 7, width: 18, outChannels: 3,
                                                             kernel: 5, padding: 2)))
        checkGradients([x, w, b]) { $0[0].conv2d(weight: $0[1], bias: $0[2], stride: 1, padding: 2) }
    }

    func testBitIdenticalOnOneAndTwoThreadsAndFromRunToRun() {
        assertConvolutionBitIdenticalOnOneAndTwoThreads(
            Conv2DGeometry(batch: 37, channels: 8, height: 14, width: 14, outChannels: 4, kernel: 5, padding: 2), seed: 53)
    }

    /// Switched off, the MNIST LeNet's second layer goes to oneDNN or im2col: close, not the same
    /// bits (so the seam was in use).
    func testDiffersFromTheOtherKernelsOnlyByRounding() {
        assertDiffersFromTheFallbackOnlyByRounding(
            Conv2DGeometry(batch: 13, channels: 8, height: 14, width: 14, outChannels: 4, kernel: 5, padding: 2), seed: 54, tolerance: 1e-5,
            off: { DirectConvolution.setEnabled(false) }, on: { DirectConvolution.setEnabled(true) })
    }

    /// Only stride-1 square kernels up to 7 × 7 with at most 8 channels in and out: the MNIST
    /// LeNet's layers, not the Fashion-MNIST LeNet's 1 → 16 or the CIFAR-10 LeNet's 3 → 32.
    func testTakesOnlyTheLayersItIsMeantFor() {
        func geo(_ c: Int, _ o: Int, k: Int = 5, s: Int = 1, p: Int = 2) -> Conv2DGeometry {
            Conv2DGeometry(batch: 4, channels: c, height: 14, width: 14, outChannels: o, kernel: k, stride: s, padding: p)
        }
        XCTAssertTrue(DirectConvolution.isFor(geo(1, 8)))
        XCTAssertTrue(DirectConvolution.isFor(geo(8, 4)))
        XCTAssertTrue(DirectConvolution.isFor(geo(8, 1)))
        XCTAssertFalse(DirectConvolution.isFor(geo(1, 16)))
        XCTAssertFalse(DirectConvolution.isFor(geo(3, 32)))
        XCTAssertFalse(DirectConvolution.isFor(geo(4, 4, s: 2)))
        XCTAssertFalse(DirectConvolution.isFor(geo(4, 4, k: 9, p: 4)))
        XCTAssertFalse(DirectConvolution.isFor(geo(4, 4, p: 5)))
        XCTAssertFalse(DirectConvolution.isFor(Conv2DGeometry(batch: 1, channels: 2, height: 4, width: 4, outChannels: 2,
                                                              kernelHeight: 3, kernelWidth: 5, stride: 1, padding: 1)))
    }
}
