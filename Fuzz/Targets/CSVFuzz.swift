// libFuzzer target `csv`: the whole-file parser (with and without a label column), the generic
// record splitter, and the streaming CSVChunkReader, checked against the whole-file parser.
import Foundation
import IMDADData

private let scratch = URL(fileURLWithPath: "/dev/shm").appendingPathComponent("imdad-fuzz-\(getpid()).csv")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    // The first byte picks the chunk size (1...8 rows) and whether "y" is the label column.
    let chunkRows = 1 + Int((bytes.first ?? 0) & 7)
    let label: String? = (bytes.first ?? 0) & 8 != 0 ? "y" : nil
    expectOnly({ $0 is DataError }) { _ = try CSVReader.records(bytes, delimiter: ";") }
    var whole: TabularData?
    var wholeError: DataError?
    expectOnly({ $0 is DataError }) {
        do { whole = try TabularData.parseCSV(bytes, file: "fuzz.csv", labelColumn: label) } catch let e as DataError { wholeError = e }
    }
    if let t = whole {
        guard t.features.count == t.rows * t.columns, t.rows > 0, t.columns > 0 else { finding("bad table shape") }
        guard t.features.allSatisfy(\.isFinite), t.labels?.allSatisfy({ $0 == 0 || $0 == 1 }) ?? true else { finding("bad values") }
    }
    // Streaming must agree with the whole-file parser.
    guard FileManager.default.createFile(atPath: scratch.path, contents: Data(bytes)) else { finding("cannot write \(scratch.path)") }
    var features: [Double] = [], labels: [Int] = [], rows = 0
    var streamError: Error?
    do {
        let reader = try CSVChunkReader(url: scratch, chunkRows: chunkRows, labelColumn: label)
        while let c = try reader.next() {
            guard c.firstRow == rows, c.rows <= chunkRows, c.features.count == c.rows * c.columns else { finding("bad chunk") }
            features += c.features; labels += c.labels ?? []; rows += c.rows
        }
    } catch {
        guard error is DataError else { finding("unexpected error type \(type(of: error)): \(error)") }
        streamError = error
    }
    if let t = whole {
        guard streamError == nil, rows == t.rows, sameBits(features, t.features), labels == (t.labels ?? []) else {
            finding("stream and whole-file parse differ: \(String(describing: streamError)) rows \(rows) vs \(t.rows)")
        }
    } else if let e = wholeError, e.kind != .empty, streamError == nil {
        finding("whole-file parse failed (\(e)) but the stream did not")
    }
    return 0
}
