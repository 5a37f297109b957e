// The engine's own sgemm (Sources/CIMDADKernels/gemm.c) against OpenBLAS on the MLP 274-128-64-32's
// products at batch 128 (and, with `tiny`, the MLP 21-32-16-8's): best of 3,000 calls each,
// alternated, after a check against a Double triple loop in all four transposes. From the
// repository root:
//   clang -O2 -I Sources/CIMDADKernels/include experiments/speed/small-gemm-bench.c \
//     Sources/CIMDADKernels/gemm.c Sources/CIMDADKernels/pool.c Sources/CIMDADKernels/scratch.c -lopenblas -lpthread -lm -o /tmp/small-gemm
//   OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=COOPERLAKE /tmp/small-gemm 2 [tiny]
// (the first argument: threads for our kernel; OpenBLAS runs on one, as the engine calls it).
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CIMDADKernels.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void naive(int ta, int tb, int m, int n, int k, float al, const float *a, int lda, const float *b, int ldb,
                  float be, float *c, int ldc) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < k; p++) s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
            c[i * ldc + j] = (float)(al * s + (be == 0 ? 0 : be * (double)c[i * ldc + j]));
        }
}

static float uniform(void) { return rand() / (float)RAND_MAX * 2 - 1; }

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1, tiny = argc > 2 && !strcmp(argv[2], "tiny");
    printf("instruction set %d (2: AVX-512, 1: AVX2), %d threads\n", imdad_sgemm_isa(), threads);
    double worst = 0;
    int checks[][3] = {{67, 45, 129}, {1, 33, 7}, {130, 1, 64}, {128, 128, 274}, {9, 70, 3}};
    for (int s = 0; s < 5; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                int m = checks[s][0], n = checks[s][1], k = checks[s][2];
                float *a = malloc(4 * m * k), *b = malloc(4 * k * n), *c1 = malloc(4 * m * n), *c2 = malloc(4 * m * n);
                for (int i = 0; i < m * k; i++) a[i] = uniform();
                for (int i = 0; i < k * n; i++) b[i] = uniform();
                for (int i = 0; i < m * n; i++) c1[i] = c2[i] = uniform();
                float be = s % 2 ? -0.5f : 0;
                imdad_sgemm(ta, tb, m, n, k, 0.75f, a, ta ? m : k, b, tb ? k : n, be, c1, n, threads);
                naive(ta, tb, m, n, k, 0.75f, a, ta ? m : k, b, tb ? k : n, be, c2, n);
                for (int i = 0; i < m * n; i++) {
                    double e = fabs(c1[i] - c2[i]) / sqrt(k);
                    if (!(e <= worst)) worst = e;
                }
                free(a); free(b); free(c1); free(c2);
            }
    printf("largest error against the Double loop, / sqrt(k): %g\n", worst);
    // m, n, k, transpose A, transpose B: forward x·Wᵀ (NT), ∂x = G·W (NN), ∂W = Gᵀ·x (TN).
    int mlp274[][5] = {{128, 128, 274, 0, 1}, {128, 64, 128, 0, 1}, {128, 32, 64, 0, 1}, {128, 274, 128, 1, 0}, {128, 64, 128, 0, 0}};
    int mlp21[][5] = {{128, 32, 21, 0, 1}, {128, 16, 32, 0, 1}, {128, 8, 16, 0, 1}, {32, 21, 128, 1, 0}, {128, 16, 8, 0, 0}};
    int (*shapes)[5] = tiny ? mlp21 : mlp274;
    float *a = malloc(4 * 300 * 300), *b = malloc(4 * 300 * 300), *c = malloc(4 * 300 * 300);
    for (int i = 0; i < 300 * 300; i++) { a[i] = rand() / (float)RAND_MAX; b[i] = a[i] * 0.5f; }
    printf("| product | ours (µs) | GFLOP/s | OpenBLAS (µs) | GFLOP/s |\n|---|---|---|---|---|\n");
    for (int s = 0; s < 5; s++) {
        int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], ta = shapes[s][3], tb = shapes[s][4];
        double ours = 1e9, theirs = 1e9;
        for (int r = 0; r < 3000; r++) {
            double t = now();
            imdad_sgemm(ta, tb, m, n, k, 1, a, ta ? m : k, b, tb ? k : n, 0, c, n, threads);
            t = now() - t;
            if (t < ours) ours = t;
            t = now();
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1, a,
                        ta ? m : k, b, tb ? k : n, 0, c, n);
            t = now() - t;
            if (t < theirs) theirs = t;
        }
        double flops = 2.0 * m * n * k;
        printf("| %s%s %d×%d×%d | %.2f | %.1f | %.2f | %.1f |\n", ta ? "T" : "N", tb ? "T" : "N", m, n, k, ours * 1e6,
               flops / ours / 1e9, theirs * 1e6, flops / theirs / 1e9);
    }
    return 0;
}
