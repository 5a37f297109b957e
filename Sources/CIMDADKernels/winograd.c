// Winograd's minimal filtering for stride-1 convolutions with square r × r kernels: the three
// products of a training step (forward, ∂x, ∂w) with fewer multiplications than the direct loops.
// See include/CIMDADKernels.h for the contract; the measurements are in
// experiments/speed/winograd.md.
//
// One dimension, F(m, r): m outputs of an r-tap correlation y_i = Σ_k g_k d_{i+k} from α = m + r − 1
// inputs, with α multiplications instead of m·r:
//
//     y = Aᵀ [ (G g) ⊙ (Bᵀ d) ]
//
// It is the transpose of Toom-Cook polynomial multiplication at α − 1 points a_i and ∞: with
// E_k (α × k) the matrix that evaluates a polynomial of k coefficients at the points (row i:
// 1, a_i, a_i², …; the row of ∞ picks the leading coefficient), G = E_r, Aᵀ = E_mᵀ and
// Bᵀ = (E_α⁻¹)ᵀ. In two dimensions, on an α × α tile d of the input and an r × r kernel g:
//
//     forward   Y  = Aᵀ [ Σ_c U_c ⊙ V_c ] A,       U = G g Gᵀ,  V = Bᵀ d B
//     ∂w        ∂g = Gᵀ [ Σ_tiles Z ⊙ V ] G,        Z = A ∂Y Aᵀ  (the adjoint of the forward map in g)
//     ∂x        the forward map of ∂Y with the kernel turned 180° and its channels swapped, padding
//               r − 1 − p
//
// Each of the α² points ξ of the tile is then one matrix product over channels (forward: tiles × C
// times C × O), done by `imdad_sgemm` on one thread. Transforms run on 16 channels at a time
// (`vec16`, one AVX-512 register or two AVX2 ones), on a copy of the input in (N, H, W, C) order.
//
// The results depend on the points and on the order of the sums, which are fixed: the same bits
// for any number of threads (each call handles its own samples). They differ from the direct
// loops' by more than rounding (for F(4 × 4, 5 × 5), G has entries up to 16, Aᵀ up to 8 and Bᵀ
// up to 5.25, and the terms of the sums cancel): about 2e-5 of an output's size against 1e-6
// (experiments/speed/winograd.md). The engine checks them against the naive loops before use.
#include "CIMDADKernels.h"
#include "internal.h"
#include <string.h>

enum { LANES = 16, MAX_ALPHA = IMDAD_WINOGRAD_MAX_ALPHA };

// MARK: The matrices

/// The inverse of the n × n matrix `a` (row-major, n ≤ MAX_ALPHA) by Gauss-Jordan elimination with
/// partial pivoting; 0 when it is singular.
static int invert(int n, const double *a, double *inv) {
    double w[MAX_ALPHA][2 * MAX_ALPHA];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 2 * n; j++) w[i][j] = j < n ? a[i * n + j] : (j - n == i);
    for (int col = 0; col < n; col++) {
        int piv = col;
        for (int i = col + 1; i < n; i++)
            if ((w[i][col] < 0 ? -w[i][col] : w[i][col]) > (w[piv][col] < 0 ? -w[piv][col] : w[piv][col])) piv = i;
        if (w[piv][col] == 0) return 0;
        for (int j = 0; j < 2 * n; j++) { double t = w[col][j]; w[col][j] = w[piv][j]; w[piv][j] = t; }
        double d = w[col][col];
        for (int j = 0; j < 2 * n; j++) w[col][j] /= d;
        for (int i = 0; i < n; i++) {
            if (i == col || w[i][col] == 0) continue;
            double f = w[i][col];
            for (int j = 0; j < 2 * n; j++) w[i][j] -= f * w[col][j];
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) inv[i * n + j] = w[i][n + j];
    return 1;
}

/// Row i < α − 1 of E_k: a_i^j for j < k; row α − 1 (the point ∞): the leading coefficient.
static double evaluation(const double *points, int alpha, int i, int j, int k) {
    if (i == alpha - 1) return j == k - 1;
    double v = 1;
    for (int e = 0; e < j; e++) v *= points[i];
    return v;
}

int imdad_winograd_plan_init(imdad_winograd_plan *plan, int m, int r) {
    // The finite points, in the order they are taken: small magnitudes and their reciprocals keep
    // the transforms' entries (and so the rounding errors) small.
    static const double points[MAX_ALPHA - 1] = {0, 1, -1, 2, -2, 0.5, -0.5, 3, -3};
    int alpha = m + r - 1;
    if (m < 1 || r < 1 || alpha > MAX_ALPHA || alpha < 2) return -1;
    memset(plan, 0, sizeof *plan);
    plan->m = m;
    plan->r = r;
    plan->alpha = alpha;
    double e[MAX_ALPHA * MAX_ALPHA], inv[MAX_ALPHA * MAX_ALPHA];
    for (int i = 0; i < alpha; i++)
        for (int j = 0; j < alpha; j++) e[i * alpha + j] = evaluation(points, alpha, i, j, alpha);
    if (!invert(alpha, e, inv)) return -1;
    for (int i = 0; i < alpha; i++) {
        for (int j = 0; j < alpha; j++) plan->bt[i * alpha + j] = (float)inv[j * alpha + i];  // Bᵀ = (E_α⁻¹)ᵀ
        for (int j = 0; j < r; j++) {
            float g = (float)evaluation(points, alpha, i, j, r);
            plan->g[i * r + j] = g;        // G (α × r)
            plan->gt[j * alpha + i] = g;   // Gᵀ (r × α)
        }
        for (int j = 0; j < m; j++) {
            float a = (float)evaluation(points, alpha, i, j, m);
            plan->at[j * alpha + i] = a;   // Aᵀ (m × α)
            plan->a[i * m + j] = a;        // A (α × m)
        }
    }
    return 0;
}

// MARK: Transforms of 16 lanes at a time

/// dst (pr × qr) = P (pr × pc) · src (pc × sc) · Qᵀ (sc × qr), each entry a vector of lanes, every
/// sum in index order. Dense: with the sizes known at compile time (see SPECIALIZE) the loops unroll
/// into straight multiply-adds, faster than skipping the zero coefficients with branches.
IMDAD_INLINE void transform2d(const float *P, int pr, int pc, const vec16 *src, int sc, const float *Q, int qr,
                               vec16 *dst) {
    vec16 t[MAX_ALPHA * MAX_ALPHA];
    for (int i = 0; i < pr; i++)
        for (int j = 0; j < sc; j++) {
            vec16 s = {0};
            for (int k = 0; k < pc; k++) {
                s += P[i * pc + k] * src[k * sc + j];
            }
            t[i * sc + j] = s;
        }
    for (int i = 0; i < pr; i++)
        for (int j = 0; j < qr; j++) {
            vec16 s = {0};
            for (int k = 0; k < sc; k++) {
                s += Q[j * sc + k] * t[i * sc + k];
            }
            dst[i * qr + j] = s;
        }
}

// MARK: The pieces shared by the products

/// Tiles transformed, multiplied and transformed back at a time: their V, M and Z stay in the
/// core's cache (a whole chunk's had gone out to memory and back).
#ifndef WINO_TILE_BLOCK
#define WINO_TILE_BLOCK 128
#endif
enum { TILE_BLOCK = WINO_TILE_BLOCK };

/// The tiling of one call: `nb` samples of `c` channels, `h × w`, padding `pad`, output `ho × wo`
/// in tiles of m × m.
typedef struct {
    const imdad_winograd_plan *p;
    size_t nb, c, h, w, pad, ho, wo;
    size_t th, tw, tiles;  // tiles per column, per row, in all
    size_t cp;             // channels rounded up to LANES
    size_t hp, wp;         // the padded input: th·m + r − 1 rows, tw·m + r − 1 columns
} tiling;

static tiling make_tiling(const imdad_winograd_plan *p, size_t nb, size_t c, size_t h, size_t w, size_t pad) {
    tiling t = {.p = p, .nb = nb, .c = c, .h = h, .w = w, .pad = pad};
    t.ho = h + 2 * pad - (size_t)p->r + 1;
    t.wo = w + 2 * pad - (size_t)p->r + 1;
    t.th = (t.ho + p->m - 1) / p->m;
    t.tw = (t.wo + p->m - 1) / p->m;
    t.tiles = nb * t.th * t.tw;
    t.cp = imdad_round_up(c, LANES);
    t.hp = t.th * p->m + p->r - 1;
    t.wp = t.tw * p->m + p->r - 1;
    return t;
}

/// dst (nb, rows, cols, cp) ← src (nb, c, h, w) placed at (off, off), zero elsewhere (the padding,
/// the channels past c, the rows and columns past the image).
IMDAD_INLINE void to_channels_last(const float *src, size_t nb, size_t c, size_t h, size_t w, size_t off, size_t rows,
                             size_t cols, size_t cp, float *dst) {
    memset(dst, 0, nb * rows * cols * cp * sizeof(float));
    for (size_t n = 0; n < nb; n++)
        for (size_t ch = 0; ch < c; ch++) {
            const float *s = src + (n * c + ch) * h * w;
            float *d = dst + (n * rows * cols + off * cols + off) * cp + ch;
            for (size_t i = 0; i < h; i++)
                for (size_t j = 0; j < w; j++) d[(i * cols + j) * cp] = s[i * w + j];
        }
}

/// Tile `tile`'s sample and top-left output pixel.
IMDAD_INLINE void tile_origin(const tiling *t, size_t tile, int m, size_t *n, size_t *oy, size_t *ox) {
    size_t per = t->th * t->tw, in = tile % per;
    *n = tile / per;
    *oy = in / t->tw * m;
    *ox = in % t->tw * m;
}

/// V[t][ξ][c] = (Bᵀ d B)[ξ] for the tiles t0 ..< t1 of the padded input `xp` (nb, hp, wp, cp),
/// row t − t0: for each point ξ a matrix of tiles × cp with rows α²·cp apart (a tile's α² rows
/// lie together: the transforms read and write them at once; planes of whole ξ had put them
/// 32–64 KiB apart, where the cache sets conflict).
IMDAD_INLINE void input_transform(const tiling *t, const float *xp, size_t t0, size_t t1, float *v, const int alpha,
                                 const int m) {
    const imdad_winograd_plan *p = t->p;
    vec16 d[MAX_ALPHA * MAX_ALPHA], out[MAX_ALPHA * MAX_ALPHA];
    for (size_t tile = t0; tile < t1; tile++) {
        size_t n, oy, ox;
        tile_origin(t, tile, m, &n, &oy, &ox);
        for (size_t cb = 0; cb < t->cp; cb += LANES) {
            const float *base = xp + ((n * t->hp + oy) * t->wp + ox) * t->cp + cb;
            for (int i = 0; i < alpha; i++)
                for (int j = 0; j < alpha; j++) d[i * alpha + j] = *(const vec16u *)(base + (i * t->wp + j) * t->cp);
            transform2d(p->bt, alpha, alpha, d, alpha, p->bt, alpha, out);
            for (int xi = 0; xi < alpha * alpha; xi++) *(vec16u *)(v + ((tile - t0) * alpha * alpha + xi) * t->cp + cb) = out[xi];
        }
    }
}

// MARK: The entry points

size_t imdad_winograd_filter_count(const imdad_winograd_plan *p, size_t in_channels, size_t out_channels) {
    return (size_t)(p->alpha * p->alpha) * imdad_round_up(in_channels, LANES) * imdad_round_up(out_channels, LANES);
}

IMDAD_INLINE void filter_body(const imdad_winograd_plan *p, size_t o, size_t c, const float *w, int flip, float *u, const int alpha, const int m, const int r) {
    // The convolution's input and output channels: (c, o) as given, (o, c) for ∂x.
    const size_t in = flip ? o : c, out = flip ? c : o, inp = imdad_round_up(in, LANES), outp = imdad_round_up(out, LANES);
    memset(u, 0, imdad_winograd_filter_count(p, in, out) * sizeof(float));
    vec16 g[MAX_ALPHA * MAX_ALPHA], tr[MAX_ALPHA * MAX_ALPHA];
    for (size_t ci = 0; ci < in; ci++)
        for (size_t ob = 0; ob < out; ob += LANES) {
            for (int k = 0; k < r * r; k++) {
                vec16 v = {0};
                for (size_t l = 0; l < LANES && ob + l < out; l++) {
                    size_t oc = ob + l;
                    // kernel tap k = (u, v) of the convolution from channel ci to channel oc
                    v[l] = flip ? w[(ci * c + oc) * r * r + (r * r - 1 - k)] : w[(oc * c + ci) * r * r + k];
                }
                g[k] = v;
            }
            transform2d(p->g, alpha, r, g, r, p->g, alpha, tr);
            for (int xi = 0; xi < alpha * alpha; xi++) *(vec16u *)(u + (xi * inp + ci) * outp + ob) = tr[xi];
        }
}

IMDAD_INLINE void forward_body(const imdad_winograd_plan *p, size_t nb, size_t c, size_t h, size_t w, size_t pad,
                            const float *x, size_t o, const float *u, const float *bias, float *y, const int alpha, const int m, const int r) {
    const tiling t = make_tiling(p, nb, c, h, w, pad);
    const int points = alpha * alpha;
    const size_t op = imdad_round_up(o, LANES);
    const size_t xp_count = t.nb * t.hp * t.wp * t.cp, v_count = points * TILE_BLOCK * t.cp;
    float *buf = imdad_scratch(IMDAD_SCRATCH_WINOGRAD, xp_count + v_count + points * TILE_BLOCK * op);
    float *xp = buf, *v = xp + xp_count, *mm = v + v_count;
    to_channels_last(x, nb, c, h, w, pad, t.hp, t.wp, t.cp, xp);
    vec16 mv[MAX_ALPHA * MAX_ALPHA], yv[MAX_ALPHA * MAX_ALPHA];
    for (size_t t0 = 0; t0 < t.tiles; t0 += TILE_BLOCK) {
        size_t t1 = t.tiles - t0 < TILE_BLOCK ? t.tiles : t0 + TILE_BLOCK;
        input_transform(&t, xp, t0, t1, v, alpha, m);
        // M[t][ξ] (tiles × op for each ξ) = V[ξ] (tiles × cp) · U[ξ] (cp × op)
        for (int xi = 0; xi < points; xi++)
            imdad_sgemm(0, 0, t1 - t0, op, t.cp, 1, v + xi * t.cp, points * t.cp, u + xi * t.cp * op, op, 0, mm + xi * op,
                        points * op, 1);
        // Y = Aᵀ M A per tile, 16 output channels at a time, clipped to the output and written in
        // (N, O, Ho, Wo) order with the bias.
        for (size_t tile = t0; tile < t1; tile++) {
            size_t n, oy, ox;
            tile_origin(&t, tile, m, &n, &oy, &ox);
            size_t rows = t.ho - oy < (size_t)m ? t.ho - oy : (size_t)m;
            size_t cols = t.wo - ox < (size_t)m ? t.wo - ox : (size_t)m;
            for (size_t ob = 0; ob < o; ob += LANES) {
                for (int xi = 0; xi < points; xi++) mv[xi] = *(const vec16u *)(mm + ((tile - t0) * points + xi) * op + ob);
                transform2d(p->at, m, alpha, mv, alpha, p->at, m, yv);
                for (size_t l = 0; l < LANES && ob + l < o; l++) {
                    float b = bias ? bias[ob + l] : 0;
                    float *dst = y + ((n * o + ob + l) * t.ho + oy) * t.wo + ox;
                    for (size_t i = 0; i < rows; i++)
                        for (size_t j = 0; j < cols; j++) dst[i * t.wo + j] = yv[i * m + j][l] + b;
                }
            }
        }
    }
}

IMDAD_INLINE void backward_weights_body(const imdad_winograd_plan *p, size_t nb, size_t c, size_t h, size_t w,
                                     size_t pad, const float *x, size_t o, const float *g, float *dw, const int alpha, const int m, const int r) {
    const tiling t = make_tiling(p, nb, c, h, w, pad);
    const int points = alpha * alpha;
    const size_t op = imdad_round_up(o, LANES);
    const size_t gh = t.th * m, gw = t.tw * m;  // ∂Y padded with zeros to whole tiles
    const size_t xp_count = t.nb * t.hp * t.wp * t.cp, v_count = points * TILE_BLOCK * t.cp;
    const size_t gp_count = nb * gh * gw * op, z_count = points * TILE_BLOCK * op;
    float *buf = imdad_scratch(IMDAD_SCRATCH_WINOGRAD, xp_count + v_count + gp_count + z_count + points * op * t.cp);
    float *xp = buf, *v = xp + xp_count, *gp = v + v_count, *z = gp + gp_count, *s = z + z_count;
    to_channels_last(x, nb, c, h, w, pad, t.hp, t.wp, t.cp, xp);
    to_channels_last(g, nb, o, t.ho, t.wo, 0, gh, gw, op, gp);
    vec16 gv[MAX_ALPHA * MAX_ALPHA], zv[MAX_ALPHA * MAX_ALPHA];
    for (size_t t0 = 0; t0 < t.tiles; t0 += TILE_BLOCK) {
        size_t t1 = t.tiles - t0 < TILE_BLOCK ? t.tiles : t0 + TILE_BLOCK;
        input_transform(&t, xp, t0, t1, v, alpha, m);
        // Z[t][ξ][o] = (A ∂Y Aᵀ)[ξ]
        for (size_t tile = t0; tile < t1; tile++) {
            size_t n, oy, ox;
            tile_origin(&t, tile, m, &n, &oy, &ox);
            for (size_t ob = 0; ob < op; ob += LANES) {
                const float *base = gp + ((n * gh + oy) * gw + ox) * op + ob;
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < m; j++) gv[i * m + j] = *(const vec16u *)(base + (i * gw + j) * op);
                transform2d(p->a, alpha, m, gv, m, p->a, alpha, zv);
                for (int xi = 0; xi < points; xi++) *(vec16u *)(z + ((tile - t0) * points + xi) * op + ob) = zv[xi];
            }
        }
        // S[ξ] (op × cp) += Z[ξ]ᵀ · V[ξ] over the block's tiles, the blocks in order
        for (int xi = 0; xi < points; xi++)
            imdad_sgemm(1, 0, op, t.cp, t1 - t0, 1, z + xi * op, points * op, v + xi * t.cp, points * t.cp, t0 == 0 ? 0 : 1,
                        s + xi * op * t.cp, t.cp, 1);
    }
    // ∂g = Gᵀ S G, 16 input channels at a time
    vec16 sv[MAX_ALPHA * MAX_ALPHA], dv[MAX_ALPHA * MAX_ALPHA];
    for (size_t oc = 0; oc < o; oc++)
        for (size_t cb = 0; cb < c; cb += LANES) {
            for (int xi = 0; xi < points; xi++) sv[xi] = *(const vec16u *)(s + (xi * op + oc) * t.cp + cb);
            transform2d(p->gt, r, alpha, sv, alpha, p->gt, r, dv);
            for (size_t l = 0; l < LANES && cb + l < c; l++)
                for (int k = 0; k < r * r; k++) dw[(oc * c + cb + l) * r * r + k] = dv[k][l];
        }
}

// The entry points: F(4 × 4, 5 × 5), the plan the engine uses, with its sizes as constants (the
// transforms unroll); any other plan through the same code with the sizes read at run time.
#define SPECIALIZE(p, call) \
    do { \
        if ((p)->m == 4 && (p)->r == 5) call(4 + 5 - 1, 4, 5); \
        else call((p)->alpha, (p)->m, (p)->r); \
    } while (0)

IMDAD_CLONES
void imdad_winograd_filter(const imdad_winograd_plan *p, size_t o, size_t c, const float *w, int flip, float *u) {
#define CALL(alpha, m, r) filter_body(p, o, c, w, flip, u, alpha, m, r)
    SPECIALIZE(p, CALL);
#undef CALL
}

IMDAD_CLONES
void imdad_winograd_forward(const imdad_winograd_plan *p, size_t nb, size_t c, size_t h, size_t w, size_t pad,
                            const float *x, size_t o, const float *u, const float *bias, float *y) {
#define CALL(alpha, m, r) forward_body(p, nb, c, h, w, pad, x, o, u, bias, y, alpha, m, r)
    SPECIALIZE(p, CALL);
#undef CALL
}

IMDAD_CLONES
void imdad_winograd_backward_weights(const imdad_winograd_plan *p, size_t nb, size_t c, size_t h, size_t w,
                                     size_t pad, const float *x, size_t o, const float *g, float *dw) {
#define CALL(alpha, m, r) backward_weights_body(p, nb, c, h, w, pad, x, o, g, dw, alpha, m, r)
    SPECIALIZE(p, CALL);
#undef CALL
}
