// Broadcasting (NumPy rules) for element-wise ops, and the reduction that undoes it in gradients.

/// The shape two shapes broadcast to (NumPy rules: align trailing axes; 1 stretches).
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
    let r = max(a.count, b.count)
    var out = [Int](repeating: 1, count: r)
    for i in 0..<r {
        let x = i < r - a.count ? 1 : a[i - (r - a.count)]
        let y = i < r - b.count ? 1 : b[i - (r - b.count)]
        precondition(x == y || x == 1 || y == 1, "shapes \(a) and \(b) do not broadcast")
        out[i] = max(x, y)
    }
    return out
}

/// Element strides of `shape` viewed inside `target` (0 along broadcast axes).
func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let offset = target.count - shape.count
    var strides = [Int](repeating: 0, count: target.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i + offset] = shape[i] == 1 ? 0 : s
        s *= shape[i]
    }
    return strides
}

/// Calls `body(outIndex, aIndex, bIndex)` for every element of the broadcast shape.
@inline(__always)
func forEachBroadcast(_ out: [Int], _ sa: [Int], _ sb: [Int], _ body: (Int, Int, Int) -> Void) {
    let total = out.reduce(1, *)
    if total == 0 { return }
    let r = out.count
    if r == 0 { body(0, 0, 0); return }
    let inner = out[r - 1], ia = sa[r - 1], ib = sb[r - 1]
    var idx = [Int](repeating: 0, count: r)
    var offA = 0, offB = 0, o = 0
    while o < total {
        for j in 0..<inner { body(o + j, offA + j * ia, offB + j * ib) }
        o += inner
        // advance the odometer over the outer axes
        var axis = r - 2
        while axis >= 0 {
            idx[axis] += 1
            offA += sa[axis]; offB += sb[axis]
            if idx[axis] < out[axis] { break }
            offA -= sa[axis] * out[axis]; offB -= sb[axis] * out[axis]
            idx[axis] = 0
            axis -= 1
        }
    }
}

extension Tensor {
    /// Sums this tensor down to `shape`, undoing a broadcast from `shape` to `self.shape`.
    public func reduced(toShape shape: [Int]) -> Tensor {
        if shape == self.shape { return self }
        var out = [Float](repeating: 0, count: shape.reduce(1, *))
        let sOut = broadcastStrides(shape, to: self.shape)
        let zero = [Int](repeating: 0, count: self.shape.count)
        scalars.withUnsafeBufferPointer { g in
            out.withUnsafeMutableBufferPointer { o in
                forEachBroadcast(self.shape, sOut, zero) { i, j, _ in o[j] += g[i] }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Element-wise combination with broadcasting.
    @inline(__always)
    public static func broadcasting(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        if a.shape == b.shape { return a.zip(b, f) }
        if b.count == 1 {
            let y = b.scalars[0]
            let shape = broadcastShape(a.shape, b.shape)
            if shape == a.shape {
                var out = a.scalars
                out.withUnsafeMutableBufferPointer { o in for i in 0..<o.count { o[i] = f(o[i], y) } }
                return Tensor(shape: shape, scalars: out)
            }
        }
        let shape = broadcastShape(a.shape, b.shape)
        var out = [Float](repeating: 0, count: shape.reduce(1, *))
        let sa = broadcastStrides(a.shape, to: shape), sb = broadcastStrides(b.shape, to: shape)
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { o in
                    forEachBroadcast(shape, sa, sb) { i, ia, ib in o[i] = f(pa[ia], pb[ib]) }
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Element-wise map.
    @inline(__always)
    public func map(_ f: (Float) -> Float) -> Tensor {
        let out = scalars.withUnsafeBufferPointer { src in
            [Float](unsafeUninitializedCapacity: src.count) { o, n in
                for i in 0..<src.count { o[i] = f(src[i]) }
                n = src.count
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Element-wise combination of two tensors of the same shape.
    @inline(__always)
    public func zip(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "zip: shapes \(shape) and \(other.shape) differ")
        let out = scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                [Float](unsafeUninitializedCapacity: a.count) { o, n in
                    for i in 0..<a.count { o[i] = f(a[i], b[i]) }
                    n = a.count
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }
}
