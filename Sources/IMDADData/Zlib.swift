// The one place that talks to zlib. Everything else (ZIP/NPZ and gzip reading, PNG writing, model
// file checksums, test fixtures) goes through these few calls, so no other module imports CZlib.

import CZlib

/// The zlib calls the package needs: CRC-32, one-shot compression, and a streaming inflater
/// (`Zlib.Inflater`) over an in-memory buffer.
public enum Zlib {
    /// Framing of a deflate stream.
    public enum Framing: Sendable {
        /// Bare deflate data (ZIP method 8), window bits −15.
        case raw
        /// zlib header and Adler-32 trailer (RFC 1950, PNG `IDAT`), window bits 15.
        case zlib
        /// gzip header and CRC-32 trailer (RFC 1952), window bits 15 + 16.
        case gzip

        var windowBits: Int32 {
            switch self { case .raw: -15; case .zlib: 15; case .gzip: 15 + 16 }
        }
    }

    /// zlib's default compression level (6).
    public static let defaultLevel: Int32 = Z_DEFAULT_COMPRESSION

    /// CRC-32 (IEEE / ISO-HDLC, as used by ZIP, gzip and PNG) of `bytes`, continuing from `crc`
    /// (0 to start). Buffers over 1 GiB are fed in pieces, as zlib takes 32-bit lengths.
    public static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var c = uLong(crc)
        guard let base = bytes.baseAddress else { return crc }
        var offset = 0
        while offset < bytes.count {
            let chunk = Swift.min(bytes.count - offset, 1 << 30)
            c = CZlib.crc32(c, base.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(chunk))
            offset += chunk
        }
        return UInt32(truncatingIfNeeded: c)
    }

    /// CRC-32 of a byte array.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0) }
    }

    /// Compresses `bytes` in one call. `.zlib` at a given level produces exactly what zlib's
    /// `compress2` does (window 2¹⁵, memory level 8, default strategy).
    /// - Throws: `ZlibError` if zlib refuses to initialise or does not finish the stream.
    public static func deflate(_ bytes: [UInt8], framing: Framing, level: Int32 = defaultLevel) throws(ZlibError) -> [UInt8] {
        var stream = z_stream()
        let rc = deflateInit2_(&stream, Swift.max(-1, Swift.min(9, level)), Z_DEFLATED, framing.windowBits, 8,
                               Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw ZlibError(code: rc) }
        defer { deflateEnd(&stream) }
        var input = bytes
        let bound = Int(deflateBound(&stream, uLong(bytes.count))) + 64
        var out = [UInt8](repeating: 0, count: bound)
        let (end, produced): (Int32, Int) = input.withUnsafeMutableBytes { inp in
            out.withUnsafeMutableBytes { o in
                stream.next_in = inp.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(inp.count)
                stream.next_out = o.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(o.count)
                let r = CZlib.deflate(&stream, Z_FINISH)
                return (r, o.count - Int(stream.avail_out))
            }
        }
        guard end == Z_STREAM_END else { throw ZlibError(code: end) }
        return Array(out[0..<produced])
    }

    /// Result of one `Inflater.inflate` step.
    public enum Status: Sendable, Equatable {
        /// Progress was made (or is possible with more input or output space).
        case ok
        /// The end of the compressed stream (of one gzip member) was reached.
        case streamEnd
        /// No progress was possible (zlib `Z_BUF_ERROR`).
        case bufferError
        /// The input is not a valid stream; zlib's message.
        case dataError(String?)
        /// zlib could not allocate its state.
        case memoryError
        /// Any other zlib return code.
        case other(Int32)
    }

    /// A zlib inflate stream. The caller owns the buffers it points `next_in`/`next_out`-style
    /// at through `setInput` and `inflate(into:)`; they must outlive the call that uses them.
    public final class Inflater {
        private var stream = z_stream()

        /// - Throws: `ZlibError` if zlib cannot initialise.
        public init(framing: Framing) throws(ZlibError) {
            let rc = inflateInit2_(&stream, framing.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else { throw ZlibError(code: rc) }
        }

        deinit { inflateEnd(&stream) }

        /// Input bytes not yet consumed from the last `setInput`.
        public var availableInput: Int { Int(stream.avail_in) }
        /// Total compressed bytes consumed so far.
        public var totalIn: Int { Int(stream.total_in) }

        /// Points the stream at `count` (≤ 2³⁰) bytes from `base`.
        public func setInput(_ base: UnsafeRawPointer, count: Int) {
            stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(count)
        }

        /// The next `count` unconsumed input bytes (fewer if fewer are left).
        public func peekInput(_ count: Int) -> [UInt8] {
            guard let p = stream.next_in else { return [] }
            return Array(UnsafeBufferPointer(start: p, count: Swift.min(count, Int(stream.avail_in))))
        }

        /// Inflates into `out` (≤ 2³⁰ bytes) without flushing; returns the status and the bytes written.
        public func inflate(into out: UnsafeMutableRawBufferPointer) -> (status: Status, written: Int) {
            guard let base = out.baseAddress else { return (.bufferError, 0) }
            stream.next_out = base.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(out.count)
            let rc = CZlib.inflate(&stream, Z_NO_FLUSH)
            let written = out.count - Int(stream.avail_out)
            switch rc {
            case Z_OK: return (.ok, written)
            case Z_STREAM_END: return (.streamEnd, written)
            case Z_BUF_ERROR: return (.bufferError, written)
            case Z_DATA_ERROR: return (.dataError(stream.msg.map { String(cString: $0) }), written)
            case Z_MEM_ERROR: return (.memoryError, written)
            default: return (.other(rc), written)
            }
        }

        /// Starts a new stream with the same framing (the next gzip member), keeping the input.
        public func reset() { inflateReset(&stream) }
    }
}

/// zlib returned an error code.
public struct ZlibError: Error, Equatable, Sendable {
    /// zlib's return code (`Z_STREAM_ERROR` = −2, `Z_MEM_ERROR` = −4, …).
    public var code: Int32
    public init(code: Int32) { self.code = code }
}
