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
