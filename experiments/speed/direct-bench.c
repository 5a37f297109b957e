// Direct convolutions for few channels (Sources/CIMDADKernels/direct.c): errors against a Double
// reference and times per chunk of 16 samples on one thread, for the MNIST and Fashion-MNIST
// LeNets' small layers.
//
//   clang -O3 -march=native -I Sources/CIMDADKernels/include experiments/speed/direct-bench.c -lm -o /tmp/db
//   /tmp/db 50
#include "../../Sources/CIMDADKernels/scratch.c"
#include "../../Sources/CIMDADKernels/direct.c"
#include <math.h>
#include <stdio.h>
#include "bench-common.h"

typedef struct { size_t n, c, h, w, o, r, pad; const char *name; } geom;

static double worst(const float *a, const double *b, size_t n) {
    double ss = 0, e = 0;
    for (size_t i = 0; i < n; i++) ss += b[i] * b[i];
    for (size_t i = 0; i < n; i++) { double d = fabs(a[i] - b[i]); if (!(d <= e)) e = d; }
    return e / sqrt(ss / n);
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 20;
    geom gs[] = {{16, 1, 28, 28, 8, 5, 2, "MNIST conv1 1→8"}, {16, 8, 14, 14, 4, 5, 2, "MNIST conv2 8→4"},
                 {16, 1, 28, 28, 16, 5, 2, "F-MNIST conv1 1→16"}, {16, 3, 32, 32, 32, 5, 2, "CIFAR conv1 3→32"}, {3, 3, 9, 21, 5, 5, 1, "odd 3→5 pad 1"},
                 {2, 2, 7, 5, 20, 3, 0, "odd 2→20 3×3"}};
    printf("| layer | forward err | ∂x err | ∂w err | forward ms | ∂x ms | ∂w ms | forward GFLOP/s |\n|---|---|---|---|---|---|---|---|\n");
    for (size_t gi = 0; gi < sizeof gs / sizeof *gs; gi++) {
        geom g = gs[gi];
        size_t ho = g.h + 2 * g.pad - g.r + 1, wo = g.w + 2 * g.pad - g.r + 1, rr = g.r * g.r;
        size_t nx = g.n * g.c * g.h * g.w, nw = g.o * g.c * rr, ny = g.n * g.o * ho * wo;
        float *x = malloc(nx * 4), *w = malloc(nw * 4), *wf = malloc(nw * 4), *gy = malloc(ny * 4), *y = malloc(ny * 4),
              *dx = malloc(nx * 4), *dw = malloc(nw * 4), *b = malloc(g.o * 4);
        double *ry = calloc(ny, 8), *rdx = calloc(nx, 8), *rdw = calloc(nw, 8);
        for (size_t i = 0; i < nx; i++) x[i] = uniform();
        for (size_t i = 0; i < nw; i++) w[i] = uniform();
        for (size_t i = 0; i < ny; i++) gy[i] = uniform();
        for (size_t i = 0; i < g.o; i++) b[i] = uniform();
        for (size_t n = 0; n < g.n; n++)
            for (size_t o = 0; o < g.o; o++)
                for (size_t i = 0; i < ho; i++)
                    for (size_t j = 0; j < wo; j++) {
                        size_t yi = ((n * g.o + o) * ho + i) * wo + j;
                        ry[yi] += b[o];
                        for (size_t c = 0; c < g.c; c++)
                            for (size_t u = 0; u < g.r; u++)
                                for (size_t v = 0; v < g.r; v++) {
                                    long yy = (long)(i + u) - (long)g.pad, xx = (long)(j + v) - (long)g.pad;
                                    if (yy < 0 || xx < 0 || yy >= (long)g.h || xx >= (long)g.w) continue;
                                    size_t xi = ((n * g.c + c) * g.h + yy) * g.w + xx, wi = ((o * g.c + c) * g.r + u) * g.r + v;
                                    ry[yi] += (double)w[wi] * x[xi];
                                    rdx[xi] += (double)w[wi] * gy[yi];
                                    rdw[wi] += (double)gy[yi] * x[xi];
                                }
                    }
        double best[3] = {1e9, 1e9, 1e9};
        for (int rep = 0; rep < reps; rep++) {
            double t0 = now();
            imdad_direct_forward(g.n, g.c, g.h, g.w, g.r, g.pad, x, g.o, w, b, y);
            double t1 = now();
            imdad_direct_flip(g.o, g.c, g.r, w, wf);
            imdad_direct_forward(g.n, g.o, ho, wo, g.r, g.r - 1 - g.pad, gy, g.c, wf, NULL, dx);
            double t2 = now();
            imdad_direct_backward_weights(g.n, g.c, g.h, g.w, g.r, g.pad, x, g.o, gy, dw);
            double t3 = now();
            double d[3] = {t1 - t0, t2 - t1, t3 - t2};
            for (int k = 0; k < 3; k++) if (d[k] < best[k]) best[k] = d[k];
        }
        double flops = 2.0 * ny * g.c * rr;
        printf("| %s | %.1e | %.1e | %.1e | %.3f | %.3f | %.3f | %.0f |\n", g.name, worst(y, ry, ny), worst(dx, rdx, nx),
               worst(dw, rdw, nw), best[0] * 1e3, best[1] * 1e3, best[2] * 1e3, flops / best[0] * 1e-9);
    }
    return 0;
}
