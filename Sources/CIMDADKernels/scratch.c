// Per-thread scratch blocks: see internal.h.
#include "internal.h"
#include <stdlib.h>

static _Thread_local float *blocks[IMDAD_SCRATCH_USERS];
static _Thread_local size_t capacities[IMDAD_SCRATCH_USERS];

float *imdad_scratch(enum imdad_scratch_user user, size_t count) {
    if (count > capacities[user]) {
        free(blocks[user]);
        blocks[user] = aligned_alloc(64, imdad_round_up((count ? count : 1) * sizeof(float), 64));
        capacities[user] = blocks[user] ? count : 0;
        // Out of memory for a kernel's working set: nothing sensible is left to do.
        if (!blocks[user]) abort();
    }
    return blocks[user];
}
