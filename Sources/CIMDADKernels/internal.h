// What the kernels of this target share (not part of the module's interface).
#ifndef IMDAD_INTERNAL_H
#define IMDAD_INTERNAL_H

#include <stddef.h>

// Functions compiled once per instruction set (AVX-512, AVX2, the baseline) and chosen at load time
// from the CPU (GCC/Clang `target_clones`, an ifunc on Linux x86-64; one plain version elsewhere).
// IMDAD_NO_CLONES builds one version for the compiler's target: experiments/speed/kernels-isa.sh
// and winograd-bench.c compare the versions that way on one machine.
#if defined(__x86_64__) && defined(__linux__) && (defined(__clang__) || defined(__GNUC__)) && !defined(IMDAD_NO_CLONES)
#define IMDAD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define IMDAD_DISPATCH 1
#else
#define IMDAD_CLONES
#define IMDAD_DISPATCH 0
#endif

/// A helper inlined into each version of its caller.
#define IMDAD_INLINE static inline __attribute__((always_inline))

/// 16 floats: one AVX-512 register, two AVX2 ones (GCC/Clang vector extension), and the same at
/// any float-aligned address (loads and stores in memory the caller owns).
typedef float vec16 __attribute__((vector_size(64)));
typedef float vec16u __attribute__((vector_size(64), aligned(4)));

/// Who uses a scratch block: one per kernel, since the Winograd kernel calls the sgemm while its own
/// block is in use.
enum imdad_scratch_user { IMDAD_SCRATCH_GEMM, IMDAD_SCRATCH_WINOGRAD, IMDAD_SCRATCH_DIRECT, IMDAD_SCRATCH_USERS };

/// A 64-byte-aligned block of at least `count` floats for `user` on the calling thread, grown when
/// needed and kept for the next call (one block per user and thread, the size of its largest
/// call; freed by nobody). Never NULL: aborts when memory runs out.
float *imdad_scratch(enum imdad_scratch_user user, size_t count);

/// n rounded up to a multiple of `to`.
static inline size_t imdad_round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

#endif
