// Model files: bit-identical scores after loading, deterministic bytes, clear errors on damage.
import XCTest
@testable import IMDADDetectors
import IMDADData
import IMDADEngine

final class ModelFileTests: XCTestCase {
    func trained(_ kind: MethodKind, seed: UInt64 = 0) throws -> (TrainedModel, Tensor) {
        let (train, test, _) = try syntheticData(normals: 200)
        var rng = RandomGenerator(seed: seed)
        let fitted = try fitDetector(quick(kind, epochs: 3), data: train, using: &rng)
        let scaler = StandardMinMaxScaler(mean: [Double](repeating: 0, count: 6), scale: [Double](repeating: 1, count: 6),
                                          minimum: [Double](repeating: 0, count: 6), range: [Double](repeating: 1, count: 6))
        return (TrainedModel(fitted: fitted, method: kind, seed: seed, featureNames: (0..<6).map { "f\($0)" }, scaler: scaler), test)
    }

    func testRoundTripGivesBitIdenticalScoresForEveryMethod() throws {
        for kind in MethodKind.allCases {
            let (model, test) = try trained(kind)
            let bytes = try model.encoded()
            let loaded = try TrainedModel.decode(bytes, file: "m.imdad")
            XCTAssertEqual(loaded.detector.scores(test), model.detector.scores(test), "\(kind)")
            XCTAssertEqual(loaded.detector.threshold, model.detector.threshold)
            XCTAssertEqual(loaded.metadata.log.map(\.loss), model.metadata.log.map(\.loss))
            XCTAssertEqual(loaded.metadata.featureNames, model.metadata.featureNames)
            XCTAssertEqual(loaded.metadata.sphere, model.metadata.sphere)
            XCTAssertTrue(try loaded.encoded() == bytes, "\(kind): re-encoding changed the bytes")
        }
    }

    func testSameSeedSameBytes() throws {
        XCTAssertTrue(try trained(.imdad, seed: 9).0.encoded() == trained(.imdad, seed: 9).0.encoded())
        XCTAssertFalse(try trained(.imdad, seed: 9).0.encoded() == trained(.imdad, seed: 10).0.encoded())
    }

    func testTruncatedFilesAreRefused() throws {
        let bytes = try trained(.imdad).0.encoded()
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            XCTAssertThrowsError(try TrainedModel.decode(Array(bytes.prefix(cut)), file: "m.imdad")) {
                XCTAssertTrue($0 is ModelFileError, "cut at \(cut): \($0)")
            }
        }
    }

    func testFlippedBitsAreRefused() throws {
        let bytes = try trained(.imdad).0.encoded()
        var rng = RandomGenerator(seed: 1)
        var refused = 0
        for _ in 0..<200 {
            var b = bytes
            let i = rng.nextIndex(below: b.count)
            b[i] ^= UInt8(1 << rng.nextIndex(below: 8))
            do { _ = try TrainedModel.decode(b, file: "m.imdad") } catch { refused += 1; XCTAssertTrue(error is ModelFileError) }
        }
        // Flips inside JSON whitespace padding are harmless; everything else must be refused.
        XCTAssertGreaterThan(refused, 190)
    }

    func testOtherFormatVersionIsRefusedWithAdvice() throws {
        let bytes = try trained(.deepSVDD).0.encoded()
        let needle = Array("formatVersion\\\":\(IMDADVersion.modelFormat)".utf8)
        guard let at = (0...(bytes.count - needle.count)).first(where: { Array(bytes[$0..<($0 + needle.count)]) == needle }) else {
            return XCTFail("no format version in the header")
        }
        var patched = bytes
        patched[at + needle.count - 1] = UInt8(ascii: "7")
        XCTAssertThrowsError(try TrainedModel.decode(patched, file: "old.imdad")) {
            let d = "\($0)"
            XCTAssertTrue(d.contains("format version 7") && d.contains("old.imdad") && d.contains("HINT"), d)
        }
    }

    /// Found by the `model` fuzz target: a scaler whose arrays disagree in length (or hold
    /// non-finite values or zero divisors) passed decoding and crashed scoring. Now refused.
    /// A stored schema that does not fit the model (other features than `featureNames`, a feature
    /// named twice, a column in two roles) would read files wrongly: refused when decoding.
    func testInconsistentSchemaIsRefused() throws {
        let (model, _) = try trained(.isolationForest)
        let names = model.metadata.featureNames
        var cases: [(TableSchema, String)] = []
        cases.append((TableSchema(featureNames: names.reversed()), "differ from the model's featureNames"))
        cases.append((TableSchema(featureNames: names, labelColumn: names[1]), "is both a feature and the label column"))
        cases.append((TableSchema(featureNames: names, idColumns: ["id"], ignoredColumns: ["id"]),
                      "is both an id column and an ignored column"))
        cases.append((TableSchema(featureNames: names, labelColumn: "y", labelMapping: LabelMapping(anomalyValue: "x", normalValue: "X")),
                      "for both classes"))
        for (schema, expected) in cases {
            var damaged = model
            damaged.metadata.schema = schema
            XCTAssertThrowsError(try TrainedModel.decode(try damaged.encoded(), file: "s.imdad")) {
                XCTAssertTrue($0 is ModelFileError, "\($0)")
                XCTAssertTrue("\($0)".contains(expected) && "\($0)".contains("'schema'"), "\($0)")
            }
        }
        var good = model
        good.metadata.schema = TableSchema(featureNames: names, labelColumn: "y", idColumns: ["id"], ignoredColumns: ["n"])
        XCTAssertEqual(try TrainedModel.decode(try good.encoded(), file: "s.imdad").metadata.schema, good.metadata.schema)
    }

    func testInconsistentScalerIsRefused() throws {
        let (model, _) = try trained(.isolationForest)
        let good = try XCTUnwrap(model.metadata.scaler)
        var cases: [(StandardMinMaxScaler, String)] = []
        var s = good; s.range.removeLast(); cases.append((s, "'range' has 5 values"))
        s = good; s.minimum.append(0); cases.append((s, "'minimum' has 7 values"))
        s = good; s.scale[4] = 0; cases.append((s, "'scale'[4]"))
        s = StandardMinMaxScaler(mean: [0], scale: [1], minimum: [0], range: [1]); cases.append((s, "fitted on 1 columns"))
        for (scaler, expected) in cases {
            var damaged = model
            damaged.metadata.scaler = scaler
            XCTAssertThrowsError(try TrainedModel.decode(try damaged.encoded(), file: "s.imdad")) {
                XCTAssertTrue($0 is ModelFileError, "\($0)")
                XCTAssertTrue("\($0)".contains(expected) && "\($0)".contains("s.imdad") && "\($0)".contains("scaler"), "\($0)")
            }
            // and the scaler itself refuses to transform instead of trapping
            XCTAssertThrowsError(try scaler.transform([Double](repeating: 1, count: 6), columns: 6)) {
                // an inconsistent scaler is refused as such; the consistent 1-column one for the 6 columns
                let kind: DataError.Kind = expected == "fitted on 1 columns" ? .shapeMismatch : .malformedHeader
                XCTAssertEqual(($0 as? DataError)?.kind, kind, "\($0)")
            }
        }
        // JSON cannot carry NaN, but a scaler built in code can: refused too
        var nan = good; nan.mean[2] = .nan
        XCTAssertEqual(nan.inconsistency, "'mean'[2] is nan; expected a finite number")
        XCTAssertThrowsError(try nan.transform([Double](repeating: 1, count: 6), columns: 6)) {
            XCTAssertEqual(($0 as? DataError)?.kind, .malformedHeader, "\($0)")
            XCTAssertTrue("\($0)".contains("'mean'[2] is nan"), "\($0)")
        }
    }

    /// Found by the `model` fuzz target: an encoder in the header with a negative layer size
    /// trapped while the network was built. Refused now, as are sizes whose weights cannot fit in
    /// the file (no huge allocation on a lie).
    func testImpossibleEncoderIsRefused() throws {
        let (model, _) = try trained(.imdad)
        for (encoder, expected) in [(EncoderArchitecture.mlp(input: 6, hidden: [-3], representation: 2), "layer size below 1"),
                                    (.mlp(input: 6, hidden: [0], representation: 2), "layer size below 1"),
                                    (.mlp(input: 6, hidden: [1 << 40, 1 << 40], representation: 2), "too many weights"),
                                    (.mlp(input: 6, hidden: [100_000], representation: 2), "needs 800000 weights")] {
            var damaged = model
            damaged.metadata.imdad?.encoder = encoder
            XCTAssertThrowsError(try TrainedModel.decode(try damaged.encoded(), file: "e.imdad")) {
                XCTAssertTrue($0 is ModelFileError && "\($0)".contains(expected) && "\($0)".contains("e.imdad"), "\($0)")
            }
        }
    }

    func testAtomicWriteRefusesToOverwriteWithoutPermission() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.imdad")
        try Data("precious".utf8).write(to: url)
        let (model, _) = try trained(.isolationForest)
        XCTAssertThrowsError(try model.write(to: url, overwrite: false)) { XCTAssertTrue($0 is OutputExistsError) }
        XCTAssertEqual(try Data(contentsOf: url), Data("precious".utf8))
        try model.write(to: url, overwrite: true)
        XCTAssertEqual(try TrainedModel.read(contentsOf: url).encoded(), try model.encoded())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m.imdad"])  // no temp left
    }
}
