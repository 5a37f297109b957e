// `imdad info`: the active BLAS kernel, the convolution kernels and the environment.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADExperiments

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the version, the active BLAS kernel and its speed.")

    func run() throws {
        print("imdad \(IMDADVersion.library) (model format \(IMDADVersion.modelFormat))")
        print("BLAS: \(BLAS.backend)")
        print("Convolutions: \(OneDNN.backend)")
        print("Winograd: \(Winograd.backend)")
        print("Direct convolutions: \(DirectConvolution.backend)")
        print("Elementwise: \(ElementwiseKernels.description)")
        print("Threads: \(BLAS.threadCount)")
        print("sgemm 1024³ through the engine: \(Format.fixed(SpeedBenchmark.sgemmGFLOPS(n: 1024), digits: 1)) GFLOP/s")
    }
}
