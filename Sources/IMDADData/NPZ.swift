import Foundation

/// A NumPy `.npz` archive (a ZIP of `.npy` files), read lazily: the directory is parsed
/// up front, each array is inflated and decoded only when asked for.
///
/// An entry `X.npy` is exposed as the array `X`. Errors inside an entry are reported
/// with the position prefixed by `array 'X'`.
public struct NPZArchive: Sendable {
    public let zip: ZipArchive
    public let file: String?

    /// Parses the archive directory from memory.
    public init(bytes: [UInt8], file: String? = nil) throws {
        self.zip = try ZipArchive(bytes: bytes, file: file)
        self.file = file
        var seen = Set<String>()
        for e in zip.entries {
            let name = NPZArchive.arrayName(e.name)
            guard seen.insert(name).inserted else {
                throw DataError(.malformedHeader, file: file, position: "array '\(name)'",
                                expected: "unique array names", found: "a duplicate entry '\(e.name)'")
            }
        }
    }

    /// Opens an `.npz` file.
    public init(contentsOf url: URL) throws {
        try self.init(bytes: readFileBytes(url), file: url.lastPathComponent)
    }

    /// Array names (entry names without the `.npy` suffix), in archive order.
    public var names: [String] { zip.entries.map { NPZArchive.arrayName($0.name) } }

    static func arrayName(_ entryName: String) -> String {
        entryName.hasSuffix(".npy") ? String(entryName.dropLast(4)) : entryName
    }

    /// Decodes the array `name`; throws `.missingColumn` listing the arrays present if absent.
    public func array(named name: String) throws -> NPYArray {
        guard let entry = zip.entries.first(where: { NPZArchive.arrayName($0.name) == name }) else {
            throw DataError(.missingColumn, file: file, position: "archive",
                            expected: "an array named '\(name)'",
                            found: names.isEmpty ? "no arrays" : "arrays " + names.map { "'\($0)'" }.joined(separator: ", "))
        }
        do {
            let bytes = try zip.extract(entry)
            return try NPYArray.parse(bytes, file: file)
        } catch let e as DataError {
            if e.position.hasPrefix("entry '") { throw e }
            throw e.prefixed("array '\(name)'", file: file)
        }
    }

    /// Whether an array called `name` exists.
    public func contains(_ name: String) -> Bool { names.contains(name) }

    /// Decodes every array.
    public func readAll() throws -> [String: NPYArray] {
        var out: [String: NPYArray] = [:]
        for n in names { out[n] = try array(named: n) }
        return out
    }

    /// Reads every array of an `.npz` file.
    public static func read(contentsOf url: URL) throws -> [String: NPYArray] {
        try NPZArchive(contentsOf: url).readAll()
    }
}
