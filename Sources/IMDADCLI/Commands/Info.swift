// `imdad info`: the active BLAS kernel and the environment.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the version, the active BLAS kernel and its speed.")

    func run() throws {
        print("imdad \(IMDADVersion.library) (model format \(IMDADVersion.modelFormat))")
        print("BLAS: \(BLAS.backend)")
        print("Threads: \(BLAS.threadCount)")
        print("sgemm 1024³ through the engine: \(Format.fixed(sgemmGFLOPS(n: 1024), digits: 1)) GFLOP/s")
    }
}

/// Best-of-5 GFLOP/s of a square `n³` product through ``Tensor/matmul``.
func sgemmGFLOPS(n: Int, repeats: Int = 5) -> Double {
    var rng = RandomGenerator(seed: 1)
    let a = Tensor(shape: [n, n], scalars: (0..<(n * n)).map { _ in rng.uniform(-1, 1) })
    let b = Tensor(shape: [n, n], scalars: (0..<(n * n)).map { _ in rng.uniform(-1, 1) })
    _ = Tensor.matmul(a, b)
    var best = Double.infinity
    let clock = ContinuousClock()
    for _ in 0..<repeats {
        let t = clock.measure { _ = Tensor.matmul(a, b) }
        best = min(best, seconds(t))
    }
    return 2 * Double(n * n * n) / best / 1e9
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
