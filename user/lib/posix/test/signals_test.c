/* SPDX-License-Identifier: MIT */
/*
 * Host tests of signals.c: rt_sigaction and rt_sigprocmask keep what they are given and
 * give it back, with Linux's refusals (bad set size, signal numbers outside 1..64, an
 * action for SIGKILL or SIGSTOP, an unknown `how`), and neither SIGKILL nor SIGSTOP can
 * ever be blocked. The state is the process's, so each test leaves it as it found it.
 */
/* test-sources: user/lib/posix/signals.c */
#include "test.h"

#include <stdint.h>

#include "user/lib/posix/linux.h"
#include "user/lib/posix/signals.h"

#define BIT(sig) (1ull << ((sig) - 1))

static long
sigaction_(long sig, const struct linux_sigaction *act, struct linux_sigaction *oact,
           long size)
{
    const long a[6] = { sig, (long)act, (long)oact, size, 0, 0 };
    return sys_rt_sigaction(a);
}

static long
sigprocmask_(long how, const uint64_t *set, uint64_t *oset, long size)
{
    const long a[6] = { how, (long)set, (long)oset, size, 0, 0 };
    return sys_rt_sigprocmask(a);
}

TEST(signals_action_is_kept_and_given_back)
{
    struct linux_sigaction act = { .handler = 0x401000, .flags = 0x04000000, .restorer = 0x402000,
                                   .mask = BIT(2) | BIT(LINUX_SIGKILL) };
    struct linux_sigaction old = { 1, 1, 1, 1 };

    ASSERT_ERR(0, sigaction_(10, NULL, &old, LINUX_SIGSET_SIZE));
    ASSERT_EQ(old.handler, 0); /* SIG_DFL */
    ASSERT_EQ(old.mask, 0);
    ASSERT_ERR(0, sigaction_(10, &act, NULL, LINUX_SIGSET_SIZE));
    ASSERT_ERR(0, sigaction_(10, NULL, &old, LINUX_SIGSET_SIZE));
    ASSERT_EQ(old.handler, act.handler);
    ASSERT_EQ(old.flags, act.flags);
    ASSERT_EQ(old.restorer, act.restorer);
    ASSERT_EQ(old.mask, BIT(2)); /* SIGKILL cannot be masked in a handler either */
    /* act and oact the same struct: the old action comes back, the new one is set. */
    struct linux_sigaction both = { 0 };
    ASSERT_ERR(0, sigaction_(10, &both, &both, LINUX_SIGSET_SIZE));
    ASSERT_EQ(both.handler, act.handler);
    ASSERT_ERR(0, sigaction_(10, NULL, &old, LINUX_SIGSET_SIZE));
    ASSERT_EQ(old.handler, 0);
}

TEST(signals_action_refusals)
{
    struct linux_sigaction act = { 0 };
    struct linux_sigaction old;

    ASSERT_ERR(-LINUX_EINVAL, sigaction_(10, &act, NULL, 4));
    ASSERT_ERR(-LINUX_EINVAL, sigaction_(10, NULL, &old, 16));
    ASSERT_ERR(-LINUX_EINVAL, sigaction_(0, NULL, &old, LINUX_SIGSET_SIZE));
    ASSERT_ERR(-LINUX_EINVAL, sigaction_(65, NULL, &old, LINUX_SIGSET_SIZE));
    ASSERT_ERR(-LINUX_EINVAL, sigaction_(-1, NULL, &old, LINUX_SIGSET_SIZE));
    ASSERT_ERR(0, sigaction_(64, NULL, &old, LINUX_SIGSET_SIZE));
    ASSERT_ERR(0, sigaction_(1, NULL, &old, LINUX_SIGSET_SIZE));
    /* SIGKILL and SIGSTOP: their action can be read, never set. */
    ASSERT_ERR(-LINUX_EINVAL, sigaction_(LINUX_SIGKILL, &act, NULL, LINUX_SIGSET_SIZE));
    ASSERT_ERR(-LINUX_EINVAL, sigaction_(LINUX_SIGSTOP, &act, &old, LINUX_SIGSET_SIZE));
    ASSERT_ERR(0, sigaction_(LINUX_SIGKILL, NULL, &old, LINUX_SIGSET_SIZE));
}

TEST(signals_mask_block_unblock_setmask)
{
    uint64_t set = BIT(2) | BIT(10);
    uint64_t old = 1;

    ASSERT_ERR(0, sigprocmask_(LINUX_SIG_SETMASK, &(uint64_t){ 0 }, NULL, LINUX_SIGSET_SIZE));
    ASSERT_ERR(0, sigprocmask_(LINUX_SIG_BLOCK, &set, &old, LINUX_SIGSET_SIZE));
    ASSERT_EQ(old, 0);
    ASSERT_ERR(0, sigprocmask_(LINUX_SIG_BLOCK, &(uint64_t){ BIT(64) }, &old, LINUX_SIGSET_SIZE));
    ASSERT_EQ(old, set);
    ASSERT_ERR(0, sigprocmask_(LINUX_SIG_UNBLOCK, &(uint64_t){ BIT(2) }, &old, 8));
    ASSERT_EQ(old, set | BIT(64));
    ASSERT_ERR(0, sigprocmask_(0, NULL, &old, LINUX_SIGSET_SIZE));
    ASSERT_EQ(old, BIT(10) | BIT(64));
    ASSERT_ERR(0, sigprocmask_(LINUX_SIG_SETMASK, &(uint64_t){ 0 }, &old, LINUX_SIGSET_SIZE));
    ASSERT_EQ(old, BIT(10) | BIT(64));
    ASSERT_ERR(0, sigprocmask_(99, NULL, &old, LINUX_SIGSET_SIZE)); /* how unused */
    ASSERT_EQ(old, 0);
}

TEST(signals_kill_and_stop_are_never_blocked)
{
    uint64_t old;

    ASSERT_ERR(0, sigprocmask_(LINUX_SIG_SETMASK, &(uint64_t){ UINT64_MAX }, NULL, 8));
    ASSERT_ERR(0, sigprocmask_(LINUX_SIG_SETMASK, &(uint64_t){ 0 }, &old, 8));
    ASSERT_EQ(old, UINT64_MAX & ~(BIT(LINUX_SIGKILL) | BIT(LINUX_SIGSTOP)));
}

TEST(signals_mask_refusals_change_nothing)
{
    uint64_t old;

    ASSERT_ERR(0, sigprocmask_(LINUX_SIG_SETMASK, &(uint64_t){ BIT(3) }, NULL, 8));
    ASSERT_ERR(-LINUX_EINVAL, sigprocmask_(3, &(uint64_t){ BIT(4) }, &old, 8));
    ASSERT_ERR(-LINUX_EINVAL, sigprocmask_(LINUX_SIG_BLOCK, &(uint64_t){ BIT(4) }, &old, 4));
    ASSERT_ERR(0, sigprocmask_(LINUX_SIG_SETMASK, &(uint64_t){ 0 }, &old, 8));
    ASSERT_EQ(old, BIT(3));
}
