// `imdad demo`: IMD-AD on the embedded thyroid data, start to finish.

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADExperiments

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train IMD-AD on the embedded thyroid data set and show the sphere, AUROC and scored samples.")

    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Training epochs.") var epochs = 150

    /// How many of the highest-scoring test rows the demo lists.
    static let mostAnomalousShown = 5

    /// The heading of the list: it holds the highest-scoring rows only, highest first.
    static func mostAnomalousHeading(shown: Int, of total: Int) -> String {
        "the \(shown) most anomalous of the \(total) test rows, highest score s first"
    }

    func run() throws {
        try IMDADCLI.run {
            guard let url = Bundle.module.url(forResource: "thyroid", withExtension: "npz") else {
                throw ValidationError("the embedded thyroid.npz is missing from the installation")
            }
            let data = try TabularData.load(url: url)
            let labeled = data.labels?.filter { $0 == 1 }.count ?? 0
            print("ODDS thyroid (embedded): \(data.rows) rows × \(data.columns) features, \(labeled) anomalies")
            print("BLAS: \(BLAS.backend)\n")
            let split = try TabularProtocol.split(data, seed: seed, labeledRatio: 0.01)
            print("protocol (spec §7): 60/40 stratified split, seed \(seed): \(split.train.normalRows.count) training normals, "
                  + "\(split.train.anomalyRows.count) labeled anomalies (γ_l = 0.01); \(split.testLabels.count) test rows\n")
            var configuration = IMDADConfiguration(encoder: .tabular(inputs: data.columns))
            configuration.training.epochs = epochs
            var rng = RandomGenerator(seed: seed)
            let progress = ProgressPrinter(label: "IMD-AD", totalEpochs: epochs)
            let start = Date()
            let model = try IMDAD.fit(configuration, data: split.train, using: &rng, progress: { progress($0) })
            let t = Date().timeIntervalSince(start)
            for e in model.log where e.epoch == 1 || e.epoch % 30 == 0 {
                let r2 = Format.fixed(e.values["R²"] ?? 0, digits: 4)
                let normal = Format.fixed(100 * (e.values["active normal"] ?? 0), digits: 1)
                let anomalous = Format.fixed(100 * (e.values["active anomalous"] ?? 0), digits: 1)
                let loss = Format.fixed(e.loss, digits: 4)
                print("epoch \(e.epoch): loss \(loss)  R² \(r2)  active hinges normal \(normal)%  anomalous \(anomalous)%")
            }
            let scores = model.scores(split.testFeatures)
            let auroc = try Metrics.auroc(scores: scores.map(Double.init), labels: split.testLabels)
            let ap = try Metrics.averagePrecision(scores: scores.map(Double.init), labels: split.testLabels)
            let c = try Metrics.confusion(predictions: model.flags(scores), labels: split.testLabels)
            print("\ntrained in \(Format.fixed(t, digits: 1)) s")
            print(describe(model))
            print("\ntest set: AUROC \(Format.fixed(100 * auroc, digits: 1)) %, average precision \(Format.fixed(100 * ap, digits: 1)) %")
            func pct(_ x: Double) -> String { Format.fixed(100 * x, digits: 1) }
            print("threshold s > 0 (the sphere itself): precision \(pct(c.precision)) %, recall \(pct(c.recall)) %, F1 \(pct(c.f1)) %")
            let sphere = model.sphere
            let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            let shown = Array(order.prefix(Self.mostAnomalousShown))
            let anomalies = shown.filter { split.testLabels[$0] == 1 }.count
            print("\n\(Self.mostAnomalousHeading(shown: shown.count, of: scores.count)) (\(anomalies) labeled anomalies among them):")
            print("  test row   score s   ‖φ − c‖   zone          label")
            for i in shown {
                let d = max(scores[i] + sphere.radiusSquared, 0).squareRoot()
                let zone = sphere.zone(score: scores[i]).rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                print("  \(String(i + 1).padding(toLength: 8, withPad: " ", startingAt: 0))  "
                      + "\(Format.fixed(scores[i], digits: 4).leftPad(8))  \(Format.fixed(d, digits: 4).leftPad(8))   "
                      + "\(zone)  \(split.testLabels[i] == 1 ? "anomaly" : "normal")")
            }
            print("  (test rows are numbered from 1 within the test split)")
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
