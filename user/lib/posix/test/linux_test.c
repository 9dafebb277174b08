/* SPDX-License-Identifier: MIT */
/*
 * Host tests of linux.h: every number, flag and structure libposix writes out from
 * Linux's uapi headers must equal the host's own (the host is Linux x86_64, whose C
 * library and kernel headers give the real values), and every POSIX name in errors.def
 * must carry the host's errno number, since libposix passes Courier's errors to
 * programs unchanged.
 */
#define _GNU_SOURCE
#include "test.h"

#include <asm/prctl.h>
#include <errno.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "user/lib/posix/linux.h"

TEST(linux_call_numbers_are_the_hosts)
{
    ASSERT_EQ(LINUX_SYS_read, SYS_read);
    ASSERT_EQ(LINUX_SYS_write, SYS_write);
    ASSERT_EQ(LINUX_SYS_mmap, SYS_mmap);
    ASSERT_EQ(LINUX_SYS_mprotect, SYS_mprotect);
    ASSERT_EQ(LINUX_SYS_munmap, SYS_munmap);
    ASSERT_EQ(LINUX_SYS_brk, SYS_brk);
    ASSERT_EQ(LINUX_SYS_rt_sigaction, SYS_rt_sigaction);
    ASSERT_EQ(LINUX_SYS_rt_sigprocmask, SYS_rt_sigprocmask);
    ASSERT_EQ(LINUX_SYS_ioctl, SYS_ioctl);
    ASSERT_EQ(LINUX_SYS_readv, SYS_readv);
    ASSERT_EQ(LINUX_SYS_writev, SYS_writev);
    ASSERT_EQ(LINUX_SYS_sched_yield, SYS_sched_yield);
    ASSERT_EQ(LINUX_SYS_nanosleep, SYS_nanosleep);
    ASSERT_EQ(LINUX_SYS_getpid, SYS_getpid);
    ASSERT_EQ(LINUX_SYS_exit, SYS_exit);
    ASSERT_EQ(LINUX_SYS_wait4, SYS_wait4);
    ASSERT_EQ(LINUX_SYS_gettimeofday, SYS_gettimeofday);
    ASSERT_EQ(LINUX_SYS_getuid, SYS_getuid);
    ASSERT_EQ(LINUX_SYS_getgid, SYS_getgid);
    ASSERT_EQ(LINUX_SYS_geteuid, SYS_geteuid);
    ASSERT_EQ(LINUX_SYS_getegid, SYS_getegid);
    ASSERT_EQ(LINUX_SYS_getppid, SYS_getppid);
    ASSERT_EQ(LINUX_SYS_arch_prctl, SYS_arch_prctl);
    ASSERT_EQ(LINUX_SYS_gettid, SYS_gettid);
    ASSERT_EQ(LINUX_SYS_time, SYS_time);
    ASSERT_EQ(LINUX_SYS_set_tid_address, SYS_set_tid_address);
    ASSERT_EQ(LINUX_SYS_clock_gettime, SYS_clock_gettime);
    ASSERT_EQ(LINUX_SYS_clock_getres, SYS_clock_getres);
    ASSERT_EQ(LINUX_SYS_clock_nanosleep, SYS_clock_nanosleep);
    ASSERT_EQ(LINUX_SYS_exit_group, SYS_exit_group);
}

TEST(linux_call_table_covers_every_host_number)
{
    /* The newest calls the host's headers know must fit the dispatch table. */
    ASSERT_TRUE(SYS_pidfd_getfd < LINUX_SYS_MAX);
#ifdef SYS_futex_waitv
    ASSERT_TRUE(SYS_futex_waitv < LINUX_SYS_MAX);
#endif
}

TEST(linux_errno_values_are_the_hosts)
{
    ASSERT_EQ(LINUX_EPERM, EPERM);
    ASSERT_EQ(LINUX_ENOENT, ENOENT);
    ASSERT_EQ(LINUX_EINTR, EINTR);
    ASSERT_EQ(LINUX_EIO, EIO);
    ASSERT_EQ(LINUX_EBADF, EBADF);
    ASSERT_EQ(LINUX_ECHILD, ECHILD);
    ASSERT_EQ(LINUX_EAGAIN, EAGAIN);
    ASSERT_EQ(LINUX_ENOMEM, ENOMEM);
    ASSERT_EQ(LINUX_EFAULT, EFAULT);
    ASSERT_EQ(LINUX_EEXIST, EEXIST);
    ASSERT_EQ(LINUX_ENODEV, ENODEV);
    ASSERT_EQ(LINUX_EINVAL, EINVAL);
    ASSERT_EQ(LINUX_ENOTTY, ENOTTY);
    ASSERT_EQ(LINUX_ENOSYS, ENOSYS);
    ASSERT_EQ(LINUX_ETIMEDOUT, ETIMEDOUT);
}

/* The host's number for each POSIX name errors.def may use. */
static const struct {
    const char *name;
    int num;
} host_errno[] = {
    { "EPERM", EPERM },   { "ENOENT", ENOENT },       { "ESRCH", ESRCH },
    { "EINTR", EINTR },   { "EIO", EIO },             { "E2BIG", E2BIG },
    { "ENOEXEC", ENOEXEC }, { "EBADF", EBADF },       { "ECHILD", ECHILD },
    { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM },       { "EACCES", EACCES },
    { "EFAULT", EFAULT }, { "EBUSY", EBUSY },         { "EEXIST", EEXIST },
    { "EINVAL", EINVAL }, { "ENOTTY", ENOTTY },       { "ENOSPC", ENOSPC },
    { "ERANGE", ERANGE }, { "EDEADLK", EDEADLK },     { "ENOSYS", ENOSYS },
    { "ENOTEMPTY", ENOTEMPTY }, { "ETIMEDOUT", ETIMEDOUT },
};

static const struct {
    const char *name;
    int num;
} courier_errno[] = {
#define CR_ERR(name, num, text) { #name, num },
#include <courier/abi/errors.def>
#undef CR_ERR
};

TEST(linux_errors_def_posix_names_have_the_hosts_numbers)
{
    for (size_t i = 0; i < sizeof(courier_errno) / sizeof(courier_errno[0]); i++) {
        if (courier_errno[i].num >= 512) {
            continue; /* the Courier band: no Linux name */
        }
        size_t j = 0;
        while (j < sizeof(host_errno) / sizeof(host_errno[0]) &&
               strcmp(host_errno[j].name, courier_errno[i].name) != 0) {
            j++;
        }
        /* A new POSIX name in errors.def must be added to host_errno above. */
        ASSERT_TRUE(j < sizeof(host_errno) / sizeof(host_errno[0]));
        ASSERT_EQ(courier_errno[i].num, host_errno[j].num);
    }
}

TEST(linux_mman_flags_are_the_hosts)
{
    ASSERT_EQ(LINUX_PROT_READ, PROT_READ);
    ASSERT_EQ(LINUX_PROT_WRITE, PROT_WRITE);
    ASSERT_EQ(LINUX_PROT_EXEC, PROT_EXEC);
    ASSERT_EQ(LINUX_PROT_GROWSDOWN, PROT_GROWSDOWN);
    ASSERT_EQ(LINUX_PROT_GROWSUP, PROT_GROWSUP);
    ASSERT_EQ(LINUX_MAP_SHARED, MAP_SHARED);
    ASSERT_EQ(LINUX_MAP_PRIVATE, MAP_PRIVATE);
    ASSERT_EQ(LINUX_MAP_SHARED_VALIDATE, MAP_SHARED_VALIDATE);
    ASSERT_EQ(LINUX_MAP_TYPE, MAP_TYPE);
    ASSERT_EQ(LINUX_MAP_FIXED, MAP_FIXED);
    ASSERT_EQ(LINUX_MAP_ANONYMOUS, MAP_ANONYMOUS);
    ASSERT_EQ(LINUX_MAP_32BIT, MAP_32BIT);
    ASSERT_EQ(LINUX_MAP_GROWSDOWN, MAP_GROWSDOWN);
    ASSERT_EQ(LINUX_MAP_HUGETLB, MAP_HUGETLB);
    ASSERT_EQ(LINUX_MAP_FIXED_NOREPLACE, MAP_FIXED_NOREPLACE);
}

TEST(linux_clocks_and_codes_are_the_hosts)
{
    ASSERT_EQ(LINUX_CLOCK_REALTIME, CLOCK_REALTIME);
    ASSERT_EQ(LINUX_CLOCK_MONOTONIC, CLOCK_MONOTONIC);
    ASSERT_EQ(LINUX_CLOCK_PROCESS_CPUTIME_ID, CLOCK_PROCESS_CPUTIME_ID);
    ASSERT_EQ(LINUX_CLOCK_THREAD_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID);
    ASSERT_EQ(LINUX_CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_RAW);
    ASSERT_EQ(LINUX_CLOCK_REALTIME_COARSE, CLOCK_REALTIME_COARSE);
    ASSERT_EQ(LINUX_CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_COARSE);
    ASSERT_EQ(LINUX_CLOCK_BOOTTIME, CLOCK_BOOTTIME);
    ASSERT_EQ(LINUX_TIMER_ABSTIME, TIMER_ABSTIME);
    ASSERT_EQ(LINUX_ARCH_SET_GS, ARCH_SET_GS);
    ASSERT_EQ(LINUX_ARCH_SET_FS, ARCH_SET_FS);
    ASSERT_EQ(LINUX_ARCH_GET_FS, ARCH_GET_FS);
    ASSERT_EQ(LINUX_ARCH_GET_GS, ARCH_GET_GS);
    ASSERT_EQ(LINUX_SIGKILL, SIGKILL);
    ASSERT_EQ(LINUX_SIGSTOP, SIGSTOP);
    ASSERT_EQ(LINUX_SIG_BLOCK, SIG_BLOCK);
    ASSERT_EQ(LINUX_SIG_UNBLOCK, SIG_UNBLOCK);
    ASSERT_EQ(LINUX_SIG_SETMASK, SIG_SETMASK);
    ASSERT_EQ(LINUX_WNOHANG, WNOHANG);
    ASSERT_EQ(LINUX_WUNTRACED, WUNTRACED);
    ASSERT_EQ(LINUX_WCONTINUED, WCONTINUED);
    ASSERT_EQ(LINUX_WNOTHREAD, __WNOTHREAD);
    ASSERT_EQ(LINUX_WALL, __WALL);
    ASSERT_EQ(LINUX_TIOCGWINSZ, TIOCGWINSZ);
    ASSERT_EQ(LINUX_IOV_MAX, UIO_MAXIOV);
    ASSERT_EQ(LINUX_PAGE_SIZE, sysconf(_SC_PAGESIZE));
}

TEST(linux_structs_have_the_hosts_layout)
{
    ASSERT_EQ(sizeof(struct linux_timespec), sizeof(struct timespec));
    ASSERT_EQ(offsetof(struct linux_timespec, tv_nsec), offsetof(struct timespec, tv_nsec));
    ASSERT_EQ(sizeof(struct linux_timeval), sizeof(struct timeval));
    ASSERT_EQ(offsetof(struct linux_timeval, tv_usec), offsetof(struct timeval, tv_usec));
    ASSERT_EQ(sizeof(struct linux_timezone), sizeof(struct timezone));
    ASSERT_EQ(sizeof(struct linux_iovec), sizeof(struct iovec));
    ASSERT_EQ(offsetof(struct linux_iovec, len), offsetof(struct iovec, iov_len));
    ASSERT_EQ(sizeof(struct linux_winsize), sizeof(struct winsize));
    ASSERT_EQ(offsetof(struct linux_winsize, ws_col), offsetof(struct winsize, ws_col));
    ASSERT_EQ(offsetof(struct linux_winsize, ws_ypixel), offsetof(struct winsize, ws_ypixel));
    ASSERT_EQ(LINUX_RUSAGE_SIZE, sizeof(struct rusage));
    ASSERT_EQ(LINUX_NSIG, 64);
    ASSERT_EQ(LINUX_SIGSET_SIZE, 64 / 8);
}
