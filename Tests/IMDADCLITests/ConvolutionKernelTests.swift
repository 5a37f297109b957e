// The convolution seam as `imdad info` reports it, and the kernel a CPU without AVX-512 gets.
import Foundation
import XCTest

final class ConvolutionKernelTests: CLITestCase {
    /// `imdad info` names the convolution kernel in use. With oneDNN limited to AVX2 (the path a
    /// Zen 3 EPYC takes; `ONEDNN_MAX_CPU_ISA`), oneDNN must pick an AVX2 kernel, and that kernel
    /// must pass the check against the naive loops that the seam runs before use; without oneDNN,
    /// the line says why im2col is used.
    func testInfoNamesTheKernelAndAnAVX2LimitIsObeyed() throws {
        let plain = try imdad("info")
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let line = try XCTUnwrap(plain.stdout.split(separator: "\n").first { $0.hasPrefix("Convolutions:") }, plain.stdout)
        guard line.contains("oneDNN") else {
            XCTAssertTrue(line.contains("im2col"), "neither oneDNN nor the fallback named: \(line)")
            return
        }
        XCTAssertTrue(line.contains("verified against the naive loops"), String(line))
        let limited = try imdad(["info"], environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
        XCTAssertEqual(limited.status, 0, limited.stderr)
        let avx2 = try XCTUnwrap(limited.stdout.split(separator: "\n").first { $0.hasPrefix("Convolutions:") }, limited.stdout)
        XCTAssertTrue(avx2.contains("oneDNN") && avx2.contains("avx2") && !avx2.contains("avx512"), String(avx2))
        XCTAssertTrue(avx2.contains("verified against the naive loops"), String(avx2))
    }
}
