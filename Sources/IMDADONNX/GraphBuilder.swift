// A small builder of ONNX graphs: nodes, initializers, inputs and outputs with fresh names.

import Foundation
import SwiftProtobuf

/// Collects the nodes and initializers of one ONNX graph; every value gets a fresh name.
struct GraphBuilder {
    private(set) var graph = Onnx_GraphProto()
    private var counter = 0

    init(name: String) { graph.name = name }

    /// A fresh value name with `prefix`.
    mutating func fresh(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)_\(counter)"
    }

    /// A float initializer of `shape`; returns its name.
    mutating func constant(_ prefix: String, _ values: [Float], shape: [Int]) -> String {
        initializer(prefix, values, type: .float, shape: shape)
    }

    /// A double initializer of `shape`; returns its name.
    mutating func constant(_ prefix: String, _ values: [Double], shape: [Int]) -> String {
        initializer(prefix, values, type: .double, shape: shape)
    }

    /// An int64 initializer (shapes, axes, zone codes); returns its name.
    mutating func constant(_ prefix: String, int64 values: [Int64], shape: [Int]) -> String {
        initializer(prefix, values, type: .int64, shape: shape)
    }

    /// An initializer of element `type` holding `values` as raw little-endian bytes (as ONNX's raw_data requires).
    private mutating func initializer<T: BitwiseCopyable>(
        _ prefix: String, _ values: [T], type: Onnx_TensorProto.DataType, shape: [Int]
    ) -> String {
        precondition(values.count == shape.reduce(1, *), "\(prefix): \(values.count) values for shape \(shape)")
        var t = Onnx_TensorProto()
        t.name = fresh(prefix)
        t.dataType = Int32(type.rawValue)
        t.dims = shape.map(Int64.init)
        t.rawData = values.withUnsafeBytes { Data($0) }
        graph.initializer.append(t)
        return t.name
    }

    /// Appends `op(inputs) → output` and returns the output's name (`output` or a fresh one).
    @discardableResult
    mutating func node(
        _ op: String, _ inputs: [String], output: String? = nil, attributes: [Onnx_AttributeProto] = [],
        domain: String = ""
    ) -> String {
        var n = Onnx_NodeProto()
        n.opType = op
        n.name = fresh(op)
        n.input = inputs
        let out = output ?? fresh(op.lowercased())
        n.output = [out]
        n.attribute = attributes
        if !domain.isEmpty { n.domain = domain }
        graph.node.append(n)
        return out
    }

    /// Declares a graph input or output `name` of element type `type` and shape `dims`
    /// (a `String` is a symbolic dimension such as "N", an `Int` a fixed one).
    static func valueInfo(_ name: String, _ type: Onnx_TensorProto.DataType, dims: [Any], doc: String) -> Onnx_ValueInfoProto {
        var v = Onnx_ValueInfoProto()
        v.name = name
        v.docString = doc
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(type.rawValue)
        tensor.shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let s = d as? String { dim.dimParam = s } else if let i = d as? Int { dim.dimValue = Int64(i) }
            return dim
        }
        v.type.tensorType = tensor
        return v
    }

    mutating func addInput(_ v: Onnx_ValueInfoProto) { graph.input.append(v) }
    mutating func addOutput(_ v: Onnx_ValueInfoProto) { graph.output.append(v) }
}

/// Attribute constructors.
enum Attribute {
    static func int(_ name: String, _ v: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .int; a.i = Int64(v)
        return a
    }
    static func float(_ name: String, _ v: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .float; a.f = v
        return a
    }
    static func ints(_ name: String, _ v: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .ints; a.ints = v.map(Int64.init)
        return a
    }
}
