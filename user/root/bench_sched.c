/* SPDX-License-Identifier: MIT */
/*
 * Scheduler benchmarks. yield_rt: two threads of one priority in one address space
 * hand the CPU back and forth with yield; one round trip is two yields and two thread
 * switches (Linux's linuxref `yield_rt` measures the same between two threads).
 * boot_kernel: TSC ticks from the kernel's first C instruction to the root server's
 * first, as the kernel recorded them in bootinfo.
 */
#include "bench.h"
#include "root.h"
#include "testlib.h"

#include <courier/sys.h>

enum {
    YIELD_ROUNDS = 5,
    YIELD_TRIPS = 2000,
};

static volatile uint64_t stop_partner;

static void
partner(struct tl_thread *th)
{
    (void)th;
    while (!stop_partner) {
        cr_yield();
    }
}

BENCH(yield_rt)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    stop_partner = 0;
    if (tl_thread_new(&t, &th, partner, TL_ROOT_PRIO) && tl_thread_start(&th)) {
        cr_yield(); /* let the partner reach its loop */
        uint64_t best = UINT64_MAX;
        for (int r = 0; r < YIELD_ROUNDS; r++) {
            uint64_t t0 = bench_rdtsc();
            for (int i = 0; i < YIELD_TRIPS; i++) {
                cr_yield();
            }
            uint64_t per = (bench_rdtsc() - t0) / YIELD_TRIPS;
            best = per < best ? per : best;
        }
        bench_report_tsc("yield_rt", best);
        stop_partner = 1;
        cr_yield();
    }
    tl_end(&t);
}

BENCH(boot_kernel)
{
    const struct cr_bootinfo *bi = root_bootinfo();
    bench_report_tsc("boot_kernel", root_start_tsc() - bi->kernel_entry_tsc);
}
