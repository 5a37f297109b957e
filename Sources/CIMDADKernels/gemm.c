// The engine's own kernel for small and medium matrix products, split with the caller by the
// worker threads of pool.c. See include/CIMDADKernels.h for the contract; the measurements that led
// here are in experiments/speed/small-gemm.md.
//
// Layout. C (m×n) is cut into panels of NR columns. For each panel the NR columns of op(B) are
// copied once into a K×NR block (zero-padded past n); a micro-kernel then walks the panel's rows
// MR at a time, broadcasting op(A)(i, p) straight from A (any transpose, no copy) and multiplying
// it into the panel's row p with a fused multiply-add:
//
//     acc(i, j) ← fma(A(i, p), B(p, j), acc(i, j))   for p = 0, 1, …, K−1
//     C(i, j)   ← α·acc(i, j) (+ β·C(i, j) when β ≠ 0)
//
// Every element of C is this one sequence of operations, whichever panel, row block, tail or
// thread computes it: the results do not depend on the number of threads or on how the work is
// split (they do depend on the instruction set: AVX-512 and AVX2 fuse, and give the same bits;
// there is no baseline version, OpenBLAS serves CPUs without FMA).
#include "CIMDADKernels.h"
#include "internal.h"
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__)) && defined(__linux__)
#define IMDAD_GEMM_X86 1
#include <immintrin.h>
#include <stdatomic.h>
#else
#define IMDAD_GEMM_X86 0
#endif

#if IMDAD_GEMM_X86

/// A matrix operand seen through its transpose: element (i, p) is at base[i·rs + p·cs].
typedef struct {
    const float *base;
    size_t rs, cs;
} operand;

typedef struct {
    operand a, b;
    size_t m, n, k;
    float alpha, beta;
    float *c;
    size_t ldc;
    size_t nr, mr;          // the tile's columns and rows (32 × 8 with AVX-512, 16 × 6 with AVX2)
    const void *tiles;      // the tile functions by row count, 1 … mr (a `const tile_fn *`)
    size_t panels;          // ⌈n / nr⌉
    size_t row_parts;       // pieces the rows are cut into (1 unless there are fewer panels than threads)
} gemm_job;

enum { NR512 = 32, MR512 = 8, NR256 = 16, MR256 = 6 };

/// dst[p·width + j] = src[j·ld + p] for an 8 × 8 block (p, j < 8): a transpose in registers.
__attribute__((target("avx2"))) static void transpose8x8(const float *src, size_t ld, float *dst, size_t width) {
    __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + ld), r2 = _mm256_loadu_ps(src + 2 * ld),
           r3 = _mm256_loadu_ps(src + 3 * ld), r4 = _mm256_loadu_ps(src + 4 * ld), r5 = _mm256_loadu_ps(src + 5 * ld),
           r6 = _mm256_loadu_ps(src + 6 * ld), r7 = _mm256_loadu_ps(src + 7 * ld);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
           t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
           t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE),
           u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE),
           u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE),
           u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(dst + 0 * width, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(dst + 1 * width, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(dst + 2 * width, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(dst + 3 * width, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(dst + 4 * width, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(dst + 5 * width, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(dst + 6 * width, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(dst + 7 * width, _mm256_permute2f128_ps(u3, u7, 0x31));
}

/// Copies columns j0 ..< j0 + nr of op(B) into `dst` (k rows of `width`, zeros past nr).
static void pack_panel(const operand *b, size_t k, size_t j0, size_t nr, size_t width, float *restrict dst) {
    if (b->cs == 1) {  // B's rows are contiguous
        for (size_t p = 0; p < k; p++) {
            const float *src = b->base + p * b->rs + j0;
            float *d = dst + p * width;
            memcpy(d, src, nr * sizeof(float));
            for (size_t j = nr; j < width; j++) d[j] = 0;
        }
    } else {  // op(B) = Bᵀ: gather column by column
        for (size_t p = 0; p < k; p++) {
            float *d = dst + p * width;
            for (size_t j = nr; j < width; j++) d[j] = 0;
        }
        // op(B)(p, j) = base[p + j·cs]: 8 × 8 blocks transposed in registers, then the edges.
        size_t j8 = nr / 8 * 8, p8 = k / 8 * 8;
        for (size_t j = 0; j < j8; j += 8)
            for (size_t p = 0; p < p8; p += 8) transpose8x8(b->base + (j0 + j) * b->cs + p, b->cs, dst + p * width + j, width);
        for (size_t j = 0; j < nr; j++) {
            const float *src = b->base + (j0 + j) * b->cs;
            for (size_t p = j < j8 ? p8 : 0; p < k; p++) dst[p * width + j] = src[p];
        }
    }
}

/// Writes one row of a tile: C(i, j0 + j) ← α·acc[j] (+ β·C) for j < nr.
static inline void store_row(const float *acc, size_t nr, float alpha, float beta, float *restrict crow) {
    if (beta == 0) {
        for (size_t j = 0; j < nr; j++) crow[j] = alpha * acc[j];
    } else {
        for (size_t j = 0; j < nr; j++) crow[j] = alpha * acc[j] + beta * crow[j];
    }
}

// MARK: The tiles: MR rows × two vectors of columns, one function per row count and instruction set

/// A tile of MR rows × 2·LANES columns: `acc ← fma(a, b, acc)` over p, then α·acc (+ β·C) into C.
/// Full tiles with β = 0 (the common case) are scaled and stored as vectors; the others go through
/// `store_row`, which does the same operations per element.
#define TILE(NAME, MR, TARGET, VEC, LANES, ZERO, LOAD, SET1, FMA, MUL, STORE)                            \
    __attribute__((target(TARGET))) static void NAME##_##MR(                                             \
        const float *const *arow, size_t acs, const float *restrict bp, size_t k, size_t nr, float alpha, \
        float beta, float *c, size_t ldc) {                                                               \
        VEC c0[MR], c1[MR];                                                                               \
        for (int r = 0; r < MR; r++) { c0[r] = ZERO(); c1[r] = ZERO(); }                                 \
        for (size_t p = 0; p < k; p++) {                                                                  \
            VEC b0 = LOAD(bp + p * 2 * LANES), b1 = LOAD(bp + p * 2 * LANES + LANES);                    \
            for (int r = 0; r < MR; r++) {                                                                \
                VEC a = SET1(arow[r][p * acs]);                                                           \
                c0[r] = FMA(a, b0, c0[r]);                                                                \
                c1[r] = FMA(a, b1, c1[r]);                                                                \
            }                                                                                             \
        }                                                                                                 \
        for (int r = 0; r < MR; r++) {                                                                    \
            float *crow = c + r * ldc;                                                                    \
            if (nr == 2 * LANES && beta == 0) {                                                           \
                VEC al = SET1(alpha);                                                                     \
                STORE(crow, MUL(al, c0[r]));                                                              \
                STORE(crow + LANES, MUL(al, c1[r]));                                                      \
            } else {                                                                                      \
                float acc[2 * LANES];                                                                     \
                STORE(acc, c0[r]);                                                                        \
                STORE(acc + LANES, c1[r]);                                                                \
                store_row(acc, nr, alpha, beta, crow);                                                    \
            }                                                                                             \
        }                                                                                                 \
    }

// AVX-512: 8 rows × 32 columns (16 accumulators).
#define TILE512(MR) TILE(tile512, MR, "avx512f,fma", __m512, 16, _mm512_setzero_ps, _mm512_loadu_ps, _mm512_set1_ps, \
                         _mm512_fmadd_ps, _mm512_mul_ps, _mm512_storeu_ps)
TILE512(1) TILE512(2) TILE512(3) TILE512(4) TILE512(5) TILE512(6) TILE512(7) TILE512(8)

// AVX2: 6 rows × 16 columns (12 accumulators).
#define TILE256(MR) TILE(tile256, MR, "avx2,fma", __m256, 8, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_set1_ps, \
                         _mm256_fmadd_ps, _mm256_mul_ps, _mm256_storeu_ps)
TILE256(1) TILE256(2) TILE256(3) TILE256(4) TILE256(5) TILE256(6)

typedef void (*tile_fn)(const float *const *, size_t, const float *, size_t, size_t, float, float, float *, size_t);
static const tile_fn tiles512[MR512 + 1] = {0, tile512_1, tile512_2, tile512_3, tile512_4,
                                            tile512_5, tile512_6, tile512_7, tile512_8};
static const tile_fn tiles256[MR256 + 1] = {0, tile256_1, tile256_2, tile256_3, tile256_4, tile256_5, tile256_6};

// MARK: One piece of the work

/// Piece `piece` of a job: panel `piece / row_parts`, its rows cut `row_parts` ways.
static void gemm_piece(void *ctx, size_t piece) {
    const gemm_job *job = ctx;
    const size_t nrw = job->nr, mrw = job->mr;
    const tile_fn *tiles = job->tiles;
    size_t panel = piece / job->row_parts, part = piece % job->row_parts;
    size_t j0 = panel * nrw, nr = job->n - j0 < nrw ? job->n - j0 : nrw;
    // Row blocks of the part: whole tiles, so that a part boundary never changes a tile's rows.
    size_t blocks = (job->m + mrw - 1) / mrw;
    size_t b0 = blocks * part / job->row_parts, b1 = blocks * (part + 1) / job->row_parts;
    if (b0 == b1) return;
    float *bp = imdad_scratch(IMDAD_SCRATCH_GEMM, job->k * nrw);
    pack_panel(&job->b, job->k, j0, nr, nrw, bp);
    for (size_t blk = b0; blk < b1; blk++) {
        size_t i0 = blk * mrw, mr = job->m - i0 < mrw ? job->m - i0 : mrw;
        const float *arow[MR512];
        for (size_t r = 0; r < mr; r++) arow[r] = job->a.base + (i0 + r) * job->a.rs;
        tiles[mr](arow, job->a.cs, bp, job->k, nr, job->alpha, job->beta, job->c + i0 * job->ldc + j0, job->ldc);
    }
}

// MARK: The entry points

static int detect_isa(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
    return 0;
}

int imdad_sgemm_isa(void) {
    static atomic_int isa = -1;
    int v = atomic_load(&isa);
    if (v < 0) {
        v = detect_isa();
        atomic_store(&isa, v);
    }
    return v;
}

void imdad_sgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                 const float *b, size_t ldb, float beta, float *c, size_t ldc, int threads) {
    imdad_sgemm_on(imdad_sgemm_isa(), trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
}

void imdad_sgemm_on(int isa, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a,
                    size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc, int threads) {
    if (isa > imdad_sgemm_isa()) isa = imdad_sgemm_isa();  // never an instruction set the CPU lacks
    if (isa <= 0 || m == 0 || n == 0) return;
    gemm_job job = {
        .a = trans_a ? (operand){a, 1, lda} : (operand){a, lda, 1},
        .b = trans_b ? (operand){b, 1, ldb} : (operand){b, ldb, 1},
        .m = m, .n = n, .k = k, .alpha = alpha, .beta = beta, .c = c, .ldc = ldc,
        .nr = isa == 2 ? NR512 : NR256, .mr = isa == 2 ? MR512 : MR256, .tiles = isa == 2 ? tiles512 : tiles256,
    };
    job.panels = (n + job.nr - 1) / job.nr;
    // Enough pieces for every thread: panels first (each packs its own columns), rows when the
    // panels are too few. The cut depends on the shapes and the thread count only, and never
    // changes any element's arithmetic.
    job.row_parts = 1;
    if (threads > 1 && job.panels < (size_t)threads * 2) {
        size_t want = ((size_t)threads * 2 + job.panels - 1) / job.panels, blocks = (m + job.mr - 1) / job.mr;
        job.row_parts = want < blocks ? want : blocks;
    }
    imdad_parallel_for(job.panels * job.row_parts, threads, gemm_piece, &job);
}

#else  // not x86-64 Linux: no kernel of our own; the engine uses its BLAS library

int imdad_sgemm_isa(void) { return 0; }

void imdad_sgemm_on(int isa, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a,
                    size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc, int threads) {
    (void)isa;
    imdad_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
}

void imdad_sgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                 const float *b, size_t ldb, float beta, float *c, size_t ldc, int threads) {
    (void)trans_a; (void)trans_b; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc; (void)threads;
}

#endif
