import Foundation

/// A minimal, defensive ZIP reader: end of central directory (with ZIP64), central
/// directory entries, local headers, stored (0) and deflate (8) entries, CRC-32 checked.
///
/// Every offset and length is checked against the buffer before use, and declared sizes
/// are checked against what the compressed data could possibly hold before allocating.
public struct ZipArchive: Sendable {
    /// One file in the archive, as described by the central directory.
    public struct Entry: Sendable, Equatable {
        public var name: String
        /// 0 = stored, 8 = deflate.
        public var method: UInt16
        public var flags: UInt16
        public var crc32: UInt32
        public var compressedSize: Int
        public var uncompressedSize: Int
        public var localHeaderOffset: Int
    }

    public let entries: [Entry]
    let bytes: [UInt8]
    let file: String?

    /// Parses the directory of a ZIP archive held in memory.
    public init(bytes: [UInt8], file: String? = nil) throws {
        self.bytes = bytes
        self.file = file
        self.entries = try bytes.withUnsafeBytes { try ZipArchive.readDirectory($0, file: file) }
    }

    /// Opens a ZIP file.
    public init(contentsOf url: URL) throws {
        try self.init(bytes: readFileBytes(url), file: url.lastPathComponent)
    }

    /// The entry called `name`, if any.
    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    static let eocdSignature: UInt32 = 0x0605_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    static let zip64EOCDSignature: UInt32 = 0x0606_4B50
    static let centralSignature: UInt32 = 0x0201_4B50
    static let localSignature: UInt32 = 0x0403_4B50

    static func readDirectory(_ raw: UnsafeRawBufferPointer, file: String?) throws -> [Entry] {
        let n = raw.count
        func err(_ kind: DataError.Kind, _ at: Int, _ expected: String, found: String? = nil,
                 hint: String? = nil) -> DataError {
            DataError(kind, file: file, position: "byte \(at)", expected: expected, found: found, hint: hint)
        }
        guard n >= 22 else {
            if n >= 4, raw.le(0, as: UInt32.self) != localSignature, raw.le(0, as: UInt32.self) != eocdSignature {
                throw err(.badMagic, 0, "a ZIP archive (signature PK\\x03\\x04)",
                          hint: "an .npz file is a ZIP archive written by np.savez")
            }
            throw err(.truncated, n, "a ZIP end-of-central-directory record (22 bytes)", found: "end of file (\(n) bytes)")
        }
        // Find the end of central directory record, scanning back over a comment of up to 64 KiB.
        var eocd = -1
        var p = n - 22
        let lowest = Swift.max(0, n - 22 - 65535)
        while p >= lowest {
            if raw[p] == 0x50, raw.le(p, as: UInt32.self) == eocdSignature,
               let commentLen = raw.le(p + 20, as: UInt16.self), p + 22 + Int(commentLen) <= n {
                eocd = p
                break
            }
            p -= 1
        }
        guard eocd >= 0 else {
            if raw.le(0, as: UInt32.self) == localSignature {
                throw err(.truncated, n, "a ZIP end-of-central-directory record", found: "end of file (\(n) bytes)",
                          hint: "the archive looks cut short")
            }
            throw err(.badMagic, 0, "a ZIP archive (signature PK\\x03\\x04)",
                      found: quoted(bytes: UnsafeRawBufferPointer(rebasing: raw[0..<4])),
                      hint: "an .npz file is a ZIP archive written by np.savez")
        }
        // 22-byte EOCD layout: sig, disk, cdDisk, entriesThisDisk, entriesTotal, cdSize, cdOffset, commentLen.
        var entryCount = Int(raw.le(eocd + 10, as: UInt16.self) ?? 0)
        var cdSize = Int(raw.le(eocd + 12, as: UInt32.self) ?? 0)
        var cdOffset = Int(raw.le(eocd + 16, as: UInt32.self) ?? 0)
        let disk = raw.le(eocd + 4, as: UInt16.self) ?? 0
        if entryCount == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            // ZIP64: locator is 20 bytes before the EOCD.
            let loc = eocd - 20
            guard loc >= 0, raw.le(loc, as: UInt32.self) == zip64LocatorSignature,
                  let z64off = raw.le(loc + 8, as: UInt64.self) else {
                throw err(.malformedHeader, Swift.max(loc, 0), "a ZIP64 end-of-central-directory locator")
            }
            guard n >= 56, z64off <= UInt64(n - 56), raw.le(Int(z64off), as: UInt32.self) == zip64EOCDSignature else {
                throw err(.malformedHeader, loc + 8, "the offset of a ZIP64 end-of-central-directory record",
                          found: "\(z64off)")
            }
            let z = Int(z64off)
            guard let c = raw.le(z + 32, as: UInt64.self), let s = raw.le(z + 40, as: UInt64.self),
                  let o = raw.le(z + 48, as: UInt64.self),
                  c <= UInt64(n), s <= UInt64(n), o <= UInt64(n) else {
                throw err(.truncated, z, "a ZIP64 record whose counts fit in the file")
            }
            entryCount = Int(c); cdSize = Int(s); cdOffset = Int(o)
        }
        guard disk == 0 else {
            throw err(.unsupportedFormat, eocd + 4, "a single-disk ZIP archive", found: "disk \(disk)")
        }
        guard cdOffset <= n, cdSize <= n - cdOffset else {
            throw err(.truncated, eocd + 12, "a central directory inside the file",
                      found: "offset \(cdOffset) + size \(cdSize) > \(n) bytes")
        }
        // Each central entry is at least 46 bytes: bound the count before reserving.
        guard entryCount <= cdSize / 46 else {
            throw err(.malformedHeader, eocd + 10, "at most \(cdSize / 46) entries in a \(cdSize)-byte directory",
                      found: "\(entryCount)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(entryCount)
        var q = cdOffset
        let cdEnd = cdOffset + cdSize
        for i in 0..<entryCount {
            guard q <= cdEnd - 46 else {
                throw err(.truncated, q, "central directory entry \(i + 1) of \(entryCount)")
            }
            guard raw.le(q, as: UInt32.self) == centralSignature else {
                throw err(.badMagic, q, "a central directory entry signature PK\\x01\\x02")
            }
            let flags = raw.le(q + 8, as: UInt16.self) ?? 0
            let method = raw.le(q + 10, as: UInt16.self) ?? 0
            let crc = raw.le(q + 16, as: UInt32.self) ?? 0
            var csize = UInt64(raw.le(q + 20, as: UInt32.self) ?? 0)
            var usize = UInt64(raw.le(q + 24, as: UInt32.self) ?? 0)
            let nameLen = Int(raw.le(q + 28, as: UInt16.self) ?? 0)
            let extraLen = Int(raw.le(q + 30, as: UInt16.self) ?? 0)
            let commentLen = Int(raw.le(q + 32, as: UInt16.self) ?? 0)
            var localOffset = UInt64(raw.le(q + 42, as: UInt32.self) ?? 0)
            let varEnd = q + 46 + nameLen + extraLen + commentLen
            guard varEnd <= cdEnd else {
                throw err(.truncated, q, "a central directory entry with \(nameLen + extraLen + commentLen) bytes of name/extra/comment")
            }
            let nameBytes = UnsafeRawBufferPointer(rebasing: raw[(q + 46)..<(q + 46 + nameLen)])
            let name = String(decoding: nameBytes, as: UTF8.self)
            // ZIP64 extended information extra field (id 0x0001).
            var e = q + 46 + nameLen
            let extraEnd = e + extraLen
            while e + 4 <= extraEnd {
                let id = raw.le(e, as: UInt16.self) ?? 0
                let size = Int(raw.le(e + 2, as: UInt16.self) ?? 0)
                let body = e + 4
                guard body + size <= extraEnd else {
                    throw err(.malformedHeader, e, "an extra field of \(size) bytes inside entry '\(name)'")
                }
                if id == 0x0001 {
                    var f = body
                    func next() throws -> UInt64 {
                        guard f + 8 <= body + size, let v = raw.le(f, as: UInt64.self) else {
                            throw err(.malformedHeader, f, "a ZIP64 field in entry '\(name)'")
                        }
                        f += 8
                        return v
                    }
                    if usize == 0xFFFF_FFFF { usize = try next() }
                    if csize == 0xFFFF_FFFF { csize = try next() }
                    if localOffset == 0xFFFF_FFFF { localOffset = try next() }
                }
                e = body + size
            }
            guard csize <= UInt64(n), usize <= UInt64(Int.max), localOffset <= UInt64(n) else {
                throw err(.truncated, q, "sizes of entry '\(name)' that fit in the file",
                          found: "compressed \(csize), offset \(localOffset) in a \(n)-byte file")
            }
            entries.append(Entry(name: name, method: method, flags: flags, crc32: crc,
                                 compressedSize: Int(csize), uncompressedSize: Int(usize),
                                 localHeaderOffset: Int(localOffset)))
            q = varEnd
        }
        return entries
    }

    /// Extracts and verifies (CRC-32) one entry.
    public func extract(_ entry: Entry) throws -> [UInt8] {
        try bytes.withUnsafeBytes { raw in
            let n = raw.count
            let label = "entry '\(entry.name)'"
            func err(_ kind: DataError.Kind, _ expected: String, found: String? = nil, hint: String? = nil) -> DataError {
                DataError(kind, file: file, position: label, expected: expected, found: found, hint: hint)
            }
            let h = entry.localHeaderOffset
            guard h <= n - 30 else {
                throw err(.truncated, "a 30-byte local header at byte \(h)", found: "end of file (\(n) bytes)")
            }
            guard raw.le(h, as: UInt32.self) == ZipArchive.localSignature else {
                throw err(.badMagic, "a local header signature PK\\x03\\x04 at byte \(h)")
            }
            guard entry.flags & 1 == 0 else {
                throw err(.unsupportedFormat, "an unencrypted entry", found: "an encrypted entry")
            }
            let nameLen = Int(raw.le(h + 26, as: UInt16.self) ?? 0)
            let extraLen = Int(raw.le(h + 28, as: UInt16.self) ?? 0)
            let dataStart = h + 30 + nameLen + extraLen
            guard dataStart <= n, entry.compressedSize <= n - dataStart else {
                throw err(.truncated, "\(entry.compressedSize) compressed bytes from byte \(dataStart)",
                          found: "end of file (\(n) bytes)")
            }
            let data = UnsafeRawBufferPointer(rebasing: raw[dataStart..<(dataStart + entry.compressedSize)])
            let out: [UInt8]
            switch entry.method {
            case 0:
                guard entry.uncompressedSize == entry.compressedSize else {
                    throw err(.malformedHeader, "equal sizes for a stored entry",
                              found: "compressed \(entry.compressedSize), uncompressed \(entry.uncompressedSize)")
                }
                out = Array(data)
            case 8:
                out = try Inflate.raw(data, expectedSize: entry.uncompressedSize, file: file, label: label)
            default:
                throw err(.decompression, "compression method 0 (stored) or 8 (deflate)",
                          found: "method \(entry.method)", hint: "re-save with np.savez or np.savez_compressed")
            }
            let crc = crc32Checksum(out)
            guard crc == entry.crc32 else {
                throw err(.checksum, "CRC-32 \(Format.hex(entry.crc32, width: 8))",
                          found: Format.hex(crc, width: 8), hint: "the file is corrupt")
            }
            return out
        }
    }
}
