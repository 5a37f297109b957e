// `imdad bench`: engine speed figures (not timed tests: machines are noisy; compare ratios
// measured side by side in one run, see experiments/speed/compare_speed.py).

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADExperiments

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: the engine's training/inference speed per encoder, and sgemm kernels.",
        subcommands: [Engine.self, SGEMM.self, Forward.self])

    struct Engine: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Training step (forward + IMD-AD objective + backward + Adam) and forward-only time per spec §6 encoder, batch 128.")

        @Option(help: "Timed trials (each of several iterations); medians are reported.") var trials = 5
        @Option(help: "Threads (the engine splits large products and its loops over them).") var threads = 2
        @Option(help: "Only the encoder of this name, or those whose name contains this text (\"MNIST LeNet\": that one, not Fashion-MNIST's).")
        var only: String?
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() throws {
            BLAS.setThreadCount(threads)
            var rows: [[String: Any]] = []
            let gflops = SpeedBenchmark.sgemmGFLOPS(n: 1024)
            if !json {
                print("BLAS: \(BLAS.backend)")
                print("Convolutions: \(OneDNN.backend)")
                print("Winograd: \(Winograd.backend)")
                print("Direct convolutions: \(DirectConvolution.backend)")
                print("Elementwise: \(ElementwiseKernels.description)")
                print("sgemm 1024³ through the engine: \(Format.fixed(gflops, digits: 1)) GFLOP/s, \(threads) threads\n")
                print("| encoder | train step (ms) | train samples/s | forward (ms) | forward samples/s |")
                print("|---|---|---|---|---|")
            }
            for (enc, iters) in SpeedBenchmark.encoders(matching: only) {
                let r = SpeedBenchmark.engine(enc, iterations: iters, trials: trials)
                if json {
                    rows.append(["arch": enc.name, "batch": 128, "train_step_ms": r.train * 1e3, "train_samples_per_s": 128 / r.train,
                                 "forward_ms": r.forward * 1e3, "forward_samples_per_s": 128 / r.forward])
                } else {
                    print("| \(enc.name) | \(Format.fixed(r.train * 1e3, digits: 3)) | \(Format.fixed(128 / r.train, digits: 0)) | "
                          + "\(Format.fixed(r.forward * 1e3, digits: 3)) | \(Format.fixed(128 / r.forward, digits: 0)) |")
                }
            }
            if json {
                let out: [String: Any] = ["engine": "imdad", "blas": BLAS.backend.description,
                                          "convolutions": OneDNN.backend.description,
                                          "winograd": Winograd.backend.description,
                                          "direct": DirectConvolution.backend.description, "threads": threads,
                                          "sgemm_1024_gflops": gflops, "results": rows]
                print(String(decoding: try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]), as: UTF8.self))
            }
        }
    }

    struct SGEMM: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "1024³ sgemm: the engine's kernel against every OpenBLAS kernel family this CPU can run.")

        @Option(help: "Threads (the engine splits large products and its loops over them).") var threads = 2
        @Flag(help: "(internal) print this process's GFLOP/s only.") var raw = false

        func run() throws {
            BLAS.setThreadCount(threads)
            if raw { print(Format.fixed(SpeedBenchmark.sgemmGFLOPS(n: 1024), digits: 2)); return }
            let engine = SpeedBenchmark.sgemmGFLOPS(n: 1024)
            print("engine: \(BLAS.backend.kernel): \(Format.fixed(engine, digits: 1)) GFLOP/s (\(threads) threads)")
            var best = 0.0, bestName = ""
            let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))
                .flatMap { $0.split(separator: "\n").first { $0.hasPrefix("flags") } }
                .map { Set($0.split(separator: " ").map(String.init)) } ?? []
            var families = ["PRESCOTT", "NEHALEM", "SANDYBRIDGE"]
            if flags.contains("avx2") { families += ["HASWELL", "ZEN"] }
            if flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl") { families.append("SKYLAKEX") }
            if flags.contains("avx512_bf16") { families.append("COOPERLAKE") }
            for family in families {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/proc/self/exe")
                p.arguments = ["bench", "sgemm", "--raw", "--threads", "\(threads)"]
                var env = ProcessInfo.processInfo.environment
                env["OPENBLAS_CORETYPE"] = family
                p.environment = env
                let pipe = Pipe()
                p.standardOutput = pipe
                try p.run()
                p.waitUntilExit()
                let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                guard p.terminationStatus == 0, let g = Double(out.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                    print("OPENBLAS_CORETYPE=\(family): failed"); continue
                }
                print("OPENBLAS_CORETYPE=\(family): \(Format.fixed(g, digits: 1)) GFLOP/s")
                if g > best { best = g; bestName = family }
            }
            if best > 0 { print("engine / best (\(bestName)): \(Format.fixed(100 * engine / best, digits: 1)) %") }
        }
    }
}
