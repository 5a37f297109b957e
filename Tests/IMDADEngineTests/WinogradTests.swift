// The Winograd seam: its matrices satisfy the minimal-filtering identity, conv2d through it equals
// the naive loops forward and backward and passes a finite-difference check, it is identical to the
// bit on one and two threads, and it takes only the layers it is meant for.
import CIMDADKernels
import XCTest

@testable import IMDADEngine

final class WinogradTests: XCTestCase {
    private var threadsBefore = 1

    override func setUpWithError() throws {
        try super.setUpWithError()
        threadsBefore = BLAS.threadCount
        try XCTSkipUnless(imdad_sgemm_isa() > 0, "the Winograd kernels need the engine's sgemm (x86-64 Linux with FMA)")
        Winograd.setEnabled(true)
    }

    override func tearDown() {
        Winograd.setEnabled(Winograd.onByDefault)
        BLAS.setThreadCount(threadsBefore)
        super.tearDown()
    }

    /// On an x86-64 CPU with FMA the kernels pass their start-up check and are in use; `imdad
    /// info`'s line says which layers they take.
    func testPassesTheStartUpCheck() {
        let b = Winograd.backend
        XCTAssertTrue(b.active, "\(b)")
        XCTAssertNil(b.fallbackReason, "\(b)")
        XCTAssertLessThan(b.verificationError, Winograd.tolerance)
        XCTAssertGreaterThan(b.verificationError, 0, "the check compared nothing")
        XCTAssertTrue(b.description.contains("F(4×4, 5×5)"), b.description)
        Winograd.setEnabled(false)
        XCTAssertFalse(Winograd.backend.active)
        XCTAssertNotNil(Winograd.backend.fallbackReason)
    }

    /// One dimension of the plan, in Double: Aᵀ[(G g) ⊙ (Bᵀ d)] is the correlation
    /// y_i = Σ_k g_k d_{i+k} of 8 inputs with 5 taps, for random g and d. Plans outside the
    /// matrices' room are refused.
    func testMatricesComputeTheCorrelation() {
        var plan = imdad_winograd_plan()
        XCTAssertEqual(imdad_winograd_plan_init(&plan, 4, 5), 0)
        XCTAssertEqual(plan.alpha, 8)
        let at = withUnsafeBytes(of: plan.at) { Array($0.bindMemory(to: Float.self)) }
        let g = withUnsafeBytes(of: plan.g) { Array($0.bindMemory(to: Float.self)) }
        let bt = withUnsafeBytes(of: plan.bt) { Array($0.bindMemory(to: Float.self)) }
        var rng = RandomGenerator(seed: 41)
        for _ in 0..<5 {
            let taps = (0..<5).map { _ in Double(rng.uniform(-1, 1)) }, d = (0..<8).map { _ in Double(rng.uniform(-1, 1)) }
            let gt = (0..<8).map { i in (0..<5).reduce(0.0) { $0 + Double(g[i * 5 + $1]) * taps[$1] } }
            let dt = (0..<8).map { i in (0..<8).reduce(0.0) { $0 + Double(bt[i * 8 + $1]) * d[$1] } }
            for i in 0..<4 {
                let fast = (0..<8).reduce(0.0) { $0 + Double(at[i * 8 + $1]) * gt[$1] * dt[$1] }
                let exact = (0..<5).reduce(0.0) { $0 + taps[$1] * d[i + $1] }
                XCTAssertEqual(fast, exact, accuracy: 1e-5, "output \(i)")
            }
        }
        XCTAssertEqual(imdad_winograd_plan_init(&plan, 8, 5), -1, "α = 12 exceeds the matrices' room")
        XCTAssertEqual(imdad_winograd_plan_init(&plan, 0, 5), -1)
    }

    /// conv2d through the seam against the definition summed in Double, forward (with bias) and both
    /// gradients: the CIFAR-10 LeNet's layers, channel counts that are not multiples of 16, outputs
    /// that are not multiples of the 4 × 4 tile, every padding from 0 to 4, and batches that split
    /// into unequal chunks.
    func testConvolutionMatchesTheNaiveLoopsForwardAndBackward() {
        let geometries = [(9, 32, 16, 16, 64, 2), (3, 64, 8, 8, 128, 2), (5, 33, 7, 9, 40, 2), (2, 48, 6, 5, 32, 0),
                          (2, 32, 5, 7, 35, 1), (3, 35, 9, 6, 32, 3), (2, 32, 4, 4, 32, 4)].map { n, c, h, w, o, p in
            Conv2DGeometry(batch: n, channels: c, height: h, width: w, outChannels: o, kernel: 5, padding: p)
        }
        assertConvolutionMatchesNaiveLoops(geometries, seed: 42, tolerance: Winograd.tolerance, route: Winograd.isFor)
    }

    /// The tape's gradients through the seam against finite differences. The convolution is linear
    /// in x and in w, so central differences are exact for any step; a step of 0.25 keeps the
    /// transforms' rounding (about 1e-5 of an output) from swamping the difference quotient, as it
    /// does at the default 0.01.
    func testGradientsMatchFiniteDifferences() {
        var rng = RandomGenerator(seed: 43)
        let x = randomTensor([2, 32, 6, 5], &rng), w = randomTensor([32, 32, 5, 5], &rng, scale: 0.05)
        let b = randomTensor([32], &rng)
        XCTAssertTrue(Winograd.isFor(Conv2DGeometry(batch: 2, channels: 32, height: 6, width: 5, outChannels: 32,
                                                    kernel: 5, padding: 2)))
        checkGradients([x, w, b], h: 0.25) { $0[0].conv2d(weight: $0[1], bias: $0[2], stride: 1, padding: 2) }
    }

    /// The same convolution on one and on two threads, and twice on two: identical to the bit.
    func testBitIdenticalOnOneAndTwoThreadsAndFromRunToRun() {
        assertConvolutionBitIdenticalOnOneAndTwoThreads(
            Conv2DGeometry(batch: 37, channels: 32, height: 16, width: 16, outChannels: 64, kernel: 5, padding: 2), seed: 44)
    }

    /// Switched off, the same layer goes to the other kernels: close, but not the same bits (so the
    /// seam was in use).
    func testDiffersFromTheOtherKernelsOnlyByRounding() {
        assertDiffersFromTheFallbackOnlyByRounding(
            Conv2DGeometry(batch: 13, channels: 32, height: 16, width: 16, outChannels: 64, kernel: 5, padding: 2), seed: 45, tolerance: Winograd.tolerance,
            off: { Winograd.setEnabled(false) }, on: { Winograd.setEnabled(true) })
    }

    /// Only 5 × 5 stride-1 layers with at least 32 channels in and out: not the first layers of the
    /// LeNets (1 or 3 channels), not the Fashion-MNIST LeNet's 16 → 32 layer (slower there), not
    /// strided or 3 × 3 layers, not a padding past 4.
    func testTakesOnlyTheLayersItIsFasterOn() {
        func geo(_ c: Int, _ o: Int, k: Int = 5, s: Int = 1, p: Int = 2) -> Conv2DGeometry {
            Conv2DGeometry(batch: 4, channels: c, height: 16, width: 16, outChannels: o, kernel: k, stride: s, padding: p)
        }
        XCTAssertTrue(Winograd.isFor(geo(32, 64)))
        XCTAssertTrue(Winograd.isFor(geo(64, 128)))
        XCTAssertFalse(Winograd.isFor(geo(3, 32)))
        XCTAssertFalse(Winograd.isFor(geo(16, 32)))
        XCTAssertFalse(Winograd.isFor(geo(64, 16)))
        XCTAssertFalse(Winograd.isFor(geo(32, 64, s: 2)))
        XCTAssertFalse(Winograd.isFor(geo(32, 64, k: 3, p: 1)))
        XCTAssertFalse(Winograd.isFor(geo(32, 64, p: 5)))
    }
}
