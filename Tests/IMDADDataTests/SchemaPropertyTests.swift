import Foundation
import XCTest
@testable import IMDADData

/// Random headers against a schema: the plan succeeds exactly when no feature is missing
/// and no column is unknown, and then points every feature at the column of that name.
final class SchemaPropertyTests: XCTestCase {
    func testRandomHeadersMatchByNameOrListTheDifference() throws {
        var rng = SplitMix(state: 23)
        let pool = (0..<12).map { "f\($0)" }
        for trial in 0..<2000 {
            let nFeatures = Int.random(in: 1...6, using: &rng)
            let features = Array(pool.shuffled(using: &rng).prefix(nFeatures))
            let schema = TableSchema(featureNames: features, labelColumn: "y", idColumns: ["id"], ignoredColumns: ["note"])
            var header = features.filter { _ in Int.random(in: 0..<8, using: &rng) != 0 }   // sometimes drop one
            header += pool.filter { !features.contains($0) && Int.random(in: 0..<10, using: &rng) == 0 } // sometimes add one
            header += ["y", "id", "note"].filter { _ in Bool.random(using: &rng) }
            if trial % 97 == 0, let first = header.first { header.append(first) } // a duplicate now and then
            header.shuffle(using: &rng)
            let missing = features.filter { !header.contains($0) }
            let unexpected = header.filter { !features.contains($0) && !["y", "id", "note"].contains($0) }
            let duplicated = Set(header).count != header.count
            do {
                let plan = try schema.plan(header: header, file: "p.csv")
                XCTAssertFalse(duplicated, "\(header)")
                XCTAssertTrue(missing.isEmpty && unexpected.isEmpty, "\(header) vs \(features)")
                XCTAssertEqual(plan.featureNames, features)
                XCTAssertEqual(plan.featureColumns.map { header[$0] }, features)
                XCTAssertEqual(plan.labelColumn.map { header[$0] }, header.contains("y") ? "y" : nil)
                XCTAssertEqual(plan.idNames, header.contains("id") ? ["id"] : [])
                XCTAssertEqual(Set(plan.featureColumns + plan.idColumns + plan.ignoredColumns
                                   + (plan.labelColumn.map { [$0] } ?? [])).count, header.count)
            } catch let e as DataError {
                if duplicated {
                    XCTAssertEqual(e.kind, .malformedHeader, "\(e)")
                } else {
                    XCTAssertEqual(e.kind, .schemaMismatch, "\(e)")
                    XCTAssertEqual(e.found, SchemaDifference(missing: missing, unexpected: unexpected).description)
                }
            }
        }
    }
}
