// libFuzzer target `model`: TrainedModel.decode on arbitrary bytes, and scoring with every model
// that decodes. Random mutations almost never keep the CRC-32 valid, so when the input's first
// byte is odd the harness first recomputes the checksum (as a writer would), letting the fuzzer
// reach the metadata, tensor-table and detector checks behind it.
//
// Format 2's metadata is used as the commands use it: the stored schema must plan a file made of
// its own columns (features in another order, the label, id and ignored columns) into the model's
// features, in the model's order; a CSV with those columns is read against it and scored; the
// training summary's percentile and rate thresholds are computed.
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
        try useMetadata(model)
    }
    return 0
}

/// What `score`, `explain` and `report` do with format 2's metadata.
func useMetadata(_ model: TrainedModel) throws {
    let m = model.metadata
    let schema = m.effectiveSchema
    let n = model.detector.featureCount
    guard schema.featureNames == m.featureNames else { finding("schema features \(schema.featureNames) differ from the model's \(m.featureNames)") }
    // A file of the schema's own columns: features reversed, then the label, id and ignored columns.
    let others = (schema.labelColumn.map { [$0] } ?? []) + schema.idColumns + schema.ignoredColumns
    let header = schema.featureNames.reversed() + others.filter { !schema.featureNames.contains($0) }
    if Set(header).count == header.count {
        let plan: ColumnPlan
        do { plan = try schema.plan(header: header, file: "fuzz.csv") } catch {
            finding("a model that decodes cannot read a file of its own columns \(header): \(error)")
        }
        guard plan.featureNames == schema.featureNames || plan.byCount, plan.featureColumns.count == n else {
            finding("plan \(plan) does not give the model's \(n) features")
        }
    }
    // The same file as CSV (names quoted), read against the schema and scored.
    if n <= 64, header.count <= 128 {
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let body = (0..<3).map { r in
            header.map { h in schema.featureNames.contains(h) ? String(Double(r) - 1.5) : (h == schema.labelColumn ? (schema.labelMapping?.anomalyValue ?? "1") : "t\(r)") }
                .joined(separator: ",")
        }
        let csv = ([header.map(q).joined(separator: ",")] + body).joined(separator: "\n") + "\n"
        var options = TabularReadOptions(schema: schema)
        options.skipBadRows = true
        do {
            let read = try TabularData.readCSV(Array(csv.utf8), file: "fuzz.csv", options: options)
            guard read.data.columns == n, read.data.featureNames == schema.featureNames || read.plan?.byCount == true else {
                finding("read against the model's schema: \(read.data.columns) features \(read.data.featureNames), the model has \(n)")
            }
            let x = try model.prepare(rawFeatures: read.data.features, rows: read.data.rows, columns: read.data.columns)
            _ = model.detector.scores(x)
        } catch is DataError {
        } catch let e as DetectorError {
            finding("features read against the schema do not fit the model: \(e)")
        }
    }
    if let t = m.training {
        for score in [-Float.infinity, -1, 0, 0.5, 1e30, .nan] { _ = t.percentile(score) }
        for rate in [0, 0.001, 0.1, 0.5, 1] { _ = t.threshold(flagging: rate) }
    }
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
