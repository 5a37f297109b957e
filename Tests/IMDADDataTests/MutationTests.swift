import Foundation
import XCTest
@testable import IMDADData
import IMDADTestSupport

/// Cheap in-process fuzzing: mutated valid inputs must produce a value or a DataError —
/// never a crash, hang or another error type.
final class MutationTests: XCTestCase {
    func run(_ seeds: [[UInt8]], iterations: Int, seed: UInt64, _ parse: ([UInt8]) throws -> Void) {
        var rng = SplitMix(state: seed)
        for i in 0..<iterations {
            let input = mutate(seeds[i % seeds.count], &rng)
            do { try parse(input) } catch is DataError {} catch { XCTFail("non-DataError \(error)") }
        }
    }

    func testNPY() {
        let seeds = [PythonFixtures.f8, PythonFixtures.i2be, PythonFixtures.fortran3d, PythonFixtures.b1].map(PythonFixtures.bytes)
        run(seeds, iterations: 3000, seed: 11) { _ = try NPYArray.parse($0) }
    }

    func testNPZ() {
        let seeds = [PythonFixtures.npz_deflate, PythonFixtures.npz_stored].map(PythonFixtures.bytes)
            + [ZipArchive.build([(name: "X.npy", bytes: NPYArray(shape: [2], values: [1, 2]).encode())], zip64: true)]
        run(seeds, iterations: 3000, seed: 12) { _ = try TabularData.fromNPZ(NPZArchive(bytes: $0)) }
    }

    func testIDX() {
        let seeds = [PythonFixtures.idx3_gz, PythonFixtures.idx_f32_gz].map(PythonFixtures.bytes)
            + [[0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0, 2]]
        run(seeds, iterations: 3000, seed: 13) { _ = try IDXArray.parse($0).doubleValues() }
    }

    func testCSV() {
        let seeds = ["a,\"b\"\"c\",y\r\n1,2,0\n\"3\",4e1,1\n", "x;y\n1;0\n\n2;1"].map { Array($0.utf8) }
        run(seeds, iterations: 3000, seed: 14) {
            _ = try TabularData.parseCSV($0, labelColumn: "y")
            _ = try TabularData.parseCSV($0, delimiter: ";")
        }
    }
}
