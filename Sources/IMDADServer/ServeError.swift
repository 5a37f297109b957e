// The errors the service answers with: an HTTP status and a JSON body naming the problem.

import Foundation
import IMDADData

/// A request the service refuses (always a 4xx), or, for a bug, a 500 that names nothing internal.
///
/// The body is `{"error": {"status": 400, "kind": "nonNumeric", "message": "…", "position": "…",
/// "expected": "…", "found": "…", "hint": "…"}}`; `message` is the whole text (for data errors the
/// reader's `DataError` description, as `imdad score` prints it); the other fields are present when known.
public struct ServeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var kind: String
    public var message: String
    public var position: String?
    public var expected: String?
    public var found: String?
    public var hint: String?

    public init(
        status: Int, kind: String, message: String, position: String? = nil, expected: String? = nil,
        found: String? = nil, hint: String? = nil
    ) {
        self.status = status
        self.kind = kind
        self.message = message
        self.position = position
        self.expected = expected
        self.found = found
        self.hint = hint
    }

    /// A data error of the request's rows: 413 when too large, 422 when the columns do not match
    /// the model's, else 400; the message is the reader's.
    public init(_ e: DataError) {
        let status: Int
        switch e.kind {
        case .tooLarge: status = 413
        case .schemaMismatch, .columnCountMismatch, .missingColumn: status = 422
        default: status = 400
        }
        self.init(
            status: status, kind: e.kind.rawValue, message: e.description, position: e.position, expected: e.expected,
            found: e.found, hint: e.hint)
    }

    public var description: String { "\(status) \(kind): \(message)" }

    /// The JSON body.
    public var json: [UInt8] {
        struct Body: Encodable { var error: ServeError }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? e.encode(Body(error: self))) ?? Data("{\"error\":{\"status\":\(status)}}".utf8)) + [UInt8(ascii: "\n")]
    }

    static func badRequest(_ kind: String, _ message: String, hint: String? = nil) -> ServeError {
        ServeError(status: 400, kind: kind, message: message, hint: hint)
    }
}

extension ServeError: Encodable {
    enum CodingKeys: String, CodingKey { case status, kind, message, position, expected, found, hint }
}
