// The engine's worker threads: `imdad_parallel_for` (see include/CIMDADKernels.h) runs the pieces
// of one job on the caller and on workers that spin briefly between jobs, so that work split into
// pieces of a few microseconds (the products of an MLP's training step, Adam's update) gains from
// the second core (splitting those products over Dispatch's threads had made the MLP 274 step
// slower, 0.370 → 0.425 ms: experiments/speed/quiet-zen4.md). Jobs never nest and never run side by side: a
// call that finds the pool busy (from inside a piece, or from another thread) runs its pieces
// itself, in order.
#include "CIMDADKernels.h"
#include <stdint.h>

#if defined(__x86_64__) && defined(__linux__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#define IMDAD_SPIN_PAUSE() _mm_pause()
#elif defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#define IMDAD_SPIN_PAUSE() ((void)0)
#endif

#if defined(IMDAD_SPIN_PAUSE)

/// Jobs are posted one at a time (`post_lock`); a caller that finds the pool busy (another thread's
/// job) runs its pieces alone. Only the first `helpers` workers take part in a job, so a job asked
/// for fewer threads than were ever started gets no more. `gen` is even while a job is open and odd while it is
/// closed; workers wait for a new even value, spinning briefly and then sleeping on `wake`.
static struct {
    pthread_mutex_t post_lock, sleep_lock;
    pthread_cond_t wake;
    atomic_uint gen;
    atomic_int active;    // workers inside the current job
    atomic_int sleeping;  // workers waiting on `wake`
    atomic_size_t next, done;
    void (*fn)(void *, size_t);
    void *ctx;
    size_t count;
    int helpers;  // workers taking part in the current job (threads − 1)
    int workers;  // started so far
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 1};

/// A worker waiting for the next job first spins (a pause each, tens of nanoseconds), then
/// yields its core to any other runnable thread between checks (the engine's Dispatch threads
/// running a convolution, another process), then sleeps: long enough to span the gaps between
/// the products of one training step without being woken, without taking a core from other work.
enum { WORKER_SPINS = 1 << 9, WORKER_YIELDS = 1 << 10 };

static void run_pieces(void) {
    size_t i;
    while ((i = atomic_fetch_add(&pool.next, 1)) < pool.count) {
        pool.fn(pool.ctx, i);
        atomic_fetch_add(&pool.done, 1);
    }
}

static void *worker_main(void *index) {
    const int me = (int)(intptr_t)index;
    unsigned seen = 1;
    for (;;) {
        unsigned g = atomic_load(&pool.gen);
        for (int spins = 0; (g & 1) || g == seen; g = atomic_load(&pool.gen)) {
            if (++spins < WORKER_SPINS) {
                IMDAD_SPIN_PAUSE();
                continue;
            }
            if (spins < WORKER_SPINS + WORKER_YIELDS) {
                sched_yield();
                continue;
            }
            pthread_mutex_lock(&pool.sleep_lock);
            atomic_fetch_add(&pool.sleeping, 1);
            while (((g = atomic_load(&pool.gen)) & 1) || g == seen) pthread_cond_wait(&pool.wake, &pool.sleep_lock);
            atomic_fetch_sub(&pool.sleeping, 1);
            pthread_mutex_unlock(&pool.sleep_lock);
            break;
        }
        seen = g;
        atomic_fetch_add(&pool.active, 1);
        // Unless the job closed before we came in, or needs fewer workers.
        if (atomic_load(&pool.gen) == g && me < pool.helpers) run_pieces();
        atomic_fetch_sub(&pool.active, 1);
    }
    return 0;
}

void imdad_parallel_for(size_t count, int threads, void (*fn)(void *, size_t), void *ctx) {
    if (threads > 1 && count > 1 && pthread_mutex_trylock(&pool.post_lock) == 0) {
        while (pool.workers < threads - 1) {
            pthread_t t;
            pthread_attr_t attr;
            pthread_attr_init(&attr);
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
            int failed = pthread_create(&t, &attr, worker_main, (void *)(intptr_t)pool.workers);
            pthread_attr_destroy(&attr);
            if (failed) break;
            pool.workers++;
        }
        if (pool.workers > 0) {
            pool.fn = fn;
            pool.ctx = ctx;
            pool.count = count;
            pool.helpers = threads - 1;
            atomic_store(&pool.next, 0);
            atomic_store(&pool.done, 0);
            unsigned open = atomic_fetch_add(&pool.gen, 1) + 1;  // odd → even: open
            if (atomic_load(&pool.sleeping) > 0) {
                pthread_mutex_lock(&pool.sleep_lock);
                pthread_cond_broadcast(&pool.wake);
                pthread_mutex_unlock(&pool.sleep_lock);
            }
            run_pieces();
            while (atomic_load(&pool.done) < count) IMDAD_SPIN_PAUSE();
            atomic_store(&pool.gen, open + 1);  // closed: late workers leave without touching pieces
            while (atomic_load(&pool.active) > 0) IMDAD_SPIN_PAUSE();
            pthread_mutex_unlock(&pool.post_lock);
            return;
        }
        pthread_mutex_unlock(&pool.post_lock);
    }
    for (size_t i = 0; i < count; i++) fn(ctx, i);
}

#else  // no pthreads: every piece on the caller

void imdad_parallel_for(size_t count, int threads, void (*fn)(void *, size_t), void *ctx) {
    (void)threads;
    for (size_t i = 0; i < count; i++) fn(ctx, i);
}

#endif
