// Shared by every fuzz target: turns the libFuzzer buffer into bytes and enforces that the
// code under test fails only by throwing the documented error type.
import Foundation

@inline(never)
func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Runs `body`; an error that is not `accepted` is a finding (abort, so libFuzzer saves the input).
@inline(never)
func expectOnly(_ accepted: (Error) -> Bool, _ body: () throws -> Void) {
    do { try body() } catch {
        guard accepted(error) else { fatalError("unexpected error type \(type(of: error)): \(error)") }
    }
}

/// A finding: prints and aborts.
func finding(_ message: @autoclosure () -> String) -> Never { fatalError(message()) }

/// Bitwise equality for doubles (NaN payloads included).
func sameBits(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}
