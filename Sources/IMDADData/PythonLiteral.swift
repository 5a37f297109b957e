import Foundation

/// A value of the tiny Python-literal subset used in `.npy` headers.
enum PyLiteral: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PyLiteral])
    case list([PyLiteral])
    case dict([(String, PyLiteral)])

    static func == (a: PyLiteral, b: PyLiteral) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.none, .none): return true
        case let (.tuple(x), .tuple(y)), let (.list(x), .list(y)): return x == y
        case let (.dict(x), .dict(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }
}

/// A strict recursive-descent parser for the Python literal dict in a `.npy` header:
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`.
///
/// Accepts: single/double-quoted strings (simple escapes), decimal integers (optional
/// trailing `L` from Python 2), `True`/`False`/`None`, tuples, lists and dicts with string
/// keys, trailing commas and whitespace. Nesting is limited to 8 levels and strings /
/// containers are bounded by the header length, so it cannot recurse or allocate unboundedly.
struct PyLiteralParser {
    let bytes: [UInt8]
    var pos = 0
    /// Byte offset of `bytes[0]` within the file, for error positions.
    let base: Int
    let file: String?
    static let maxDepth = 8

    init(bytes: [UInt8], base: Int, file: String?) {
        self.bytes = bytes
        self.base = base
        self.file = file
    }

    func fail(_ expected: String) -> DataError {
        let found: String
        if pos >= bytes.count {
            found = "end of header"
        } else {
            let end = Swift.min(bytes.count, pos + 20)
            found = quoted(String(decoding: bytes[pos..<end], as: UTF8.self))
        }
        return DataError(.malformedHeader, file: file, position: "byte \(base + pos) (NPY header)",
                         expected: expected, found: found)
    }

    mutating func skipSpace() {
        while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x09 || bytes[pos] == 0x0A || bytes[pos] == 0x0D {
            pos += 1
        }
    }

    /// Parses a complete literal followed only by whitespace.
    mutating func parseTop() throws -> PyLiteral {
        let v = try parseValue(depth: 0)
        skipSpace()
        guard pos == bytes.count else { throw fail("end of header after the dictionary") }
        return v
    }

    mutating func parseValue(depth: Int) throws -> PyLiteral {
        guard depth < Self.maxDepth else { throw fail("at most \(Self.maxDepth) levels of nesting") }
        skipSpace()
        guard pos < bytes.count else { throw fail("a value") }
        let c = bytes[pos]
        switch c {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "("):
            return .tuple(try parseSequence(close: UInt8(ascii: ")"), depth: depth))
        case UInt8(ascii: "["):
            return .list(try parseSequence(close: UInt8(ascii: "]"), depth: depth))
        case UInt8(ascii: "{"):
            return try parseDict(depth: depth)
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .int(try parseInt())
        default:
            if matchWord("True") { return .bool(true) }
            if matchWord("False") { return .bool(false) }
            if matchWord("None") { return .none }
            throw fail("a string, integer, True, False, None, tuple, list or dict")
        }
    }

    mutating func matchWord(_ w: String) -> Bool {
        let u = Array(w.utf8)
        guard pos + u.count <= bytes.count, Array(bytes[pos..<pos + u.count]) == u else { return false }
        let after = pos + u.count
        if after < bytes.count {
            let a = bytes[after]
            let isIdent = (a >= 0x30 && a <= 0x39) || (a >= 0x41 && a <= 0x5A) || (a >= 0x61 && a <= 0x7A) || a == 0x5F
            if isIdent { return false }
        }
        pos = after
        return true
    }

    mutating func parseString() throws -> String {
        let q = bytes[pos]
        pos += 1
        var out: [UInt8] = []
        while pos < bytes.count {
            let c = bytes[pos]
            if c == q { pos += 1; return String(decoding: out, as: UTF8.self) }
            if c == 0x0A { throw fail("a closing quote before end of line") }
            if c == UInt8(ascii: "\\") {
                pos += 1
                guard pos < bytes.count else { break }
                let e = bytes[pos]
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                default: out.append(e)
                }
                pos += 1
                continue
            }
            out.append(c)
            pos += 1
        }
        throw fail("a closing quote")
    }

    mutating func parseInt() throws -> Int {
        var neg = false
        if bytes[pos] == UInt8(ascii: "-") { neg = true; pos += 1 } else if bytes[pos] == UInt8(ascii: "+") { pos += 1 }
        var v = 0
        var digits = 0
        while pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(bytes[pos] - 0x30))
            if o1 || o2 { throw fail("an integer that fits in 64 bits") }
            v = a
            digits += 1
            pos += 1
        }
        guard digits > 0 else { throw fail("digits") }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "L") || bytes[pos] == UInt8(ascii: "l") { pos += 1 }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") || bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            throw fail("an integer")
        }
        return neg ? -v : v
    }

    mutating func parseSequence(close: UInt8, depth: Int) throws -> [PyLiteral] {
        pos += 1 // opening bracket
        var items: [PyLiteral] = []
        skipSpace()
        if pos < bytes.count, bytes[pos] == close { pos += 1; return items }
        while true {
            items.append(try parseValue(depth: depth + 1))
            skipSpace()
            guard pos < bytes.count else { throw fail("',' or '\(Character(UnicodeScalar(close)))'") }
            if bytes[pos] == close { pos += 1; return items }
            guard bytes[pos] == UInt8(ascii: ",") else { throw fail("',' or '\(Character(UnicodeScalar(close)))'") }
            pos += 1
            skipSpace()
            if pos < bytes.count, bytes[pos] == close { pos += 1; return items }
        }
    }

    mutating func parseDict(depth: Int) throws -> PyLiteral {
        pos += 1
        var items: [(String, PyLiteral)] = []
        skipSpace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .dict(items) }
        while true {
            skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "'") || bytes[pos] == UInt8(ascii: "\"") else {
                throw fail("a quoted dictionary key")
            }
            let key = try parseString()
            skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("':' after key '\(key)'") }
            pos += 1
            let value = try parseValue(depth: depth + 1)
            if items.contains(where: { $0.0 == key }) {
                throw fail("no duplicate key '\(key)'")
            }
            items.append((key, value))
            skipSpace()
            guard pos < bytes.count else { throw fail("',' or '}'") }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .dict(items) }
            guard bytes[pos] == UInt8(ascii: ",") else { throw fail("',' or '}'") }
            pos += 1
            skipSpace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .dict(items) }
        }
    }
}
