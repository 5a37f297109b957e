// Winograd convolutions (Sources/CIMDADKernels/winograd.c) against the direct loops: the error of
// each product against a double-precision reference, and the time of each product on one thread
// for the CIFAR-10 LeNet's second and third layers (a chunk of 16 samples, as the engine calls it).
//
//   clang -O3 -march=native -I Sources/CIMDADKernels/include experiments/speed/winograd-bench.c -lpthread -lm -o /tmp/wb
//   /tmp/wb            # errors and times for F(2×2, 5×5), F(3×3, 5×5), F(4×4, 5×5)
//
// The AVX2 version on an AVX-512 machine (transforms built for Haswell, the sgemm's AVX2 tiles), and
// its outputs against the AVX-512 version's, bit for bit:
//   clang -O3 -march=haswell -DIMDAD_NO_CLONES -DFORCE_AVX2 -I Sources/CIMDADKernels/include \
//     experiments/speed/winograd-bench.c -lpthread -lm -o /tmp/wb2
//   /tmp/wb --dump /tmp/512.bin && /tmp/wb2 --dump /tmp/avx2.bin && cmp /tmp/512.bin /tmp/avx2.bin
#include "../../Sources/CIMDADKernels/scratch.c"
#include "../../Sources/CIMDADKernels/gemm.c"
#include "../../Sources/CIMDADKernels/pool.c"
#ifdef FORCE_AVX2
#define imdad_sgemm(...) imdad_sgemm_on(1, __VA_ARGS__)
#endif
#include "../../Sources/CIMDADKernels/winograd.c"
#include <math.h>
#include <stdio.h>
#include "bench-common.h"

typedef struct { size_t n, c, h, w, o, r, pad; } geom;

static void naive(geom g, const float *x, const float *w, const float *gy, double *y, double *dx, double *dw) {
    size_t ho = g.h + 2 * g.pad - g.r + 1, wo = g.w + 2 * g.pad - g.r + 1;
    memset(y, 0, g.n * g.o * ho * wo * sizeof(double));
    memset(dx, 0, g.n * g.c * g.h * g.w * sizeof(double));
    memset(dw, 0, g.o * g.c * g.r * g.r * sizeof(double));
    for (size_t n = 0; n < g.n; n++)
        for (size_t o = 0; o < g.o; o++)
            for (size_t c = 0; c < g.c; c++)
                for (size_t u = 0; u < g.r; u++)
                    for (size_t v = 0; v < g.r; v++) {
                        double wv = w[((o * g.c + c) * g.r + u) * g.r + v];
                        for (size_t i = 0; i < ho; i++) {
                            long yy = (long)i - (long)g.pad + (long)u;
                            if (yy < 0 || yy >= (long)g.h) continue;
                            for (size_t j = 0; j < wo; j++) {
                                long xx = (long)j - (long)g.pad + (long)v;
                                if (xx < 0 || xx >= (long)g.w) continue;
                                size_t xi = ((n * g.c + c) * g.h + yy) * g.w + xx, yi = ((n * g.o + o) * ho + i) * wo + j;
                                y[yi] += wv * x[xi];
                                dx[xi] += wv * gy[yi];
                                dw[((o * g.c + c) * g.r + u) * g.r + v] += (double)gy[yi] * x[xi];
                            }
                        }
                    }
}

/// max |got − want| / (rms of want): the error relative to the typical output.
static double rel_error(const float *got, const double *want, size_t n) {
    double ss = 0, worst = 0;
    for (size_t i = 0; i < n; i++) ss += want[i] * want[i];
    double rms = sqrt(ss / n);
    for (size_t i = 0; i < n; i++) {
        double e = fabs(got[i] - want[i]);
        if (!(e <= worst)) worst = e;
    }
    return worst / rms;
}

static void products(const imdad_winograd_plan *p, geom g, const float *x, const float *w, const float *gy, float *y,
                     float *dx, float *dw, float *u, float *uf) {
    size_t ho = g.h + 2 * g.pad - g.r + 1, wo = g.w + 2 * g.pad - g.r + 1;
    imdad_winograd_filter(p, g.o, g.c, w, 0, u);
    imdad_winograd_forward(p, g.n, g.c, g.h, g.w, g.pad, x, g.o, u, NULL, y);
    imdad_winograd_filter(p, g.o, g.c, w, 1, uf);
    imdad_winograd_forward(p, g.n, g.o, ho, wo, g.r - 1 - g.pad, gy, g.c, uf, NULL, dx);
    imdad_winograd_backward_weights(p, g.n, g.c, g.h, g.w, g.pad, x, g.o, gy, dw);
}

/// The three products of F(4×4, 5×5) on a CIFAR-10 conv2-shaped layer (3 samples, 33 → 70
/// channels, 16 × 16, padding 2), written to `path` as raw floats: y, ∂x, ∂w.
static int dump(const char *path) {
    geom g = {3, 33, 16, 16, 70, 5, 2};
    imdad_winograd_plan p;
    imdad_winograd_plan_init(&p, 4, 5);
    size_t nx = g.n * g.c * g.h * g.w, nw = g.o * g.c * 25, ny = g.n * g.o * g.h * g.w;
    float *x = malloc(nx * 4), *w = malloc(nw * 4), *gy = malloc(ny * 4), *y = malloc(ny * 4), *dx = malloc(nx * 4),
          *dw = malloc(nw * 4), *b = malloc(g.o * 4);
    float *u = malloc(imdad_winograd_filter_count(&p, g.c, g.o) * 4), *uf = malloc(imdad_winograd_filter_count(&p, g.o, g.c) * 4);
    for (size_t i = 0; i < nx; i++) x[i] = uniform();
    for (size_t i = 0; i < nw; i++) w[i] = uniform() * 0.2f;
    for (size_t i = 0; i < ny; i++) gy[i] = uniform();
    for (size_t i = 0; i < g.o; i++) b[i] = uniform();
    products(&p, g, x, w, gy, y, dx, dw, u, uf);
    imdad_winograd_forward(&p, g.n, g.c, g.h, g.w, g.pad, x, g.o, u, b, y);
    FILE *f = fopen(path, "wb");
    if (!f) return 1;
    fwrite(y, 4, ny, f);
    fwrite(dx, 4, nx, f);
    fwrite(dw, 4, nw, f);
    fclose(f);
#ifdef FORCE_AVX2
    const char *isa = "AVX2 transforms and sgemm tiles";
#else
    const char *isa = "the CPU's best";
#endif
    printf("%s: %s, %zu floats\n", path, isa, ny + nx + nw);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "--dump") == 0) return dump(argv[2]);
    int ms[] = {2, 3, 4};
    geom checks[] = {{3, 5, 9, 7, 6, 5, 2}, {2, 17, 11, 13, 19, 5, 1}, {2, 32, 16, 16, 64, 5, 2}, {1, 4, 6, 5, 3, 3, 0}};
    printf("errors: max |winograd − exact| / rms(exact), forward / ∂x / ∂w (float direct loops: about 1e-6)\n");
    for (size_t mi = 0; mi < sizeof ms / sizeof *ms; mi++)
        for (size_t gi = 0; gi < sizeof checks / sizeof *checks; gi++) {
            geom g = checks[gi];
            imdad_winograd_plan p;
            if (imdad_winograd_plan_init(&p, ms[mi], (int)g.r) != 0) continue;
            size_t ho = g.h + 2 * g.pad - g.r + 1, wo = g.w + 2 * g.pad - g.r + 1;
            size_t nx = g.n * g.c * g.h * g.w, nw = g.o * g.c * g.r * g.r, ny = g.n * g.o * ho * wo;
            float *x = malloc(nx * 4), *w = malloc(nw * 4), *gy = malloc(ny * 4), *y = malloc(ny * 4), *dx = malloc(nx * 4),
                  *dw = malloc(nw * 4);
            float *u = malloc(imdad_winograd_filter_count(&p, g.c, g.o) * 4), *uf = malloc(imdad_winograd_filter_count(&p, g.o, g.c) * 4);
            double *ry = malloc(ny * 8), *rdx = malloc(nx * 8), *rdw = malloc(nw * 8);
            for (size_t i = 0; i < nx; i++) x[i] = uniform();
            for (size_t i = 0; i < nw; i++) w[i] = uniform() * 0.2f;
            for (size_t i = 0; i < ny; i++) gy[i] = uniform();
            naive(g, x, w, gy, ry, rdx, rdw);
            products(&p, g, x, w, gy, y, dx, dw, u, uf);
            printf("F(%d,%zu) n%zu c%zu %zux%zu o%zu pad%zu: %.2e %.2e %.2e\n", ms[mi], g.r, g.n, g.c, g.h, g.w, g.o, g.pad,
                   rel_error(y, ry, ny), rel_error(dx, rdx, nx), rel_error(dw, rdw, nw));
            free(x); free(w); free(gy); free(y); free(dx); free(dw); free(u); free(uf); free(ry); free(rdx); free(rdw);
        }
    int reps = argc > 1 ? atoi(argv[1]) : 20;
    geom layers[] = {{16, 32, 16, 16, 64, 5, 2}, {16, 64, 8, 8, 128, 5, 2}, {16, 16, 14, 14, 32, 5, 2}};
    const char *names[] = {"CIFAR conv2", "CIFAR conv3", "FMNIST conv2"};
    printf("\ntimes on one thread, best of %d, ms per chunk of 16 (direct GFLOP/s equivalent)\n", reps);
    for (size_t li = 0; li < 3; li++)
        for (size_t mi = 0; mi < sizeof ms / sizeof *ms; mi++) {
            geom g = layers[li];
            imdad_winograd_plan p;
            imdad_winograd_plan_init(&p, ms[mi], (int)g.r);
            size_t ho = g.h, wo = g.w;
            size_t nx = g.n * g.c * g.h * g.w, nw = g.o * g.c * g.r * g.r, ny = g.n * g.o * ho * wo;
            float *x = malloc(nx * 4), *w = malloc(nw * 4), *gy = malloc(ny * 4), *y = malloc(ny * 4), *dx = malloc(nx * 4),
                  *dw = malloc(nw * 4);
            float *u = malloc(imdad_winograd_filter_count(&p, g.c, g.o) * 4), *uf = malloc(imdad_winograd_filter_count(&p, g.o, g.c) * 4);
            for (size_t i = 0; i < nx; i++) x[i] = uniform();
            for (size_t i = 0; i < nw; i++) w[i] = uniform();
            for (size_t i = 0; i < ny; i++) gy[i] = uniform();
            double best[5] = {1e9, 1e9, 1e9, 1e9, 1e9};
            for (int rep = 0; rep < reps; rep++) {
                double t0 = now();
                imdad_winograd_filter(&p, g.o, g.c, w, 0, u);
                double t1 = now();
                imdad_winograd_forward(&p, g.n, g.c, g.h, g.w, g.pad, x, g.o, u, NULL, y);
                double t2 = now();
                imdad_winograd_filter(&p, g.o, g.c, w, 1, uf);
                double t3 = now();
                imdad_winograd_forward(&p, g.n, g.o, ho, wo, g.r - 1 - g.pad, gy, g.c, uf, NULL, dx);
                double t4 = now();
                imdad_winograd_backward_weights(&p, g.n, g.c, g.h, g.w, g.pad, x, g.o, gy, dw);
                double t5 = now();
                double d[5] = {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4};
                for (int k = 0; k < 5; k++) if (d[k] < best[k]) best[k] = d[k];
            }
            double flops = 2.0 * g.n * g.o * ho * wo * g.c * g.r * g.r;
            printf("%-12s F(%d,5): filter %.3f  forward %.3f (%.0f)  filter' %.3f  dx %.3f (%.0f)  dw %.3f (%.0f)  total %.3f ms\n",
                   names[li], ms[mi], best[0] * 1e3, best[1] * 1e3, flops / best[1] * 1e-9, best[2] * 1e3, best[3] * 1e3,
                   flops / best[3] * 1e-9, best[4] * 1e3, flops / best[4] * 1e-9,
                   (best[0] + best[1] + best[2] + best[3] + best[4]) * 1e3);
            free(x); free(w); free(gy); free(y); free(dx); free(dw); free(u); free(uf);
        }
    return 0;
}
