// `imdad export`: a trained model as an ONNX file (raw features in; score, prediction, distance, zone out).

import ArgumentParser
import Foundation
import IMDADDetectors
import IMDADONNX

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a trained model to ONNX: scaler, encoder and score in one graph (Isolation Forest: an ONNX-ML tree ensemble).",
        discussion: """
            The graph takes raw features (N, D) as float and outputs score, prediction (score > threshold), \
            for the deep models distance (‖φ − c‖) and, for IMD-AD, zone (0 inside, 1 margin band, 2 outside). Its metadata_props \
            hold the feature names, the threshold, c, R², ρ², the method and the library version. \
            See docs/onnx.md for loading it in Python, Java and C++.

            Example: imdad export model.imdad -o model.onnx
            """)

    @Argument(help: "Model file written by `imdad train`.") var model: String
    @Option(name: .shortAndLong, help: "ONNX file to write.") var output: String
    @Flag(help: "Replace an existing output file.") var force = false

    func run() throws {
        try IMDADCLI.run {
            let url = URL(fileURLWithPath: output)
            // Refuse an existing output before any work, so nothing is read or written in vain.
            if !force && FileManager.default.fileExists(atPath: url.path) { throw OutputExistsError(path: url.path) }
            let trained = try TrainedModel.read(contentsOf: URL(fileURLWithPath: model))
            let bytes = try ONNXExport.serialized(trained)
            try writeAtomically(bytes, to: url, overwrite: force)
            note("wrote \(output) (\(bytes.count) bytes, \(trained.metadata.method.displayName), opset \(ONNXExport.opset))")
        }
    }
}
