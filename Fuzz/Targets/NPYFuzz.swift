// libFuzzer target `npy`: NPYArray.parse, the table conversion and an encode/parse round trip.
import Foundation
import IMDADData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    expectOnly({ $0 is DataError }) {
        let a = try NPYArray.parse(bytes, file: "fuzz.npy")
        var count = 1
        for d in a.shape { count *= d }  // parse guarantees no overflow
        guard a.values.count == count else { finding("\(a.values.count) values for shape \(a.shape)") }
        if let t = try? TabularData.fromNPY(a, source: "fuzz.npy") {
            guard t.rows * t.columns == t.features.count, t.features.allSatisfy(\.isFinite) else { finding("bad table") }
        }
        // Writing what was read and reading it back gives the same shape and the same values.
        let again = try NPYArray.parse(a.encode(as: .float64), file: "again.npy")
        guard again.shape == a.shape, sameBits(again.values, a.values) else { finding("float64 round trip differs") }
    }
    return 0
}
