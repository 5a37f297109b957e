import Foundation
#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// Results files that accumulate runs, one JSON object per line (`imdad images --results`,
/// `imdad evaluate --runs-log`).
public enum JSONLines {
    /// Appends `line` (a newline is added) to the file at `path`, creating it and its folder when
    /// missing.
    ///
    /// Writers take an exclusive `flock(2)` on the file for the append, so two sweeps appending to
    /// the same file at once each land whole lines. (Seeking to the end and then writing, as before,
    /// let two processes finishing together write at the same offset, and one record overwrote the
    /// other.) If the file ends mid-line (a run killed while writing), the record starts on a new line.
    public static func append(_ line: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw DataError(.io, file: name, position: "folder", expected: "a writable folder for the results file",
                            found: error.localizedDescription)
        }
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw DataError(.io, file: name, position: "open", expected: "a file that can be appended to",
                            found: String(cString: strerror(errno)))
        }
        defer { close(fd) }  // also releases the lock
        // A file system without locks (some network mounts) still gets the O_APPEND write.
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        var bytes = Array(line.utf8) + [UInt8(ascii: "\n")]
        if endsMidLine(fd) { bytes.insert(UInt8(ascii: "\n"), at: 0) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw DataError(.io, file: name, position: "end of file", expected: "\(bytes.count) bytes written",
                                found: n < 0 ? String(cString: strerror(errno)) : "\(done) bytes")
            }
            done += n
        }
    }

    /// Whether the open file is not empty and its last byte is not a newline.
    private static func endsMidLine(_ fd: Int32) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return false }
        var last: UInt8 = 0
        return pread(fd, &last, 1, info.st_size - 1) == 1 && last != UInt8(ascii: "\n")
    }
}
