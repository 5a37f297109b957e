// Tensor: a dense, row-major Float32 array with a shape. Value semantics (copy-on-write storage).

/// A dense row-major array of `Float` with a shape, e.g. `[N, C, H, W]` for a batch of images.
///
/// `Tensor` is a plain value: copying it is cheap and mutation copies the storage only when it is
/// shared (Swift's `Array` copy-on-write). It has no gradient of its own; see ``Tape`` for that.
public struct Tensor: Sendable, Equatable {
    /// The extent of each axis, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [Float]

    /// A tensor with the given shape and elements. The element count must match the shape.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) holds \(shape.reduce(1, *)) elements, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor filled with one value.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor whose elements `body` writes, every one of them, into uninitialized storage
    /// (saves the zero-fill of buffers that are overwritten anyway).
    @inlinable
    public init(shape: [Int], uninitialized body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let n = shape.reduce(1, *)
        self.init(shape: shape, scalars: [Float](unsafeUninitializedCapacity: n) { buffer, count in
            body(buffer)
            count = n
        })
    }

    /// A rank-0 tensor holding one number.
    public init(_ scalar: Float) { self.init(shape: [], scalars: [scalar]) }

    /// A rank-1 tensor.
    public init(_ values: [Float]) { self.init(shape: [values.count], scalars: values) }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// Number of elements.
    @inlinable public var count: Int { scalars.count }
    /// Number of axes.
    @inlinable public var rank: Int { shape.count }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(scalars.count == 1, "scalar of a tensor with shape \(shape)")
        return scalars[0]
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Rows `range` of the outermost axis (a mini-batch of samples).
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0])
        if range == 0..<shape[0] { return self }  // all of them: shares the storage (copied on write)
        let stride = count / max(shape[0], 1)
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape,
                      scalars: Array(scalars[(range.lowerBound * stride)..<(range.upperBound * stride)]))
    }

    /// The rows at `indices` of the outermost axis, in that order (a gathered mini-batch).
    public func rows<C: Collection>(at indices: C) -> Tensor where C.Element == Int {
        precondition(rank >= 1)
        let stride = count / max(shape[0], 1)
        var out = [Float]()
        out.reserveCapacity(indices.count * stride)
        scalars.withUnsafeBufferPointer { src in
            for i in indices {
                precondition(i >= 0 && i < shape[0], "row \(i) out of range 0..<\(shape[0])")
                out.append(contentsOf: src[(i * stride)..<((i + 1) * stride)])
            }
        }
        var newShape = shape
        newShape[0] = indices.count
        return Tensor(shape: newShape, scalars: out)
    }

    /// Stacks tensors of equal trailing shape along the outermost axis.
    public static func concatenateRows(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty)
        if parts.count == 1 { return parts[0] }
        let tail = Array(parts[0].shape.dropFirst())
        var out = [Float]()
        out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        var n = 0
        for p in parts {
            precondition(Array(p.shape.dropFirst()) == tail, "concatenateRows: shapes differ")
            out.append(contentsOf: p.scalars)
            n += p.shape[0]
        }
        return Tensor(shape: [n] + tail, scalars: out)
    }

    /// `true` if every element is finite (no NaN, no ±Inf).
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(head)\(count > 8 ? ", …" : "")])"
    }
}
