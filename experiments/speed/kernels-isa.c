// Runs the C loops of Sources/CIMDADKernels on fixed pseudo-random inputs (sizes with tails after
// every vector width) and writes their outputs' bits to stdout, so that builds for different
// instruction sets can be compared byte for byte (kernels-isa.sh).
#include "CIMDADKernels.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

// The inputs, too, must not depend on the build: no fused multiply-adds here either.
#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

static uint64_t state = 0x9E3779B97F4A7C15ull;
static float next(float lo, float hi) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * (float)((state >> 40) * (1.0 / 16777216.0));
}
static void fill(float *x, size_t n, float lo, float hi) { for (size_t i = 0; i < n; i++) x[i] = next(lo, hi); }

int main(void) {
    enum { N = 1037, C = 67, ROWS = 37 };
    static float p[N], g[N], m[N], v[N];
    fill(p, N, -1, 1); fill(g, N, -1, 1); fill(m, N, -0.1f, 0.1f); fill(v, N, 0, 0.1f);
    for (int step = 0; step < 3; step++) imdad_adam_update(N, p, g, m, v, step == 1 ? 0.0f : 5e-4f, 0.9f, 0.999f, 1e-3f, 0.0316f, 1e-8f);
    fwrite(p, sizeof p, 1, stdout); fwrite(m, sizeof m, 1, stdout); fwrite(v, sizeof v, 1, stdout);
    static float x[ROWS * C], mean[C], k[C], gamma[C], beta[C], xhat[ROWS * C], y[ROWS * C], gr[ROWS * C], dx[ROWS * C];
    static float mg[C], mgh[C];
    static double sums[3][C];
    fill(x, ROWS * C, -2, 2); fill(mean, C, -1, 1); fill(k, C, 0.5f, 2); fill(gamma, C, -1, 1); fill(beta, C, -1, 1);
    fill(gr, ROWS * C, -1, 1); fill(mg, C, -1, 1); fill(mgh, C, -1, 1);
    imdad_bn_rows_forward(ROWS, C, x, mean, k, xhat, gamma, beta, y);
    fwrite(xhat, sizeof xhat, 1, stdout); fwrite(y, sizeof y, 1, stdout);
    imdad_bn_rows_backward(ROWS, C, gr, xhat, gamma, mg, mgh, k, dx);
    fwrite(dx, sizeof dx, 1, stdout);
    imdad_bn_rows_backward(ROWS, C, gr, xhat, gamma, NULL, NULL, k, dx);
    fwrite(dx, sizeof dx, 1, stdout);
    imdad_channel_sums_rows(ROWS, C, x, NULL, NULL, sums[0]);
    imdad_channel_sums_rows(ROWS, C, x, mean, NULL, sums[1]);
    imdad_channel_sums_rows(ROWS, C, x, NULL, gr, sums[2]);
    imdad_leaky_masked(ROWS * C, gr, x, 0.01f, dx);  // x has both signs
    fwrite(sums, sizeof sums, 1, stdout);
    fwrite(dx, sizeof(float), ROWS * C, stdout);
    for (int step = 0; step < 2; step++) imdad_adam_update_split(N, p, g, m, v, 5e-4f, 0.9f, 0.999f, 1e-3f, 0.0316f, 1e-8f, 2);
    fwrite(p, sizeof(float), N, stdout);
    return 0;
}
