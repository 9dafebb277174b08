/* SPDX-License-Identifier: MIT */
/*
 * The root server's benchmark framework (runner in benchrun.c), built like tests.h: a file
 * user/root/bench_<area>.c defines BENCH(name) { ... } functions, which land in the
 * `crbench` section, and the runner runs them in link order when the kernel command line
 * says `bench`. A benchmark prints its figures with bench_report, one line each:
 * `BENCH <name> <value> <unit>`. Times come from the TSC: under QEMU TCG with
 * `-icount shift=0` the TSC counts guest instructions, so figures are deterministic.
 */
#pragma once

#include <stdint.h>

struct bench_case {
    const char *name;
    void (*fn)(void);
};
_Static_assert(sizeof(struct bench_case) == 16, "crbench entries must pack with no gaps");

/* Defines benchmark `name`; see TEST in tests.h for the alignment. */
#define BENCH(name)                                                                            \
    static void bench_##name(void);                                                            \
    static const struct bench_case bench_case_##name                                           \
        __attribute__((section("crbench"), used, aligned(16))) = { #name, bench_##name };     \
    static void bench_##name(void)

/* Reads the time-stamp counter. Serialising is left out: loops measured are long. */
static inline uint64_t
bench_rdtsc(void)
{
    uint32_t lo;
    uint32_t hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

void bench_report(const char *name, uint64_t value, const char *unit);
void bench_report_tsc(const char *name, uint64_t ticks);
void bench_set_icount(int on);
int benchrun_all(const char *filter);
