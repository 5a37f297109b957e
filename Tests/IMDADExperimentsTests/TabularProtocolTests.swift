// The spec §7 tabular protocol: stratified, seeded splits.
import XCTest
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine
@testable import IMDADExperiments

final class TabularProtocolTests: XCTestCase {
    func testTabularProtocolSplitsStratifiedAndDeterministic() throws {
        var x: [Double] = [], y: [Int] = []
        for i in 0..<1000 { x += [Double(i), Double(i % 7)]; y.append(i < 900 ? 0 : 1) }
        let data = TabularData(rows: 1000, columns: 2, features: x, labels: y)
        let s = try TabularProtocol.split(data, seed: 3, labeledRatio: 0.01)
        XCTAssertEqual(s.testLabels.filter { $0 == 0 }.count, 360)
        XCTAssertEqual(s.testLabels.filter { $0 == 1 }.count, 40)
        XCTAssertEqual(s.train.normalRows.count, 540)
        XCTAssertEqual(s.train.anomalyRows.count, 5)  // ⌊0.01/0.99 · 540⌋
        let train = Set(s.train.features.scalars.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        let test = Set(s.testFeatures.scalars.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        XCTAssertTrue(train.isDisjoint(with: test))
        XCTAssertTrue(s.train.features.scalars.allSatisfy { $0 >= -1e-6 && $0 <= 1 + 1e-6 })
        let again = try TabularProtocol.split(data, seed: 3, labeledRatio: 0.01)
        XCTAssertEqual(again.train.features, s.train.features)
        let other = try TabularProtocol.split(data, seed: 4, labeledRatio: 0.01)
        XCTAssertNotEqual(other.train.features, s.train.features)
    }

    /// 1000 rows: 900 normals, 100 anomalies; column 0 is the row index (unique, and every anomaly's
    /// is above every normal's, before and after the monotone scaling).
    func fixture() -> TabularData {
        var x: [Double] = [], y: [Int] = []
        for i in 0..<1000 { x += [Double(i), Double(i % 7)]; y.append(i < 900 ? 0 : 1) }
        return TabularData(rows: 1000, columns: 2, features: x, labels: y)
    }

    func column0(_ t: Tensor) -> [Float] { stride(from: 0, to: t.count, by: 2).map { t.scalars[$0] } }

    func testContaminatedSettingKeepsEveryTrainingAnomalyAndLabelsAFraction() throws {
        let data = fixture()
        let s = try TabularProtocol.split(data, seed: 3, setting: .contaminated(labeledFraction: 0.1))
        // 540 normals + 60 training anomalies, 6 = ⌊0.1 · 60⌋ of them labeled, 54 unlabeled (label 0).
        XCTAssertEqual(s.train.labels.count, 600)
        XCTAssertEqual(s.train.anomalyRows.count, 6)
        XCTAssertEqual(s.train.normalRows.count, 594)
        XCTAssertEqual(s.unlabeledAnomalies, 54)
        let x = column0(s.train.features)
        let normalsMax = x[..<540].max()!
        XCTAssertTrue(x[540...].allSatisfy { $0 > normalsMax }, "rows 540… must be the training anomalies")
        XCTAssertEqual(Array(s.train.labels[540..<594]), [Int](repeating: 0, count: 54))
        // The test split is the clean setting's, row for row; no training row is in it.
        let clean = try TabularProtocol.split(data, seed: 3, labeledRatio: 0.01)
        XCTAssertEqual(s.testFeatures, clean.testFeatures)
        XCTAssertEqual(s.testLabels, clean.testLabels)
        XCTAssertEqual(s.testLabels.filter { $0 == 1 }.count, 40)
        XCTAssertTrue(Set(x).isDisjoint(with: Set(column0(s.testFeatures))))
        XCTAssertEqual(Set(x).count, 600, "a training row drawn twice")
        // Same normals and scaler as the clean split; the clean split's labeled anomalies are among these.
        XCTAssertEqual(Array(x[..<540]), Array(column0(clean.train.features)[..<540]))
        XCTAssertTrue(Set(column0(clean.train.features)[540...]).isSubset(of: Set(x[540...])))
        XCTAssertEqual(s.scaler, clean.scaler)
        // Deterministic per seed; another seed, another split.
        let again = try TabularProtocol.split(data, seed: 3, setting: .contaminated(labeledFraction: 0.1))
        XCTAssertEqual(again.train.features, s.train.features)
        XCTAssertEqual(again.train.labels, s.train.labels)
        let other = try TabularProtocol.split(data, seed: 4, setting: .contaminated(labeledFraction: 0.1))
        XCTAssertNotEqual(other.train.features, s.train.features)
    }

    func testContaminatedSettingLabelsAtLeastOneAnomaly() throws {
        let s = try TabularProtocol.split(fixture(), seed: 0, setting: .contaminated(labeledFraction: 0.001))
        XCTAssertEqual(s.train.anomalyRows.count, 1)
        XCTAssertEqual(s.unlabeledAnomalies, 59)
        XCTAssertEqual(TabularProtocol.labeledCount(trainingAnomalies: 0, fraction: 0.5), 0)
        XCTAssertEqual(TabularProtocol.labeledCount(trainingAnomalies: 19, fraction: 0.1), 1)
        XCTAssertEqual(TabularProtocol.labeledCount(trainingAnomalies: 60, fraction: 1), 60)
    }

    func testCleanSplitUnchangedBySettingParameter() throws {
        let data = fixture()
        let old = try TabularProtocol.split(data, seed: 7, labeledRatio: 0.05)
        let new = try TabularProtocol.split(data, seed: 7, setting: .clean(labeledRatio: 0.05))
        XCTAssertEqual(old.train.features, new.train.features)
        XCTAssertEqual(old.train.labels, new.train.labels)
        XCTAssertEqual(new.unlabeledAnomalies, 0)
        XCTAssertEqual(new.train.anomalyRows.count, 28)  // ⌊0.05/0.95 · 540⌋
    }

    func testRunRecordsCarryTheSettingAndOldRecordsReadAsClean() throws {
        let old = #"{"ap":0.5,"auroc":0.9,"blas_kernel":"openblas","dataset":"thyroid","epochs":150,"f1":0.4,"#
            + #""final_loss":0.1,"gamma_l":0.01,"method":"imdad","normals_flagged":0.1,"seed":0,"train_seconds":1.5}"#
        let record = try JSONDecoder().decode(TabularRunRecord.self, from: Data(old.utf8))
        XCTAssertEqual(record.setting, "clean")
        XCTAssertNil(record.labeledAnomalies)
        var contaminated = record
        contaminated.setting = "contaminated"
        contaminated.labeledAnomalies = 0.1
        contaminated.unlabeledAnomalies = 54
        let line = try TabularBenchmark.jsonLine(contaminated)
        XCTAssertTrue(line.contains(#""setting":"contaminated""#), line)
        XCTAssertTrue(line.contains(#""labeled_anomalies":0.1"#), line)
        XCTAssertEqual(try JSONDecoder().decode(TabularRunRecord.self, from: Data(line.utf8)), contaminated)
    }

    func testExportedSplitReadsBackExactly() throws {
        let s = try TabularProtocol.split(fixture(), seed: 1, setting: .contaminated(labeledFraction: 0.1))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("split-export-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try s.writeCSV(to: dir, stem: "fixture_contaminated_seed1")
        let text = try String(contentsOf: dir.appendingPathComponent("fixture_contaminated_seed1_train.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.first, "f0,f1,label")
        XCTAssertEqual(lines.count, 601)
        let values = lines.dropFirst().map { $0.split(separator: ",") }
        XCTAssertEqual(values.map { Float($0[0])! }, column0(s.train.features))
        XCTAssertEqual(values.map { Int($0[2])! }, s.train.labels)
    }
}
