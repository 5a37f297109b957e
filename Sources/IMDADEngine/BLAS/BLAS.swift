// The BLAS seam: the only file that talks to OpenBLAS (Linux) or Accelerate (Apple).
//
// Why OpenBLAS is loaded at run time on Linux: Debian's OpenBLAS 0.3.21 picks its kernels once,
// when the library loads, from its own CPU table and from `OPENBLAS_CORETYPE`. On CPUs newer than
// its table it falls back to the generic `Prescott` kernels (≈ 25 GFLOP/s instead of ≈ 145 for a
// 1024³ sgemm). Linking it would freeze that choice before `main` runs, so the library instead
// reads the CPU's features, sets `OPENBLAS_CORETYPE` to the best kernel family the CPU can run
// (unless the user set it), `dlopen`s OpenBLAS, checks the result numerically against the naive
// kernel, and only then uses it. If anything fails, the naive Swift kernel is used and
// `BLAS.backend` says why.

#if canImport(Accelerate)
import Accelerate
#elseif canImport(Glibc)
import Glibc
#endif
import CIMDADKernels

/// Which matrix kernel is active and why; printed by `imdad info` and the benchmarks.
public struct BLASBackend: Sendable, CustomStringConvertible {
    /// "OpenBLAS", "Accelerate" or "naive".
    public var library: String
    /// OpenBLAS's own name for its active kernel family (e.g. "Haswell", "SkylakeX").
    public var kernel: String
    /// The `OPENBLAS_CORETYPE` in effect and who chose it.
    public var coreTypeChoice: String
    /// Path of the loaded library, when there is one.
    public var path: String?
    /// Maximal relative error of the start-up check against the naive kernel.
    public var verificationError: Double
    /// Why the naive kernel is in use, when it is.
    public var fallbackReason: String?
    /// Who computes products in ``BLAS/ownKernelRange``: the engine's own kernel
    /// (`imdad_sgemm` in `CIMDADKernels`, split over the engine's threads) when it passed the same
    /// check, else the library above in one piece; and why.
    public var smallProducts: String = "the library above, in one piece"

    /// What to tell a user before long work when the products run on the naive kernel, or nil when
    /// a fast library is in use. "About 200×": a 1024³ sgemm ran at 0.5 GFLOP/s on the naive kernel
    /// and at 94 through OpenBLAS on a 2-core AMD EPYC (`imdad info`, 2026-12-01).
    public var slowKernelWarning: String? {
        guard library == "naive" else { return nil }
        return "matrix products run on the naive kernel, about 200× slower than OpenBLAS: "
            + (fallbackReason ?? "no BLAS library was loaded")
    }

    public var description: String {
        var s = "\(library) (kernel \(kernel); \(coreTypeChoice))"
        if let path { s += " from \(path)" }
        s += ", verified against the naive kernel (max rel. error \(verificationError))"
        if let fallbackReason { s += "; \(fallbackReason)" }
        let mflop = { (flops: Double) in flops.truncatingRemainder(dividingBy: 1e6) == 0 ? "\(Int(flops / 1e6))" : "\(flops / 1e6)" }
        s += "; products of \(mflop(BLAS.ownKernelRange.lowerBound))–\(mflop(BLAS.ownKernelRange.upperBound)) MFLOP: \(smallProducts)"
        return s
    }
}

/// Single-precision general matrix multiply, row-major:
///
///     C[m×n] ← α · op(A)[m×k] · op(B)[k×n] + β · C
///
/// where `op(X)` is `X` or `Xᵀ`. `lda`, `ldb`, `ldc` are the row strides of the stored matrices.
public enum BLAS {
    /// The active kernel, loaded and verified on first use.
    public static var backend: BLASBackend { Loaded.shared.info }

    public static func sgemm(transposeA: Bool = false, transposeB: Bool = false,
                             m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0,
                             c: UnsafeMutablePointer<Float>, ldc: Int, singleThreaded: Bool = false) {
        if m == 0 || n == 0 { return }
        if k == 0 {  // BLAS leaves C untouched for k = 0 only when beta == 1; be explicit.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        let loaded = Loaded.shared
        let flops = 2 * Double(m) * Double(n) * Double(k)
        if flops >= ownKernelRange.lowerBound && flops < ownKernelRange.upperBound && loaded.ownKernel {
            // The engine's kernel: the same bits however many threads share the product.
            ownSGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                     b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                     threads: singleThreaded ? 1 : Parallel.threadsForCaller)
            return
        }
        // OpenBLAS itself always runs on one thread. Large products are split into blocks of
        // rows (or columns) of C, one product each, spread over the engine's threads. The split
        // depends on the shapes only, never on the number of threads, so results do not either
        // (OpenBLAS's rounding does depend on the block sizes it is given).
        let pieces = singleThreaded || flops < multithreadingThreshold ? 1 : Swift.min(4, Swift.max(m, n) / 64)
        if pieces > 1 && m >= n {
            Parallel.forRanges(m, pieces: pieces) { r in
                loaded.gemm(transposeA, transposeB, r.count, n, k, alpha,
                            transposeA ? a + r.lowerBound : a + r.lowerBound * lda, lda, b, ldb,
                            beta, c + r.lowerBound * ldc, ldc)
            }
        } else if pieces > 1 {
            Parallel.forRanges(n, pieces: pieces) { r in
                loaded.gemm(transposeA, transposeB, m, r.count, k, alpha, a, lda,
                            transposeB ? b + r.lowerBound * ldb : b + r.lowerBound, ldb,
                            beta, c + r.lowerBound, ldc)
            }
        } else {
            loaded.gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
    }

    /// Products below this many flops run in one call: from 0.5 MFLOP on the engine's own kernel
    /// when the CPU has one (``ownKernelRange``: its worker thread spins between products, so
    /// splitting a 0.5–9 MFLOP product pays; experiments/speed/small-gemm.md), else OpenBLAS in one
    /// piece. Larger products are cut into blocks of rows or columns, one OpenBLAS call each, over
    /// Dispatch's threads (splitting the MLP 274-128-64-32's 9-MFLOP products that way made its
    /// training step slower, 0.370 → 0.425 ms, AMD EPYC Zen 4, experiments/speed/quiet-zen4.md).
    public static let multithreadingThreshold: Double = 32e6

    /// The products (in flops) the engine's own kernel takes when the CPU has it. Below 0.5 MFLOP
    /// (the MLP 21-32-16-8's products, 0.03–0.17 MFLOP, 8 to 32 columns) OpenBLAS on one thread was
    /// faster than ours on two on three of five (experiments/speed/small-gemm.md, `tiny`).
    public static let ownKernelRange: Range<Double> = 5e5 ..< multithreadingThreshold

    /// Number of threads the engine uses for large products and its parallel loops.
    public static var threadCount: Int { Int(Loaded.shared.threadBudget) }

    /// The kernel family to ask OpenBLAS for, from the CPU's feature flags. Only families whose
    /// every required instruction the CPU reports are named; `nil` lets OpenBLAS decide.
    public static func preferredCoreType(cpuFlags: Set<String>) -> String? {
        let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        if avx512.allSatisfy(cpuFlags.contains) {
            return cpuFlags.contains("avx512_bf16") ? "COOPERLAKE" : "SKYLAKEX"
        }
        if ["avx2", "fma", "avx"].allSatisfy(cpuFlags.contains) { return "HASWELL" }
        return nil
    }

    /// Sets the number of threads of the engine's large products and parallel loops.
    public static func setThreadCount(_ n: Int) {
        Loaded.shared.setThreadBudget(Int32(max(1, n)))
    }
}

/// The textbook triple loop in Double accumulation: the reference every fast kernel is checked
/// against (at start-up and in the tests), and the fallback when no BLAS library loads.
public func naiveSGEMM(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                       a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                       beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    for i in 0..<m {
        for j in 0..<n {
            var acc = 0.0
            for p in 0..<k {
                let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                acc += Double(x) * Double(y)
            }
            let prior = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
            c[i * ldc + j] = Float(Double(alpha) * acc + prior)
        }
    }
}

/// The engine's own kernel (`imdad_sgemm`, C, AVX-512 or AVX2 with FMA): the caller and up to
/// `threads − 1` worker threads share the product, and every element is the same fused
/// multiply-add sequence whatever the split. Does nothing on CPUs without it
/// (``BLAS/ownKernelInstructionSet`` is nil): callers check first, as ``BLAS/sgemm`` does.
public func ownSGEMM(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
    imdad_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
                Int32(Swift.max(1, Swift.min(threads, 64))))
}

extension BLAS {
    /// The instruction set of the engine's own kernel on this CPU ("AVX-512", "AVX2"), or nil
    /// when it has none (not x86-64 Linux, or no FMA).
    public static var ownKernelInstructionSet: String? {
        switch imdad_sgemm_isa() {
        case 2: return "AVX-512"
        case 1: return "AVX2"
        default: return nil
        }
    }
}

// MARK: - Loading

private typealias GemmFn = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float,
                                           UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
                                           Float, UnsafeMutablePointer<Float>?, Int32) -> Void
private typealias CorenameFn = @convention(c) () -> UnsafeMutablePointer<CChar>?
private typealias GetThreadsFn = @convention(c) () -> Int32
private typealias SetThreadsFn = @convention(c) (Int32) -> Void

private let cblasRowMajor: Int32 = 101, cblasNoTrans: Int32 = 111, cblasTrans: Int32 = 112

/// The process-wide loaded backend: created once, immutable afterwards.
private final class Loaded: @unchecked Sendable {
    static let shared = Loaded()

    let info: BLASBackend
    let gemm: (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
               Float, UnsafeMutablePointer<Float>, Int) -> Void
    /// The engine's thread budget (under `lock`): OpenBLAS's own default count (the cores, or
    /// `OPENBLAS_NUM_THREADS`) until ``BLAS/setThreadCount(_:)`` changes it.
    private var budget: Int32 = 1
    private let lock = Lock()
    /// Whether products under the threshold go to the engine's own kernel (it exists on this CPU
    /// and passed the start-up check).
    let ownKernel: Bool

    var threadBudget: Int32 { lock.withLock { budget } }

    func setThreadBudget(_ n: Int32) { lock.withLock { budget = n } }

    private init() {
        #if canImport(Glibc)
        // Training allocates and frees the same large activation buffers every step. With glibc's
        // defaults, buffers above the mmap threshold go back to the kernel on free and come back
        // as fresh zeroed pages on the next allocation: measured here, the first convolution of the
        // Fashion-MNIST LeNet (batch 128) took 14.1 ms with the defaults and 6.1 ms with
        // MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ raised (same build, same loaded machine). Keep such memory in the process instead.
        // (glibc's <malloc.h> is not in the Glibc module: call mallopt by name.)
        typealias MalloptFn = @convention(c) (Int32, Int32) -> Int32
        if let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {  // RTLD_DEFAULT
            let mallopt = unsafeBitCast(sym, to: MalloptFn.self)
            let trimThreshold: Int32 = -1, topPad: Int32 = -2, mmapThreshold: Int32 = -3
            _ = mallopt(mmapThreshold, 512 << 20)
            _ = mallopt(trimThreshold, Int32.max)
            _ = mallopt(topPad, 64 << 20)
        }
        #endif
        let naive: (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                    Float, UnsafeMutablePointer<Float>, Int) -> Void = {
            naiveSGEMM(transposeA: $0, transposeB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7,
                       b: $8, ldb: $9, beta: $10, c: $11, ldc: $12)
        }
        #if canImport(Accelerate)
        let fast: (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                   Float, UnsafeMutablePointer<Float>, Int) -> Void = { tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc in
            cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), al, a, Int32(lda), b, Int32(ldb), be, c, Int32(ldc))
        }
        var candidate = BLASBackend(library: "Accelerate", kernel: "Accelerate", coreTypeChoice: "n/a",
                                    path: nil, verificationError: 0, fallbackReason: nil)
        budget = Int32(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        let (loadedInfo, symbols) = Loaded.loadOpenBLAS()
        var candidate = loadedInfo
        if let symbols, let get = symbols.getThreads, let set = symbols.setThreads {
            budget = max(1, get())
            set(1)  // OpenBLAS never starts threads of its own: the engine splits large products itself
        } else {
            budget = Int32(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        }
        let fast = symbols.map { s in
            { (tA: Bool, tB: Bool, m: Int, n: Int, k: Int, al: Float, a: UnsafePointer<Float>, lda: Int,
               b: UnsafePointer<Float>, ldb: Int, be: Float, c: UnsafeMutablePointer<Float>, ldc: Int) in
                s.gemm(cblasRowMajor, tA ? cblasTrans : cblasNoTrans, tB ? cblasTrans : cblasNoTrans,
                       Int32(m), Int32(n), Int32(k), al, a, Int32(lda), b, Int32(ldb), be, c, Int32(ldc))
            }
        } ?? naive
        #endif
        if let isa = BLAS.ownKernelInstructionSet {
            let threads = Int(budget)
            let err = Loaded.verify({ tA, tB, m, n, k, al, a, lda, b, ldb, be, c, ldc in
                ownSGEMM(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: al, a: a, lda: lda, b: b, ldb: ldb,
                         beta: be, c: c, ldc: ldc, threads: threads)
            }, against: naive)
            ownKernel = err < 1e-4
            candidate.smallProducts = ownKernel
                ? "the engine's \(isa) kernel, split over its threads, verified (max rel. error \(err))"
                : "the library above, in one piece: the engine's \(isa) kernel failed the numerical check (max rel. error \(err))"
        } else {
            ownKernel = false
            candidate.smallProducts = "the library above, in one piece (the engine's own kernel needs x86-64 Linux with AVX2 and FMA)"
        }
        if candidate.library != "naive" {
            let err = Loaded.verify(fast, against: naive)
            candidate.verificationError = err
            if !(err < 1e-4) {
                candidate.fallbackReason = "\(candidate.library) kernel \(candidate.kernel) failed the numerical check "
                    + "(max rel. error \(err)); using the naive kernel"
                candidate.library = "naive"
                gemm = naive
                info = candidate
                return
            }
        }
        gemm = candidate.library == "naive" ? naive : fast
        info = candidate
    }

    /// Multiplies random matrices of awkward sizes in all four transpose combinations with
    /// α ≠ 1, once with β ≠ 0 and once with β = 0 over a C filled with NaN (a kernel must then
    /// not read C: the engine hands it uninitialized memory), and returns the largest error
    /// relative to the naive kernel.
    static func verify(_ fast: (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                                Float, UnsafeMutablePointer<Float>, Int) -> Void,
                       against naive: (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                                       Float, UnsafeMutablePointer<Float>, Int) -> Void) -> Double {
        var rng = RandomGenerator(seed: 0xB1A5)
        var worst = 0.0
        for (m, n, k) in [(67, 45, 129), (1, 33, 7), (130, 1, 64), (96, 96, 96)] {
            for tA in [false, true] {
                for (tB, beta) in [(false, Float(-0.5)), (true, -0.5), (false, 0), (true, 0)] {
                    let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
                    let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
                    let c0 = (0..<(m * n)).map { _ in beta == 0 ? Float.nan : rng.uniform(-1, 1) }
                    var c1 = c0, c2 = c0
                    let lda = tA ? m : k, ldb = tB ? k : n
                    a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                        c1.withUnsafeMutableBufferPointer { pc in
                            fast(tA, tB, m, n, k, 0.75, pa.baseAddress!, lda, pb.baseAddress!, ldb, beta, pc.baseAddress!, n)
                        }
                        c2.withUnsafeMutableBufferPointer { pc in
                            naive(tA, tB, m, n, k, 0.75, pa.baseAddress!, lda, pb.baseAddress!, ldb, beta, pc.baseAddress!, n)
                        }
                    } }
                    let scale = Double(k).squareRoot()
                    for i in 0..<(m * n) {
                        let e = abs(Double(c1[i]) - Double(c2[i])) / scale
                        if !(e <= worst) { worst = e.isNaN ? .infinity : e }
                    }
                }
            }
        }
        return worst
    }

    #if !canImport(Accelerate)
    struct Symbols {
        let gemm: GemmFn
        let getThreads: GetThreadsFn?
        let setThreads: SetThreadsFn?
    }

    static func cpuFlags() -> Set<String> {
        guard let f = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(f) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var cap = 0
        defer { free(line) }
        while getline(&line, &cap, f) > 0 {
            guard let line else { break }
            let s = String(cString: line)
            if s.hasPrefix("flags") || s.hasPrefix("Features") {
                guard let colon = s.firstIndex(of: ":") else { continue }
                return Set(s[s.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
            }
        }
        return []
    }

    static func loadOpenBLAS() -> (BLASBackend, Symbols?) {
        var info = BLASBackend(library: "naive", kernel: "naive", coreTypeChoice: "none",
                               path: nil, verificationError: 0, fallbackReason: nil)
        var weSet = false
        if let user = getenv("OPENBLAS_CORETYPE").map({ String(cString: $0) }), !user.isEmpty {
            info.coreTypeChoice = "OPENBLAS_CORETYPE=\(user) set by the user"
        } else if let chosen = BLAS.preferredCoreType(cpuFlags: cpuFlags()) {
            setenv("OPENBLAS_CORETYPE", chosen, 1)
            weSet = true
            info.coreTypeChoice = "OPENBLAS_CORETYPE=\(chosen) chosen from the CPU flags"
        } else {
            info.coreTypeChoice = "OpenBLAS's own CPU detection"
        }
        defer { if weSet { unsetenv("OPENBLAS_CORETYPE") } }

        let candidates = ["libopenblas.so.0", "libopenblas.so",
                          "/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "/usr/lib/aarch64-linux-gnu/libopenblas.so.0"]
        var handle: UnsafeMutableRawPointer? = nil
        for name in candidates {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil { info.path = name; break }
        }
        guard let handle else {
            info.fallbackReason = "OpenBLAS not found (install libopenblas0 or libopenblas-dev); using the naive kernel"
            return (info, nil)
        }
        guard let g = dlsym(handle, "cblas_sgemm") else {
            info.fallbackReason = "\(info.path ?? "OpenBLAS") has no cblas_sgemm; using the naive kernel"
            return (info, nil)
        }
        let symbols = Symbols(gemm: unsafeBitCast(g, to: GemmFn.self),
                              getThreads: dlsym(handle, "openblas_get_num_threads").map { unsafeBitCast($0, to: GetThreadsFn.self) },
                              setThreads: dlsym(handle, "openblas_set_num_threads").map { unsafeBitCast($0, to: SetThreadsFn.self) })
        info.library = "OpenBLAS"
        if let cn = dlsym(handle, "openblas_get_corename"),
           let name = unsafeBitCast(cn, to: CorenameFn.self)() {
            info.kernel = String(cString: name)
        } else {
            info.kernel = "unknown"
        }
        return (info, symbols)
    }
    #endif
}
