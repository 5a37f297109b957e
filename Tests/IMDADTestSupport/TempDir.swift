// Temporary directories for tests.

import Foundation

/// A temporary directory removed at deinit.
public final class TempDir {
    public let url: URL
    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let u = url.appendingPathComponent(name)
        try Data(bytes).write(to: u)
        return u
    }
    public func write(_ name: String, _ text: String) throws -> URL { try write(name, Array(text.utf8)) }
    deinit { try? FileManager.default.removeItem(at: url) }
}

