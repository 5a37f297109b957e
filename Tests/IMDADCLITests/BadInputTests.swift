// The bad-input matrix: every case must exit non-zero, name the file, the position and what was
// expected on stderr, and leave no output file behind.

import Foundation
import XCTest
import IMDADData
import IMDADTestSupport
import IMDADDetectors

final class BadCSVInputTests: CLITestCase {
    /// `imdad train <name> --label-column label -o model.imdad` fails with `mentions`.
    func assertTrainFails(_ name: String, _ text: String, label: String = "label", _ mentions: [String],
                          file: StaticString = #filePath, line: UInt = #line) throws {
        try write(name, text)
        try assertFails(["train", name, "--label-column", label, "-o", "model.imdad", "--epochs", "1", "--quiet"],
                        mentions: [name] + mentions, noOutput: "model.imdad", file: file, line: line)
    }

    /// The valid fixture with the cell at data row `row` (1-based), column `column` replaced.
    func csv(row: Int, column: Int, cell: String) -> String {
        var lines = labeledCSV().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var fields = lines[row].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[column] = cell
        lines[row] = fields.joined(separator: ",")
        return lines.joined(separator: "\n")
    }

    func testEmptyAndHeaderOnly() throws {
        try assertTrainFails("empty.csv", "", ["line 1", "expected a header row", "empty file"])
        try assertTrainFails("blank.csv", "\n\n", ["expected a header row"])
        try assertTrainFails("header.csv", "f0,f1,label\n", ["line 2", "expected at least one data row"])
    }

    func testTruncatedMidRow() throws {
        let text = labeledCSV()
        let lines = text.split(separator: "\n").map(String.init)
        // Cut row 9 (line 10) after its first field, as an interrupted copy would.
        let cut = lines[0..<9].joined(separator: "\n") + "\n" + lines[9].split(separator: ",")[0]
        try assertTrainFails("truncated.csv", cut, ["row 9 (line 10)", "expected 4 fields", "found 1 fields"])
    }

    func testRaggedRows() throws {
        var lines = labeledCSV().split(separator: "\n").map(String.init)
        lines[5] = "1,2"
        try assertTrainFails("short.csv", lines.joined(separator: "\n"), ["row 5 (line 6)", "expected 4 fields", "found 2 fields"])
        try assertTrainFails("long.csv", csv(row: 7, column: 3, cell: "0,9"), ["row 7 (line 8)", "expected 4 fields"])
    }

    func testNonNumericAndMissing() throws {
        try assertTrainFails("text.csv", csv(row: 3, column: 1, cell: "abc"),
                             ["row 3 (line 4), column 'f1'", "expected a number", "\"abc\""])
        try assertTrainFails("empty-cell.csv", csv(row: 4, column: 0, cell: ""),
                             ["row 4 (line 5), column 'f0'", "expected a number", "empty cell"])
        try assertTrainFails("na.csv", csv(row: 12, column: 2, cell: "NA"),
                             ["row 12 (line 13), column 'f2'", "expected a number", "\"NA\""])
        try assertTrainFails("quote.csv", csv(row: 2, column: 1, cell: "\"1.5"), ["line 3", "expected a closing quote"])
    }

    func testLabels() throws {
        try assertTrainFails("nolabel.csv", labeledCSV(), label: "target",
                             ["header", "expected a label column named 'target'", "'label'"])
        try assertTrainFails("two.csv", csv(row: 6, column: 3, cell: "2"),
                             ["row 6 (line 7), column 'label'", "expected a label 0 (normal) or 1 (anomaly)", "\"2\""])
        try assertTrainFails("yes.csv", csv(row: 8, column: 3, cell: "yes"),
                             ["row 8 (line 9), column 'label'", "expected a label 0 (normal) or 1 (anomaly)"])
        try assertTrainFails("minus.csv", csv(row: 9, column: 3, cell: "-1"), ["row 9 (line 10), column 'label'", "expected a label 0"])
        try assertTrainFails("nolabelvalue.csv", csv(row: 9, column: 3, cell: ""),
                             ["row 9 (line 10), column 'label'", "expected a label", "empty cell"])
    }

    func testNonFinite() throws {
        for (i, cell) in ["nan", "NaN", "inf", "-inf", "+Infinity", "1e999"].enumerated() {
            try assertTrainFails("nonfinite\(i).csv", csv(row: 20 + i, column: 2, cell: cell),
                                 ["row \(20 + i) (line \(21 + i)), column 'f2'", "expected a finite number"])
        }
    }

    func testMissingClasses() throws {
        try assertTrainFails("all-anomalies.csv", labeledCSV { _ in 1 },
                             ["label column 'label'", "expected at least one normal row (label 0)"])
        try assertTrainFails("no-anomalies.csv", labeledCSV { _ in 0 },
                             ["label column 'label'", "expected at least one labeled anomaly (label 1) for IMD-AD", "--one-class"])
        // Deep SAD also needs labeled anomalies.
        try write("no-anomalies-sad.csv", labeledCSV { _ in 0 })
        try assertFails(["train", "no-anomalies-sad.csv", "--label-column", "label", "-o", "sad.imdad", "--method", "deepsad",
                         "--epochs", "1"],
                        mentions: ["no-anomalies-sad.csv", "label column 'label'", "expected at least one labeled anomaly"],
                        noOutput: "sad.imdad")
        // … and --one-class trains IMD-AD without them.
        let r = try imdad("train", "no-anomalies.csv", "--label-column", "label", "-o", "model.imdad", "--epochs", "1", "--quiet",
                          "--one-class")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(exists("model.imdad"))
    }

    func testTrainWithoutLabelColumnIsRefused() throws {
        try write("data.csv", labeledCSV())
        let r = try imdad("train", "data.csv", "-o", "model.imdad")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("data.csv") && r.stderr.contains("--label-column"), r.stderr)
        XCTAssertFalse(exists("model.imdad"))
    }

    func testScoreStopsWithoutPartialOutput() throws {
        let model = try trainSmallModel()
        // A bad cell in a late chunk: earlier chunks were already scored, but nothing may be written.
        try write("late-nan.csv", csv(row: 55, column: 1, cell: "nan"))
        try assertFails(["score", model, "late-nan.csv", "--label-column", "label", "--chunk-rows", "10", "-o", "scores.csv"],
                        mentions: ["late-nan.csv", "row 55 (line 56), column 'f1'", "expected a finite number"], noOutput: "scores.csv")
        try write("late-ragged.csv", labeledCSV() + "1,2\n")
        try assertFails(["score", model, "late-ragged.csv", "--label-column", "label", "--chunk-rows", "7", "-o", "scores.csv"],
                        mentions: ["late-ragged.csv", "row 61 (line 62)", "expected 4 fields"], noOutput: "scores.csv")
        try assertFails(["score", model, "late-ragged.csv", "--label-column", "label", "--format", "json", "-o", "scores.json"],
                        mentions: ["late-ragged.csv", "row 61 (line 62)"], noOutput: "scores.json")
    }

    func testFeatureCountMismatchAtScore() throws {
        let model = try trainSmallModel()
        try write("two-features.csv", "f0,f1\n1,2\n3,4\n")
        try assertFails(["score", model, "two-features.csv", "-o", "scores.csv"],
                        mentions: ["two-features.csv", "header", "the 3 feature columns", "missing: ['f2']"], noOutput: "scores.csv")
        try write("four-features.csv", "f0,f1,f2,f3,label\n1,2,3,4,0\n")
        try assertFails(["score", model, "four-features.csv", "--label-column", "label", "-o", "scores.csv"],
                        mentions: ["four-features.csv", "the 3 feature columns", "unexpected: ['f3']", "--ignore-columns"],
                        noOutput: "scores.csv")
        try write("wide.npy", npy(rows: 4, columns: 5))
        try assertFails(["score", model, "wide.npy", "-o", "scores.csv"],
                        mentions: ["wide.npy", "expected 3 feature columns", "found 5"], noOutput: "scores.csv")
    }
}

final class BadNumPyInputTests: CLITestCase {
    var model = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        model = try trainSmallModel()
    }

    func assertScoreFails(_ name: String, _ bytes: [UInt8], _ mentions: [String],
                          file: StaticString = #filePath, line: UInt = #line) throws {
        try write(name, bytes)
        try assertFails(["score", model, name, "-o", "scores.csv"], mentions: [name] + mentions, noOutput: "scores.csv",
                        file: file, line: line)
    }

    /// An NPY file from a header dictionary and raw payload bytes.
    func rawNPY(header dict: String, payload: [UInt8]) -> [UInt8] {
        var h = dict
        while (10 + h.utf8.count + 1) % 64 != 0 { h += " " }
        h += "\n"
        let n = h.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(h.utf8) + payload
    }

    func testValidNPYScores() throws {
        try write("ok.npy", npy())
        let r = try imdad("score", model, "ok.npy", "-o", "scores.csv")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(String(decoding: try bytes("scores.csv"), as: UTF8.self).split(separator: "\n").count, 1 + 5)
    }

    func testTruncatedAndEmpty() throws {
        let ok = npy()
        try assertScoreFails("empty.npy", [], ["byte 0", "expected the NPY magic"])
        try assertScoreFails("magic-only.npy", Array(ok.prefix(7)), ["byte 7", "expected the 2-byte format version"])
        try assertScoreFails("short-header.npy", Array(ok.prefix(40)), ["byte 40", "expected a 118-byte header"])
        try assertScoreFails("short-data.npy", Array(ok.dropLast(7)),
                             ["byte 128", "expected 120 data bytes for shape (5, 3)", "found 113 bytes"])
        try assertScoreFails("trailing.npy", ok + [0, 0, 0], ["byte 248", "expected end of file"])
    }

    func testWrongMagicDTypeAndObjects() throws {
        let ok = npy()
        try assertScoreFails("magic.npy", [0x94] + ok.dropFirst(), ["byte 0", "expected the NPY magic"])
        try assertScoreFails("csv-as.npy", Array("f0,f1,f2\n1,2,3\n".utf8), ["byte 0", "expected the NPY magic"])
        try assertScoreFails("complex.npy", ok.replacing("'<f8'", with: "'<c8'"), ["'descr'", "expected one of f2, f4, f8"])
        try assertScoreFails("string.npy", ok.replacing("'<f8'", with: "'<U8'"), ["'descr'", "expected one of f2, f4, f8"])
        try assertScoreFails("record.npy", rawNPY(header: "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }",
                                                  payload: Array(repeating: 0, count: 8)),
                             ["'descr'", "expected a plain numeric dtype"])
        try assertScoreFails("object.npy", rawNPY(header: "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }",
                                                  payload: [0x80, 0x04, 0x95] + Array("pickled".utf8) + [0x2E]),
                             ["'descr'", "expected a numeric dtype", "object dtype"])
        try assertScoreFails("pickle.npy", [0x80, 0x04, 0x95, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x2E],
                             ["byte 0", "expected the NPY magic", "pickle"])
        try assertScoreFails("version.npy", Array(ok.prefix(6)) + [9, 0] + Array(ok.dropFirst(8)),
                             ["byte 6", "expected format version 1.0, 2.0 or 3.0"])
    }

    func testAbsurdShapes() throws {
        let payload = [UInt8](repeating: 0, count: 120)
        try assertScoreFails("huge.npy", rawNPY(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (999999999999, 3), }",
                                                payload: payload),
                             ["byte 128", "expected 23999999999976 data bytes for shape (999999999999, 3)", "found 120 bytes"])
        try assertScoreFails("overflow.npy",
                             rawNPY(header: "{'descr': '<f8', 'fortran_order': False, "
                                        + "'shape': (4611686018427387904, 4611686018427387904), }",
                                    payload: payload),
                             ["'shape'", "expected a shape whose element count fits in memory"])
        try assertScoreFails("negative.npy", rawNPY(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (-5, 3), }",
                                                    payload: payload),
                             ["'shape'", "expected non-negative integer dimensions"])
        try assertScoreFails("zero.npy", rawNPY(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", payload: []),
                             ["array", "expected at least one row and one column"])
        try assertScoreFails("1d.npy", NPYArray(shape: [3], values: [1, 2, 3]).encode(), ["array", "expected a 2-D array"])
    }

    func testNonFinite() throws {
        for (name, v) in [("nan", Double.nan), ("inf", Double.infinity), ("minus-inf", -Double.infinity)] {
            try assertScoreFails("\(name).npy", npy { $0 == 7 ? v : 1 }, ["array, element [2, 1]", "expected a finite number"])
        }
        // float32 storage too.
        let f32 = NPYArray(shape: [2, 3], values: [1, 2, 3, 4, .nan, 6]).encode(as: .float32)
        try assertScoreFails("nan32.npy", f32, ["array, element [1, 1]", "expected a finite number"])
    }

    func testNPZ() throws {
        func npz(_ arrays: [(String, NPYArray)], compressed: Bool = true) -> [UInt8] {
            NPZArchive.encode(arrays.map { (name: $0.0, array: $0.1) }, compressed: compressed)
        }
        let x = NPYArray(shape: [20, 3], values: (0..<60).map { Double($0 % 9) })
        let y = NPYArray(shape: [20], values: (0..<20).map { $0 % 5 == 0 ? 1 : 0 })
        let ok = npz([("X", x), ("y", y)])
        try write("ok.npz", ok)
        XCTAssertEqual(try imdad("train", "ok.npz", "-o", "npz-model.imdad", "--epochs", "1", "--quiet").status, 0)
        func assertTrainFails(_ name: String, _ bytes: [UInt8], _ mentions: [String], line: UInt = #line) throws {
            try write(name, bytes)
            try assertFails(["train", name, "-o", "out.imdad", "--epochs", "1", "--quiet"], mentions: [name] + mentions,
                            noOutput: "out.imdad", line: line)
        }
        try assertTrainFails("empty.npz", [], ["expected"])
        try assertTrainFails("truncated.npz", Array(ok.prefix(ok.count / 2)), ["expected"])
        try assertTrainFails("magic.npz", Array("PK not really".utf8) + ok, ["expected"])
        var nanX = x; nanX.values[31] = .nan
        try assertTrainFails("nan.npz", npz([("X", nanX), ("y", y)]), ["array 'X', element [10, 1]", "expected a finite number"])
        var badY = y; badY.values[4] = 2
        try assertTrainFails("label.npz", npz([("X", x), ("y", badY)]),
                             ["array 'y', element 4", "expected a label 0 (normal) or 1 (anomaly)"])
        try assertTrainFails("short-y.npz", npz([("X", x), ("y", NPYArray(shape: [3], values: [0, 1, 0]))]),
                             ["array 'y'", "expected shape (20,)"])
        try assertTrainFails("no-x.npz", npz([("features", x), ("y", y)]), ["expected an array named 'X'", "'features'"])
        let objectX = rawNPY(header: "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", payload: [0x80, 0x04, 0x2E])
        let zipped = ZipArchive.build([(name: "X.npy", bytes: objectX), (name: "y.npy", bytes: y.encode())], deflate: false)
        try assertTrainFails("object.npz", zipped, ["array 'X'", "expected a numeric dtype", "object dtype"])
        try write("no-y.npz", npz([("X", x)]))
        let r = try imdad("train", "no-y.npz", "-o", "out.imdad")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("no-y.npz") && r.stderr.contains("no label column") && r.stderr.contains("--one-class"), r.stderr)
        XCTAssertFalse(exists("out.imdad"))
    }
}

final class BadModelFileTests: CLITestCase {
    var model = ""
    var good: [UInt8] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        model = try trainSmallModel()
        good = try bytes(model)
        try write("data.csv", labeledCSV())
    }

    func assertModelFails(_ name: String, _ bytes: [UInt8], _ mentions: [String],
                          file: StaticString = #filePath, line: UInt = #line) throws {
        try write(name, bytes)
        try assertFails(["score", name, "data.csv", "--label-column", "label", "-o", "scores.csv"],
                        mentions: [name] + mentions, noOutput: "scores.csv", file: file, line: line)
    }

    func testTruncated() throws {
        try assertModelFails("empty.imdad", [], ["byte 0", "expected at least 8 (header length)"])
        try assertModelFails("five.imdad", Array(good.prefix(5)), ["byte 0", "expected at least 8"])
        try assertModelFails("header-cut.imdad", Array(good.prefix(200)), ["byte 0", "header length", "does not fit"])
        let headerEnd = 8 + (Int(good[0]) | Int(good[1]) << 8)
        try assertModelFails("half.imdad", Array(good.prefix(headerEnd + 100)), ["checksum mismatch", "expected CRC-32"])
        try assertModelFails("minus-one.imdad", Array(good.dropLast()), ["checksum mismatch", "expected CRC-32"])
        try assertModelFails("csv-as.imdad", Array(labeledCSV().utf8), ["byte 0", "header length"])
    }

    func testBitFlips() throws {
        let headerEnd = 8 + (Int(good[0]) | Int(good[1]) << 8)
        // in the tensor data, in the model description (a feature name), in the middle
        let inDescription = good.range(of: Array("f1\\\"".utf8))!.lowerBound
        for (i, at) in [good.count - 10, inDescription, good.count / 2].enumerated() {
            var b = good
            b[at] ^= 0x10
            try assertModelFails("flip\(i).imdad", b, ["checksum mismatch", "expected CRC-32"])
        }
        var b = good
        b[2] ^= 0x01
        try assertModelFails("flip-length.imdad", b, ["byte 0", "header length"])
    }

    func testEveryByteFlipIsDetected() throws {
        // In process (fast): a flipped bit anywhere must be refused with a ModelFileError, or (in
        // the JSON header's insignificant whitespace) decode to the same model.
        let reference = try TrainedModel.decode(good, file: "model.imdad")
        var accepted = 0
        for i in 0..<good.count {
            var b = good
            b[i] ^= UInt8(1 << (i % 8))
            do {
                let m = try TrainedModel.decode(b, file: "model.imdad")
                XCTAssertEqual(m.metadata, reference.metadata, "flip at byte \(i) decoded to a different model")
                accepted += 1
            } catch is ModelFileError {
            } catch {
                XCTFail("flip at byte \(i): \(type(of: error)) instead of ModelFileError: \(error)")
            }
        }
        XCTAssertLessThan(accepted, 8, "too many undetected flips")
    }

    func testOtherFormatVersion() throws {
        let v9 = good.replacing("\\\"formatVersion\\\":\(IMDADVersion.modelFormat)", with: "\\\"formatVersion\\\":9")
        try assertModelFails("v9.imdad", v9,
                             ["header metadata", "model format version 9", "reads format versions 1–\(IMDADVersion.modelFormat)",
                              "retrain"])
        let other = good.replacing("\\\"format\\\":\\\"imdad-model\\\"", with: "\\\"format\\\":\\\"other-model\\\"")
        try assertModelFails("other.imdad", other, ["header metadata", "not an imdad model"])
    }
}
