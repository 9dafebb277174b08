/* SPDX-License-Identifier: MIT */
/*
 * Protections the memory manager gives (docs/memory.md, "The calls"), seen by a program:
 * write-only memory is usable, as on x86 Linux (W implies R: page tables cannot say
 * write-only), from its first touch and after MEM_PROTECT.
 */
#include "tests.h"

#include "pm/pm.h"
#include "procreq.h"
#include "testlib.h"

TEST(mem_write_only_memory_is_usable)
{
    if (!EXPECT_TRUE(pm_start())) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "wonly", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status); /* 256 + 11: its first write faulted */
}

/*
 * Copy-on-write past one process's share of the table: a fork of 2,100 pages, more than
 * the 2,047 shares a home may hold (cow.c), copies the pages past them at once; the
 * orphan form ends the parent first, so every shared page is copied for the child at
 * the parent's end (one pass over the spaces, cow.c pm_cow_exit). Both check every byte.
 */
TEST(mem_copy_on_write_beyond_the_shares_of_one_home)
{
    if (!EXPECT_TRUE(pm_start())) {
        return;
    }
    struct pm_stats before;
    struct pm_stats after;
    pm_stats(&before);
    static const char *const fork_argv[] = { "bin/ptest", "fork", "2100", NULL };
    static const char *const orphan_argv[] = { "bin/ptest", "orphan", "2100", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(fork_argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status); /* ptest.c fork_test: 10/11 the child saw wrong bytes, 25 we did */
    pid = procreq_spawn(orphan_argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status);
    int64_t child = procreq_wait(-1, &status); /* the orphan, adopted by the root */
    EXPECT_TRUE(child > pid);
    EXPECT_EQ(0, status);
    pm_stats(&after);
    EXPECT_EQ(before.chunks_free, after.chunks_free); /* every page given back */
}

/*
 * Memory a process frees stops counting against its quota: 20 x 4 MiB mapped, filled and
 * unmapped in turn, 80 MiB against a quota of 40, and every chunk back in the pool after.
 */
TEST(mem_freed_memory_leaves_the_quota)
{
    if (!EXPECT_TRUE(pm_start())) {
        return;
    }
    struct pm_stats before;
    struct pm_stats after;
    pm_stats(&before);
    static const char *const argv[] = { "bin/ptest", "churn", "20", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status); /* 1: ENOMEM, the freed memory still counted */
    pm_stats(&after);
    EXPECT_EQ(before.chunks_free, after.chunks_free);
}
