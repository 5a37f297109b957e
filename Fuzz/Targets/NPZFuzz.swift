// libFuzzer target `npz`: the ZIP reader, inflate, every array in the archive and the X/y table.
import Foundation
import IMDADData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPZ(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    expectOnly({ $0 is DataError }) {
        let archive = try NPZArchive(bytes: bytes, file: "fuzz.npz")
        if let t = try? TabularData.fromNPZ(archive) {
            guard t.features.count == t.rows * t.columns, t.labels.map({ $0.count == t.rows }) ?? true else { finding("bad table") }
            guard t.features.allSatisfy(\.isFinite), t.labels?.allSatisfy({ $0 == 0 || $0 == 1 }) ?? true else { finding("bad values") }
        }
        for name in archive.names { _ = try? archive.array(named: name) }
        _ = try archive.readAll()
    }
    return 0
}
