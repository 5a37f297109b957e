// A reader for the one JSON shape the service takes, `{"rows": [{key: scalar, …}, …]}` or
// `[{…}, …]`, written for speed (a general decoder spent most of a 1,000-row request building
// dictionaries of enums): no recursion, numbers kept as their text for the CSV reader to check.

/// One row: its keys and cells in the order they came.
struct JSONRow {
    var keys: [String] = []
    var cells: [JSONCell] = []
}

/// A cell: a number (its JSON text, grammar checked), text, true/false or null.
enum JSONCell: Equatable {
    case number(Substring.UTF8View.SubSequence), text(String), bool(Bool), null

    static func == (a: JSONCell, b: JSONCell) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x.elementsEqual(y)
        case (.text(let x), .text(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }
}

/// A syntax error at a byte offset.
struct JSONSyntaxError: Error, CustomStringConvertible {
    var offset: Int
    var expected: String
    var found: String
    var description: String { "at byte \(offset + 1): expected \(expected), found \(found)" }
}

struct RowsJSONParser {
    let bytes: [UInt8]
    /// Keys in the last row read: the next row's arrays are sized for as many (rows usually share keys).
    var lastWidth = 0
    var i = 0
    let text: Substring.UTF8View

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.text = Substring(decoding: bytes, as: UTF8.self).utf8
    }

    /// The rows of the body.
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> [JSONRow] {
        var p = RowsJSONParser(bytes)
        if p.bytes.count >= 3, p.bytes[0] == 0xEF, p.bytes[1] == 0xBB, p.bytes[2] == 0xBF { p.i = 3 }
        p.skipSpace()
        var rows: [JSONRow]
        if p.peek == UInt8(ascii: "[") {
            rows = try p.rowList()
        } else if p.peek == UInt8(ascii: "{") {
            p.i += 1
            p.skipSpace()
            let key = try p.string()
            guard key == "rows" else { throw p.fail("the key \"rows\" (rows go in {\"rows\": [{…}, …]})", found: "the key \"\(key)\"") }
            try p.expect(":")
            rows = try p.rowList()
            p.skipSpace()
            if p.peek == UInt8(ascii: ",") { throw p.fail("} after the rows (no other key beside \"rows\")") }
            try p.expect("}")
        } else {
            throw p.fail("{\"rows\": [{…}, …]} or [{…}, …]")
        }
        p.skipSpace()
        guard p.i == p.bytes.count else { throw p.fail("the end of the body") }
        return rows
    }

    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    func fail(_ expected: String, found: String? = nil) -> JSONSyntaxError {
        let shown: String
        if let found {
            shown = found
        } else if i >= bytes.count {
            shown = "the end of the body"
        } else {
            let b = bytes[i]
            shown = b >= 0x20 && b < 0x7F ? "'\(Character(UnicodeScalar(b)))'" : "byte 0x\(String(b, radix: 16))"
        }
        return JSONSyntaxError(offset: i, expected: expected, found: shown)
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func expect(_ c: Character) throws(JSONSyntaxError) {
        skipSpace()
        guard peek == c.asciiValue else { throw fail("'\(c)'") }
        i += 1
    }

    /// `[` row, … `]` (an empty list is syntax; the caller refuses it).
    mutating func rowList() throws(JSONSyntaxError) -> [JSONRow] {
        try expect("[")
        var rows: [JSONRow] = []
        skipSpace()
        if peek == UInt8(ascii: "]") { i += 1; return rows }
        while true {
            rows.append(try row())
            skipSpace()
            if peek == UInt8(ascii: ",") { i += 1; continue }
            if peek == UInt8(ascii: "]") { i += 1; return rows }
            throw fail("',' or ']' after row \(rows.count)")
        }
    }

    mutating func row() throws(JSONSyntaxError) -> JSONRow {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { throw fail("a row: an object {\"column\": value, …}") }
        i += 1
        var r = JSONRow()
        r.keys.reserveCapacity(lastWidth)
        r.cells.reserveCapacity(lastWidth)
        defer { lastWidth = r.keys.count }
        skipSpace()
        if peek == UInt8(ascii: "}") { i += 1; return r }
        while true {
            skipSpace()
            let key = try string()
            if r.keys.contains(key) { throw fail("each key once in a row", found: "\"\(key)\" twice") }
            try expect(":")
            skipSpace()
            r.keys.append(key)
            r.cells.append(try cell(key))
            skipSpace()
            if peek == UInt8(ascii: ",") { i += 1; continue }
            if peek == UInt8(ascii: "}") { i += 1; return r }
            throw fail("',' or '}' in a row")
        }
    }

    mutating func cell(_ key: String) throws(JSONSyntaxError) -> JSONCell {
        guard let c = peek else { throw fail("a value for \"\(key)\"") }
        switch c {
        case UInt8(ascii: "\""): return .text(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case UInt8(ascii: "{"), UInt8(ascii: "["): throw fail("a number, text or null for \"\(key)\"", found: "an object or array")
        default: throw fail("a number, text or null for \"\(key)\"")
        }
    }

    mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, bytes[i..<(i + w.count)].elementsEqual(w) else { throw fail("a value (\(word)?)") }
        i += w.count
    }

    /// A number by JSON's grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    mutating func number() throws(JSONSyntaxError) -> Substring.UTF8View.SubSequence {
        let start = i
        func digits(_ p: inout RowsJSONParser) -> Int {
            let s = p.i
            while p.i < p.bytes.count, p.bytes[p.i] >= 0x30 && p.bytes[p.i] <= 0x39 { p.i += 1 }
            return p.i - s
        }
        if peek == UInt8(ascii: "-") { i += 1 }
        if peek == UInt8(ascii: "0") { i += 1 } else if digits(&self) == 0 { throw fail("a digit") }
        if peek == UInt8(ascii: ".") {
            i += 1
            if digits(&self) == 0 { throw fail("a digit after '.'") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            if digits(&self) == 0 { throw fail("a digit in the exponent") }
        }
        return text[text.index(text.startIndex, offsetBy: start)..<text.index(text.startIndex, offsetBy: i)]
    }

    /// A string with its escapes resolved (\uXXXX with surrogate pairs).
    mutating func string() throws(JSONSyntaxError) -> String {
        guard peek == UInt8(ascii: "\"") else { throw fail("a string in double quotes") }
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
        if peek == UInt8(ascii: "\"") {
            defer { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        var out = Array(bytes[start..<i])
        while true {
            guard let b = peek else { throw fail("'\"' closing the string") }
            if b == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if b < 0x20 { throw fail("an escaped control character (\\n, \\t, \\u0000) in a string") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard let e = peek else { throw fail("an escape after '\\'") }
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var v = try hex4()
                if (0xD800..<0xDC00).contains(v), peek == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("a low surrogate \\uDC00…\\uDFFF") }
                    v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                }
                out.append(contentsOf: Array(String(UnicodeScalar(v).map(Character.init) ?? "\u{FFFD}").utf8))
            default:
                i -= 1
                throw fail("an escape \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX")
            }
        }
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16),
            bytes[i..<(i + 4)].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) })
        else {
            throw fail("four hexadecimal digits after \\u")
        }
        i += 4
        return v
    }
}
