// libFuzzer target `model`: TrainedModel.decode on arbitrary bytes, and scoring with every model
// that decodes. Random mutations almost never keep the CRC-32 valid, so when the input's first
// byte is odd the harness first recomputes the checksum (as a writer would), letting the fuzzer
// reach the metadata, tensor-table and detector checks behind it.
import Foundation
import IMDADData
import IMDADDetectors
import IMDADEngine

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var bytes = fuzzBytes(data, size)
    guard let mode = bytes.first else { return 0 }
    bytes.removeFirst()
    if mode & 1 == 1, let fixed = withFixedChecksum(bytes) { bytes = fixed }
    expectOnly({ $0 is ModelFileError }) {
        let model = try TrainedModel.decode(bytes, file: "fuzz.imdad")
        let n = model.detector.featureCount
        guard n == model.metadata.featureNames.count else { finding("feature count mismatch after decode") }
        guard n <= 4096 else { return }
        let raw = (0..<(2 * n)).map { Double($0 % 7) - 3 }
        if let x = try? model.prepare(rawFeatures: raw, rows: 2, columns: n) {
            _ = model.detector.scores(x)
        }
    }
    return 0
}

/// The same file with `imdad_crc32` set to the checksum of its model JSON and data section
/// (nil when the header is not JSON of the expected shape).
func withFixedChecksum(_ bytes: [UInt8]) -> [UInt8]? {
    guard bytes.count >= 8 else { return nil }
    let n = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    guard n <= UInt64(bytes.count - 8) else { return nil }
    let end = 8 + Int(n)
    guard let header = (try? JSONSerialization.jsonObject(with: Data(bytes[8..<end]))) as? [String: Any],
          let meta = header["__metadata__"] as? [String: String], let modelJSON = meta["imdad"],
          let old = meta["imdad_crc32"] else { return nil }
    let crc = crc32Checksum(Array(modelJSON.utf8) + Array(bytes[end...]))
    let text = String(decoding: bytes[8..<end], as: UTF8.self)
    let key = "\"imdad_crc32\":\"\(old)\""
    guard let r = text.range(of: key) else { return nil }
    let newHeader = Array(text.replacingCharacters(in: r, with: "\"imdad_crc32\":\"\(crc)\"").utf8)
    return withUnsafeBytes(of: UInt64(newHeader.count).littleEndian) { Array($0) } + newHeader + Array(bytes[end...])
}
