// Same data, seed and thread count ⇒ byte-identical model files and score outputs, which record
// the seed and the library version.

import Foundation
import XCTest
import IMDADDetectors
import IMDADEngine

final class ReproducibilityTests: CLITestCase {
    func train(_ output: String, seed: Int, method: String = "imdad") throws {
        let r = try imdad("train", "data.csv", "--label-column", "label", "-o", output, "--seed", "\(seed)",
                          "--threads", "1", "--epochs", "3", "--method", method, "--quiet")
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    /// `--pretrain-epochs`: reproducible bytes, recorded in the model's configuration, and a
    /// negative count refused before any work.
    func testPretrainedModelsAreReproducibleAndRecordTheirPretraining() throws {
        try write("data.csv", labeledCSV(rows: 200, columns: 4))
        for name in ["p1.imdad", "p2.imdad"] {
            let r = try imdad("train", "data.csv", "--label-column", "label", "-o", name, "--seed", "3", "--threads", "1",
                              "--epochs", "2", "--pretrain-epochs", "3", "--quiet")
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        XCTAssertTrue(try bytes("p1.imdad") == bytes("p2.imdad"), "same seed, different pretrained models")
        guard case .imdad(let model) = try TrainedModel.read(contentsOf: path("p1.imdad")).fitted else {
            return XCTFail("not an IMD-AD model")
        }
        XCTAssertEqual(model.configuration.pretraining?.epochs, 3)
        let bad = try imdad("train", "data.csv", "--label-column", "label", "-o", "p3.imdad", "--pretrain-epochs", "-1")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--pretrain-epochs"), bad.stderr)
        XCTAssertFalse(exists("p3.imdad"))
    }

    /// `--no-scaling`: the model stores no scaler and scores the rows as given, so multiplying a
    /// feature by 1000 moves the unscaled model's scores while the scaled model refits that away.
    func testNoScalingStoresNoScalerAndScoresTheValuesAsGiven() throws {
        try write("data.csv", labeledCSV(rows: 200, columns: 4))
        let rows = try String(contentsOf: path("data.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        let stretched = [rows[0]] + rows.dropFirst().map { line -> String in
            var cells = line.split(separator: ",").map(String.init)
            cells[0] = String((Double(cells[0]) ?? .nan) * 1000)
            return cells.joined(separator: ",")
        }
        try write("stretched.csv", stretched.joined(separator: "\n") + "\n")
        var scores: [String: [String]] = [:]
        for (name, flags) in [("raw", ["--no-scaling"]), ("scaled", [])] {
            for data in ["data", "stretched"] {
                let r = try imdad(["train", "\(data).csv", "--label-column", "label", "-o", "\(name)-\(data).imdad", "--seed", "1",
                                   "--threads", "1", "--epochs", "2", "--quiet"] + flags)
                XCTAssertEqual(r.status, 0, r.stderr)
                let s = try imdad("score", "\(name)-\(data).imdad", "\(data).csv", "--label-column", "label")
                XCTAssertEqual(s.status, 0, s.stderr)
                scores["\(name)-\(data)"] = s.stdout.split(separator: "\n").dropFirst().map(String.init)
            }
        }
        XCTAssertNil(try TrainedModel.read(contentsOf: path("raw-data.imdad")).metadata.scaler)
        XCTAssertNotNil(try TrainedModel.read(contentsOf: path("scaled-data.imdad")).metadata.scaler)
        XCTAssertNotEqual(scores["raw-data"], scores["raw-stretched"])
        XCTAssertEqual(scores["scaled-data"], scores["scaled-stretched"])
    }

    /// `--radius-nu` (default 0.1): stored in the model file, which reloads to the refit sphere; the
    /// same seed with `--keep-trained-radius` gives the same center and a different R²; a value
    /// outside (0, 1], or both options at once, is refused.
    func testRadiusNuIsStoredAndMovesOnlyTheRadius() throws {
        try write("data.csv", labeledCSV(rows: 200, columns: 4))
        let models = try trainIMDAD([("r0.imdad", ["--keep-trained-radius"]), ("r1.imdad", []), ("r3.imdad", ["--radius-nu", "0.1"])],
                                    options: ["--epochs", "3", "--nu", "0.7"])
        let plain = models[0], refit = models[1]
        XCTAssertNil(plain.configuration.radiusNu)
        XCTAssertEqual(refit.configuration.radiusNu, IMDADConfiguration.defaultRadiusNu)
        XCTAssertTrue(try bytes("r1.imdad") == bytes("r3.imdad"), "the default is not --radius-nu 0.1")
        XCTAssertEqual(plain.sphere.center, refit.sphere.center)
        XCTAssertNotEqual(plain.sphere.radiusSquared, refit.sphere.radiusSquared)
        try assertRefused(["--radius-nu", "1.5"], naming: "--radius-nu")
        try assertRefused(["--radius-nu", "0.2", "--keep-trained-radius"], naming: "--keep-trained-radius")
    }

    /// `--anomalies-per-batch K`: stored in the model's training configuration, changes the model
    /// (for 180 normals and 20 anomalies the default is `max(4, round(16·20/200))` = 4 per batch of 16),
    /// and a K outside 1..<batch size is refused with no model file.
    func testAnomaliesPerBatchIsStoredAndValidated() throws {
        try write("data.csv", labeledCSV(rows: 200, columns: 4))
        let models = try trainIMDAD([("k0.imdad", []), ("k8.imdad", ["--anomalies-per-batch", "8"])],
                                    options: ["--epochs", "2", "--batch-size", "16"])
        XCTAssertNil(models[0].configuration.training.anomaliesPerBatch)
        XCTAssertEqual(models[1].configuration.training.anomaliesPerBatch, 8)
        XCTAssertNotEqual(models[0].sphere.center, models[1].sphere.center, "--anomalies-per-batch had no effect")
        for bad in ["0", "16"] {
            try assertRefused(["--batch-size", "16", "--anomalies-per-batch", bad], naming: "--anomalies-per-batch")
        }
    }

    /// Trains one IMD-AD model file per `(name, options)` on data.csv (seed 3, one thread) and reads
    /// the models back.
    func trainIMDAD(_ runs: [(name: String, extra: [String])], options: [String]) throws -> [IMDAD] {
        try runs.map { run in
            let r = try imdad(["train", "data.csv", "--label-column", "label", "-o", run.name, "--seed", "3", "--threads", "1",
                               "--quiet"] + options + run.extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            guard case .imdad(let model) = try TrainedModel.read(contentsOf: path(run.name)).fitted else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(run.name) is not an IMD-AD model"])
            }
            return model
        }
    }

    /// `imdad train` with `options` is refused: non-zero status, `option` named, no model file.
    func assertRefused(_ options: [String], naming option: String, line: UInt = #line) throws {
        let r = try imdad(["train", "data.csv", "--label-column", "label", "-o", "refused.imdad"] + options)
        XCTAssertNotEqual(r.status, 0, line: line)
        XCTAssertTrue(r.stderr.contains(option), r.stderr, line: line)
        XCTAssertFalse(exists("refused.imdad"), line: line)
    }

    /// `imdad evaluate --runs-log` on a tabular file records, per deep run, the last epoch's mean
    /// training loss (finite, ≥ 0 for IMD-AD's J), and none for Isolation Forest.
    func testEvaluateRunsLogRecordsTheFinalLoss() throws {
        try write("data.csv", labeledCSV(rows: 200, columns: 4))
        let r = try imdad("evaluate", "--data", "data.csv", "--label-column", "label", "--methods", "imdad,deepsad,iforest",
                          "--seeds", "1", "--epochs", "2", "--threads", "1", "--quiet", "--runs-log", "runs.jsonl")
        XCTAssertEqual(r.status, 0, r.stderr)
        let runs = try String(contentsOf: path("runs.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(runs.map { $0["method"] as? String }, ["imdad", "deepsad", "iforest"])
        for run in runs.prefix(2) {
            let loss = try XCTUnwrap(run["final_loss"] as? Double, "\(run)")
            XCTAssertTrue(loss.isFinite && loss >= 0, "\(run)")
        }
        XCTAssertNil(runs[2]["final_loss"])
    }

    /// `--ensemble 2` trains two models per deep run and records it (Isolation Forest runs alone);
    /// the loss recorded is the second member's; `--ensemble 0` and an image ensemble are refused.
    func testEvaluateEnsembleRecordsItsMembers() throws {
        try write("data.csv", labeledCSV(rows: 200, columns: 4))
        var table = ""
        func runs(_ extra: String...) throws -> [[String: Any]] {
            let log = "runs-\(extra.joined()).jsonl"
            let r = try imdad(["evaluate", "--data", "data.csv", "--label-column", "label", "--methods", "imdad,iforest",
                               "--seeds", "1", "--epochs", "2", "--threads", "1", "--quiet", "--runs-log", log] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            table = r.stdout
            return try String(contentsOf: path(log), encoding: .utf8).split(separator: "\n")
                .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        }
        let single = try runs()
        XCTAssertFalse(table.contains("×"), table)
        let pair = try runs("--ensemble", "2")
        XCTAssertTrue(table.contains("IMD-AD ×2 (2 epochs)"), table)
        XCTAssertFalse(table.contains("Isolation Forest ×"), table)
        XCTAssertNil(single[0]["ensemble"])
        XCTAssertEqual(pair[0]["ensemble"] as? Int, 2)
        XCTAssertNil(pair[1]["ensemble"], "Isolation Forest is not ensembled")
        XCTAssertEqual(pair[1]["auroc"] as? Double, single[1]["auroc"] as? Double)
        // The final loss recorded is the last member's: another seed's model than the single one.
        XCTAssertNotEqual(pair[0]["final_loss"] as? Double, single[0]["final_loss"] as? Double)
        for bad in [["--ensemble", "0"], ["--dataset", "mnist", "--ensemble", "2"]] {
            let r = try imdad(["evaluate"] + (bad.contains("mnist") ? [] : ["--data", "data.csv", "--label-column", "label"]) + bad)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.stderr.contains("--ensemble"), r.stderr)
        }
    }

    /// `--first-seed 1 --seeds 1` runs exactly seed 1 of `--seeds 2` (same split, same AUROC), and
    /// each run line names its seed and the BLAS kernel it ran on.
    func testEvaluateFirstSeedRunsTheLaterSeeds() throws {
        try write("data.csv", labeledCSV(rows: 200, columns: 4))
        func runs(_ extra: String...) throws -> [[String: Any]] {
            let log = "runs-\(extra.joined()).jsonl"
            let r = try imdad(["evaluate", "--data", "data.csv", "--label-column", "label", "--methods", "imdad",
                               "--epochs", "2", "--threads", "1", "--quiet", "--runs-log", log] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            return try String(contentsOf: path(log), encoding: .utf8).split(separator: "\n")
                .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        }
        let both = try runs("--seeds", "2"), later = try runs("--seeds", "1", "--first-seed", "1")
        XCTAssertEqual(both.map { $0["seed"] as? Int }, [0, 1])
        XCTAssertEqual(later.map { $0["seed"] as? Int }, [1])
        XCTAssertEqual(later[0]["auroc"] as? Double, both[1]["auroc"] as? Double)
        XCTAssertNotEqual(both[0]["auroc"] as? Double, both[1]["auroc"] as? Double, "seeds 0 and 1 gave the same run")
        XCTAssertEqual(later[0]["blas_kernel"] as? String, BLAS.backend.kernel)
        let bad = try imdad("evaluate", "--data", "data.csv", "--label-column", "label", "--first-seed=-1")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--first-seed"), bad.stderr)
    }

    func testSameSeedSameBytes() throws {
        try write("data.csv", labeledCSV(rows: 200, columns: 4))
        for method in ["imdad", "deepsad", "iforest"] {
            try train("a-\(method).imdad", seed: 7, method: method)
            try train("b-\(method).imdad", seed: 7, method: method)
            XCTAssertTrue(try bytes("a-\(method).imdad") == bytes("b-\(method).imdad"), "\(method): same seed, different model files")
            let m = try TrainedModel.read(contentsOf: path("a-\(method).imdad"))
            XCTAssertEqual(m.metadata.seed, 7)
            XCTAssertEqual(m.metadata.libraryVersion, IMDADVersion.library)
            XCTAssertEqual(m.metadata.formatVersion, IMDADVersion.modelFormat)
        }
        try train("c-imdad.imdad", seed: 8)
        XCTAssertTrue(try bytes("a-imdad.imdad") != bytes("c-imdad.imdad"), "the seed has no effect")

        for format in ["csv", "json"] {
            for run in ["1", "2"] {
                let r = try imdad("score", "a-imdad.imdad", "data.csv", "--label-column", "label", "--format", format,
                                  "--chunk-rows", "64", "-o", "scores\(run).\(format)")
                XCTAssertEqual(r.status, 0, r.stderr)
            }
            XCTAssertTrue(try bytes("scores1.\(format)") == bytes("scores2.\(format)"), "\(format) scores differ between runs")
            let text = String(decoding: try bytes("scores1.\(format)"), as: UTF8.self)
            if format == "csv" {
                // The first line is the header (pandas reads it as such); provenance goes to --metadata.
                XCTAssertTrue(text.hasPrefix("row,score,percentile,zone,prediction,label\n1,"), String(text.prefix(80)))
                XCTAssertEqual(text.split(separator: "\n").count, 1 + 200)
            } else {
                XCTAssertTrue(text.contains("\"library_version\":\"\(IMDADVersion.library)\""), String(text.prefix(120)))
                XCTAssertTrue(text.contains("\"seed\":7"), String(text.prefix(120)))
            }
        }
        // Standard output holds the same bytes as --output.
        let piped = try imdad("score", "a-imdad.imdad", "data.csv", "--label-column", "label", "--chunk-rows", "64")
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertTrue(Array(piped.stdout.utf8) == (try bytes("scores1.csv")), "standard output differs from --output")
        // The chunk size does not change a single digit (inference batches are aligned to the file's
        // rows), on a file of several inference batches.
        try write("big.csv", labeledCSV(rows: 900, columns: 4))
        var outputs: [[UInt8]] = []
        for chunk in ["1", "300", "50000"] {
            let r = try imdad("score", "a-imdad.imdad", "big.csv", "--label-column", "label", "--chunk-rows", chunk,
                              "-o", "big-\(chunk).csv")
            XCTAssertEqual(r.status, 0, r.stderr)
            outputs.append(try bytes("big-\(chunk).csv"))
        }
        XCTAssertTrue(outputs[0] == outputs[1] && outputs[1] == outputs[2], "scores depend on --chunk-rows")
    }

    func testVersionFlag() throws {
        let r = try imdad("--version")
        XCTAssertEqual(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines), IMDADVersion.library)
    }
}
