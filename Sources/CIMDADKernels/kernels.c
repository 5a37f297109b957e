// See include/CIMDADKernels.h.
#include "CIMDADKernels.h"
#include "internal.h"
#include <math.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

// √v without errno (v ≥ 0 here): vectorizable, unlike sqrtf under the default -fmath-errno.
#if defined(__has_builtin)
#if __has_builtin(__builtin_elementwise_sqrt)
#define IMDAD_SQRT(x) __builtin_elementwise_sqrt(x)
#endif
#endif
#ifndef IMDAD_SQRT
#define IMDAD_SQRT(x) sqrtf(x)
#endif


IMDAD_CLONES
void imdad_adam_update(size_t n, float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
                       float decay, float beta1, float beta2, float step, float sqrt_bc2, float epsilon) {
    const float c1 = 1 - beta1, c2 = 1 - beta2;
    for (size_t j = 0; j < n; j++) {
        float gj = decay != 0 ? g[j] + decay * p[j] : g[j];
        float mj = beta1 * m[j] + c1 * gj;
        float vj = beta2 * v[j] + c2 * gj * gj;
        m[j] = mj;
        v[j] = vj;
        p[j] = p[j] - step * mj / (IMDAD_SQRT(vj) / sqrt_bc2 + epsilon);
    }
}

typedef struct {
    float *p, *m, *v;
    const float *g;
    size_t n;
    float decay, beta1, beta2, step, sqrt_bc2, epsilon;
} adam_job;

enum { ADAM_PIECE = 8192 };

static void adam_piece(void *ctx, size_t i) {
    const adam_job *a = ctx;
    size_t j = i * ADAM_PIECE, len = a->n - j < ADAM_PIECE ? a->n - j : ADAM_PIECE;
    imdad_adam_update(len, a->p + j, a->g + j, a->m + j, a->v + j, a->decay, a->beta1, a->beta2, a->step, a->sqrt_bc2,
                      a->epsilon);
}

void imdad_adam_update_split(size_t n, float *p, const float *g, float *m, float *v, float decay, float beta1,
                             float beta2, float step, float sqrt_bc2, float epsilon, int threads) {
    adam_job job = {p, m, v, g, n, decay, beta1, beta2, step, sqrt_bc2, epsilon};
    imdad_parallel_for((n + ADAM_PIECE - 1) / ADAM_PIECE, threads, adam_piece, &job);
}

IMDAD_CLONES
void imdad_bn_rows_forward(size_t n, size_t c, const float *restrict x, const float *restrict mean,
                           const float *restrict inv_std, float *restrict xhat, const float *restrict gamma,
                           const float *restrict beta, float *restrict y) {
    for (size_t i = 0; i < n; i++) {
        const float *xi = x + i * c;
        float *hi = xhat + i * c;
        for (size_t ch = 0; ch < c; ch++) hi[ch] = (xi[ch] - mean[ch]) * inv_std[ch];
        if (y) {
            float *yi = y + i * c;
            for (size_t ch = 0; ch < c; ch++) {
                float gm = gamma ? gamma[ch] : 1, bt = beta ? beta[ch] : 0;
                yi[ch] = hi[ch] * gm + bt;
            }
        }
    }
}

IMDAD_CLONES
void imdad_bn_rows_backward(size_t n, size_t c, const float *restrict g, const float *restrict xhat,
                            const float *restrict gm, const float *restrict mg, const float *restrict mgh,
                            const float *restrict k, float *restrict dx) {
    for (size_t i = 0; i < n; i++) {
        const float *gi = g + i * c, *hi = xhat + i * c;
        float *di = dx + i * c;
        if (mgh) {
            for (size_t ch = 0; ch < c; ch++) di[ch] = (gi[ch] * gm[ch] - mg[ch] - hi[ch] * mgh[ch]) * k[ch];
        } else {
            for (size_t ch = 0; ch < c; ch++) di[ch] = gi[ch] * gm[ch] * k[ch];
        }
    }
}

IMDAD_CLONES
void imdad_channel_sums_rows(size_t n, size_t c, const float *restrict x, const float *restrict shift,
                             const float *restrict y, double *restrict out) {
    for (size_t ch = 0; ch < c; ch++) out[ch] = 0;
    for (size_t i = 0; i < n; i++) {
        const float *xi = x + i * c;
        if (shift) {
            for (size_t ch = 0; ch < c; ch++) {
                float v = xi[ch] - shift[ch];
                out[ch] += (double)(v * v);
            }
        } else if (y) {
            const float *yi = y + i * c;
            for (size_t ch = 0; ch < c; ch++) out[ch] += (double)(xi[ch] * yi[ch]);
        } else {
            for (size_t ch = 0; ch < c; ch++) out[ch] += (double)xi[ch];
        }
    }
}

IMDAD_CLONES
void imdad_leaky_masked(size_t n, const float *restrict v, const float *restrict x, float slope, float *restrict out) {
    for (size_t i = 0; i < n; i++) out[i] = x[i] > 0 ? v[i] : slope * v[i];
}

const char *imdad_kernels_isa(void) {
#if IMDAD_DISPATCH
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return "avx512f";
    if (__builtin_cpu_supports("avx2")) return "avx2";
#endif
    return "baseline";
}
