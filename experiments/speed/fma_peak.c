// The CPU's single-precision FMA peak, measured: `threads` threads each run independent chains of
// 512-bit (or, with -mavx2 builds, 256-bit) fused multiply-adds; GFLOP/s = 2 · lanes · FMAs / s.
//   gcc -O3 -march=native -pthread experiments/speed/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak 2
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef __AVX512F__
typedef __m512 vec;
#define LANES 16
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SET1 _mm512_set1_ps
#define ADD _mm512_add_ps
#define STORE _mm512_storeu_ps
#else
typedef __m256 vec;
#define LANES 8
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SET1 _mm256_set1_ps
#define ADD _mm256_add_ps
#define STORE _mm256_storeu_ps
#endif
#define CHAINS 12
static const long ITER = 100000000L / CHAINS;

static void *work(void *out) {
    vec acc[CHAINS], m = SET1(0.999999f), a = SET1(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = SET1((float)i);
    for (long it = 0; it < ITER; it++)
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++) acc[i] = FMA(acc[i], m, a);
    for (int i = 1; i < CHAINS; i++) acc[0] = ADD(acc[0], acc[i]);
    STORE((float *)out, acc[0]);
    return NULL;
}

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1, trials = argc > 2 ? atoi(argv[2]) : 5;
    double best = 0;
    for (int r = 0; r < trials; r++) {
        pthread_t t[64]; float out[64][LANES];
        double t0 = now();
        for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, work, out[i]);
        for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
        double g = 2.0 * LANES * CHAINS * ITER * threads / (now() - t0) * 1e-9;
        if (g > best) best = g;
    }
    printf("%.1f\n", best);
    return 0;
}
