// Direct stride-1 convolutions for layers with few channels (the MNIST LeNet's 1 → 8 and 8 → 4),
// where the products over channels are too short for the sgemm or oneDNN's channel blocks. See include/CIMDADKernels.h for the contract; the measurements
// are in experiments/speed/direct.md.
//
//     forward  y[n, o, i, j]  = b[o] + Σ_{c, u, v} w[o, c, u, v] · x[n, c, i − p + u, j − p + v]
//     ∂w       ∂w[o, c, u, v] = Σ_{n, i, j} g[n, o, i, j] · x[n, c, i − p + u, j − p + v]
//     ∂x       the forward map of g with every kernel turned 180° and its channels swapped, padding
//              r − 1 − p (the caller passes the rearranged weights)
//
// Vectors of 16 output columns: the forward pass loads 16 neighbouring input pixels once and
// multiplies them into up to 16 output channels' accumulators; ∂w keeps one accumulator per tap
// (u, v) of up to 4 output channels and sums each vector's lanes at the end. Every sum runs in a
// fixed order (taps, then channels, then samples, rows and column blocks), so the results do not
// depend on the thread count (each call handles its own samples).
#include "CIMDADKernels.h"
#include "internal.h"
#include <string.h>

enum { LANES = 16, MAX_OUT = 16 };

/// dst (nb, c, rows, cols) ← src (nb, c, h, w) at (off, off), zero elsewhere.
IMDAD_INLINE void padded_copy(const float *src, size_t nb, size_t c, size_t h, size_t w, size_t off, size_t rows,
                               size_t cols, float *dst) {
    memset(dst, 0, nb * c * rows * cols * sizeof(float));
    for (size_t s = 0; s < nb * c; s++)
        for (size_t i = 0; i < h; i++) memcpy(dst + (s * rows + i + off) * cols + off, src + (s * h + i) * w, w * sizeof(float));
}

/// One row block of the forward pass: the `oc` output channels from o0 of output row i, columns
/// jb ..< jb + 16, of sample n (with `oc` and `r` constants where SPECIALIZE inlines it, the
/// accumulators stay in registers).
IMDAD_INLINE void forward_block(const float *xp, size_t c, size_t rows, size_t cols, size_t n, size_t i, size_t jb,
                                 const float *wt, const float *bias, size_t o0, const size_t oc, const size_t r,
                                 size_t o, size_t ho, size_t wo, float *y) {
    vec16 acc[MAX_OUT];
    for (size_t k = 0; k < oc; k++) acc[k] = (vec16){0} + (bias ? bias[o0 + k] : 0);
    for (size_t ch = 0; ch < c; ch++)
        for (size_t u = 0; u < r; u++) {
            const float *row = xp + ((n * c + ch) * rows + i + u) * cols + jb;
            const float *wrow = wt + ((o0 * c + ch) * r + u) * r;
            for (size_t v = 0; v < r; v++) {
                vec16 xv = *(const vec16u *)(row + v);
                for (size_t k = 0; k < oc; k++) acc[k] += wrow[k * c * r * r + v] * xv;
            }
        }
    const size_t valid = wo - jb < LANES ? wo - jb : LANES;
    for (size_t k = 0; k < oc; k++) {
        float *dst = y + ((n * o + o0 + k) * ho + i) * wo + jb;
        if (valid == LANES) *(vec16u *)dst = acc[k];
        else for (size_t l = 0; l < valid; l++) dst[l] = acc[k][l];
    }
}

IMDAD_CLONES
void imdad_direct_forward(size_t nb, size_t c, size_t h, size_t w, size_t r, size_t pad, const float *x, size_t o,
                          const float *wt, const float *bias, float *y) {
    const size_t ho = h + 2 * pad - r + 1, wo = w + 2 * pad - r + 1;
    const size_t wv = imdad_round_up(wo, LANES);           // output columns computed, in whole vectors
    const size_t rows = ho + r - 1, cols = wv + r - 1;  // the padded input
    float *xp = imdad_scratch(IMDAD_SCRATCH_DIRECT, nb * c * rows * cols + LANES);
    padded_copy(x, nb, c, h, w, pad, rows, cols, xp);
    for (size_t n = 0; n < nb; n++)
        for (size_t o0 = 0; o0 < o; o0 += MAX_OUT) {
            const size_t oc = o - o0 < MAX_OUT ? o - o0 : MAX_OUT;
            for (size_t i = 0; i < ho; i++)
                for (size_t jb = 0; jb < wv; jb += LANES) {
#define BLOCK(OC, R) forward_block(xp, c, rows, cols, n, i, jb, wt, bias, o0, OC, R, o, ho, wo, y)
                    // The LeNets' layers with their sizes as constants; any other through the same code.
                    if (r == 5 && oc == 16) BLOCK(16, 5);
                    else if (r == 5 && oc == 8) BLOCK(8, 5);
                    else if (r == 5 && oc == 4) BLOCK(4, 5);
                    else if (r == 5 && oc == 1) BLOCK(1, 5);
                    else BLOCK(oc, r);
#undef BLOCK
                }
        }
}

enum { GROUP = 4, MAX_R = 7 };

/// ∂w of the `oc` (≤ GROUP) output channels from o0, input channel ch, kernel row u: one
/// accumulator per (channel, tap v), over every sample, row and column block in order.
IMDAD_INLINE void weights_block(const float *xp, const float *gp, size_t nb, size_t c, size_t o, size_t rows,
                                 size_t cols, size_t ho, size_t wv, size_t o0, const size_t oc, size_t ch, size_t u,
                                 const size_t r, float *dw) {
    vec16 acc[GROUP][MAX_R];
    for (size_t k = 0; k < oc; k++)
        for (size_t v = 0; v < r; v++) acc[k][v] = (vec16){0};
    for (size_t n = 0; n < nb; n++)
        for (size_t i = 0; i < ho; i++) {
            const float *row = xp + ((n * c + ch) * rows + i + u) * cols;
            const float *grow = gp + ((n * o + o0) * ho + i) * wv;
            for (size_t jb = 0; jb < wv; jb += LANES) {
                vec16 gv[GROUP];
                for (size_t k = 0; k < oc; k++) gv[k] = *(const vec16u *)(grow + k * ho * wv + jb);
                for (size_t v = 0; v < r; v++) {
                    vec16 xv = *(const vec16u *)(row + jb + v);
                    for (size_t k = 0; k < oc; k++) acc[k][v] += gv[k] * xv;
                }
            }
        }
    for (size_t k = 0; k < oc; k++)
        for (size_t v = 0; v < r; v++) {
            float s = 0;
            for (size_t l = 0; l < LANES; l++) s += acc[k][v][l];
            dw[(((o0 + k) * c + ch) * r + u) * r + v] = s;
        }
}

IMDAD_CLONES
void imdad_direct_backward_weights(size_t nb, size_t c, size_t h, size_t w, size_t r, size_t pad, const float *x,
                                   size_t o, const float *g, float *dw) {
    const size_t ho = h + 2 * pad - r + 1, wo = w + 2 * pad - r + 1;
    const size_t wv = imdad_round_up(wo, LANES), rows = ho + r - 1, cols = wv + r - 1;
    const size_t xp_count = nb * c * rows * cols + LANES;
    float *xp = imdad_scratch(IMDAD_SCRATCH_DIRECT, xp_count + nb * o * ho * wv);
    float *gp = xp + xp_count;  // g with each row padded by zeros to whole vectors
    padded_copy(x, nb, c, h, w, pad, rows, cols, xp);
    padded_copy(g, nb, o, ho, wo, 0, ho, wv, gp);
    for (size_t o0 = 0; o0 < o; o0 += GROUP) {
        const size_t oc = o - o0 < GROUP ? o - o0 : GROUP;
        for (size_t ch = 0; ch < c; ch++)
            for (size_t u = 0; u < r; u++) {
#define BLOCK(OC, R) weights_block(xp, gp, nb, c, o, rows, cols, ho, wv, o0, OC, ch, u, R, dw)
                if (r == 5 && oc == GROUP) BLOCK(GROUP, 5);
                else BLOCK(oc, r);
#undef BLOCK
            }
    }
}

void imdad_direct_flip(size_t o, size_t c, size_t r, const float *w, float *flipped) {
    for (size_t oc = 0; oc < o; oc++)
        for (size_t ch = 0; ch < c; ch++)
            for (size_t k = 0; k < r * r; k++) flipped[(ch * o + oc) * r * r + k] = w[(oc * c + ch) * r * r + (r * r - 1 - k)];
}
