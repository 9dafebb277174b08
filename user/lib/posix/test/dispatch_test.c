/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the dispatcher and of the checks every handler makes before it sends
 * anything. The table must hold exactly the calls docs/posix.md lists (the list below is
 * that contract, kept apart from the table on purpose), and every other number, in
 * 0..511 and outside it, must come back -ENOSYS from both entry points without
 * reaching a handler. The refusals are called through __courier_syscall as musl would,
 * and each is one that a handler decides before any native call, so they run on the
 * host. (Were one to reach a native call by mistake, Linux would answer the negative
 * rax with -ENOSYS, which no assertion here accepts.)
 */
/* test-sources: user/lib/posix/dispatch.c user/lib/posix/clock.c user/lib/posix/errmap.c */
/* test-sources: user/lib/posix/fdio.c user/lib/posix/memargs.c user/lib/posix/mman.c */
/* test-sources: user/lib/posix/process.c user/lib/posix/request.c */
/* test-sources: user/lib/posix/signals.c user/lib/posix/thread.c */
#include "test.h"

#include <stdint.h>

#include <courier/abi/types.h>
#include <courier/proto/proto.h>

#include "user/lib/posix/dispatch.h"
#include "user/lib/posix/linux.h"

/* The calls libposix implements (docs/posix.md); everything else is ENOSYS. */
static const int implemented[] = {
    LINUX_SYS_read,          LINUX_SYS_write,          LINUX_SYS_readv,
    LINUX_SYS_writev,        LINUX_SYS_ioctl,          LINUX_SYS_mmap,
    LINUX_SYS_mprotect,      LINUX_SYS_munmap,         LINUX_SYS_brk,
    LINUX_SYS_getpid,        LINUX_SYS_getppid,        LINUX_SYS_exit_group,
    LINUX_SYS_wait4,         LINUX_SYS_getuid,         LINUX_SYS_geteuid,
    LINUX_SYS_getgid,        LINUX_SYS_getegid,        LINUX_SYS_arch_prctl,
    LINUX_SYS_set_tid_address, LINUX_SYS_gettid,       LINUX_SYS_exit,
    LINUX_SYS_sched_yield,   LINUX_SYS_clock_gettime,  LINUX_SYS_clock_getres,
    LINUX_SYS_gettimeofday,  LINUX_SYS_time,           LINUX_SYS_nanosleep,
    LINUX_SYS_clock_nanosleep, LINUX_SYS_rt_sigaction, LINUX_SYS_rt_sigprocmask,
};

static bool
is_implemented(long n)
{
    for (size_t i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++) {
        if (implemented[i] == n) {
            return true;
        }
    }
    return false;
}

static long
call(long n, long a, long b, long c, long d)
{
    return __courier_syscall(n, a, b, c, d, 0, 0);
}

TEST(dispatch_table_holds_exactly_the_listed_calls)
{
    for (long n = 0; n < LINUX_SYS_MAX; n++) {
        ASSERT_EQ(dispatch_lookup(n) != NULL, is_implemented(n));
    }
}

TEST(dispatch_every_other_number_is_enosys)
{
    volatile int cancel = 0;

    for (long n = 0; n < LINUX_SYS_MAX; n++) {
        if (is_implemented(n)) {
            continue;
        }
        ASSERT_ERR(-LINUX_ENOSYS, __courier_syscall(n, 1, 2, 3, 4, 5, 6));
        ASSERT_ERR(-LINUX_ENOSYS, __courier_syscall_cp(&cancel, n, 1, 2, 3, 4, 5, 6));
    }
}

TEST(dispatch_numbers_outside_the_table_are_enosys)
{
    const long outside[] = { -1, -38, LINUX_SYS_MAX, LINUX_SYS_MAX + 1, 1000,
                             0x40000000 | LINUX_SYS_write, /* an x32 call */
                             INT32_MAX, INT64_MAX, INT64_MIN };

    ASSERT_TRUE(dispatch_lookup(LINUX_SYS_MAX - 1) == NULL);
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        ASSERT_TRUE(dispatch_lookup(outside[i]) == NULL);
        ASSERT_ERR(-LINUX_ENOSYS, __courier_syscall(outside[i], 0, 0, 0, 0, 0, 0));
    }
}

TEST(dispatch_clone_is_enosys)
{
    ASSERT_ERR(-LINUX_ENOSYS, __courier_clone(NULL, NULL, 0, NULL, NULL, NULL, NULL));
}

TEST(dispatch_fd_calls_refuse_bad_descriptors)
{
    char buf[4];
    struct linux_iovec iov = { (uint64_t)(uintptr_t)buf, sizeof(buf) };

    ASSERT_ERR(-LINUX_EBADF, call(LINUX_SYS_write, -1, (long)buf, 1, 0));
    ASSERT_ERR(-LINUX_EBADF, call(LINUX_SYS_write, CR_FD_MAX, (long)buf, 1, 0));
    ASSERT_ERR(-LINUX_EBADF, call(LINUX_SYS_read, 1L << 32 | CR_FD_MAX, (long)buf, 1, 0));
    ASSERT_ERR(-LINUX_EBADF, call(LINUX_SYS_readv, -5, (long)&iov, 1, 0));
    ASSERT_ERR(-LINUX_EBADF, call(LINUX_SYS_writev, 100000, (long)&iov, 1, 0));
    ASSERT_ERR(-LINUX_EBADF, call(LINUX_SYS_ioctl, -1, LINUX_TIOCGWINSZ, (long)buf, 0));
}

TEST(dispatch_fd_calls_refuse_bad_counts)
{
    char buf[4];
    struct linux_iovec iov[2] = { { (uint64_t)(uintptr_t)buf, 1 }, { 0, (uint64_t)-1 } };

    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_write, 1, (long)buf, -1, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_read, 0, (long)buf, INT64_MIN, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_writev, 1, (long)iov, LINUX_IOV_MAX + 1, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_readv, 0, (long)iov, -1, 0));
    /* An entry longer than SSIZE_MAX. */
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_writev, 1, (long)iov, 2, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_readv, 0, (long)iov, 2, 0));
}

TEST(dispatch_writev_of_no_bytes_sends_nothing)
{
    struct linux_iovec iov[3] = { { 0, 0 }, { 0, 0 }, { 0, 0 } };

    ASSERT_ERR(0, call(LINUX_SYS_writev, 1, (long)iov, 3, 0));
    ASSERT_ERR(0, call(LINUX_SYS_writev, 1, (long)iov, 0, 0));
}

TEST(dispatch_ioctl_knows_only_tiocgwinsz)
{
    ASSERT_ERR(-LINUX_ENOTTY, call(LINUX_SYS_ioctl, 1, 0x5401 /* TCGETS */, 0, 0));
    ASSERT_ERR(-LINUX_ENOTTY, call(LINUX_SYS_ioctl, 1, 0, 0, 0));
    ASSERT_ERR(-LINUX_EFAULT, call(LINUX_SYS_ioctl, 1, LINUX_TIOCGWINSZ, 0, 0));
}

TEST(dispatch_memory_calls_refuse_before_sending)
{
    ASSERT_ERR(-LINUX_ENODEV, __courier_syscall(LINUX_SYS_mmap, 0, 4096, 3, LINUX_MAP_PRIVATE,
                                                3, 0));
    ASSERT_ERR(-LINUX_EINVAL, __courier_syscall(LINUX_SYS_mmap, 0, 0, 3,
                                                LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, -1, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_munmap, 0x10000001, 4096, 0, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_mprotect, 0x10000000, 4096, 8, 0));
    /* Nothing to do is success, with no message. */
    ASSERT_ERR(0, call(LINUX_SYS_mprotect, 0x10000000, 0, 3, 0));
}

TEST(dispatch_wait4_refuses_before_sending)
{
    int status = 0;

    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_wait4, -1, (long)&status, 0x4, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_wait4, -1, (long)&status, 0x80000000L, 0));
    ASSERT_ERR(-LINUX_ECHILD, call(LINUX_SYS_wait4, -2, (long)&status, LINUX_WNOHANG, 0));
}

TEST(dispatch_arch_prctl_refuses_before_sending)
{
    ASSERT_ERR(-LINUX_EPERM, call(LINUX_SYS_arch_prctl, LINUX_ARCH_SET_FS, CR_USER_MAX, 0, 0));
    ASSERT_ERR(-LINUX_EPERM, call(LINUX_SYS_arch_prctl, LINUX_ARCH_SET_FS, -1, 0, 0));
    ASSERT_ERR(-LINUX_EFAULT, call(LINUX_SYS_arch_prctl, LINUX_ARCH_GET_FS, 0, 0, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_arch_prctl, LINUX_ARCH_SET_GS, 0x1000, 0, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_arch_prctl, LINUX_ARCH_GET_GS, 0x1000, 0, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_arch_prctl, 0, 0, 0, 0));
}

TEST(dispatch_clocks_refuse_unknown_clocks_and_flags)
{
    struct linux_timespec ts = { 0, 0 };

    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_clock_gettime, LINUX_CLOCK_PROCESS_CPUTIME_ID,
                                   (long)&ts, 0, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_clock_gettime, LINUX_CLOCK_THREAD_CPUTIME_ID,
                                   (long)&ts, 0, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_clock_gettime, 8, (long)&ts, 0, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_clock_gettime, -1, (long)&ts, 0, 0));
    ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_clock_getres, 11, (long)&ts, 0, 0));
    ASSERT_ERR(-LINUX_EINVAL,
               call(LINUX_SYS_clock_nanosleep, LINUX_CLOCK_MONOTONIC, 2, (long)&ts, 0));
    ASSERT_ERR(-LINUX_EINVAL,
               call(LINUX_SYS_clock_nanosleep, LINUX_CLOCK_THREAD_CPUTIME_ID, 0, (long)&ts, 0));
}

TEST(dispatch_clock_getres_is_one_nanosecond)
{
    struct linux_timespec ts = { 5, 5 };

    ASSERT_ERR(0, call(LINUX_SYS_clock_getres, LINUX_CLOCK_MONOTONIC, (long)&ts, 0, 0));
    ASSERT_EQ(ts.tv_sec, 0);
    ASSERT_EQ(ts.tv_nsec, 1);
    ASSERT_ERR(0, call(LINUX_SYS_clock_getres, LINUX_CLOCK_REALTIME, 0, 0, 0));
}

TEST(dispatch_sleeps_refuse_bad_times)
{
    struct linux_timespec bad[] = { { 0, -1 }, { 0, 1000000000 }, { -1, 0 }, { 1, INT64_MAX } };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_nanosleep, (long)&bad[i], 0, 0, 0));
        ASSERT_ERR(-LINUX_EINVAL, call(LINUX_SYS_clock_nanosleep, LINUX_CLOCK_REALTIME,
                                       LINUX_TIMER_ABSTIME, (long)&bad[i], 0));
    }
}

TEST(dispatch_credentials_are_root)
{
    ASSERT_EQ(call(LINUX_SYS_getuid, 0, 0, 0, 0), 0);
    ASSERT_EQ(call(LINUX_SYS_geteuid, 0, 0, 0, 0), 0);
    ASSERT_EQ(call(LINUX_SYS_getgid, 0, 0, 0, 0), 0);
    ASSERT_EQ(call(LINUX_SYS_getegid, 0, 0, 0, 0), 0);
}
