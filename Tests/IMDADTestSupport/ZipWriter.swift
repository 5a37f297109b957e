// Writing ZIP (and ZIP64) archives, `.npz` files and gzip/raw-deflate streams: only tests and
// fixtures do, so these writers live here rather than in IMDADData.

import Foundation
import IMDADData

extension ZipArchive {
    /// Builds a ZIP archive of stored (uncompressed) entries, or deflated ones when
    /// `deflate` is true. With `zip64`, sizes and offsets go in ZIP64 extra fields and a
    /// ZIP64 end record is written (as for archives over 4 GiB). Used for `.npz` test
    /// fixtures.
    public static func build(_ files: [(name: String, bytes: [UInt8])], deflate: Bool = false,
                             zip64: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ v: Int, _ a: inout [UInt8]) { a += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: UInt32, _ a: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { a += $0 } }
        func u64(_ v: Int, _ a: inout [UInt8]) { withUnsafeBytes(of: UInt64(v).littleEndian) { a += $0 } }
        let ff: UInt32 = 0xFFFF_FFFF
        for f in files {
            let name = Array(f.name.utf8)
            let crc = Zlib.crc32(f.bytes)
            let payload = deflate ? Inflate.deflateRaw(f.bytes) : f.bytes
            let method = deflate ? 8 : 0
            let offset = out.count
            u32(UInt32(0x0403_4B50), &out); u16(zip64 ? 45 : 20, &out); u16(0, &out); u16(method, &out)
            u16(0, &out); u16(0x21, &out) // time, date (1980-01-01)
            u32(crc, &out)
            u32(zip64 ? ff : UInt32(payload.count), &out); u32(zip64 ? ff : UInt32(f.bytes.count), &out)
            u16(name.count, &out); u16(zip64 ? 20 : 0, &out)
            out += name
            if zip64 { u16(1, &out); u16(16, &out); u64(f.bytes.count, &out); u64(payload.count, &out) }
            out += payload
            u32(UInt32(0x0201_4B50), &central); u16(zip64 ? 45 : 20, &central); u16(zip64 ? 45 : 20, &central)
            u16(0, &central); u16(method, &central); u16(0, &central); u16(0x21, &central)
            u32(crc, &central)
            u32(zip64 ? ff : UInt32(payload.count), &central); u32(zip64 ? ff : UInt32(f.bytes.count), &central)
            u16(name.count, &central); u16(zip64 ? 28 : 0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u32(0, &central); u32(zip64 ? ff : UInt32(offset), &central)
            central += name
            if zip64 {
                u16(1, &central); u16(24, &central)
                u64(f.bytes.count, &central); u64(payload.count, &central); u64(offset, &central)
            }
        }
        let cdOffset = out.count
        out += central
        if zip64 {
            let z64 = out.count
            u32(UInt32(0x0606_4B50), &out); u64(44, &out); u16(45, &out); u16(45, &out)
            u32(0, &out); u32(0, &out); u64(files.count, &out); u64(files.count, &out)
            u64(central.count, &out); u64(cdOffset, &out)
            u32(UInt32(0x0706_4B50), &out); u32(0, &out); u64(z64, &out); u32(1, &out)
        }
        u32(UInt32(0x0605_4B50), &out); u16(0, &out); u16(0, &out)
        u16(zip64 ? 0xFFFF : files.count, &out); u16(zip64 ? 0xFFFF : files.count, &out)
        u32(zip64 ? ff : UInt32(central.count), &out); u32(zip64 ? ff : UInt32(cdOffset), &out); u16(0, &out)
        return out
    }
}

extension NPZArchive {
    /// Serializes arrays as an `.npz` (ZIP, stored or deflated) with entries `name.npy`.
    public static func encode(_ arrays: [(name: String, array: NPYArray)],
                              as encoding: NPYArray.Encoding = .float64, compressed: Bool = false) -> [UInt8] {
        ZipArchive.build(arrays.map { (name: $0.name + ".npy", bytes: $0.array.encode(as: encoding)) },
                         deflate: compressed)
    }
}

extension Inflate {
    /// Compresses with gzip framing (for tests and fixtures).
    public static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        (try? Zlib.deflate(bytes, framing: .gzip)) ?? []
    }

    /// Compresses as a raw deflate stream (ZIP method 8; for tests and fixtures).
    public static func deflateRaw(_ bytes: [UInt8]) -> [UInt8] {
        (try? Zlib.deflate(bytes, framing: .raw)) ?? []
    }
}
