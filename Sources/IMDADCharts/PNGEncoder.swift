import Foundation
import IMDADData

/// Errors from `PNGEncoder`.
public enum PNGError: Error, Equatable {
    /// Width or height is not positive, or too large for PNG.
    case invalidSize(width: Int, height: Int)
    /// The buffer does not hold width × height × channels samples.
    case sizeMismatch(expected: Int, actual: Int)
    /// zlib reported an error code.
    case compressionFailed(Int32)
}

/// A minimal PNG writer: 8-bit grayscale, RGB or RGBA, non-interlaced, one IDAT chunk compressed
/// with zlib (`compress2` settings), per-row adaptive filtering, CRC-32 per chunk.
public enum PNGEncoder {
    /// Pixel layout of the input buffer (row-major, top row first, 8 bits per sample).
    public enum ColorType: UInt8, Sendable {
        case grayscale = 0
        case rgb = 2
        case rgba = 6
        /// Samples per pixel.
        public var channels: Int {
            switch self { case .grayscale: 1; case .rgb: 3; case .rgba: 4 }
        }
    }

    /// The 8-byte PNG signature.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Encodes `pixels` (width × height × channels bytes) as a PNG file.
    public static func encode(_ pixels: [UInt8], width: Int, height: Int, colorType: ColorType,
                              compressionLevel: Int32 = 9) throws -> Data {
        guard width > 0, height > 0, width < 1 << 24, height < 1 << 24 else {
            throw PNGError.invalidSize(width: width, height: height)
        }
        let channels = colorType.channels
        let expected = width * height * channels
        guard pixels.count == expected else { throw PNGError.sizeMismatch(expected: expected, actual: pixels.count) }

        var out = Data()
        out.append(contentsOf: signature)
        var ihdr = [UInt8]()
        ihdr.append(contentsOf: bigEndian(UInt32(width)))
        ihdr.append(contentsOf: bigEndian(UInt32(height)))
        ihdr.append(contentsOf: [8, colorType.rawValue, 0, 0, 0])  // bit depth, colour type, deflate, filter set 0, no interlace
        appendChunk("IHDR", ihdr, to: &out)
        let filtered = filterRows(pixels, width: width, height: height, bpp: channels)
        appendChunk("IDAT", try deflate(filtered, level: compressionLevel), to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    /// 8-bit grayscale (one byte per pixel).
    public static func encodeGrayscale(_ pixels: [UInt8], width: Int, height: Int) throws -> Data {
        try encode(pixels, width: width, height: height, colorType: .grayscale)
    }

    /// 8-bit RGB (three bytes per pixel).
    public static func encodeRGB(_ pixels: [UInt8], width: Int, height: Int) throws -> Data {
        try encode(pixels, width: width, height: height, colorType: .rgb)
    }

    /// 8-bit RGBA (four bytes per pixel, straight alpha).
    public static func encodeRGBA(_ pixels: [UInt8], width: Int, height: Int) throws -> Data {
        try encode(pixels, width: width, height: height, colorType: .rgba)
    }

    /// `data:image/png;base64,…` for embedding in `<img src>` or SVG `<image href>`.
    public static func dataURI(_ png: Data) -> String {
        dataURI(png, mimeType: "image/png")
    }

    /// `data:<mimeType>;base64,…`.
    public static func dataURI(_ bytes: Data, mimeType: String) -> String {
        "data:\(mimeType);base64,\(bytes.base64EncodedString())"
    }

    /// CRC-32 (ISO-HDLC, as used by PNG) of `bytes`, via zlib.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        Zlib.crc32(bytes)
    }

    // MARK: internals

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    private static func appendChunk(_ type: String, _ payload: [UInt8], to out: inout Data) {
        out.append(contentsOf: bigEndian(UInt32(payload.count)))
        let typed = Array(type.utf8) + payload
        out.append(contentsOf: typed)
        out.append(contentsOf: bigEndian(crc32(typed)))
    }

    /// zlib-framed deflate at `level` (clamped to 0…9), byte for byte what `compress2` writes.
    private static func deflate(_ bytes: [UInt8], level: Int32) throws -> [UInt8] {
        do {
            return try Zlib.deflate(bytes, framing: .zlib, level: max(0, min(9, level)))
        } catch {
            throw PNGError.compressionFailed(error.code)
        }
    }

    /// Prefixes each row with a filter byte, choosing per row the filter (None, Sub, Up, Average,
    /// Paeth) with the smallest sum of absolute signed residuals (the libpng heuristic).
    static func filterRows(_ px: [UInt8], width: Int, height: Int, bpp: Int) -> [UInt8] {
        let stride = width * bpp
        var out = [UInt8]()
        out.reserveCapacity((stride + 1) * height)
        var candidate = [UInt8](repeating: 0, count: stride)
        var best = [UInt8](repeating: 0, count: stride)
        let zeros = [UInt8](repeating: 0, count: stride)
        for y in 0..<height {
            let rowStart = y * stride
            let prevStart = (y - 1) * stride
            var bestType: UInt8 = 0
            var bestScore = Int.max
            for type in UInt8(0)...4 {
                var score = 0
                for i in 0..<stride {
                    let x = px[rowStart + i]
                    let a: UInt8 = i >= bpp ? px[rowStart + i - bpp] : 0
                    let b: UInt8 = y > 0 ? px[prevStart + i] : zeros[i]
                    let c: UInt8 = (y > 0 && i >= bpp) ? px[prevStart + i - bpp] : 0
                    let r: UInt8
                    switch type {
                    case 0: r = x
                    case 1: r = x &- a
                    case 2: r = x &- b
                    case 3: r = x &- UInt8((Int(a) + Int(b)) / 2)
                    default: r = x &- paeth(a, b, c)
                    }
                    candidate[i] = r
                    score += r < 128 ? Int(r) : 256 - Int(r)
                }
                if score < bestScore {
                    bestScore = score
                    bestType = type
                    swap(&best, &candidate)
                }
            }
            out.append(bestType)
            out.append(contentsOf: best)
        }
        return out
    }

    static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }
}

/// Renders a rows × cols grid of values (row-major, top row first) as a PNG heat map, optionally
/// alpha-blended over a grayscale image of the same grid, with nearest-neighbour upscaling.
///
/// - Parameters:
///   - values: `width × height` values; non-finite values are drawn transparent-neutral (the
///     grayscale pixel, or the colormap midpoint without one).
///   - colormap: e.g. `.diverging` for signed attributions, `.viridis` for magnitudes.
///   - range: value range mapped onto the colormap; default `colormap.defaultRange(for: values)`.
///   - scale: integer upscaling factor (8 turns 28×28 into 224×224).
///   - grayscale: optional underlying image, same size, intensities in `[0, 1]` (0 = black).
///   - alpha: opacity of the heat map over the grayscale image.
///   - alphaByMagnitude: with a diverging map, scale the opacity by |value| / max so values near
///     zero let the image show through.
/// - Returns: PNG bytes (RGB).
public func heatMapPNG<T: BinaryFloatingPoint>(values: [T], width: Int, height: Int, colormap: Colormap = .diverging,
                                               range: ClosedRange<Double>? = nil, scale: Int = 1,
                                               overlayOn grayscale: [T]? = nil, alpha: Double = 0.6,
                                               alphaByMagnitude: Bool = false) throws -> Data {
    guard width > 0, height > 0 else { throw PNGError.invalidSize(width: width, height: height) }
    guard values.count == width * height else { throw PNGError.sizeMismatch(expected: width * height, actual: values.count) }
    if let grayscale, grayscale.count != width * height {
        throw PNGError.sizeMismatch(expected: width * height, actual: grayscale.count)
    }
    let s = max(1, scale)
    let range = range ?? colormap.defaultRange(for: values)
    let maxAbs = max(abs(range.lowerBound), abs(range.upperBound))
    let a0 = max(0, min(1, alpha))
    // Colour each source cell once, then replicate.
    var cells = [UInt8](repeating: 0, count: width * height * 3)
    for i in 0..<(width * height) {
        let v = Double(values[i])
        var c = colormap.color(at: 0.5)
        var a = grayscale == nil ? 1.0 : a0
        if v.isFinite {
            c = colormap.color(for: v, in: range)
            if alphaByMagnitude, grayscale != nil, maxAbs > 0 { a *= min(1, abs(v) / maxAbs) }
        } else if grayscale != nil {
            a = 0
        }
        var out = (Double(c.r), Double(c.g), Double(c.b))
        if let grayscale {
            let gv = Double(grayscale[i])
            let g = (gv.isFinite ? max(0, min(1, gv)) : 0) * 255
            out = (g + (out.0 - g) * a, g + (out.1 - g) * a, g + (out.2 - g) * a)
        }
        cells[3 * i] = UInt8(out.0.rounded())
        cells[3 * i + 1] = UInt8(out.1.rounded())
        cells[3 * i + 2] = UInt8(out.2.rounded())
    }
    let W = width * s, H = height * s
    var px = [UInt8](repeating: 0, count: W * H * 3)
    for y in 0..<H {
        let sy = y / s
        for x in 0..<W {
            let src = 3 * (sy * width + x / s), dst = 3 * (y * W + x)
            px[dst] = cells[src]; px[dst + 1] = cells[src + 1]; px[dst + 2] = cells[src + 2]
        }
    }
    return try PNGEncoder.encodeRGB(px, width: W, height: H)
}

/// Renders a grayscale image (intensities in `[0, 1]`, non-finite → 0) as an 8-bit grayscale PNG,
/// with nearest-neighbour upscaling by `scale`.
public func grayscalePNG<T: BinaryFloatingPoint>(values: [T], width: Int, height: Int, scale: Int = 1) throws -> Data {
    guard width > 0, height > 0 else { throw PNGError.invalidSize(width: width, height: height) }
    guard values.count == width * height else { throw PNGError.sizeMismatch(expected: width * height, actual: values.count) }
    let s = max(1, scale)
    let W = width * s, H = height * s
    var px = [UInt8](repeating: 0, count: W * H)
    for y in 0..<H {
        for x in 0..<W {
            let v = Double(values[(y / s) * width + x / s])
            px[y * W + x] = UInt8(((v.isFinite ? max(0, min(1, v)) : 0) * 255).rounded())
        }
    }
    return try PNGEncoder.encodeGrayscale(px, width: W, height: H)
}
