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

/// The instruction set of the versions in use: "avx512f", "avx2" or "baseline".
const char *imdad_kernels_isa(void);

#endif
