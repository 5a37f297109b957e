// Running a program from a test: its exit status and its output.

import Foundation

/// A finished process: exit status, and standard output and error together.
public struct ProcessResult {
    public var status: Int32
    public var output: String
}

/// Runs `executable args…` in `dir` with stdout and stderr captured together (through a file, so a
/// chatty program cannot fill a pipe and stall), standard input empty; `environment` replaces the
/// inherited one when given.
public func runProcess(_ executable: URL, _ args: [String], in dir: URL, environment: [String: String]? = nil) throws
    -> ProcessResult
{
    let p = Process()
    p.executableURL = executable
    p.arguments = args
    p.currentDirectoryURL = dir
    if let environment { p.environment = environment }
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("imdad-process-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: log) }
    let handle = try FileHandle(forWritingTo: log)
    p.standardOutput = handle
    p.standardError = handle
    p.standardInput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    try handle.close()
    return ProcessResult(status: p.terminationStatus, output: String(decoding: try Data(contentsOf: log), as: UTF8.self))
}
