import Foundation
import XCTest
@testable import IMDADData

/// The folder creation and the new line after a half-written one are checked through
/// `ImageRunLog` in `ImageProtocolTests.testResultsFileAccumulatesAndResumes`.
final class JSONLinesTests: XCTestCase {
    private func temporaryFolder() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-jsonl-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Two sweeps may append to one results file at once: every line must land whole. Sixteen
    /// writers, each with its own descriptor as separate processes would have, append 500 lines
    /// each; the file must hold exactly those 8,000 lines.
    func testWritersAppendingAtOnceLoseNoLine() throws {
        let path = temporaryFolder().appendingPathComponent("runs.jsonl").path
        let writers = 16, perWriter = 500
        let padding = String(repeating: "x", count: 300)
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            for i in 0..<perWriter {
                do { try JSONLines.append("{\"writer\":\(w),\"run\":\(i),\"pad\":\"\(padding)\"}", to: path) } catch { failures.add() }
            }
        }
        XCTAssertEqual(failures.value, 0)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.last, "", "the file ends with a newline")
        let body = lines.dropLast()
        XCTAssertEqual(body.count, writers * perWriter, "lines lost or merged")
        var seen = Set<String>()
        for line in body {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                                       "not one JSON object: \(line.prefix(80))")
            seen.insert("\(object["writer"] ?? "?")/\(object["run"] ?? "?")")
        }
        XCTAssertEqual(seen.count, writers * perWriter)
    }

    func testAnUnwritablePlaceIsAnIOErrorNamingTheFile() throws {
        let dir = temporaryFolder()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let blocker = dir.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: blocker)
        assertDataError(.io, contains: ["runs.jsonl"]) {
            try JSONLines.append("{}", to: blocker.appendingPathComponent("runs.jsonl").path)
        }
        XCTAssertEqual(try String(contentsOf: blocker, encoding: .utf8), "x", "the blocking file is untouched")
    }
}

/// A thread-safe count of failures from concurrent writers.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
