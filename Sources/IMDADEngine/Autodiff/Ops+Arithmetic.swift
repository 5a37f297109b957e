// Element-wise arithmetic with broadcasting, and its gradients.

extension Variable {
    /// `a + b` (broadcasting). ∂/∂a = g, ∂/∂b = g, each summed back to its own shape.
    public static func + (a: Variable, b: Variable) -> Variable {
        let out = Tensor.broadcasting(a.value, b.value, +)
        return a.tape.record(out, inputs: [a, b]) { g, tape in
            if tape.needsGradient(a) { tape.accumulate(g.reduced(toShape: a.shape), into: a) }
            if tape.needsGradient(b) { tape.accumulate(g.reduced(toShape: b.shape), into: b) }
        }
    }

    /// `a − b` (broadcasting). ∂/∂a = g, ∂/∂b = −g.
    public static func - (a: Variable, b: Variable) -> Variable {
        let out = Tensor.broadcasting(a.value, b.value, -)
        return a.tape.record(out, inputs: [a, b]) { g, tape in
            if tape.needsGradient(a) { tape.accumulate(g.reduced(toShape: a.shape), into: a) }
            if tape.needsGradient(b) { tape.accumulate(g.map { -$0 }.reduced(toShape: b.shape), into: b) }
        }
    }

    /// `a ⊙ b` (broadcasting). ∂/∂a = g ⊙ b, ∂/∂b = g ⊙ a.
    public static func * (a: Variable, b: Variable) -> Variable {
        let av = a.value, bv = b.value
        let out = Tensor.broadcasting(av, bv, *)
        return a.tape.record(out, inputs: [a, b]) { g, tape in
            if tape.needsGradient(a) { tape.accumulate(Tensor.broadcasting(g, bv, *).reduced(toShape: av.shape), into: a) }
            if tape.needsGradient(b) { tape.accumulate(Tensor.broadcasting(g, av, *).reduced(toShape: bv.shape), into: b) }
        }
    }

    /// `a ⊘ b` (broadcasting). ∂/∂a = g ⊘ b, ∂/∂b = −g ⊙ a ⊘ b².
    public static func / (a: Variable, b: Variable) -> Variable {
        let av = a.value, bv = b.value
        let out = Tensor.broadcasting(av, bv, /)
        return a.tape.record(out, inputs: [a, b]) { g, tape in
            if tape.needsGradient(a) { tape.accumulate(Tensor.broadcasting(g, bv, /).reduced(toShape: av.shape), into: a) }
            if tape.needsGradient(b) {
                let q = Tensor.broadcasting(g, out, *)            // g ⊙ a/b
                tape.accumulate(Tensor.broadcasting(q, bv, { -$0 / $1 }).reduced(toShape: bv.shape), into: b)
            }
        }
    }

    public static prefix func - (a: Variable) -> Variable { a * -1 }

    /// `a · s` for a constant `s`.
    public static func * (a: Variable, s: Float) -> Variable {
        a.tape.record(a.value.map { $0 * s }, inputs: [a]) { g, tape in
            tape.accumulate(g.map { $0 * s }, into: a)
        }
    }
    public static func * (s: Float, a: Variable) -> Variable { a * s }
    public static func / (a: Variable, s: Float) -> Variable { a * (1 / s) }

    /// `a + s` for a constant `s`.
    public static func + (a: Variable, s: Float) -> Variable {
        a.tape.record(a.value.map { $0 + s }, inputs: [a]) { g, tape in tape.accumulate(g, into: a) }
    }
    public static func + (s: Float, a: Variable) -> Variable { a + s }
    public static func - (a: Variable, s: Float) -> Variable { a + (-s) }
    /// `s − a` for a constant `s`.
    public static func - (s: Float, a: Variable) -> Variable { (-a) + s }

    /// `s / a` for a constant `s`. ∂/∂a = −s·g / a².
    public static func / (s: Float, a: Variable) -> Variable {
        let x = a.value
        return a.tape.record(x.map { s / $0 }, inputs: [a]) { g, tape in
            tape.accumulate(g.zip(x) { -s * $0 / ($1 * $1) }, into: a)
        }
    }

    /// Element-wise square `x²`. ∂/∂x = 2x·g.
    public func squared() -> Variable {
        let x = value
        return tape.record(x.map { $0 * $0 }, inputs: [self]) { g, tape in
            tape.accumulate(g.zip(x) { 2 * $0 * $1 }, into: self)
        }
    }
}
