// Writing `.npy` files: only tests (and the `npy` fuzz target's round trip) write them, so the
// encoder lives here rather than in IMDADData. Imports nothing but IMDADData and Foundation so
// Fuzz/run.sh can compile this file into the fuzz harness.

import Foundation
import IMDADData

/// The 6-byte NPY magic: `\x93NUMPY`.
private let npyMagic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

/// A shape as a Python tuple literal: `(3,)`, `(2, 3)`, `()`.
private func pythonShape(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

extension NPYArray {
    /// The element types `encode` can write.
    public enum Encoding: Sendable {
        /// Little-endian IEEE double (`<f8`).
        case float64
        /// Little-endian IEEE single (`<f4`).
        case float32
    }

    /// Serializes the array as a little-endian `.npy` (format 1.0, or 2.0 for huge headers),
    /// C order, with the header padded to a multiple of 64 bytes as NumPy does.
    /// - Precondition: `values.count` equals the product of `shape`.
    public func encode(as encoding: Encoding = .float64) -> [UInt8] {
        precondition(shape.reduce(1, *) == values.count, "NPYArray.encode: values do not match shape")
        let descr = encoding == .float64 ? "<f8" : "<f4"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(pythonShape(shape)), }"
        var version: UInt8 = 1
        var prefix = 10
        if dict.utf8.count + 1 + prefix > 65535 { version = 2; prefix = 12 }
        let total = prefix + dict.utf8.count + 1
        let padded = (total + 63) / 64 * 64
        dict += String(repeating: " ", count: padded - total) + "\n"
        let headerLen = dict.utf8.count
        var out = npyMagic + [version, 0]
        out.reserveCapacity(padded + values.count * (encoding == .float64 ? 8 : 4))
        if version == 1 {
            out += [UInt8(headerLen & 0xFF), UInt8(headerLen >> 8)]
        } else {
            withUnsafeBytes(of: UInt32(headerLen).littleEndian) { out += $0 }
        }
        out += Array(dict.utf8)
        switch encoding {
        case .float64:
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        case .float32:
            for v in values { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { out += $0 } }
        }
        return out
    }

}
