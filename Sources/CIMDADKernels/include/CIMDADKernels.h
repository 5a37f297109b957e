// Elementwise loops of the engine in C, compiled once per instruction set (AVX-512, AVX2, the
// baseline) and chosen at load time from the CPU (GCC/Clang `target_clones`, an ifunc on Linux
// x86-64; one plain version elsewhere). Every version performs the same IEEE operations in the
// same order per element, with no fused multiply-adds (contraction is off), so the results do not
// depend on the CPU's instruction set or on where an element falls in a vector. The Swift callers
// document the math; `imdad_kernels_isa` says which version runs (`imdad info`).
#ifndef CIMDADKERNELS_H
#define CIMDADKERNELS_H

#include <stddef.h>

/// Adam's update of `n` values (PyTorch's `torch.optim.Adam`, coupled weight decay):
/// g ← g + decay·p; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g·g; p ← p − step·m / (√v / sqrtBC2 + ε).
void imdad_adam_update(size_t n, float *p, const float *g, float *m, float *v, float decay, float beta1,
                       float beta2, float step, float sqrt_bc2, float epsilon);

/// Batch normalization of `n` rows of `c` channels: out[i,ch] = (x[i,ch] − mean[ch])·inv_std[ch]
/// (then ·gamma[ch] + beta[ch] into `y` when `y` is not NULL; `gamma`/`beta` may be NULL for 1/0).
void imdad_bn_rows_forward(size_t n, size_t c, const float *x, const float *mean, const float *inv_std,
                           float *xhat, const float *gamma, const float *beta, float *y);

/// The backward pass of batch normalization over rows, training:
/// dx[i,ch] = (g[i,ch]·gm[ch] − mg[ch] − xhat[i,ch]·mgh[ch])·k[ch]; inference (`mgh` NULL):
/// dx[i,ch] = g[i,ch]·gm[ch]·k[ch].
void imdad_bn_rows_backward(size_t n, size_t c, const float *g, const float *xhat, const float *gm,
                            const float *mg, const float *mgh, const float *k, float *dx);

/// Per-channel sums over `n` rows of `c` channels, accumulated in double, row by row:
/// out[ch] = Σ_i f(x[i,ch]) with f(v) = v, (v − shift[ch])² when `shift` is not NULL, or
/// v·y[i,ch] when `y` is not NULL (at most one of the two).
void imdad_channel_sums_rows(size_t n, size_t c, const float *x, const float *shift, const float *y, double *out);

/// LeakyReLU's forward (v = x) and its pullback (v = the gradient): out[i] = v[i] where x[i] > 0,
/// slope·v[i] elsewhere (`out` overlaps neither).
void imdad_leaky_masked(size_t n, const float *v, const float *x, float slope, float *out);

/// The instruction set of the versions in use: "avx512f", "avx2" or "baseline".
const char *imdad_kernels_isa(void);

/// Runs fn(ctx, i) for every i < count, on the caller and up to threads − 1 worker threads (each
/// takes the next piece when it finishes one; the caller returns when all are done). Pieces must
/// write disjoint memory. A call made while the workers are busy (from inside a piece, or from
/// another thread) runs its pieces on the caller, in order.
void imdad_parallel_for(size_t count, int threads, void (*fn)(void *ctx, size_t index), void *ctx);

/// `imdad_adam_update` over pieces of a fixed size (a function of n only) on up to `threads`
/// threads: the same values as one call.
void imdad_adam_update_split(size_t n, float *p, const float *g, float *m, float *v, float decay, float beta1,
                             float beta2, float step, float sqrt_bc2, float epsilon, int threads);

/// C[m×n] ← α·op(A)[m×k]·op(B)[k×n] + β·C, row-major (`lda`, `ldb`, `ldc`: row strides of the
/// stored matrices; op(X) = Xᵀ when trans_x ≠ 0), with fused multiply-adds in a fixed order per
/// element: the same bits whatever `threads` (the caller and up to threads − 1 worker threads
/// that spin briefly between products). β = 0 never reads C. Does nothing when
/// `imdad_sgemm_isa()` is 0.
void imdad_sgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                 const float *b, size_t ldb, float beta, float *c, size_t ldc, int threads);

/// `imdad_sgemm` on a given instruction set (2 AVX-512, 1 AVX2), at most the CPU's: lets the tests
/// run the AVX2 tiles on an AVX-512 machine.
void imdad_sgemm_on(int isa, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a,
                    size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc, int threads);

/// The instruction set `imdad_sgemm` runs on this CPU: 2 AVX-512, 1 AVX2 with FMA, 0 none (not
/// x86-64 Linux, or a CPU without FMA).
int imdad_sgemm_isa(void);

/// The largest tile α = m + r − 1 of `imdad_winograd_plan`.
#define IMDAD_WINOGRAD_MAX_ALPHA 10

/// Winograd's F(m × m, r × r) for stride-1 convolutions with r × r kernels (winograd.c has the
/// math): the transform matrices, row-major, from α − 1 finite points (0, ±1, ±2, ±1/2, ±3 as
/// needed) and ∞.
typedef struct {
    int m, r, alpha;
    float at[IMDAD_WINOGRAD_MAX_ALPHA * IMDAD_WINOGRAD_MAX_ALPHA];  // Aᵀ (m × α)
    float a[IMDAD_WINOGRAD_MAX_ALPHA * IMDAD_WINOGRAD_MAX_ALPHA];   // A (α × m)
    float g[IMDAD_WINOGRAD_MAX_ALPHA * IMDAD_WINOGRAD_MAX_ALPHA];   // G (α × r)
    float gt[IMDAD_WINOGRAD_MAX_ALPHA * IMDAD_WINOGRAD_MAX_ALPHA];  // Gᵀ (r × α)
    float bt[IMDAD_WINOGRAD_MAX_ALPHA * IMDAD_WINOGRAD_MAX_ALPHA];  // Bᵀ (α × α)
} imdad_winograd_plan;

/// Fills `plan` for F(m × m, r × r); 0 on success, −1 when α = m + r − 1 is outside 2 … 10.
int imdad_winograd_plan_init(imdad_winograd_plan *plan, int m, int r);

/// Floats of a transformed filter for a convolution from `in_channels` to `out_channels`.
size_t imdad_winograd_filter_count(const imdad_winograd_plan *plan, size_t in_channels, size_t out_channels);

/// The transformed filter U = G w Gᵀ of the weights `w (o, c, r, r)`, as α² matrices of
/// in × out channels (each rounded up to 16, zero-padded): for the forward convolution (c → o)
/// when `flip` is 0, for the ∂x convolution (o → c, every kernel turned 180°) when it is 1.
void imdad_winograd_filter(const imdad_winograd_plan *plan, size_t o, size_t c, const float *w, int flip, float *u);

/// y (nb, o, ho, wo) ← the stride-1 convolution of x (nb, c, h, w), padded by `pad`, with the
/// filter `u` from `imdad_winograd_filter` (+ bias[o] when not NULL); ho = h + 2·pad − r + 1. One
/// thread; its scratch is kept per thread. Needs `imdad_sgemm_isa()` > 0.
void imdad_winograd_forward(const imdad_winograd_plan *plan, size_t nb, size_t c, size_t h, size_t w, size_t pad,
                            const float *x, size_t o, const float *u, const float *bias, float *y);

/// dw (o, c, r, r) ← ∂w of that convolution for the output gradient g (nb, o, ho, wo), summed over
/// the samples (overwrites dw).
void imdad_winograd_backward_weights(const imdad_winograd_plan *plan, size_t nb, size_t c, size_t h, size_t w,
                                     size_t pad, const float *x, size_t o, const float *g, float *dw);

/// y (nb, o, ho, wo) ← the stride-1 convolution of x (nb, c, h, w), padded by `pad`, with the r × r
/// weights `w (o, c, r, r)` (+ bias[o] when not NULL), by direct sums over 16 output columns at a
/// time (direct.c: for layers with few channels); ho = h + 2·pad − r + 1. One thread; its scratch
/// is kept per thread.
void imdad_direct_forward(size_t nb, size_t c, size_t h, size_t w, size_t r, size_t pad, const float *x, size_t o,
                          const float *weights, const float *bias, float *y);

/// dw (o, c, r, r) ← ∂w of that convolution for the output gradient g (nb, o, ho, wo), summed over
/// the samples (overwrites dw). Needs r ≤ 7.
void imdad_direct_backward_weights(size_t nb, size_t c, size_t h, size_t w, size_t r, size_t pad, const float *x,
                                   size_t o, const float *g, float *dw);

/// flipped (c, o, r, r) ← w (o, c, r, r) with every kernel turned 180°: the weights of the ∂x
/// convolution (from o channels to c, padding r − 1 − pad).
void imdad_direct_flip(size_t o, size_t c, size_t r, const float *w, float *flipped);

#endif
