// `imdad bench`: engine speed figures (not timed tests: machines are noisy; compare ratios
// measured side by side in one run, see scripts/compare_speed.py).

import ArgumentParser
import Foundation
import IMDADDetectors
import IMDADEngine

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: the engine's training/inference speed per encoder, and sgemm kernels.",
        subcommands: [Engine.self, SGEMM.self])

    struct Engine: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Training step (forward + IMD-AD objective + backward + Adam) and forward-only time per spec §6 encoder, batch 128.")

        @Option(help: "Timed trials (each of several iterations); medians are reported.") var trials = 5
        @Option(help: "Threads (the engine splits large products and its loops over them).") var threads = 2
        @Option(help: "Only encoders whose name contains this text.") var only: String?
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() throws {
            BLAS.setThreadCount(threads)
            let encoders: [(EncoderArchitecture, Int)] = [
                (.mlp(input: 21, hidden: [32, 16], representation: 8), 1000),
                (.mlp(input: 274, hidden: [128, 64], representation: 32), 1000),
                (.fashionMNISTLeNet, 40), (.mnistLeNet, 100), (.cifar10LeNet, 20),
            ]
            var rows: [[String: Any]] = []
            let gflops = sgemmGFLOPS(n: 1024)
            if !json {
                print("BLAS: \(BLAS.backend)")
                print("sgemm 1024³ through the engine: \(fmt(gflops, 1)) GFLOP/s, \(threads) threads\n")
                print("| encoder | train step (ms) | train samples/s | forward (ms) | forward samples/s |")
                print("|---|---|---|---|---|")
            }
            for (enc, iters) in encoders where only.map({ enc.name.contains($0) }) ?? true {
                let r = benchmark(enc, iterations: iters, trials: trials)
                if json {
                    rows.append(["arch": enc.name, "batch": 128, "train_step_ms": r.train * 1e3, "train_samples_per_s": 128 / r.train,
                                 "forward_ms": r.forward * 1e3, "forward_samples_per_s": 128 / r.forward])
                } else {
                    print("| \(enc.name) | \(fmt(r.train * 1e3, 3)) | \(fmt(128 / r.train, 0)) | \(fmt(r.forward * 1e3, 3)) | \(fmt(128 / r.forward, 0)) |")
                }
            }
            if json {
                let out: [String: Any] = ["engine": "imdad", "blas": BLAS.backend.description, "threads": threads,
                                          "sgemm_1024_gflops": gflops, "results": rows]
                print(String(decoding: try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]), as: UTF8.self))
            }
        }

        /// Median seconds of a training step and of a forward pass.
        func benchmark(_ enc: EncoderArchitecture, iterations: Int, trials: Int) -> (train: Double, forward: Double) {
            var rng = RandomGenerator(seed: 0)
            let config = IMDADConfiguration(encoder: enc)
            var net = Network(IMDAD.body(config), using: &rng)
            let batch = 128, anomalies = 8
            let x = Tensor(shape: [batch, enc.inputSize], scalars: (0..<(batch * enc.inputSize)).map { _ in rng.nextUnitFloat() })
            var adam = Adam(learningRate: 1e-4, weightDecay: 0.5e-6,
                            groups: [ParameterGroup(prefix: "sphere.", weightDecay: 0)])
            let objective = IMDADObjective(config)
            let wi = net.parameters.index(of: "sphere.w")!, bi = net.parameters.index(of: "sphere.b")!
            func trainStep() {
                let tape = Tape()
                let bound = net.bind(on: tape, differentiable: true)
                let (s, updates) = net.forward(tape.constant(x), bound: bound, mode: .training)
                let loss = objective.batchLoss(scores: s, anomalyCount: anomalies, w: bound[wi], b: bound[bi]).loss
                tape.backward(from: loss)
                adam.update(&net.parameters, gradients: net.gradients(on: tape, bound: bound))
                net.apply(updates)
            }
            func forward() { _ = net.infer(x, batchSize: batch) }
            func median(_ f: () -> Void) -> Double {
                let clock = ContinuousClock()
                for _ in 0..<max(5, iterations / 5) { f() }
                var times: [Double] = []
                for _ in 0..<(trials * iterations) { times.append(seconds(clock.measure(f))) }
                times.sort()
                return times[times.count / 2]
            }
            return (median(trainStep), median(forward))
        }
    }

    struct SGEMM: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "1024³ sgemm: the engine's kernel against every OpenBLAS kernel family this CPU can run.")

        @Option(help: "Threads (the engine splits large products and its loops over them).") var threads = 2
        @Flag(help: "(internal) print this process's GFLOP/s only.") var raw = false

        func run() throws {
            BLAS.setThreadCount(threads)
            if raw { print(fmt(sgemmGFLOPS(n: 1024), 2)); return }
            let engine = sgemmGFLOPS(n: 1024)
            print("engine: \(BLAS.backend.kernel): \(fmt(engine, 1)) GFLOP/s (\(threads) threads)")
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
                print("OPENBLAS_CORETYPE=\(family): \(fmt(g, 1)) GFLOP/s")
                if g > best { best = g; bestName = family }
            }
            if best > 0 { print("engine / best (\(bestName)): \(fmt(100 * engine / best, 1)) %") }
        }
    }
}
