// `imdad bench forward`: the forward pass alone (scaled rows in, scores out) of a trained model at a
// given batch size, for comparison with ONNX Runtime on the exported graph (experiments/onnx/).

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

extension Bench {
    struct Forward: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Forward pass of a trained deep model on a data file: rows per second at a batch size, on scaled rows and from raw rows.",
            discussion: "Example: imdad bench forward model.imdad rows.npy --batch 4096 --threads 1 --json")

        @Argument(help: "Model file (IMD-AD, Deep SAD or Deep SVDD).") var model: String
        @Argument(help: "Rows to score (.csv, .npz, .npy) with the model's features.") var data: String
        @Option(help: "Rows per forward batch.") var batch = 4096
        @Option(help: "Threads (the engine splits large products and its loops over them).") var threads = 2
        @Option(help: "Timed passes over all rows after one warm-up pass; the median is reported.") var repeats = 5
        @Flag(help: "Print JSON instead of a sentence.") var json = false

        func run() throws {
            try IMDADCLI.run {
                BLAS.setThreadCount(threads)
                let trained = try TrainedModel.read(contentsOf: URL(fileURLWithPath: model))
                let table = try TabularData.load(url: URL(fileURLWithPath: data))
                let x = try trained.prepare(rawFeatures: table.features, rows: table.rows, columns: table.columns)
                let forward: (Tensor) -> [Float]
                switch trained.fitted {
                case .imdad(let d): forward = { d.network.infer($0, batchSize: batch).scalars }
                case .devnet(let d): forward = { d.network.infer($0, batchSize: batch).scalars }
                case .hypersphere(let d):
                    forward = { x in
                        let z = d.network.infer(x, batchSize: batch), c = d.center, k = c.count
                        return (0..<z.shape[0]).map { i in
                            (0..<k).reduce(Float(0)) { s, j in
                                let t = z.scalars[i * k + j] - c[j]; return s + t * t
                            } - d.radiusSquared
                        }
                    }
                case .isolationForest: throw ValidationError("bench forward times the deep models only")
                }
                /// Median seconds of `repeats` calls after a warm-up.
                func median(_ pass: () throws -> [Float]) rethrows -> Double {
                    _ = try pass()
                    var times: [Double] = []
                    for _ in 0..<Swift.max(1, repeats) {
                        let start = DispatchTime.now().uptimeNanoseconds
                        let s = try pass()
                        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                        precondition(s.count == table.rows)
                    }
                    return times.sorted()[times.count / 2]
                }
                let network = median { forward(x) }
                // From raw rows, as the ONNX graph starts: the stored scaler, then the network.
                let scaled = try median {
                    forward(try trained.prepare(rawFeatures: table.features, rows: table.rows, columns: table.columns))
                }
                let rate = Double(table.rows) / network, rateScaled = Double(table.rows) / scaled
                if json {
                    print(
                        "{\"engine\":\"imdad\",\"rows\":\(table.rows),\"batch\":\(batch),\"threads\":\(threads),"
                            + "\"median_s\":\(network),\"rows_per_s\":\(rate),\"rows_per_s_with_scaling\":\(rateScaled)}")
                } else {
                    print(
                        "\(table.rows) rows, batch \(batch), \(threads) threads: \(Format.fixed(rate, digits: 0)) rows/s "
                            + "(network on scaled rows), \(Format.fixed(rateScaled, digits: 0)) rows/s from raw rows (median of \(repeats))"
                    )
                }
            }
        }
    }
}
