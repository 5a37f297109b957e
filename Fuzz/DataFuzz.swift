// libFuzzer harness for the IMDADData parsers. Build and run with Fuzz/run-data-fuzz.sh.
// The module's sources are compiled together with this file, so there is no import.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    do {
        switch selector % 5 {
        case 0: _ = try NPYArray.parse(bytes, file: "fuzz.npy")
        case 1:
            let a = try NPZArchive(bytes: bytes, file: "fuzz.npz")
            _ = try? TabularData.fromNPZ(a)
            _ = try a.readAll()
        case 2: _ = try IDXArray.parse(bytes, file: "fuzz.idx").doubleValues()
        case 3: _ = try TabularData.parseCSV(bytes, file: "fuzz.csv", labelColumn: selector & 0x80 != 0 ? "y" : nil)
        default: _ = try CSVReader.records(bytes, delimiter: ";")
        }
    } catch is DataError {
    } catch {
        fatalError("non-DataError thrown: \(error)")
    }
    return 0
}
