import Foundation

/// The CIFAR-10 binary format (the `cifar-10-batches-bin` folder of `cifar-10-binary.tar.gz`).
///
/// Each batch file is a run of fixed-size records, no header: one label byte (0…9), then the
/// 32 × 32 colour image as 3072 bytes, the red plane, then green, then blue, each row-major.
/// That is the `(C, H, W)` layout the convolutions read, so a record's pixels are used as they lie.
/// A batch may be gzip-compressed (`data_batch_1.bin.gz`): ``read(contentsOf:)`` inflates it
/// through the zlib seam when the file starts with the gzip magic `1f 8b`.
public enum CIFAR10 {
    public static let channels = 3, side = 32
    /// Pixel bytes per image: 3 · 32 · 32.
    public static let imageBytes = channels * side * side
    /// Bytes per record: the label byte and the image.
    public static let recordBytes = 1 + imageBytes
    /// The five training batches (10,000 images each) and the test batch, as the archive names them.
    public static let trainingFiles = (1...5).map { "data_batch_\($0).bin" }
    public static let testFile = "test_batch.bin"
    /// The most uncompressed bytes a gzip'd batch may inflate to: 100,000 records (a standard
    /// batch holds 10,000), so a damaged or hostile file cannot fill memory.
    public static let maxBatchBytes = 100_000 * recordBytes

    /// The images and labels of one batch file, plain or gzip-compressed (detected by its magic
    /// bytes, not its name). A damaged or cut-short gzip stream throws a `DataError` naming the file.
    public static func read(contentsOf url: URL) throws -> (pixels: [UInt8], labels: [Int]) {
        let name = url.lastPathComponent
        var bytes = try readFileBytes(url)
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
            do {
                bytes = try Inflate.gunzip(bytes, limit: maxBatchBytes, file: name)
            } catch var error as DataError {
                if error.hint == nil {
                    error.hint = "the gzip'd batch is damaged or cut short (`gzip -t \(name)` confirms it): copy it again from its source"
                }
                throw error
            }
        }
        return try parse(bytes, file: name)
    }

    /// Parses the bytes of one batch file: a whole number of records, every label in 0…9.
    public static func parse(_ bytes: [UInt8], file: String? = nil) throws -> (pixels: [UInt8], labels: [Int]) {
        guard !bytes.isEmpty else {
            throw DataError(.empty, file: file, position: "file", expected: "CIFAR-10 records of \(recordBytes) bytes",
                            found: "an empty file")
        }
        let records = bytes.count / recordBytes
        guard bytes.count % recordBytes == 0 else {
            throw DataError(.truncated, file: file, position: "record \(records + 1) (byte \(records * recordBytes))",
                            expected: "\(recordBytes) bytes per record (1 label byte + \(imageBytes) pixel bytes)",
                            found: "\(bytes.count % recordBytes) bytes",
                            hint: "the file is cut short, or it is not a CIFAR-10 binary batch (the Python version is a pickle)")
        }
        var pixels = [UInt8](repeating: 0, count: records * imageBytes)
        var labels = [Int](repeating: 0, count: records)
        try bytes.withUnsafeBufferPointer { src in
            try pixels.withUnsafeMutableBufferPointer { dst in
                for r in 0..<records {
                    let label = src[r * recordBytes]
                    guard label < 10 else {
                        throw DataError(.badLabel, file: file, position: "record \(r + 1) (byte \(r * recordBytes))",
                                        expected: "a class label 0…9", found: "\(label)",
                                        hint: "the file is not a CIFAR-10 binary batch (CIFAR-100's records hold two label bytes)")
                    }
                    labels[r] = Int(label)
                    UnsafeMutableRawPointer(dst.baseAddress! + r * imageBytes)
                        .copyMemory(from: src.baseAddress! + r * recordBytes + 1, byteCount: imageBytes)
                }
            }
        }
        return (pixels, labels)
    }
}
