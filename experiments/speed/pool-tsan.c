// The engine's sgemm and its worker pool under ThreadSanitizer: four threads multiply at once
// (one gets the worker, the others run their pieces themselves), 100 products each, every one
// compared with the one-thread product to the bit. From the repository root:
//   gcc -O1 -g -fsanitize=thread -I Sources/CIMDADKernels/include experiments/speed/pool-tsan.c \
//     Sources/CIMDADKernels/gemm.c Sources/CIMDADKernels/pool.c Sources/CIMDADKernels/scratch.c -lpthread -o /tmp/pool-tsan && /tmp/pool-tsan
// (clang's ThreadSanitizer runtime in the Swift toolchain wants libdispatch's symbols: use gcc.)
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "CIMDADKernels.h"
enum { M = 96, N = 70, K = 129 };
static float a[M * K], b[K * N], ref[M * N];
static int bad;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static void *run(void *unused) {
    (void)unused;
    float c[M * N];
    for (int r = 0; r < 100; r++) {
        imdad_sgemm(0, 1, M, N, K, 1, a, K, b, K, 0, c, N, 2);
        if (memcmp(c, ref, sizeof c)) { pthread_mutex_lock(&mu); bad++; pthread_mutex_unlock(&mu); }
    }
    return 0;
}
int main(void) {
    for (int i = 0; i < M * K; i++) a[i] = (float)rand() / (float)RAND_MAX;
    for (int i = 0; i < K * N; i++) b[i] = (float)rand() / (float)RAND_MAX;
    imdad_sgemm(0, 1, M, N, K, 1, a, K, b, K, 0, ref, N, 1);
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], 0, run, 0);
    for (int i = 0; i < 4; i++) pthread_join(t[i], 0);
    printf("mismatches %d\n", bad);
    return bad != 0;
}
