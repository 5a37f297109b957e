// The oneDNN convolution seam: loaded and verified where libdnnl is installed, equal to the naive
// loops forward and backward through `conv2d`, and identical to the bit on one and two threads.
import Foundation
import XCTest

@testable import IMDADEngine

final class OneDNNTests: XCTestCase {
    private var threadsBefore = 1

    override func setUpWithError() throws {
        try super.setUpWithError()
        threadsBefore = BLAS.threadCount
        try XCTSkipUnless(
            FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/libdnnl.so.2")
                || FileManager.default.fileExists(atPath: "/usr/lib/aarch64-linux-gnu/libdnnl.so.2"),
            "oneDNN (libdnnl2) is not installed: conv2d uses im2col + sgemm")
        OneDNN.setEnabled(true)
        // These tests are about oneDNN's kernels.
        Winograd.setEnabled(false)
        DirectConvolution.setEnabled(false)
    }

    override func tearDown() {
        Winograd.setEnabled(Winograd.onByDefault)
        DirectConvolution.setEnabled(DirectConvolution.onByDefault)
        OneDNN.setEnabled(
            OneDNN.onByDefault && ProcessInfo.processInfo.environment["IMDAD_CONVOLUTION"] != "im2col"
                || ProcessInfo.processInfo.environment["IMDAD_CONVOLUTION"] == "onednn")
        BLAS.setThreadCount(threadsBefore)
        super.tearDown()
    }

    /// Where the library is installed it loads, passes its start-up check and is in use once
    /// switched on; `imdad info`'s line names the kernel oneDNN chose.
    func testLoadsAndPassesTheStartUpCheck() {
        let b = OneDNN.backend
        XCTAssertTrue(b.active, "\(b)")
        XCTAssertNil(b.fallbackReason, "\(b)")
        XCTAssertTrue(b.library.hasPrefix("oneDNN 2."), b.library)
        XCTAssertLessThan(b.verificationError, 1e-4)
        XCTAssertNotEqual(b.implementation, "unknown")
        XCTAssertTrue(b.description.contains(b.implementation), b.description)
    }

    /// conv2d through oneDNN against the definition summed in Double, forward (with bias) and both
    /// gradients, over the encoders' layer shapes (1, 3 and 16 input channels, 5×5, padding 2), a
    /// stride-2 and an unpadded 3×2 kernel, with batches that split into unequal chunks.
    func testConvolutionMatchesTheNaiveLoopsForwardAndBackward() {
        let geometries = [
            (37, 1, 28, 28, 8, 5, 5, 1, 2), (9, 16, 14, 14, 32, 5, 5, 1, 2), (5, 3, 32, 32, 32, 5, 5, 1, 2),
            (2, 64, 8, 8, 128, 5, 5, 1, 2), (6, 5, 9, 7, 6, 3, 3, 2, 1), (3, 2, 6, 5, 4, 3, 2, 1, 0),
        ].map { n, c, h, w, o, kh, kw, s, p in
            Conv2DGeometry(batch: n, channels: c, height: h, width: w, outChannels: o, kernelHeight: kh, kernelWidth: kw,
                           stride: s, padding: p)
        }
        assertConvolutionMatchesNaiveLoops(geometries, seed: 27, tolerance: 1e-5) { _ in OneDNN.backend.active }
    }

    /// The same convolution on one and on two threads, and twice on two: identical to the bit
    /// (the chunks are a function of the batch size, and their ∂w are summed in chunk order).
    func testBitIdenticalOnOneAndTwoThreadsAndFromRunToRun() {
        assertConvolutionBitIdenticalOnOneAndTwoThreads(
            Conv2DGeometry(batch: 37, channels: 16, height: 14, width: 14, outChannels: 32, kernel: 5, padding: 2), seed: 28)
    }

    /// oneDNN and im2col + sgemm give the same numbers up to rounding (they sum in other orders).
    func testAgreesWithTheIm2colPath() {
        // Which output differs in its last bits depends on the kernels: with the engine's own
        // sgemm, ∂w sums in oneDNN's order and agrees to the bit.
        assertDiffersFromTheFallbackOnlyByRounding(
            Conv2DGeometry(batch: 13, channels: 16, height: 14, width: 14, outChannels: 32, kernel: 5, padding: 2), seed: 29, tolerance: 1e-5,
            off: { OneDNN.setEnabled(false); XCTAssertFalse(OneDNN.backend.active) }, on: { OneDNN.setEnabled(true) })
    }
}
