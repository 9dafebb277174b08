/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks of the bare kernel-entry path: the null call (enter, dispatch, return) and a
 * yield with nothing else runnable (adds a scheduler pass). Each figure is the best of a
 * few rounds of the average cost per call, in TSC cycles, so one interrupt or cache miss
 * in a round does not move it.
 */
#include "bench.h"

#include <courier/sys.h>

enum {
    BENCH_ROUNDS = 5,
    BENCH_CALLS = 10000, /* per round */
};

static uint64_t
best_of_rounds(int64_t (*call)(void))
{
    uint64_t best = UINT64_MAX;
    for (int r = 0; r < BENCH_ROUNDS; r++) {
        uint64_t t0 = bench_rdtsc();
        for (int i = 0; i < BENCH_CALLS; i++) {
            call();
        }
        uint64_t per = (bench_rdtsc() - t0) / BENCH_CALLS;
        if (per < best) {
            best = per;
        }
    }
    return best;
}

static int64_t
call_null(void)
{
    return cr_null();
}

static int64_t
call_yield(void)
{
    return cr_yield();
}

BENCH(null_call)
{
    bench_report_tsc("null_call", best_of_rounds(call_null));
}

BENCH(yield_alone)
{
    bench_report_tsc("yield_alone", best_of_rounds(call_yield));
}
