// `imdad report`: a self-contained HTML report for an IMD-AD model and a data file.

import ArgumentParser
import Foundation
import IMDADDetectors
import IMDADReports

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a self-contained HTML report (inline SVG, no JavaScript, no network) for an IMD-AD model and a data file.",
        discussion: "Example: imdad report model.imdad test.csv --label-column label --output report.html")

    @Argument(help: "IMD-AD model file.") var model: String
    @Argument(help: "Data file (labeled or not).") var data: String
    @OptionGroup(title: "Columns (matched to the model's by name; a label column adds ROC/PR curves and normal-vs-anomalous histograms)")
    var columns: ColumnOptions
    @Option(name: .shortAndLong, help: "Where to write the HTML.") var output: String
    @Flag(help: "Replace an existing output file.") var force = false
    @Option(help: "Most anomalous samples explained in the report.") var top = 10
    @Option(help: "Attribution baseline.") var baseline: AttributionBaseline = .nearestNormal
    @Option(help: "Image shape C,H,W for image data (e.g. 1,28,28) to draw heat maps.") var imageShape: String?

    func run() throws {
        try IMDADCLI.run {
            let out = URL(fileURLWithPath: output)
            if !force && FileManager.default.fileExists(atPath: out.path) { throw OutputExistsError(path: out.path) }
            let md = try ModelAndData(modelPath: model, dataPath: data, columns: columns)
            let shape = try imageShape.map(parseImageShape) ?? md.model.configuration.encoder.imageShape
            if let shape, shape.reduce(1, *) != md.table.columns {
                throw ValidationError("image shape \(shape) does not multiply to the \(md.table.columns) features")
            }
            var options = ReportOptions()
            options.topK = top
            options.baseline = baseline
            options.title = "IMD-AD report: \(URL(fileURLWithPath: data).lastPathComponent)"
            // The model file holds no training rows: the stored baseline row serves the attributions
            // only, and where the training data fell comes from the summary stored at training time.
            let n = md.table.rows
            let reportData = ReportData(features: md.x, labels: md.table.labels, featureNames: md.trained.metadata.featureNames,
                                        imageShape: shape, training: nil, rawRows: nil, scaler: md.trained.metadata.scaler,
                                        name: md.table.source, baselineRows: md.baselineRows(baseline),
                                        trainingSummary: md.trained.metadata.training,
                                        storedPrototype: md.trained.metadata.prototype,
                                        rowNumbers: (0..<n).map(md.file.rowNumber), idColumns: md.table.idColumns,
                                        rowIDs: md.table.ids)
            let html = try HTMLReport.build(model: md.model, data: reportData, options: options)
            try writeAtomically(Array(html.utf8), to: out, overwrite: force)
            note("report written to \(output) (\(html.utf8.count / 1024) KiB)")
        }
    }
}
