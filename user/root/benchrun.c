/* SPDX-License-Identifier: MIT */
/*
 * The benchmark runner: walks the crbench registry (bench.h) in link order, runs each
 * benchmark whose name starts with the filter, and ends with the line
 * `BENCH bench_done <n> benchmarks`, which tools/qemu.sh waits for to know the output is
 * complete. Benchmarks print their own BENCH lines through bench_report.
 */
#include "bench.h"

#include <courier/lib/print.h>
#include <courier/lib/string.h>

/* Bounds of the registry, set by user/lib/crt/user.ld. */
extern const struct bench_case __start_crbench[];
extern const struct bench_case __stop_crbench[];

/* Prints one figure as `BENCH <name> <value> <unit>`. */
void
bench_report(const char *name, uint64_t value, const char *unit)
{
    printf("BENCH %s %llu %s\n", name, (unsigned long long)value, unit);
}

static const char *tsc_unit = "cyc";

/* Under QEMU -icount the TSC counts instructions: say so in the unit. */
void
bench_set_icount(int on)
{
    tsc_unit = on ? "instr" : "cyc";
}

/* Prints a figure measured in TSC ticks, with the unit they mean on this machine. */
void
bench_report_tsc(const char *name, uint64_t ticks)
{
    bench_report(name, ticks, tsc_unit);
}

/*
 * Runs every benchmark whose name begins with `filter` (all for NULL or ""), then reports
 * how many ran as the figure `bench_done`. Returns that number.
 */
int
benchrun_all(const char *filter)
{
    size_t flen = filter != NULL ? strlen(filter) : 0;
    int n = 0;
    for (const struct bench_case *bc = __start_crbench; bc < __stop_crbench; bc++) {
        if (flen > 0 && strncmp(bc->name, filter, flen) != 0) {
            continue;
        }
        bc->fn();
        n++;
    }
    bench_report("bench_done", (uint64_t)n, "benchmarks");
    return n;
}
