import Foundation
import XCTest
@testable import IMDADData
import IMDADTestSupport

final class TabularDataTests: XCTestCase {
    func npz(_ arrays: [(String, NPYArray)]) throws -> NPZArchive {
        try NPZArchive(bytes: NPZArchive.encode(arrays.map { (name: $0.0, array: $0.1) }), file: "t.npz")
    }

    func testADBenchLayoutFromNumPy() throws {
        let t = try TabularData.fromNPZ(NPZArchive(bytes: PythonFixtures.bytes(PythonFixtures.npz_deflate), file: "a.npz"))
        XCTAssertEqual(t.rows, 4)
        XCTAssertEqual(t.columns, 3)
        XCTAssertEqual(t.labels, [0, 1, 0, 0])
        XCTAssertEqual(t.normalRows, [0, 2, 3])
        XCTAssertEqual(t.anomalyRows, [1])
        XCTAssertEqual(t.featureNames, ["x0", "x1", "x2"])
        XCTAssertEqual(Array(t.row(1)), [2, 3, 4])
        let s = t.subset(rows: [3, 1])
        XCTAssertEqual(s.features, [8, 9, 10, 2, 3, 4])
        XCTAssertEqual(s.labels, [0, 1])
        XCTAssertNoThrow(try t.validate())
    }

    func testLoadDispatchesOnExtension() throws {
        let dir = try TempDir()
        let x = NPYArray(shape: [2, 2], values: [1, 2, 3, 4])
        let y = NPYArray(shape: [2], values: [1, 0])
        let npzURL = try dir.write("d.npz", NPZArchive.encode([(name: "X", array: x), (name: "y", array: y)], compressed: true))
        XCTAssertEqual(try TabularData.load(url: npzURL).labels, [1, 0])
        XCTAssertEqual(try TabularData.load(url: npzURL).source, "d.npz")
        let npyURL = try dir.write("d.npy", x.encode(as: .float32))
        let t = try TabularData.load(url: npyURL)
        XCTAssertNil(t.labels)
        XCTAssertEqual(t.features, [1, 2, 3, 4])
        XCTAssertEqual(t.normalRows, [0, 1])
        XCTAssertEqual(try TabularData.load(url: dir.write("d.tsv", "a\tb\n1\t2\n")).features, [1, 2])
        XCTAssertEqual(try TabularData.load(url: dir.write("d.csv", "a,lab\n1,1\n"), labelColumn: "lab").labels, [1])
        assertDataError(.unsupportedFormat, contains: ["d.xlsx"]) { try TabularData.load(url: dir.write("d.xlsx", "x")) }
        assertDataError(.io, contains: ["missing.npz"]) { try TabularData.load(url: dir.url.appendingPathComponent("missing.npz")) }
    }

    func testNPZValidation() throws {
        let x = NPYArray(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        assertDataError(.shapeMismatch, contains: ["t.npz", "array 'y'", "(2,)", "(3,)"]) {
            try TabularData.fromNPZ(npz([("X", x), ("y", NPYArray(shape: [3], values: [0, 0, 1]))]))
        }
        assertDataError(.badLabel, contains: ["array 'y', element 1", "2.0"]) {
            try TabularData.fromNPZ(npz([("X", x), ("y", NPYArray(shape: [2], values: [0, 2]))]))
        }
        var bad = x
        bad.values[5] = .nan
        assertDataError(.nonFinite, contains: ["array 'X', element [1, 2]"]) { try TabularData.fromNPZ(npz([("X", bad)])) }
        bad.values[5] = -.infinity
        assertDataError(.nonFinite) { try TabularData.fromNPZ(npz([("X", bad)])) }
        assertDataError(.shapeMismatch, contains: ["2-D", "reshape"]) {
            try TabularData.fromNPZ(npz([("X", NPYArray(shape: [3], values: [1, 2, 3]))]))
        }
        assertDataError(.empty, contains: ["(0, 3)"]) { try TabularData.fromNPZ(npz([("X", NPYArray(shape: [0, 3], values: []))])) }
        assertDataError(.missingColumn, contains: ["'labels'", "'X', 'y'"]) {
            try TabularData.fromNPZ(npz([("X", x), ("y", NPYArray(shape: [2], values: [0, 1]))]), labelArray: "labels")
        }
        assertDataError(.missingColumn, contains: ["'X'", "'features'"]) {
            try TabularData.fromNPZ(npz([("features", x)]))
        }
        // y as float column vector, and a custom label array name.
        let t = try TabularData.fromNPZ(npz([("X", x), ("target", NPYArray(shape: [2, 1], values: [1.0, 0.0]))]), labelArray: "target")
        XCTAssertEqual(t.labels, [1, 0])
        XCTAssertNil(try TabularData.fromNPZ(npz([("X", x)])).labels)
    }

    func testValidateInMemory() {
        let t = TabularData(rows: 1, columns: 2, features: [1, .nan], labels: [3], featureNames: ["a", "b"], source: "mem")
        assertDataError(.nonFinite, contains: ["mem: row 1, column 'b'"]) { try t.validate() }
        let u = TabularData(rows: 1, columns: 1, features: [1], labels: [3])
        assertDataError(.badLabel, contains: ["row 1"]) { try u.validate() }
        assertDataError(.empty) { try TabularData(rows: 0, columns: 0, features: []).validate() }
    }
}

final class ScalerTests: XCTestCase {
    func testFormulaMatchesSklearn() throws {
        // x = [[1,10],[2,10],[3,10]]: column 1 is constant.
        let s = try StandardMinMaxScaler.fit([1, 10, 2, 10, 3, 10], rows: 3, columns: 2)
        XCTAssertEqual(s.mean, [2, 10])
        XCTAssertEqual(s.scale[0], (2.0 / 3).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(s.scale[1], 1)
        XCTAssertEqual(s.range[1], 1)
        let out = try s.transformDouble([1, 10, 2, 10, 3, 10, 4, 11], columns: 2)
        let expected: [Double] = [0, 0, 0.5, 0, 1, 0, 1.5, 1]
        for (a, b) in zip(out, expected) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        let f = try s.transform(TabularData(rows: 1, columns: 2, features: [2, 10]))
        XCTAssertEqual(f, [0.5, 0])
    }

    func testAgainstNumPyReference() throws {
        // Reference from: StandardScaler().fit(X); MinMaxScaler().fit(ss.transform(X)) with
        // X = [[0.5,1,-1],[2,3,4],[5.5,-6,7],[8,9,10]] → the min-max output of training data
        // equals (x - min) / (max - min) per column, since standardization is affine.
        let X: [Double] = [0.5, 1.0, -1.0, 2.0, 3.0, 4.0, 5.5, -6.0, 7.0, 8.0, 9.0, 10.0]
        let s = try StandardMinMaxScaler.fit(X, rows: 4, columns: 3)
        let out = try s.transformDouble(X, columns: 3)
        for j in 0..<3 {
            let col = (0..<4).map { X[$0 * 3 + j] }
            let lo = col.min()!, hi = col.max()!
            for i in 0..<4 { XCTAssertEqual(out[i * 3 + j], (col[i] - lo) / (hi - lo), accuracy: 1e-12) }
        }
    }

    func testCodableAndErrors() throws {
        let s = try StandardMinMaxScaler.fit([1, 2, 3, 5], rows: 2, columns: 2)
        let data = try JSONEncoder().encode(s)
        XCTAssertEqual(try JSONDecoder().decode(StandardMinMaxScaler.self, from: data), s)
        assertDataError(.shapeMismatch, contains: ["2 columns"]) { try s.transform([1, 2, 3], columns: 3) }
        assertDataError(.empty) { try StandardMinMaxScaler.fit([], rows: 0, columns: 2) }
        assertDataError(.shapeMismatch) { try StandardMinMaxScaler.fit([1, 2, 3], rows: 2, columns: 2) }
        // A single row: every column constant, everything maps to 0.
        let one = try StandardMinMaxScaler.fit([3, 4], rows: 1, columns: 2)
        XCTAssertEqual(try one.transform([3, 4], columns: 2), [0, 0])
    }
}
