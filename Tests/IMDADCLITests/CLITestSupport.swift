// Runs the built `imdad` executable as a subprocess, with small generated inputs in a temporary directory.

import Foundation
import XCTest
import IMDADData
import IMDADTestSupport

/// The `imdad` executable next to the test bundle (the build products directory), or `$IMDAD_BINARY`.
enum IMDADBinary {
    static let candidates: [URL] = {
        var c: [URL] = []
        if let env = ProcessInfo.processInfo.environment["IMDAD_BINARY"] { c.append(URL(fileURLWithPath: env)) }
        c.append(Bundle(for: CLITestCase.self).bundleURL.deletingLastPathComponent().appendingPathComponent("imdad"))
        c.append(Bundle.main.bundleURL.appendingPathComponent("imdad"))
        c.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("imdad"))
        return c
    }()
    static let url: URL? = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}

/// The `imdad` executable is missing: fails the test.
struct MissingExecutable: Error, CustomStringConvertible {
    var description: String
}

struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

class CLITestCase: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        // `swift build --build-tests` builds it: its absence is a failure (thrown, so the test body
        // does not run), never a skip.
        guard IMDADBinary.url != nil else {
            throw MissingExecutable(description: "the imdad executable was not found (looked at "
                + "\(IMDADBinary.candidates.map(\.path).joined(separator: ", "))); "
                + "build it first with `swift build --build-tests`, or set IMDAD_BINARY")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    func path(_ name: String) -> URL { dir.appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL { try write(name, Array(text.utf8)) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let u = path(name)
        try Data(bytes).write(to: u)
        return u
    }

    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: path(name))) }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name).path) }
    /// Names in the temporary directory (hidden ones included).
    func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() }

    /// Starts `imdad args…` in the temporary directory with stdout/stderr going to files.
    func start(_ args: [String], environment: [String: String] = [:]) throws -> (Process, URL, URL) {
        let p = Process()
        p.executableURL = IMDADBinary.url!
        p.arguments = args
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        p.currentDirectoryURL = dir
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, out, err)
    }

    /// Runs `imdad args…` in the temporary directory and waits for it.
    @discardableResult
    func imdad(_ args: String...) throws -> RunResult { try imdad(args) }

    @discardableResult
    func imdad(_ args: [String], environment: [String: String] = [:]) throws -> RunResult {
        let (p, out, err) = try start(args, environment: environment)
        p.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        return RunResult(status: p.terminationStatus,
                         stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                         stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// Asserts that `args` fail with a non-zero status, a stderr message containing every string
    /// of `mentions` (file, position, what was expected), and without creating `output`.
    func assertFails(_ args: [String], mentions: [String], noOutput output: String?,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try listing()
        let r = try imdad(args)
        let cmd = "imdad " + args.joined(separator: " ")
        XCTAssertNotEqual(r.status, 0, "\(cmd) succeeded; stdout: \(r.stdout.prefix(300))", file: file, line: line)
        XCTAssertNotEqual(r.status, 0 + 128 + 6, "\(cmd) crashed (SIGABRT)", file: file, line: line)
        XCTAssertLessThan(r.status, 128, "\(cmd) died from a signal: \(r.stderr.suffix(500))", file: file, line: line)
        for m in mentions {
            XCTAssertTrue(r.stderr.contains(m), "\(cmd): stderr lacks \"\(m)\":\n\(r.stderr)", file: file, line: line)
        }
        XCTAssertFalse(r.stderr.contains("Fatal error"), "\(cmd) trapped:\n\(r.stderr)", file: file, line: line)
        if let output {
            XCTAssertFalse(exists(output), "\(cmd) left an output file \(output)", file: file, line: line)
        }
        XCTAssertEqual(try listing(), before, "\(cmd) left files behind", file: file, line: line)
    }

    // MARK: valid inputs

    /// A labeled CSV: `rows` rows of `columns` features (f0, f1, …) and a `label` column; rows with
    /// index % 10 == 0 are anomalies shifted away from the normal cloud. Deterministic.
    func labeledCSV(rows: Int = 60, columns: Int = 3, label: (Int) -> Int = { $0 % 10 == 0 ? 1 : 0 }) -> String {
        var s = (0..<columns).map { "f\($0)" }.joined(separator: ",") + ",label\n"
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        for r in 0..<rows {
            let l = label(r)
            s += (0..<columns).map { _ in String(format: "%.4f", next() + (l == 1 ? 3 : 0)) }.joined(separator: ",") + ",\(l)\n"
        }
        return s
    }

    /// Trains a quick IMD-AD model on a small labeled CSV; returns the model's name.
    @discardableResult
    func trainSmallModel(_ name: String = "model.imdad", columns: Int = 3, extra: [String] = []) throws -> String {
        try write("train-\(name).csv", labeledCSV(columns: columns))
        let r = try imdad(["train", "train-\(name).csv", "--label-column", "label", "--output", name,
                           "--epochs", "2", "--quiet", "--threads", "1"] + extra)
        XCTAssertEqual(r.status, 0, "training the fixture model failed: \(r.stderr)")
        try FileManager.default.removeItem(at: path("train-\(name).csv"))
        return name
    }

    /// A valid `.npy` of `rows × columns` float64 values.
    func npy(rows: Int = 5, columns: Int = 3, _ f: (Int) -> Double = { Double($0 % 7) * 0.5 }) -> [UInt8] {
        NPYArray(shape: [rows, columns], values: (0..<(rows * columns)).map(f)).encode(as: .float64)
    }
}

extension Array where Element == UInt8 {
    /// The first range of `needle` in the bytes.
    func range(of needle: [UInt8]) -> Range<Int>? {
        guard needle.count <= count else { return nil }
        for i in 0...(count - needle.count) where self[i..<(i + needle.count)].elementsEqual(needle) { return i..<(i + needle.count) }
        return nil
    }

    /// Replaces the first occurrence of `a` with `b` (same length keeps NPY header sizes).
    func replacing(_ a: String, with b: String) -> [UInt8] {
        guard let r = range(of: Array(a.utf8)) else { preconditionFailure("\(a) not found") }
        var c = self
        c.replaceSubrange(r, with: Array(b.utf8))
        return c
    }
}
