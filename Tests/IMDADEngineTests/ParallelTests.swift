// The engine's parallel loops: every index once, and results independent of the thread count.
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XCTest
@testable import IMDADEngine

final class ParallelTests: XCTestCase {
    private var threadsBefore = 1

    override func setUp() {
        super.setUp()
        threadsBefore = BLAS.threadCount
    }

    override func tearDown() {
        BLAS.setThreadCount(threadsBefore)
        super.tearDown()
    }

    func testForEachVisitsEveryIndexOnce() {
        BLAS.setThreadCount(2)
        for count in [0, 1, 2, 3, 17, 1000] {
            var hits = [Int](repeating: 0, count: count)
            hits.withUnsafeMutableBufferPointer { h in Parallel.forEach(count) { h[$0] += 1 } }
            XCTAssertEqual(hits, [Int](repeating: 1, count: count), "count \(count)")
        }
        var covered = [Int](repeating: 0, count: 103)
        covered.withUnsafeMutableBufferPointer { c in
            Parallel.forRanges(103, pieces: 8) { r in for i in r { c[i] += 1 } }
        }
        XCTAssertEqual(covered, [Int](repeating: 1, count: 103))
    }

    /// A loop inside another loop's body runs inline on that body's thread (the outer loop holds
    /// the thread budget), and still visits every index once.
    func testNestedLoopRunsOnItsCallersThread() {
        BLAS.setThreadCount(2)
        let outer = 6, inner = 50
        var hits = [Int](repeating: 0, count: outer * inner)
        var sameThread = [Bool](repeating: true, count: outer)
        hits.withUnsafeMutableBufferPointer { h in
            sameThread.withUnsafeMutableBufferPointer { same in
                Parallel.forEach(outer) { i in
                    let caller = pthread_self()
                    Parallel.forEach(inner) { j in
                        h[i * inner + j] += 1
                        if pthread_equal(pthread_self(), caller) == 0 { same[i] = false }
                    }
                }
            }
        }
        XCTAssertEqual(hits, [Int](repeating: 1, count: outer * inner))
        XCTAssertEqual(sameThread, [Bool](repeating: true, count: outer))
        // After the loops, a loop on this thread may use every thread again: the flag was cleared.
        var top = [Int](repeating: 0, count: 64)
        top.withUnsafeMutableBufferPointer { t in Parallel.forEach(64) { t[$0] += 1 } }
        XCTAssertEqual(top, [Int](repeating: 1, count: 64))
    }

    /// A held-up worker does not hold up the rest of the loop: the other worker takes every
    /// remaining index. Index 0 waits (at most 10 s) until every other index has run; with a fixed
    /// split of the indices between the two workers, half of them would wait behind index 0.
    func testAFreeWorkerTakesTheRemainingIndices() throws {
        try XCTSkipIf(ProcessInfo.processInfo.activeProcessorCount < 2, "needs two cores to run two workers at once")
        BLAS.setThreadCount(2)
        let count = 20
        let ran = DispatchSemaphore(value: 0)
        var othersRanFirst = false
        withUnsafeMutablePointer(to: &othersRanFirst) { flag in
            Parallel.forEach(count) { i in
                guard i == 0 else { ran.signal(); return }
                let deadline = DispatchTime.now() + 10
                flag.pointee = (1..<count).allSatisfy { _ in ran.wait(timeout: deadline) == .success }
            }
        }
        XCTAssertTrue(othersRanFirst, "indices 1..<\(count) waited for index 0's worker")
    }

    /// A LeNet block (conv → batch norm → LeakyReLU → pool → linear) forward and backward, on one
    /// and on two threads: outputs and every gradient must be identical to the bit, because the
    /// work is split by the data's shape and never by the number of threads.
    func testConvolutionBlockIsBitIdenticalOnOneAndTwoThreads() {
        var rng = RandomGenerator(seed: 5)
        // Large enough that batch norm, LeakyReLU and pooling take their parallel paths (≥ 2¹⁷ values).
        let x = Tensor(shape: [37, 3, 16, 16], scalars: (0..<(37 * 3 * 256)).map { _ in rng.uniform(-1, 1) })
        let w1 = Tensor(shape: [16, 3, 5, 5], scalars: (0..<(16 * 75)).map { _ in rng.uniform(-0.3, 0.3) })
        let b1 = Tensor((0..<16).map { _ in rng.uniform(-0.1, 0.1) })
        let w2 = Tensor(shape: [16 * 8 * 8, 3], scalars: (0..<(1024 * 3)).map { _ in rng.uniform(-0.1, 0.1) })
        let stats = BatchNormStatistics(mean: Tensor(shape: [16], repeating: 0), variance: Tensor(shape: [16], repeating: 1))

        // Unfused (batch norm, LeakyReLU, pooling as three ops) and fused (the op Sequential uses).
        func run(threads: Int, fused: Bool) -> [[Float]] {
            BLAS.setThreadCount(threads)
            let tape = Tape()
            return withExtendedLifetime(tape) {
                let xv = tape.variable(x), w1v = tape.variable(w1), b1v = tape.variable(b1), w2v = tape.variable(w2)
                let c = xv.conv2d(weight: w1v, bias: b1v, padding: 2)
                let p = fused
                    ? c.pooledBatchNormLeakyReLU(statistics: stats, training: true, epsilon: 1e-4, slope: 0.01).output
                    : c.batchNorm(statistics: stats, weight: nil, bias: nil, training: true, epsilon: 1e-4).output
                        .leakyRelu(slope: 0.01).maxPool2d(size: 2)
                let out = p.reshaped([37, 1024]).matmul(w2v)
                let loss = (out * out).sum()
                tape.backward(from: loss)
                return [out.value.scalars] + [xv, w1v, b1v, w2v].map { tape.gradient(of: $0).scalars }
            }
        }
        for fused in [false, true] {
            let one = run(threads: 1, fused: fused), two = run(threads: 2, fused: fused)
            for (i, name) in ["output", "∂x", "∂w1", "∂b1", "∂w2"].enumerated() {
                XCTAssertEqual(one[i].map(\.bitPattern), two[i].map(\.bitPattern),
                               "\(name) differs between 1 and 2 threads (fused: \(fused))")
                XCTAssertTrue(one[i].contains { $0 != 0 }, "\(name) is all zeros")
            }
        }
    }

    /// Products above ``BLAS/multithreadingThreshold`` are split over the engine's threads by
    /// rows (tall C) or columns (wide C): every transpose combination must still match the naive
    /// kernel, and be identical to the bit on one and on two threads.
    func testSplitLargeProductsMatchNaiveAndTheSingleThreadedResult() {
        var rng = RandomGenerator(seed: 9)
        for (m, n, k) in [(301, 190, 300), (70, 700, 400)] {
            XCTAssertGreaterThanOrEqual(2 * Double(m * n * k), BLAS.multithreadingThreshold)
            for tA in [false, true] {
                for tB in [false, true] {
                    let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
                    let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
                    let c0 = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
                    let lda = tA ? m : k, ldb = tB ? k : n
                    func product(threads: Int?) -> [Float] {
                        var c = c0
                        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                            if let threads {
                                BLAS.setThreadCount(threads)
                                BLAS.sgemm(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: 0.5, a: pa.baseAddress!, lda: lda,
                                           b: pb.baseAddress!, ldb: ldb, beta: -1, c: pc.baseAddress!, ldc: n)
                            } else {
                                naiveSGEMM(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: 0.5, a: pa.baseAddress!, lda: lda,
                                           b: pb.baseAddress!, ldb: ldb, beta: -1, c: pc.baseAddress!, ldc: n)
                            }
                        } } }
                        return c
                    }
                    let one = product(threads: 1), two = product(threads: 2), slow = product(threads: nil)
                    XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern), "\(m)×\(n)×\(k) tA \(tA) tB \(tB)")
                    let worst = zip(two, slow).map { abs($0 - $1) }.max() ?? 0
                    XCTAssertLessThan(worst, 1e-3, "\(m)×\(n)×\(k) tA \(tA) tB \(tB)")
                }
            }
        }
    }
}
