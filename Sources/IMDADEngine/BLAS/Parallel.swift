// Work split over the cores for the ops whose loops are not one large matrix product
// (convolutions chunk by chunk, batch normalization channel by channel, pooling plane by plane).
//
// The thread budget is BLAS's (`BLAS.setThreadCount`): one setting for all of the engine. Inside
// a parallel loop every sgemm runs in one piece (`BLAS.sgemm(singleThreaded: true)`), so the
// two levels of threading never multiply.
//
// Results never depend on the number of threads: callers split the work into pieces that are a
// function of the data's shape only, each piece is computed by one thread with the same
// arithmetic as on one thread, and pieces that must be summed are summed afterwards in index order.

#if canImport(Dispatch)
import Dispatch
#endif
#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

public enum Parallel {
    /// Runs `body(i)` for every `i` in `0..<count`, on up to `BLAS.threadCount` threads.
    /// Different `i` must write to disjoint memory. Order of execution is unspecified.
    ///
    /// A loop inside another one's `body` runs on its caller's thread: the outer loop already
    /// holds every thread of the budget (e.g. inference batches run side by side, each with its
    /// convolutions and products in one piece), so threads never multiply.
    ///
    /// Each worker takes the next index when it finishes one (not a fixed stride of them): on a
    /// shared machine one core can run at half speed for seconds, and a fixed split then waits
    /// for the slow core's half. Which thread runs which `i` never changes the results.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let workers = Swift.min(count, BLAS.threadCount)
        #if canImport(Dispatch)
        if workers > 1 && !ParallelRegion.isInside {
            withoutActuallyEscaping(body) { body in
                let shared = UncheckedSendable(body), next = NextIndex()
                DispatchQueue.concurrentPerform(iterations: workers) { _ in
                    ParallelRegion.enter()
                    defer { ParallelRegion.leave() }
                    var i = next.take()
                    while i < count {
                        shared.value(i)
                        i = next.take()
                    }
                }
            }
            return
        }
        #endif
        for i in 0..<count { body(i) }
    }

    /// Splits `0..<total` into `pieces` near-equal contiguous ranges (a function of the two
    /// numbers only) and runs `body(range)` for each in parallel.
    public static func forRanges(_ total: Int, pieces: Int, _ body: (Range<Int>) -> Void) {
        let p = Swift.max(1, Swift.min(pieces, total))
        forEach(p) { i in body(total * i / p ..< total * (i + 1) / p) }
    }

    /// The threads work started on the calling thread may use: the engine's budget, or 1 inside the
    /// body of a parallel loop (which already holds every thread).
    static var threadsForCaller: Int { ParallelRegion.isInside ? 1 : BLAS.threadCount }

    /// Pieces for an elementwise loop over `count` values: one per 64 Ki values, at most 8
    /// (small loops stay on the calling thread).
    public static func elementwisePieces(_ count: Int) -> Int { Swift.max(1, Swift.min(8, count >> 16)) }
}

/// Carries a value that is known to be used safely across threads (disjoint writes, see
/// ``Parallel/forEach(_:_:)``) into a concurrent closure.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The next index of a parallel loop (the pieces are coarse: a lock per piece costs nothing next
/// to them).
private final class NextIndex: @unchecked Sendable {
    private var next = 0
    private let lock = Lock()

    func take() -> Int {
        lock.withLock {
            next += 1
            return next - 1
        }
    }
}

/// Whether the current thread runs the body of a parallel loop: a flag per thread (a pthread key,
/// created once), so that nested loops run inline.
private enum ParallelRegion {
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()
    static var isInside: Bool { pthread_getspecific(key) != nil }
    /// Any non-nil pointer marks the thread; nothing is stored behind it.
    static func enter() { pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1)) }
    static func leave() { pthread_setspecific(key, nil) }
}

/// A pthread mutex, for the engine's little shared state (the thread budget, a loop's next index).
final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex); defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
