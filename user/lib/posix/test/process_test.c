/* SPDX-License-Identifier: MIT */
/*
 * Host tests of process.c's translation of the process manager's exit status into
 * Linux's wait status, read back with the host's own W* macros as a program would.
 */
/* test-sources: user/lib/posix/process.c user/lib/posix/errmap.c user/lib/posix/request.c */
#define _GNU_SOURCE
#include "test.h"

#include <sys/wait.h>

#include "user/lib/posix/process.h"

TEST(process_exit_codes_become_exited_statuses)
{
    for (int code = 0; code < 256; code++) {
        int w = (int)process_wstatus(code);
        ASSERT_TRUE(WIFEXITED(w));
        ASSERT_TRUE(!WIFSIGNALED(w));
        ASSERT_EQ(WEXITSTATUS(w), code);
    }
}

TEST(process_kills_become_signaled_statuses)
{
    for (int sig = 1; sig < 65; sig++) {
        int w = (int)process_wstatus(256 + sig);
        ASSERT_TRUE(WIFSIGNALED(w));
        ASSERT_TRUE(!WIFEXITED(w));
        ASSERT_EQ(WTERMSIG(w), sig);
        ASSERT_TRUE(!WCOREDUMP(w));
    }
}
