// `imdad explain`: why each sample got its score — zone, per-dimension contributions and ranked
// input attributions (gradient × input, integrated gradients).

import ArgumentParser
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
import IMDADReports

extension AttributionBaseline: ExpressibleByArgument {}

/// Loads an IMD-AD model and a data file, scaled with the model's scaler.
struct ModelAndData {
    var trained: TrainedModel
    var model: IMDAD
    var table: TabularData
    var x: Tensor

    init(modelPath: String, dataPath: String, labelColumn: String?) throws {
        trained = try TrainedModel.read(contentsOf: URL(fileURLWithPath: modelPath))
        guard case .imdad(let m) = trained.fitted else {
            throw ValidationError("\(modelPath) holds a \(trained.metadata.method.displayName) model; explanations need an IMD-AD model")
        }
        model = m
        table = try TabularData.load(url: URL(fileURLWithPath: dataPath), labelColumn: labelColumn)
        x = try trained.prepare(rawFeatures: table.features, rows: table.rows, columns: table.columns)
    }

    /// Training rows standing in for the baseline (stored in the model at training time).
    func baselineRows(_ kind: AttributionBaseline) -> Tensor? {
        let row: [Float]? = kind == .mean ? trained.metadata.trainingMean : kind == .nearestNormal ? trained.metadata.prototype : nil
        return row.map { Tensor(shape: [1, $0.count], scalars: $0) }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain IMD-AD scores: zone, distance, per-dimension contributions and ranked feature attributions.",
        discussion: "Example: imdad explain model.imdad data.csv --rows 3 17 --top 5")

    enum Format: String, ExpressibleByArgument { case text, json }

    @Argument(help: "IMD-AD model file.") var model: String
    @Argument(help: "Data file with the training features.") var data: String
    @Option(help: "Label column/array of the data, if any (ignored for explanations).") var labelColumn: String?
    @Option(parsing: .upToNextOption, help: "Rows to explain (0-based; default: the --most anomalous).") var rows: [Int] = []
    @Option(help: "With no --rows: explain this many highest-scoring rows.") var most = 5
    @Option(help: "Attribution baseline: nearestNormal (prototype of normality), mean or zeros.") var baseline: AttributionBaseline = .nearestNormal
    @Option(help: "Integrated-gradients steps.") var steps = 32
    @Option(help: "Features listed per sample (text form).") var top = 10
    @Option(help: "Output format.") var format: Format = .text
    @Option(help: "Image models: also write each sample's attribution heat map as PNG into this folder.") var pngDir: String?
    @Option(help: "Image shape C,H,W when the model's encoder does not define one.") var imageShape: String?
    @Flag(help: "Replace existing PNG files.") var force = false

    func run() throws {
        try IMDADCLI.run {
            let md = try ModelAndData(modelPath: model, dataPath: data, labelColumn: labelColumn)
            if let bad = rows.first(where: { $0 < 0 || $0 >= md.table.rows }) {
                throw ValidationError("--rows \(bad) is out of range: \(data) has rows 0..<\(md.table.rows)")
            }
            let explainer = try Explainer(model: md.model, training: md.baselineRows(baseline), baseline: baseline, steps: steps,
                                          featureNames: md.trained.metadata.featureNames, scaler: md.trained.metadata.scaler)
            var chosen = rows
            if chosen.isEmpty {
                let s = md.model.scores(md.x)
                chosen = Array(s.indices.sorted { s[$0] > s[$1] }.prefix(max(1, most)))
            }
            var explanations = try explainer.explain(md.x, rows: chosen)
            for i in explanations.indices {  // the file's own values beside the scaled ones
                let raw = md.table.row(explanations[i].sample)
                for k in explanations[i].features.indices { explanations[i].features[k].rawValue = raw[raw.startIndex + explanations[i].features[k].index] }
            }
            if let pngDir {
                let shape = try imageShape.map(parseImageShape) ?? md.model.configuration.encoder.imageShape
                guard let shape else {
                    throw ValidationError("--png-dir needs image data: give --image-shape C,H,W")
                }
                let dir = URL(fileURLWithPath: pngDir)
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                for e in explanations {
                    let url = dir.appendingPathComponent("sample-\(e.sample).png")
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

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a self-contained HTML report (inline SVG, no JavaScript, no network) for an IMD-AD model and a data file.",
        discussion: "Example: imdad report model.imdad test.csv --label-column label --output report.html")

    @Argument(help: "IMD-AD model file.") var model: String
    @Argument(help: "Data file (labeled or not).") var data: String
    @Option(help: "Label column/array: adds ROC/PR curves and normal-vs-anomalous histograms.") var labelColumn: String?
    @Option(name: .shortAndLong, help: "Where to write the HTML.") var output: String
    @Flag(help: "Replace an existing output file.") var force = false
    @Option(help: "Most anomalous samples explained in the report.") var top = 10
    @Option(help: "Attribution baseline: nearestNormal, mean or zeros.") var baseline: AttributionBaseline = .nearestNormal
    @Option(help: "Image shape C,H,W for image data (e.g. 1,28,28) to draw heat maps.") var imageShape: String?

    func run() throws {
        try IMDADCLI.run {
            let out = URL(fileURLWithPath: output)
            if !force && FileManager.default.fileExists(atPath: out.path) { throw OutputExistsError(path: out.path) }
            let md = try ModelAndData(modelPath: model, dataPath: data, labelColumn: labelColumn)
            let shape = try imageShape.map(parseImageShape) ?? md.model.configuration.encoder.imageShape
            if let shape, shape.reduce(1, *) != md.table.columns {
                throw ValidationError("image shape \(shape) does not multiply to the \(md.table.columns) features")
            }
            var options = ReportOptions()
            options.topK = top
            options.baseline = baseline
            options.title = "IMD-AD report: \(URL(fileURLWithPath: data).lastPathComponent)"
            let reportData = ReportData(features: md.x, labels: md.table.labels, featureNames: md.trained.metadata.featureNames,
                                        imageShape: shape, training: md.baselineRows(baseline),
                                        rawRows: nil, scaler: md.trained.metadata.scaler, name: md.table.source)
            let html = try HTMLReport.build(model: md.model, data: reportData, options: options)
            try writeAtomically(Array(html.utf8), to: out, overwrite: force)
            note("report written to \(output) (\(html.utf8.count / 1024) KiB)")
        }
    }
}

/// "C,H,W" → [C, H, W].
func parseImageShape(_ text: String) throws -> [Int] {
    let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 3, let c = parts[0], let h = parts[1], let w = parts[2], c > 0, h > 0, w > 0 else {
        throw ValidationError("--image-shape \(text): expected three positive integers C,H,W such as 1,28,28")
    }
    return [c, h, w]
}
