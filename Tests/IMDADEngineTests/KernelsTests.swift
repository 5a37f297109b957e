// The C loops of CIMDADKernels against the same formulas written as scalar Swift loops: equal to the
// bit, on sizes that leave tails after every vector width (whichever instruction set runs them).

import CIMDADKernels
import Foundation
import IMDADTestSupport
import XCTest

@testable import IMDADEngine

final class KernelsTests: XCTestCase {
    func values(_ count: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<count).map { _ in rng.uniform(range.lowerBound, range.upperBound) }
    }

    func testTheInstructionSetIsNamed() {
        let isa = String(cString: imdad_kernels_isa())
        XCTAssertTrue(["avx512f", "avx2", "baseline"].contains(isa), isa)
    }

    func testAdamUpdateEqualsTheScalarLoop() {
        for (n, decay) in [(1, Float(0)), (15, 0.5e-6), (37, 0), (1_000, 0.01)] {
            var p = values(n, seed: 1), m = values(n, seed: 2, in: -0.1...0.1), v = values(n, seed: 3, in: 0...0.1)
            let g = values(n, seed: 4)
            var (rp, rm, rv) = (p, m, v)
            let (b1, b2, step, s2, eps): (Float, Float, Float, Float, Float) = (0.9, 0.999, 1e-3, 0.0316, 1e-8)
            for j in 0..<n {
                let gj = decay != 0 ? g[j] + decay * rp[j] : g[j]
                rm[j] = b1 * rm[j] + (1 - b1) * gj
                rv[j] = b2 * rv[j] + (1 - b2) * gj * gj
                rp[j] -= step * rm[j] / (rv[j].squareRoot() / s2 + eps)
            }
            imdad_adam_update(n, &p, g, &m, &v, decay, b1, b2, step, s2, eps)
            XCTAssertEqual(p.map(\.bitPattern), rp.map(\.bitPattern), "p, n \(n)")
            XCTAssertEqual(m.map(\.bitPattern), rm.map(\.bitPattern), "m, n \(n)")
            XCTAssertEqual(v.map(\.bitPattern), rv.map(\.bitPattern), "v, n \(n)")
        }
    }

    func testBatchNormRowsEqualTheScalarLoops() {
        for (n, c) in [(3, 1), (5, 17), (128, 64), (7, 33)] {
            let x = values(n * c, seed: 5), mean = values(c, seed: 6), k = values(c, seed: 7, in: 0.5...2)
            let gamma = values(c, seed: 8), beta = values(c, seed: 9), g = values(n * c, seed: 10)
            let mg = values(c, seed: 11), mgh = values(c, seed: 12)
            var xhat = [Float](repeating: 0, count: n * c), y = xhat, dx = xhat, dxInference = xhat
            imdad_bn_rows_forward(n, c, x, mean, k, &xhat, gamma, beta, &y)
            imdad_bn_rows_backward(n, c, g, xhat, gamma, mg, mgh, k, &dx)
            imdad_bn_rows_backward(n, c, g, xhat, gamma, nil, nil, k, &dxInference)
            var sums = [Double](repeating: 0, count: c), squares = sums, products = sums
            imdad_channel_sums_rows(n, c, x, nil, nil, &sums)
            imdad_channel_sums_rows(n, c, x, mean, nil, &squares)
            imdad_channel_sums_rows(n, c, x, nil, g, &products)
            var rs = [Double](repeating: 0, count: c), rq = rs, rpd = rs
            for i in 0..<n {
                for ch in 0..<c {
                    let j = i * c + ch
                    let h = (x[j] - mean[ch]) * k[ch]
                    XCTAssertEqual(xhat[j].bitPattern, h.bitPattern)
                    XCTAssertEqual(y[j].bitPattern, (h * gamma[ch] + beta[ch]).bitPattern)
                    XCTAssertEqual(dx[j].bitPattern, ((g[j] * gamma[ch] - mg[ch] - h * mgh[ch]) * k[ch]).bitPattern)
                    XCTAssertEqual(dxInference[j].bitPattern, (g[j] * gamma[ch] * k[ch]).bitPattern)
                    let d = x[j] - mean[ch]
                    rs[ch] += Double(x[j])
                    rq[ch] += Double(d * d)
                    rpd[ch] += Double(x[j] * g[j])
                }
            }
            XCTAssertEqual(sums, rs, "sums \(n)×\(c)")
            XCTAssertEqual(squares, rq, "squares \(n)×\(c)")
            XCTAssertEqual(products, rpd, "products \(n)×\(c)")
        }
    }

    func testLeakyMaskedEqualsTheScalarLoop() {
        for n in [1, 15, 16, 17, 1_000, 16_387] {
            let v = values(n, seed: 13), x = values(n, seed: 14)
            var out = [Float](repeating: .nan, count: n)
            imdad_leaky_masked(n, v, x, 0.01, &out)
            XCTAssertEqual(out.map(\.bitPattern), (0..<n).map { (x[$0] > 0 ? v[$0] : 0.01 * v[$0]).bitPattern }, "n \(n)")
        }
    }

    /// Adam in pieces over two threads: the values of one call, to the bit (pieces of 8,192 values,
    /// so 20,011 values make three, the last one short).
    func testAdamInPiecesEqualsOneCall() {
        let n = 20_011
        var p = values(n, seed: 15), m = values(n, seed: 16, in: -0.1...0.1), v = values(n, seed: 17, in: 0...0.1)
        let g = values(n, seed: 18)
        var (sp, sm, sv) = (p, m, v)
        for _ in 0..<2 {
            imdad_adam_update(n, &p, g, &m, &v, 5e-4, 0.9, 0.999, 1e-3, 0.0316, 1e-8)
            imdad_adam_update_split(n, &sp, g, &sm, &sv, 5e-4, 0.9, 0.999, 1e-3, 0.0316, 1e-8, 2)
        }
        XCTAssertEqual(sp.map(\.bitPattern), p.map(\.bitPattern))
        XCTAssertEqual(sm.map(\.bitPattern), m.map(\.bitPattern))
        XCTAssertEqual(sv.map(\.bitPattern), v.map(\.bitPattern))
    }

    /// The engine's own sgemm: within rounding of the Double triple loop for every transpose, with
    /// tails in all three dimensions and β = 0 over a C of NaN (never read); and the same bits for
    /// 1, 2 and 3 threads, and for a row whichever rows surround it (the fused multiply-add sequence
    /// per element does not depend on the split or the tile).
    func testOwnSGEMMMatchesTheNaiveKernelAndIgnoresTheSplit() throws {
        guard BLAS.ownKernelInstructionSet != nil else {
            throw XCTSkip("no kernel of its own on this CPU (needs x86-64 Linux with AVX2 and FMA)")
        }
        for (m, n, k) in [(1, 1, 1), (9, 70, 3), (67, 45, 129), (128, 128, 274), (130, 33, 64)] {
            for tA in [false, true] {
                for tB in [false, true] {
                    for beta in [Float(0), -0.5] {
                        let a = values(m * k, seed: 20), b = values(k * n, seed: 21)
                        let c0 = beta == 0 ? [Float](repeating: .nan, count: m * n) : values(m * n, seed: 22)
                        let lda = tA ? m : k, ldb = tB ? k : n
                        var expected = c0
                        naiveSGEMM(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: 0.75, a: a, lda: lda,
                                   b: b, ldb: ldb, beta: beta, c: &expected, ldc: n)
                        var bits: [[UInt32]] = []
                        for threads in [1, 2, 3] {
                            var c = c0
                            ownSGEMM(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: 0.75, a: a, lda: lda,
                                     b: b, ldb: ldb, beta: beta, c: &c, ldc: n, threads: threads)
                            for i in 0..<(m * n) {
                                XCTAssertEqual(c[i], expected[i], accuracy: 1e-5 * Float(k).squareRoot(),
                                               "\(m)×\(n)×\(k) tA \(tA) tB \(tB) β \(beta), element \(i)")
                            }
                            bits.append(c.map(\.bitPattern))
                        }
                        XCTAssertEqual(bits[0], bits[1], "1 and 2 threads, \(m)×\(n)×\(k)")
                        XCTAssertEqual(bits[0], bits[2], "1 and 3 threads, \(m)×\(n)×\(k)")
                    }
                }
            }
        }
        // The AVX2 tiles (6 × 16) where the CPU also has AVX-512 (8 × 32): the same fused sequence per
        // element, so the same bits as the AVX-512 tiles, and within rounding of the Double loop.
        if imdad_sgemm_isa() == 2 {
            for (m, n, k) in [(9, 70, 3), (67, 45, 129), (130, 33, 64)] {
                for (tA, tB) in [(false, false), (false, true), (true, false), (true, true)] {
                    let a = values(m * k, seed: 25), b = values(k * n, seed: 26)
                    let lda = tA ? m : k, ldb = tB ? k : n
                    var wide = [Float](repeating: .nan, count: m * n), narrow = wide, expected = wide
                    imdad_sgemm_on(2, tA ? 1 : 0, tB ? 1 : 0, m, n, k, 0.75, a, lda, b, ldb, 0, &wide, n, 2)
                    imdad_sgemm_on(1, tA ? 1 : 0, tB ? 1 : 0, m, n, k, 0.75, a, lda, b, ldb, 0, &narrow, n, 2)
                    naiveSGEMM(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: 0.75, a: a, lda: lda, b: b, ldb: ldb,
                               beta: 0, c: &expected, ldc: n)
                    XCTAssertEqual(narrow.map(\.bitPattern), wide.map(\.bitPattern), "AVX2 against AVX-512, \(m)×\(n)×\(k)")
                    for i in 0..<(m * n) {
                        XCTAssertEqual(narrow[i], expected[i], accuracy: 1e-5 * Float(k).squareRoot(), "AVX2, element \(i)")
                    }
                }
            }
        }
        // Row 5 of a 67-row product, alone: the same bits as in the full product.
        let (m, n, k) = (67, 45, 129)
        let a = values(m * k, seed: 23), b = values(k * n, seed: 24)
        var full = [Float](repeating: 0, count: m * n), row = [Float](repeating: 0, count: n)
        ownSGEMM(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: k,
                 beta: 0, c: &full, ldc: n, threads: 2)
        Array(a[(5 * k)..<(6 * k)]).withUnsafeBufferPointer { a5 in
            ownSGEMM(transposeA: false, transposeB: true, m: 1, n: n, k: k, alpha: 1, a: a5.baseAddress!, lda: k, b: b,
                     ldb: k, beta: 0, c: &row, ldc: n, threads: 1)
        }
        XCTAssertEqual(row.map(\.bitPattern), full[(5 * n)..<(6 * n)].map(\.bitPattern))
    }

    /// Several threads multiplying at once (the server scores requests side by side): one of them
    /// gets the worker, the others run their pieces themselves; every product is still exact to the
    /// bit of the same product on one thread, in 200 rounds.
    func testOwnSGEMMFromManyThreadsAtOnce() throws {
        guard BLAS.ownKernelInstructionSet != nil else {
            throw XCTSkip("no kernel of its own on this CPU (needs x86-64 Linux with AVX2 and FMA)")
        }
        let (m, n, k) = (96, 70, 129)
        let a = values(m * k, seed: 27), b = values(k * n, seed: 28)
        var expected = [Float](repeating: 0, count: m * n)
        ownSGEMM(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: k,
                 beta: 0, c: &expected, ldc: n, threads: 1)
        let reference = expected.map(\.bitPattern), mismatches = Mismatches()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<200 {
                var c = [Float](repeating: .nan, count: m * n)
                ownSGEMM(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: k,
                         beta: 0, c: &c, ldc: n, threads: 2)
                if c.map(\.bitPattern) != reference { mismatches.add() }
            }
        }
        XCTAssertEqual(mismatches.count, 0, "products that differed from the one-thread product")
    }

    #if os(Linux) && arch(x86_64)
    /// The versions this CPU does not pick, too: `experiments/speed/kernels-isa.sh` builds the loops
    /// for baseline x86-64, AVX2 and AVX-512 with clang (the Swift toolchain's) and compares the
    /// output bits of every build this CPU can run.
    func testEveryInstructionSetsBuildGivesTheSameBits() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-kernels-\(getpid())").path
        let r = try runProcess(
            URL(fileURLWithPath: "/bin/sh"), ["experiments/speed/kernels-isa.sh"], in: root, environment: environment)
        let text = r.output
        XCTAssertEqual(r.status, 0, text)
        XCTAssertTrue(text.contains("same bits on every instruction set run here"), text)
    }
    #endif
}

/// A counter shared by the threads of a test.
private final class Mismatches: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
    func add() { lock.lock(); value += 1; lock.unlock() }
}
