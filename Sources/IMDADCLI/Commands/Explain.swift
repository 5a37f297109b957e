// `imdad explain`: why each sample got its score — zone, per-dimension contributions and ranked
// input attributions (gradient × input, integrated gradients).

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADCharts
import IMDADReports

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain IMD-AD scores: zone, distance, per-dimension contributions and ranked feature attributions.",
        discussion: "Example: imdad explain model.imdad data.csv --rows 3 17 --top 5")

    enum Format: String, ExpressibleByArgument { case text, json }

    @Argument(help: "IMD-AD model file.") var model: String
    @Argument(help: "Data file with the training features.") var data: String
    @OptionGroup(title: "Columns (matched to the model's by name)") var columns: ColumnOptions
    @Option(parsing: .upToNextOption,
            help: "Rows to explain, numbered from 1 among the data rows as `imdad score` numbers them (default: the --most anomalous).")
    var rows: [Int] = []
    @Option(help: "With no --rows: explain this many highest-scoring rows.") var most = 5
    @Option(help: ArgumentHelp("Attribution baseline: nearest-normal (the training row nearest c, the prototype of normality), "
                               + "mean (the training normals' mean) or zeros."))
    var baseline: AttributionBaseline = .nearestNormal
    @Option(help: "Integrated-gradients steps.") var steps = 32
    @Option(help: "Features listed per sample (text form).") var top = 10
    @Option(help: "Output format.") var format: Format = .text
    @Option(help: "Image models: also write each sample's attribution heat map as PNG into this folder.") var pngDir: String?
    @Option(help: "Image shape C,H,W when the model's encoder does not define one.") var imageShape: String?
    @Flag(help: "Replace existing PNG files.") var force = false

    func run() throws {
        try IMDADCLI.run {
            let md = try ModelAndData(modelPath: model, dataPath: data, columns: columns)
            if let bad = rows.first(where: { $0 < 1 || $0 > md.table.rows }) {
                throw ValidationError("--rows \(bad) is out of range: \(data) has data rows 1…\(md.table.rows)")
            }
            let explainer = try Explainer(model: md.model, training: md.baselineRows(baseline), baseline: baseline, steps: steps,
                                          featureNames: md.trained.metadata.featureNames, scaler: md.trained.metadata.scaler)
            var chosen = rows.map { $0 - 1 }
            if chosen.isEmpty {
                let s = md.model.scores(md.x)
                chosen = Array(s.indices.sorted { s[$0] > s[$1] }.prefix(max(1, most)))
            }
            let explanations = try explainer.explain(md.x, file: md.file, rows: chosen)
            if let pngDir {
                let shape = try imageShape.map(parseImageShape) ?? md.model.configuration.encoder.imageShape
                guard let shape else {
                    throw ValidationError("--png-dir needs image data: give --image-shape C,H,W")
                }
                let dir = URL(fileURLWithPath: pngDir)
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                for e in explanations {
                    let url = dir.appendingPathComponent("row-\(e.row ?? e.sample + 1).png")
                    try writeAtomically([UInt8](try attributionHeatMapPNG(e, imageShape: shape)), to: url, overwrite: force)
                    note("heat map written to \(url.path)")
                }
            }
            switch format {
            case .text:
                print(explanations.map { $0.text(top: top) }.joined(separator: "\n\n"))
            case .json:
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try enc.encode(explanations), as: UTF8.self))
            }
        }
    }
}
