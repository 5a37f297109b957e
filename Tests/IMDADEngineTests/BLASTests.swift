// The active BLAS kernel against the naive reference, and the kernel choice.
import XCTest
@testable import IMDADEngine

final class BLASTests: XCTestCase {
    func testSGEMMMatchesNaiveInEveryTransposeCombination() {
        var rng = RandomGenerator(seed: 11)
        for (m, n, k) in [(1, 1, 1), (3, 7, 5), (64, 65, 66), (200, 31, 129), (17, 300, 2)] {
            for tA in [false, true] {
                for tB in [false, true] {
                    for (alpha, beta) in [(Float(1), Float(0)), (0.5, 2), (-1.5, 1)] {
                        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
                        let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
                        let c0 = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
                        var fast = c0, slow = c0
                        let lda = tA ? m : k, ldb = tB ? k : n
                        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                            fast.withUnsafeMutableBufferPointer { pc in
                                BLAS.sgemm(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: alpha,
                                           a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                           beta: beta, c: pc.baseAddress!, ldc: n)
                            }
                            slow.withUnsafeMutableBufferPointer { pc in
                                naiveSGEMM(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: alpha,
                                           a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                           beta: beta, c: pc.baseAddress!, ldc: n)
                            }
                        } }
                        for i in 0..<(m * n) {
                            XCTAssertEqual(fast[i], slow[i], accuracy: 1e-4 * Float(k).squareRoot() * 4,
                                           "m=\(m) n=\(n) k=\(k) tA=\(tA) tB=\(tB) α=\(alpha) β=\(beta) at \(i)")
                        }
                    }
                }
            }
        }
    }

    func testNaiveKernelOnAHandComputedProduct() {
        let a: [Float] = [1, 2, 3, 4, 5, 6]     // 2×3
        let b: [Float] = [7, 8, 9, 10, 11, 12]  // 3×2
        var c: [Float] = [1, 1, 1, 1]
        naiveSGEMM(transposeA: false, transposeB: false, m: 2, n: 2, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 2,
                   beta: 1, c: &c, ldc: 2)
        XCTAssertEqual(c, [59, 65, 140, 155])
        XCTAssertEqual(Tensor.matmul(Tensor(shape: [2, 3], scalars: a), Tensor(shape: [3, 2], scalars: b)).scalars,
                       [58, 64, 139, 154])
    }

    func testBackendIsAFastVerifiedLibraryOnThisPlatform() {
        let info = BLAS.backend
        XCTAssertNotEqual(info.library, "naive", "expected OpenBLAS/Accelerate, got: \(info)")
        XCTAssertLessThan(info.verificationError, 1e-4)
        XCTAssertNil(info.fallbackReason)
        XCTAssertNil(info.slowKernelWarning)
        if let isa = BLAS.ownKernelInstructionSet {
            XCTAssertTrue(info.smallProducts.hasPrefix("the engine's \(isa) kernel"), info.smallProducts)
        } else {
            XCTAssertTrue(info.smallProducts.hasPrefix("the library above"), info.smallProducts)
        }
        XCTAssertTrue(info.description.contains(info.smallProducts))
    }

    func testTheNaiveKernelComesWithAWarningThatSaysWhy() {
        let missing = BLASBackend(library: "naive", kernel: "naive", coreTypeChoice: "none", path: nil,
                                  verificationError: 0, fallbackReason: "OpenBLAS not found (install libopenblas0)")
        let warning = try? XCTUnwrap(missing.slowKernelWarning)
        XCTAssertTrue(warning?.contains("naive kernel") == true, warning ?? "no warning")
        XCTAssertTrue(warning?.contains("OpenBLAS not found (install libopenblas0)") == true, warning ?? "no warning")
        var fast = missing
        fast.library = "OpenBLAS"
        fast.fallbackReason = nil
        XCTAssertNil(fast.slowKernelWarning)
    }

    func testKernelChoiceNeverNamesInstructionsTheCPULacks() {
        let skx: Set = ["avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        XCTAssertEqual(BLAS.preferredCoreType(cpuFlags: skx), "SKYLAKEX")
        XCTAssertEqual(BLAS.preferredCoreType(cpuFlags: skx.union(["avx512_bf16"])), "COOPERLAKE")
        XCTAssertEqual(BLAS.preferredCoreType(cpuFlags: ["avx", "avx2", "fma", "avx512f"]), "HASWELL")
        XCTAssertEqual(BLAS.preferredCoreType(cpuFlags: ["avx", "avx2", "fma"]), "HASWELL")
        XCTAssertNil(BLAS.preferredCoreType(cpuFlags: ["sse2", "avx"]))
        XCTAssertNil(BLAS.preferredCoreType(cpuFlags: []))
    }
}
