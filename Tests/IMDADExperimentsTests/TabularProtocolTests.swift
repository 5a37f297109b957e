// The spec §7 tabular protocol: stratified, seeded splits.
import XCTest
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
}
