/* SPDX-License-Identifier: MIT */
/*
 * Process benchmarks (docs/process.md), measured by the root as a client of the process
 * manager, best of several rounds:
 *   spawn_wait  PROC_SPAWN of a minimal static musl program that exits at once
 *               (bin/exitcode 0), then PROC_WAIT (Linux: posix_spawn + waitpid of a static
 *               /bin/true, ~597,000)
 *   exec_wait   the same program first replacing itself by exec with another minimal one
 *   fault_zero  one anonymous page filled on first touch through the pager: the
 *               difference between touching 256 pages and none, per page
 */
#include "bench.h"

#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

#include "pm/pm.h"
#include "procreq.h"

enum {
    ROUNDS = 5,
    RUNS = 20,
    TOUCH = 256,
};

/* Spawns argv (NULL-ended, argv[0] the path) and waits for it; false on any failure. */
static bool
run(const char *const *argv)
{
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    return pid > 0 && procreq_wait(pid, &status) == pid && status == 0;
}

/* Best per-run instructions of RUNS runs, over ROUNDS rounds; 0 if a run failed. */
static uint64_t
best(const char *const *argv)
{
    uint64_t b = UINT64_MAX;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = bench_rdtsc();
        for (int i = 0; i < RUNS; i++) {
            if (!run(argv)) {
                return 0;
            }
        }
        uint64_t per = (bench_rdtsc() - t0) / RUNS;
        b = per < b ? per : b;
    }
    return b;
}

BENCH(proc)
{
    if (!pm_start()) {
        return;
    }
    static const char *const exit0[] = { "bin/exitcode", "0", NULL };
    static const char *const exec0[] = { "bin/ptest", "exec", "bin/ptest", "hello", NULL };
    static const char *const touch0[] = { "bin/ptest", "touch", "0", NULL };
    static const char *const touchn[] = { "bin/ptest", "touch", "256", NULL };
    bench_report_tsc("spawn_wait", best(exit0));
    bench_report_tsc("exec_wait", best(exec0));
    uint64_t t0 = best(touch0);
    uint64_t tn = best(touchn);
    bench_report_tsc("fault_zero", tn > t0 ? (tn - t0) / TOUCH : 0);
}
