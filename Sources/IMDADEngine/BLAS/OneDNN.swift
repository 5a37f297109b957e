// The convolution seam: the only file that talks to oneDNN (Debian's libdnnl2, the library behind
// PyTorch's CPU convolutions), loaded at run time like OpenBLAS in BLAS.swift.
//
// Why it is loaded with dlopen: the package must build and pass its tests where oneDNN is not
// installed (macOS, a bare Linux), and oneDNN picks its kernels (AVX-512, AVX2, …) when it first
// runs, so the choice can be checked before use. On first use the library `dlopen`s libdnnl.so.2
// (the 2.x C API; 3.x changed it), builds the three convolution primitives for a few awkward
// geometries, checks them against the naive loops (`NaiveConvolution`), and only then lets
// `conv2d` use them. If anything fails, the im2col + sgemm path is used and
// `OneDNN.backend.fallbackReason` says why (`imdad info` prints it).
//
// Threads: oneDNN never starts threads of its own here. Each convolution is split into chunks of
// samples (a function of the batch size only), each chunk is one oneDNN call on one engine thread
// (OpenMP set to one thread on that thread), and the chunks' weight gradients are summed in chunk
// order: results are identical on any number of threads, as for the rest of the engine.

#if canImport(Glibc)
import Glibc
#endif

/// Which convolution kernels `conv2d` uses and why; printed by `imdad info` and the benchmarks.
public struct ConvolutionBackend: Sendable, CustomStringConvertible {
    /// "oneDNN 2.6.3" when loaded and verified, else "im2col + sgemm".
    public var library: String
    /// oneDNN's name for the forward kernel it chose on a LeNet-sized layer (e.g. "jit:avx512_core").
    public var implementation: String
    /// Path of the loaded library, when there is one.
    public var path: String?
    /// Largest error of the start-up check against the naive loops (per √(terms summed)).
    public var verificationError: Double
    /// Why oneDNN is not in use, when it is not.
    public var fallbackReason: String?
    /// Whether `conv2d` uses oneDNN (loaded, verified and switched on).
    public var active: Bool

    public var description: String {
        var s = active ? "\(library) (\(implementation))" : "im2col + sgemm"
        if active, let path { s += " from \(path)" }
        if active { s += ", verified against the naive loops (max error \(verificationError))" }
        if let fallbackReason { s += "; \(fallbackReason)" }
        return s
    }
}

public enum OneDNN {
    /// The convolution kernels in use, loaded and verified on first use.
    public static var backend: ConvolutionBackend {
        var info = Library.shared.info
        info.active = isActive
        if Library.shared.api != nil && !info.active {
            info.fallbackReason =
                "\(info.library) (\(info.implementation)) loaded and verified but switched off "
                + "(\(switchReason)); set IMDAD_CONVOLUTION=onednn to use it"
        }
        return info
    }

    /// Whether oneDNN runs the convolutions by default when it loads (`IMDAD_CONVOLUTION=im2col`
    /// or `=onednn` overrides it). On: on a 2-core AMD EPYC Zen 4 (AVX-512, shared machine) the
    /// Fashion-MNIST LeNet training step took 1.5× less time and the CIFAR-10 one 1.3–1.8× less,
    /// measured alternately against im2col + sgemm (experiments/speed/onednn.md).
    public static let onByDefault = true

    /// Switches oneDNN on or off for the whole process (the benchmarks and tests compare the two);
    /// switching on has no effect when it did not load.
    public static func setEnabled(_ on: Bool) { state.withLock { enabled = on } }

    /// Switched on and loaded (the library is loaded, and checked, only once it is switched on).
    static var isActive: Bool { state.withLock { enabled } && Library.shared.api != nil }

    nonisolated(unsafe) private static var enabled: Bool = {
        switch getenv("IMDAD_CONVOLUTION").map({ String(cString: $0) }) {
        case "onednn"?: return true
        case "im2col"?: return false
        default: return onByDefault
        }
    }()
    private static let state = Lock()
    private static var switchReason: String {
        switch getenv("IMDAD_CONVOLUTION").map({ String(cString: $0) }) {
        case "im2col"?: return "IMDAD_CONVOLUTION=im2col"
        default: return onByDefault ? "by OneDNN.setEnabled(false)" : "off by default"
        }
    }

    /// y ← conv(x, w) + b for the whole batch of `geo`; false when oneDNN is not active or refused
    /// a chunk's geometry (then the caller computes all of y itself).
    static func forward(
        _ geo: Conv2DGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
    ) -> Bool {
        guard isActive, let api = Library.shared.api else { return false }
        let ok = FlagBox()
        geo.forEachKernelChunk { _, n0, nb in
            var g = geo; g.batch = nb
            guard let p = api.primitive(.forward, g, bias: bias != nil) else { ok.fail(); return }
            p.run(
                api,
                [
                    (dnnlArgSrc, UnsafeMutableRawPointer(mutating: x + n0 * geo.inSample)),
                    (dnnlArgWeights, UnsafeMutableRawPointer(mutating: w)),
                    (dnnlArgBias, bias.map { UnsafeMutableRawPointer(mutating: $0) }),
                    (dnnlArgDst, UnsafeMutableRawPointer(y + n0 * geo.outSample)),
                ])
        }
        return ok.ok
    }

    /// The backward pass for the whole batch: `dx` ← ∂x when given, `dw` ← ∂w when given (summed
    /// over chunks in chunk order); false when oneDNN is not active or refused a chunk's geometry
    /// (then the caller computes both itself).
    static func backward(
        _ geo: Conv2DGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, g: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?
    ) -> Bool {
        guard isActive, let api = Library.shared.api else { return false }
        return geo.summingChunkWeights(into: dw) { slot in
            let ok = FlagBox()
            geo.forEachKernelChunk { ci, n0, nb in
                var cg = geo; cg.batch = nb
                let gChunk = UnsafeMutableRawPointer(mutating: g + n0 * geo.outSample)
                if let dx {
                    guard let p = api.primitive(.backwardData, cg, bias: false) else { ok.fail(); return }
                    p.run(
                        api,
                        [
                            (dnnlArgDiffDst, gChunk), (dnnlArgWeights, UnsafeMutableRawPointer(mutating: w)),
                            (dnnlArgDiffSrc, UnsafeMutableRawPointer(dx + n0 * geo.inSample)),
                        ])
                }
                if let partial = slot(ci) {
                    guard let p = api.primitive(.backwardWeights, cg, bias: false) else { ok.fail(); return }
                    p.run(
                        api,
                        [
                            (dnnlArgSrc, UnsafeMutableRawPointer(mutating: x + n0 * geo.inSample)), (dnnlArgDiffDst, gChunk),
                            (dnnlArgDiffWeights, UnsafeMutableRawPointer(partial)),
                        ])
                }
            }
            return ok.ok
        }
    }
}

/// Set when any chunk could not get its primitive (then the caller falls back for the whole op).
private final class FlagBox: @unchecked Sendable {
    private var failed = false
    private let lock = Lock()
    func fail() { lock.withLock { failed = true } }
    var ok: Bool { lock.withLock { !failed } }
}

// MARK: - The C API (oneDNN 2.x, dnnl.h), by name

private typealias Handle = OpaquePointer
private let dnnlArgSrc: Int32 = 1, dnnlArgDst: Int32 = 17, dnnlArgWeights: Int32 = 33, dnnlArgBias: Int32 = 41
private let dnnlArgScratchpad: Int32 = 80, dnnlArgDiffSrc: Int32 = 129, dnnlArgDiffDst: Int32 = 145
private let dnnlArgDiffWeights: Int32 = 161, dnnlArgFrom: Int32 = 1, dnnlArgTo: Int32 = 17
private let dnnlF32: Int32 = 3, dnnlFormatAny: Int32 = 1, dnnlTagA: Int32 = 2, dnnlTagABCD: Int32 = 5
private let dnnlCPU: Int32 = 1, dnnlStreamDefault: UInt32 = 1, dnnlScratchpadUser: Int32 = 1
private let dnnlForwardTraining: Int32 = 64, dnnlConvolutionDirect: Int32 = 1
private let queryImplInfo: Int32 = 8, queryScratchpadMD: Int32 = 136
/// `dnnl_memory_desc_t` is 696 bytes and `dnnl_convolution_desc_t` 5,976 in 2.6; every call takes
/// them by pointer, so they live in buffers larger than any 2.x release's.
private let descriptorBytes = 16384

private typealias MDInitFn = @convention(c) (UnsafeMutableRawPointer, Int32, UnsafePointer<Int64>, Int32, Int32) -> Int32
private typealias ConvFwdInitFn =
    @convention(c) (
        UnsafeMutableRawPointer, Int32, Int32, UnsafeRawPointer, UnsafeRawPointer,
        UnsafeRawPointer?, UnsafeRawPointer, UnsafePointer<Int64>,
        UnsafePointer<Int64>, UnsafePointer<Int64>
    ) -> Int32
private typealias ConvBwdDataInitFn =
    @convention(c) (
        UnsafeMutableRawPointer, Int32, UnsafeRawPointer, UnsafeRawPointer,
        UnsafeRawPointer, UnsafePointer<Int64>, UnsafePointer<Int64>,
        UnsafePointer<Int64>
    ) -> Int32
private typealias ConvBwdWeightsInitFn =
    @convention(c) (
        UnsafeMutableRawPointer, Int32, UnsafeRawPointer, UnsafeRawPointer,
        UnsafeRawPointer?, UnsafeRawPointer, UnsafePointer<Int64>,
        UnsafePointer<Int64>, UnsafePointer<Int64>
    ) -> Int32
private typealias CreateOutFn = @convention(c) (UnsafeMutablePointer<Handle?>) -> Int32
private typealias AttrScratchFn = @convention(c) (Handle, Int32) -> Int32
private typealias PDCreateFn = @convention(c) (UnsafeMutablePointer<Handle?>, UnsafeRawPointer, Handle?, Handle, Handle?) -> Int32
private typealias QueryMDFn = @convention(c) (Handle, Int32, Int32) -> UnsafeRawPointer?
private typealias QueryFn = @convention(c) (Handle, Int32, Int32, UnsafeMutableRawPointer) -> Int32
private typealias PrimCreateFn = @convention(c) (UnsafeMutablePointer<Handle?>, Handle) -> Int32
private typealias ExecuteFn = @convention(c) (Handle, Handle, Int32, UnsafeRawPointer) -> Int32
private typealias MemCreateFn = @convention(c) (UnsafeMutablePointer<Handle?>, UnsafeRawPointer, Handle, UnsafeMutableRawPointer?) -> Int32
private typealias DestroyFn = @convention(c) (Handle) -> Int32
private typealias MDEqualFn = @convention(c) (UnsafeRawPointer, UnsafeRawPointer) -> Int32
private typealias MDSizeFn = @convention(c) (UnsafeRawPointer) -> Int
private typealias ReorderPDFn =
    @convention(c) (
        UnsafeMutablePointer<Handle?>, UnsafeRawPointer, Handle, UnsafeRawPointer, Handle,
        Handle?
    ) -> Int32
private typealias EngineCreateFn = @convention(c) (UnsafeMutablePointer<Handle?>, Int32, Int) -> Int32
private typealias StreamCreateFn = @convention(c) (UnsafeMutablePointer<Handle?>, Handle, UInt32) -> Int32
private typealias VersionFn = @convention(c) () -> UnsafeRawPointer?
private typealias OMPSetThreadsFn = @convention(c) (Int32) -> Void

/// The functions of a loaded libdnnl, its CPU engine, and a cache of primitives by geometry.
private final class API: @unchecked Sendable {
    let mdInit: MDInitFn, convFwd: ConvFwdInitFn, convBwdData: ConvBwdDataInitFn, convBwdWeights: ConvBwdWeightsInitFn
    let attrCreate: CreateOutFn, attrScratch: AttrScratchFn, attrDestroy: DestroyFn
    let pdCreate: PDCreateFn, queryMD: QueryMDFn, query: QueryFn, primCreate: PrimCreateFn, execute: ExecuteFn
    let memCreate: MemCreateFn, memDestroy: DestroyFn, mdEqual: MDEqualFn, mdSize: MDSizeFn, reorderPD: ReorderPDFn
    let streamCreate: StreamCreateFn, streamDestroy: DestroyFn, ompSetThreads: OMPSetThreadsFn?
    var engine: Handle? = nil
    private var cache: [Key: Primitive?] = [:]
    private let lock = Lock()

    init?(_ h: UnsafeMutableRawPointer) {
        func f<T>(_ name: String, _: T.Type) -> T? { dlsym(h, name).map { unsafeBitCast($0, to: T.self) } }
        guard let mdInit = f("dnnl_memory_desc_init_by_tag", MDInitFn.self),
            let convFwd = f("dnnl_convolution_forward_desc_init", ConvFwdInitFn.self),
            let convBwdData = f("dnnl_convolution_backward_data_desc_init", ConvBwdDataInitFn.self),
            let convBwdWeights = f("dnnl_convolution_backward_weights_desc_init", ConvBwdWeightsInitFn.self),
            let attrCreate = f("dnnl_primitive_attr_create", CreateOutFn.self),
            let attrScratch = f("dnnl_primitive_attr_set_scratchpad_mode", AttrScratchFn.self),
            let attrDestroy = f("dnnl_primitive_attr_destroy", DestroyFn.self),
            let pdCreate = f("dnnl_primitive_desc_create", PDCreateFn.self),
            let queryMD = f("dnnl_primitive_desc_query_md", QueryMDFn.self),
            let query = f("dnnl_primitive_desc_query", QueryFn.self),
            let primCreate = f("dnnl_primitive_create", PrimCreateFn.self),
            let execute = f("dnnl_primitive_execute", ExecuteFn.self),
            let memCreate = f("dnnl_memory_create", MemCreateFn.self),
            let memDestroy = f("dnnl_memory_destroy", DestroyFn.self),
            let mdEqual = f("dnnl_memory_desc_equal", MDEqualFn.self),
            let mdSize = f("dnnl_memory_desc_get_size", MDSizeFn.self),
            let reorderPD = f("dnnl_reorder_primitive_desc_create", ReorderPDFn.self),
            let engineCreate = f("dnnl_engine_create", EngineCreateFn.self),
            let streamCreate = f("dnnl_stream_create", StreamCreateFn.self),
            let streamDestroy = f("dnnl_stream_destroy", DestroyFn.self)
        else { return nil }
        (self.mdInit, self.convFwd, self.convBwdData, self.convBwdWeights) = (mdInit, convFwd, convBwdData, convBwdWeights)
        (self.attrCreate, self.attrScratch, self.attrDestroy) = (attrCreate, attrScratch, attrDestroy)
        (self.pdCreate, self.queryMD, self.query, self.primCreate, self.execute) = (pdCreate, queryMD, query, primCreate, execute)
        (self.memCreate, self.memDestroy, self.mdEqual, self.mdSize, self.reorderPD) = (memCreate, memDestroy, mdEqual, mdSize, reorderPD)
        (self.streamCreate, self.streamDestroy) = (streamCreate, streamDestroy)
        ompSetThreads = f("omp_set_num_threads", OMPSetThreadsFn.self)
        ompSetThreads?(1)
        var e: Handle? = nil
        guard engineCreate(&e, dnnlCPU, 0) == 0, let e else { return nil }
        engine = e
    }

    /// Keeps oneDNN's work on the calling thread: the OpenMP thread count is a per-thread setting,
    /// and primitives size their buffers by it when they are created.
    func singleThreaded() { ompSetThreads?(1) }

    /// The cached primitive for `kind` on `geo` (its batch is the chunk's), built on first use;
    /// nil if oneDNN cannot build it.
    func primitive(_ kind: Primitive.Kind, _ geo: Conv2DGeometry, bias: Bool) -> Primitive? {
        let key = Key(kind: kind, geo: geo, bias: bias)
        return lock.withLock {
            if let p = cache[key] { return p }
            let p = Primitive(api: self, kind: kind, geo: geo, bias: bias)
            cache[key] = .some(p)
            return p
        }
    }

    struct Key: Hashable {
        var kind: Primitive.Kind, batch, channels, height, width, outChannels, kernelHeight, kernelWidth, stride, padding: Int
        var bias: Bool
        init(kind: Primitive.Kind, geo g: Conv2DGeometry, bias: Bool) {
            (self.kind, batch, channels, height, width) = (kind, g.batch, g.channels, g.height, g.width)
            (outChannels, kernelHeight, kernelWidth, stride, padding, self.bias) = (
                g.outChannels, g.kernelHeight, g.kernelWidth,
                g.stride, g.padding, bias
            )
        }
    }
}

/// One convolution primitive (forward, backward data or backward weights) for one geometry, with
/// reorders between the engine's dense layouts (NCHW, OIHW) and the blocked layouts oneDNN chose.
private final class Primitive: @unchecked Sendable {
    enum Kind: Hashable { case forward, backwardData, backwardWeights }

    /// One argument: its oneDNN id, its dense descriptor, the descriptor the primitive wants, and
    /// the reorder between the two when they differ (to the primitive for inputs, from it for the output).
    struct Arg {
        var id: Int32
        var dense: UnsafeMutableRawPointer
        var chosen: UnsafeRawPointer
        var reorder: Handle?
        var chosenBytes: Int
        var isOutput: Bool
    }

    let primitive: Handle
    let args: [Arg]
    /// The primitive's descriptor (its scratchpad's size and layout) and the reorders' ones, kept alive.
    let descriptor: Handle
    let scratchpadBytes: Int
    let implementation: String
    private let keep: [Handle]

    init?(api: API, kind: Kind, geo g: Conv2DGeometry, bias: Bool) {
        api.singleThreaded()
        func dims(_ v: [Int]) -> [Int64] { v.map(Int64.init) }
        let xDims = dims([g.batch, g.channels, g.height, g.width]),
            wDims = dims([g.outChannels, g.channels, g.kernelHeight, g.kernelWidth])
        let yDims = dims([g.batch, g.outChannels, g.outHeight, g.outWidth]), bDims = dims([g.outChannels])
        let strides = dims([g.stride, g.stride]), pad = dims([g.padding, g.padding])
        // The right padding that makes oneDNN's output size ours: (H + pl + pr − KH)/s + 1 = Ho.
        let padR = dims([
            (g.outHeight - 1) * g.stride + g.kernelHeight - g.height - g.padding,
            (g.outWidth - 1) * g.stride + g.kernelWidth - g.width - g.padding,
        ])
        func md(_ d: [Int64], _ tag: Int32) -> UnsafeMutableRawPointer? {
            let p = UnsafeMutableRawPointer.allocate(byteCount: descriptorBytes, alignment: 64)
            p.initializeMemory(as: UInt8.self, repeating: 0, count: descriptorBytes)
            guard d.withUnsafeBufferPointer({ api.mdInit(p, Int32(d.count), $0.baseAddress!, dnnlF32, tag) }) == 0 else {
                p.deallocate(); return nil
            }
            return p
        }
        guard let xAny = md(xDims, dnnlFormatAny), let wAny = md(wDims, dnnlFormatAny), let yAny = md(yDims, dnnlFormatAny),
            let bDense = md(bDims, dnnlTagA), let xDense = md(xDims, dnnlTagABCD), let wDense = md(wDims, dnnlTagABCD),
            let yDense = md(yDims, dnnlTagABCD)
        else { return nil }
        defer { for p in [xAny, wAny, yAny] { p.deallocate() } }
        var owned = [bDense, xDense, wDense, yDense]
        let op = UnsafeMutableRawPointer.allocate(byteCount: descriptorBytes, alignment: 64)
        op.initializeMemory(as: UInt8.self, repeating: 0, count: descriptorBytes)
        defer { op.deallocate() }
        var attr: Handle? = nil
        guard api.attrCreate(&attr) == 0, let attr, api.attrScratch(attr, dnnlScratchpadUser) == 0 else { return nil }
        defer { _ = api.attrDestroy(attr) }
        // Every backward primitive needs the forward one as its hint.
        func forwardPD() -> Handle? {
            let fop = UnsafeMutableRawPointer.allocate(byteCount: descriptorBytes, alignment: 64)
            fop.initializeMemory(as: UInt8.self, repeating: 0, count: descriptorBytes)
            defer { fop.deallocate() }
            guard
                api.convFwd(
                    fop, dnnlForwardTraining, dnnlConvolutionDirect, xAny, wAny, bias ? bDense : nil, yAny,
                    strides, pad, padR) == 0
            else { return nil }
            var pd: Handle? = nil
            guard api.pdCreate(&pd, fop, attr, api.engine!, nil) == 0 else { return nil }
            return pd
        }
        guard let fpd = forwardPD() else { return nil }
        var keep: [Handle] = [], args: [Arg] = []
        var pd: Handle? = fpd
        let spec: [(Int32, UnsafeMutableRawPointer, Int32, Bool)]  // arg, dense md, query, output
        switch kind {
        case .forward:
            spec =
                [(dnnlArgSrc, xDense, 129, false), (dnnlArgWeights, wDense, 131, false), (dnnlArgDst, yDense, 133, true)]
                + (bias ? [(dnnlArgBias, bDense, 0, false)] : [])
        case .backwardData:
            guard api.convBwdData(op, dnnlConvolutionDirect, xAny, wAny, yAny, strides, pad, padR) == 0 else { return nil }
            pd = nil
            guard api.pdCreate(&pd, op, attr, api.engine!, fpd) == 0 else { return nil }
            keep.append(fpd)
            spec = [(dnnlArgDiffDst, yDense, 134, false), (dnnlArgWeights, wDense, 131, false), (dnnlArgDiffSrc, xDense, 130, true)]
        case .backwardWeights:
            guard api.convBwdWeights(op, dnnlConvolutionDirect, xAny, wAny, nil, yAny, strides, pad, padR) == 0 else { return nil }
            pd = nil
            guard api.pdCreate(&pd, op, attr, api.engine!, fpd) == 0 else { return nil }
            keep.append(fpd)
            spec = [(dnnlArgSrc, xDense, 129, false), (dnnlArgDiffDst, yDense, 134, false), (dnnlArgDiffWeights, wDense, 132, true)]
        }
        guard let pd else { return nil }
        keep.append(pd)
        var impl: UnsafePointer<CChar>? = nil
        _ = api.query(pd, queryImplInfo, 0, &impl)
        for (id, dense, q, isOutput) in spec {
            guard let chosen = q == 0 ? UnsafeRawPointer(dense) : api.queryMD(pd, q, 0) else { return nil }
            var reorder: Handle? = nil
            if api.mdEqual(chosen, dense) == 0 {
                var rpd: Handle? = nil
                let (from, to) = isOutput ? (chosen, UnsafeRawPointer(dense)) : (UnsafeRawPointer(dense), chosen)
                guard api.reorderPD(&rpd, from, api.engine!, to, api.engine!, nil) == 0, let rpd,
                    api.primCreate(&reorder, rpd) == 0, reorder != nil
                else { return nil }
                keep.append(rpd)
            }
            args.append(Arg(id: id, dense: dense, chosen: chosen, reorder: reorder, chosenBytes: api.mdSize(chosen), isOutput: isOutput))
        }
        owned.removeAll { p in args.contains { $0.dense == p } }
        for p in owned { p.deallocate() }
        var prim: Handle? = nil
        guard api.primCreate(&prim, pd) == 0, let prim else { return nil }
        (primitive, descriptor, self.args, self.keep) = (prim, pd, args, keep)
        implementation = impl.map { String(cString: $0) } ?? "unknown"
        scratchpadBytes = api.queryMD(pd, queryScratchpadMD, 0).map { api.mdSize($0) } ?? 0
    }

    /// Runs the primitive on the engine's dense buffers: inputs reordered into blocked scratch
    /// buffers first where the primitive wants another layout, outputs reordered back after.
    func run(_ api: API, _ buffers: [(Int32, UnsafeMutableRawPointer?)]) {
        api.singleThreaded()
        var stream: Handle? = nil
        guard api.streamCreate(&stream, api.engine!, dnnlStreamDefault) == 0, let stream else {
            preconditionFailure("oneDNN: no stream")
        }
        defer { _ = api.streamDestroy(stream) }
        var memories: [Handle] = []
        defer { for m in memories { _ = api.memDestroy(m) } }
        func memory(_ md: UnsafeRawPointer, _ p: UnsafeMutableRawPointer?) -> Handle {
            var m: Handle? = nil
            precondition(api.memCreate(&m, md, api.engine!, p) == 0 && m != nil, "oneDNN: memory_create failed")
            memories.append(m!)
            return m!
        }
        func exec(_ prim: Handle, _ list: [(Int32, Handle)]) {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: 16 * Swift.max(1, list.count), alignment: 16)
            defer { raw.deallocate() }
            for (i, (id, m)) in list.enumerated() {
                raw.storeBytes(of: id, toByteOffset: 16 * i, as: Int32.self)
                raw.storeBytes(of: UnsafeRawPointer(m), toByteOffset: 16 * i + 8, as: UnsafeRawPointer.self)
            }
            precondition(api.execute(prim, stream, Int32(list.count), raw) == 0, "oneDNN: execute failed")
        }
        let blockedBytes = args.reduce(0) { $0 + ($1.reorder == nil ? 0 : ($1.chosenBytes + 63) / 64 * 64) }
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(64, blockedBytes + scratchpadBytes), alignment: 64)
        defer { scratch.deallocate() }
        var offset = 0
        var list: [(Int32, Handle)] = []
        var after: [(Handle, Handle, Handle)] = []  // reorder, from, to
        for a in args {
            let user = buffers.first { $0.0 == a.id }?.1
            guard let reorder = a.reorder else { list.append((a.id, memory(a.chosen, user))); continue }
            let dense = memory(a.dense, user), blocked = memory(a.chosen, scratch + offset)
            offset += (a.chosenBytes + 63) / 64 * 64
            list.append((a.id, blocked))
            if a.isOutput { after.append((reorder, blocked, dense)) } else { exec(reorder, [(dnnlArgFrom, dense), (dnnlArgTo, blocked)]) }
        }
        if scratchpadBytes > 0, let spmd = api.queryMD(descriptor, queryScratchpadMD, 0) {
            list.append((dnnlArgScratchpad, memory(spmd, scratch + offset)))
        }
        exec(primitive, list)
        for (r, from, to) in after { exec(r, [(dnnlArgFrom, from), (dnnlArgTo, to)]) }
    }
}

// MARK: - Loading and the start-up check

private final class Library: @unchecked Sendable {
    static let shared = Library()
    let info: ConvolutionBackend
    let api: API?

    private init() {
        var info = ConvolutionBackend(
            library: "oneDNN", implementation: "none", path: nil, verificationError: 0,
            fallbackReason: nil, active: false)
        #if canImport(Glibc)
        // oneDNN's OpenMP reads OMP_NUM_THREADS when it loads: one thread unless the user said otherwise
        // (the engine calls it from its own threads, one chunk each).
        let weSetOMP = getenv("OMP_NUM_THREADS") == nil
        if weSetOMP { setenv("OMP_NUM_THREADS", "1", 1) }
        defer { if weSetOMP { unsetenv("OMP_NUM_THREADS") } }
        var handle: UnsafeMutableRawPointer? = nil
        for name in ["libdnnl.so.2", "/usr/lib/x86_64-linux-gnu/libdnnl.so.2", "/usr/lib/aarch64-linux-gnu/libdnnl.so.2"] {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil { info.path = name; break }
        }
        guard let handle else {
            info.fallbackReason = "oneDNN not found (install libdnnl2 or libdnnl-dev); convolutions use im2col + sgemm"
            (self.info, api) = (info, nil); return
        }
        if let v = dlsym(handle, "dnnl_version").map({ unsafeBitCast($0, to: VersionFn.self) })?() {
            let major = v.load(as: Int32.self), minor = v.load(fromByteOffset: 4, as: Int32.self)
            let patch = v.load(fromByteOffset: 8, as: Int32.self)
            info.library = "oneDNN \(major).\(minor).\(patch)"
            if major != 2 {
                info.fallbackReason =
                    "\(info.library) has the 3.x C API, not the 2.x one this engine calls; convolutions use im2col + sgemm"
                (self.info, api) = (info, nil); return
            }
        }
        guard let api = API(handle) else {
            info.fallbackReason =
                "\(info.path ?? "libdnnl") lacks a function of the 2.x C API or a CPU engine; "
                + "convolutions use im2col + sgemm"
            (self.info, self.api) = (info, nil); return
        }
        let (err, impl) = Library.verify(api)
        info.verificationError = err
        info.implementation = impl
        if !(err < 1e-4) {
            info.fallbackReason =
                "\(info.library) (\(impl)) failed the numerical check (max error \(err)); "
                + "convolutions use im2col + sgemm"
            (self.info, self.api) = (info, nil); return
        }
        (self.info, self.api) = (info, api)
        #else
        info.fallbackReason = "oneDNN is only loaded on Linux; convolutions use im2col + sgemm"
        (self.info, api) = (info, nil)
        #endif
    }

    /// Runs the three primitives on random data of awkward geometries (1, 3 and 16 input channels,
    /// stride 1 and 2, padding 0–2, a batch that splits into uneven chunks) and returns the largest
    /// error against the naive loops, each divided by √(number of terms in its sum), and the
    /// implementation oneDNN picked for a LeNet layer (or a reason when a primitive was refused).
    static func verify(_ api: API) -> (Double, String) {
        var worst = 0.0
        let geometries = [
            Conv2DGeometry(
                batch: 3, channels: 16, height: 9, width: 7, outChannels: 32, kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 2),
            Conv2DGeometry(
                batch: 2, channels: 3, height: 8, width: 9, outChannels: 5, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1),
            Conv2DGeometry(
                batch: 1, channels: 1, height: 6, width: 6, outChannels: 4, kernelHeight: 3, kernelWidth: 2, stride: 1, padding: 0),
        ]
        for (i, geo) in geometries.enumerated() {
            var refused = "forward"
            let error = NaiveConvolution.checkError(geo, seed: 0xD11 + UInt64(i)) { geo, x, w, b, g, y, dx, dw in
                let mutable = { (p: UnsafePointer<Float>) in UnsafeMutableRawPointer(mutating: p) }
                guard let p = api.primitive(.forward, geo, bias: true) else { return false }
                p.run(api, [(dnnlArgSrc, mutable(x)), (dnnlArgWeights, mutable(w)), (dnnlArgBias, mutable(b)), (dnnlArgDst, UnsafeMutableRawPointer(y))])
                refused = "backward data"
                guard let p = api.primitive(.backwardData, geo, bias: false) else { return false }
                p.run(api, [(dnnlArgDiffDst, mutable(g)), (dnnlArgWeights, mutable(w)), (dnnlArgDiffSrc, UnsafeMutableRawPointer(dx))])
                refused = "backward weights"
                guard let p = api.primitive(.backwardWeights, geo, bias: false) else { return false }
                p.run(api, [(dnnlArgSrc, mutable(x)), (dnnlArgDiffDst, mutable(g)), (dnnlArgDiffWeights, UnsafeMutableRawPointer(dw))])
                return true
            }
            guard let error else { return (.infinity, "oneDNN refused the \(refused) primitive for \(geo)") }
            worst = Swift.max(worst, error)
        }
        let lenet = Conv2DGeometry(
            batch: 16, channels: 16, height: 14, width: 14, outChannels: 32, kernelHeight: 5, kernelWidth: 5,
            stride: 1, padding: 2)
        return (worst, api.primitive(.forward, lenet, bias: true)?.implementation ?? "unknown")
    }
}
