// Outputs are never overwritten without --force and never left half-written.

import Foundation
import XCTest

final class SafeFilesTests: CLITestCase {
    func testTrainRefusesToOverwriteWithoutForce() throws {
        let model = try trainSmallModel()
        let before = try bytes(model)
        try write("data.csv", labeledCSV())
        let r = try imdad("train", "data.csv", "--label-column", "label", "-o", model, "--epochs", "1", "--seed", "5", "--quiet")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("\(model) already exists") && r.stderr.contains("--force"), r.stderr)
        XCTAssertTrue(try bytes(model) == before, "model changed")
        let forced = try imdad("train", "data.csv", "--label-column", "label", "-o", model, "--epochs", "1", "--seed", "5", "--quiet",
                               "--force")
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(try bytes(model) != before, "model not replaced")
        XCTAssertEqual(try listing().filter { $0.hasPrefix(".") }, [], "temporary files left behind")
    }

    func testScoreRefusesToOverwriteWithoutForce() throws {
        let model = try trainSmallModel()
        try write("data.csv", labeledCSV())
        try write("scores.csv", "keep me\n")
        for format in ["csv", "json"] {
            let r = try imdad("score", model, "data.csv", "--label-column", "label", "--format", format, "-o", "scores.csv")
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.stderr.contains("scores.csv already exists") && r.stderr.contains("--force"), r.stderr)
            XCTAssertEqual(String(decoding: try bytes("scores.csv"), as: UTF8.self), "keep me\n")
        }
        let forced = try imdad("score", model, "data.csv", "--label-column", "label", "-o", "scores.csv", "--force")
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(String(decoding: try bytes("scores.csv"), as: UTF8.self).hasPrefix("row,score,"))
        XCTAssertEqual(try listing().filter { $0.hasPrefix(".") }, [], "temporary files left behind")
    }

    /// SIGKILL while `train --force` runs over an existing model: the old model stays intact and no
    /// temporary file is left. (The model is written to `.<name>.<pid>.tmp` and renamed only after
    /// training; a kill during that final write — a few milliseconds — would leave that hidden temp
    /// file, never a damaged model.)
    func testKilledTrainingLeavesThePreviousModelIntact() throws {
        let model = try trainSmallModel()
        let before = try bytes(model)
        try write("big.csv", labeledCSV(rows: 20_000, columns: 20))
        for delay in [0.3, 1.0, 2.5] {
            let (p, out, err) = try start(["train", "big.csv", "--label-column", "label", "-o", model, "--force",
                                           "--epochs", "500", "--threads", "1"])
            defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
            Thread.sleep(forTimeInterval: delay)
            XCTAssertTrue(p.isRunning, "training finished before it could be killed (after \(delay) s)")
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationReason, .uncaughtSignal)
            XCTAssertTrue(try bytes(model) == before, "model changed after SIGKILL at \(delay) s")
            XCTAssertEqual(try listing(), ["big.csv", model], "files left after SIGKILL at \(delay) s")
        }
    }

    /// SIGKILL while `score --force` streams into its temporary file: the previous output stays
    /// intact; the only thing a kill can leave is the hidden `.scores.csv.<pid>.tmp` (documented).
    ///
    /// The input is a FIFO that this test feeds and keeps open, so the run cannot finish before the
    /// kill however fast the machine is: it has written scored rows to its temporary file and waits
    /// for more input when it is killed.
    func testKilledScoringLeavesThePreviousOutputIntact() throws {
        let model = try trainSmallModel(columns: 20)
        let rows = labeledCSV(rows: 20_000, columns: 20)
        signal(SIGPIPE, SIG_IGN)  // a run that dies early must fail the test, not kill the test runner
        for round in 0..<2 {
            try write("scores.csv", "keep me\n")
            XCTAssertEqual(mkfifo(path("big.csv").path, 0o600), 0, "mkfifo failed")
            defer { try? FileManager.default.removeItem(at: path("big.csv")) }
            let (p, out, err) = try start(["score", model, "big.csv", "--label-column", "label", "--chunk-rows", "10",
                                           "-o", "scores.csv", "--force"])
            defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
            guard let feed = FileHandle(forWritingAtPath: path("big.csv").path) else {
                kill(p.processIdentifier, SIGKILL); p.waitUntilExit()
                return XCTFail("could not open the FIFO for writing")
            }
            // Round 0 kills after the first scored chunk; round 1 after most of the data.
            let lines = rows.split(separator: "\n", omittingEmptySubsequences: false)
            let sent = round == 0 ? 8_000 : 19_000
            feed.write(Data((lines.prefix(sent + 1).joined(separator: "\n") + "\n").utf8))
            let temp = ".scores.csv.\(p.processIdentifier).tmp"
            let deadline = Date().addingTimeInterval(60)
            while p.isRunning, Date() < deadline, ((try? bytes(temp)) ?? []).isEmpty {
                Thread.sleep(forTimeInterval: 0.05)
            }
            let stderr = String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self)
            XCTAssertTrue(p.isRunning, "score exited while its input was still open: \(stderr)")
            let partial = (try? bytes(temp)) ?? []
            XCTAssertTrue(String(decoding: partial, as: UTF8.self).hasPrefix("row,score,"), "no scored rows in \(temp) before the kill")
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            try feed.close()
            XCTAssertEqual(p.terminationReason, .uncaughtSignal)
            XCTAssertEqual(String(decoding: try bytes("scores.csv"), as: UTF8.self), "keep me\n", "output changed by a killed run")
            let left = try listing().filter { ![model, "big.csv", "scores.csv"].contains($0) }
            XCTAssertEqual(left, [temp], "unexpected files")
            for f in left { try FileManager.default.removeItem(at: path(f)) }
        }
    }
}
