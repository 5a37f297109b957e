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
            abstract: "Forward pass of a trained deep model on a data file: rows per second at a batch size (scaling done beforehand).",
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
                let pass: () -> [Float]
                switch trained.fitted {
                case .imdad(let d): pass = { d.network.infer(x, batchSize: batch).scalars }
                case .hypersphere(let d):
                    pass = {
                        let z = d.network.infer(x, batchSize: batch), c = d.center, k = c.count
                        return (0..<z.shape[0]).map { i in (0..<k).reduce(Float(0)) { s, j in let t = z.scalars[i * k + j] - c[j]; return s + t * t } - d.radiusSquared }
                    }
                case .isolationForest: throw ValidationError("bench forward times the deep models only")
                }
                _ = pass()
                var times: [Double] = []
                for _ in 0..<Swift.max(1, repeats) {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let s = pass()
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                    precondition(s.count == table.rows)
                }
                let median = times.sorted()[times.count / 2]
                let rate = Double(table.rows) / median
                if json {
                    print("{\"engine\":\"imdad\",\"rows\":\(table.rows),\"batch\":\(batch),\"threads\":\(threads),"
                          + "\"median_s\":\(median),\"rows_per_s\":\(rate)}")
                } else {
                    print("\(table.rows) rows, batch \(batch), \(threads) threads: \(Format.fixed(rate, digits: 0)) rows/s (median of \(times.count))")
                }
            }
        }
    }
}
