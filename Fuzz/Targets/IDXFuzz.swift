// libFuzzer target `idx`: IDXArray.parse (plain and gzip), element conversion, encode round trip.
import Foundation
import IMDADData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    expectOnly({ $0 is DataError }) {
        let a = try IDXArray.parse(bytes, file: "fuzz.idx")
        var count = 1
        for d in a.shape { count *= d }
        guard a.payload.count == count * a.dataType.size, a.doubleValues().count == count else { finding("payload/shape mismatch") }
        if !(bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B) {
            guard a.encode() == bytes else { finding("plain IDX does not re-encode to its bytes") }
        }
    }
    return 0
}
