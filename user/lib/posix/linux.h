/* SPDX-License-Identifier: MIT */
/*
 * The Linux x86_64 system-call interface as libposix serves it: the numbers of the calls
 * it implements, the flags and structures they take, and the errno values it returns.
 * These are Linux's own values (its uapi headers), written out here so that libposix
 * stays freestanding and builds without any C library's headers; only the names libposix
 * uses are listed, not Linux's whole table. test/linux_test.c checks every value and
 * layout against the host's headers, and the errno values equal Courier's for the names
 * errors.def has (asserted below), so a Courier error of that name passes through as it
 * is.
 */
#pragma once

#include <stdint.h>

#include <courier/abi/errors.h>

/* Call numbers (arch/x86/entry/syscalls/syscall_64.tbl), as LINUX_SYS_<name>. */
enum linux_sysno {
    LINUX_SYS_read = 0,
    LINUX_SYS_write = 1,
    LINUX_SYS_mmap = 9,
    LINUX_SYS_mprotect = 10,
    LINUX_SYS_munmap = 11,
    LINUX_SYS_brk = 12,
    LINUX_SYS_rt_sigaction = 13,
    LINUX_SYS_rt_sigprocmask = 14,
    LINUX_SYS_ioctl = 16,
    LINUX_SYS_readv = 19,
    LINUX_SYS_writev = 20,
    LINUX_SYS_sched_yield = 24,
    LINUX_SYS_nanosleep = 35,
    LINUX_SYS_getpid = 39,
    LINUX_SYS_exit = 60,
    LINUX_SYS_wait4 = 61,
    LINUX_SYS_gettimeofday = 96,
    LINUX_SYS_getuid = 102,
    LINUX_SYS_getgid = 104,
    LINUX_SYS_geteuid = 107,
    LINUX_SYS_getegid = 108,
    LINUX_SYS_getppid = 110,
    LINUX_SYS_arch_prctl = 158,
    LINUX_SYS_gettid = 186,
    LINUX_SYS_time = 201,
    LINUX_SYS_set_tid_address = 218,
    LINUX_SYS_clock_gettime = 228,
    LINUX_SYS_clock_getres = 229,
    LINUX_SYS_clock_nanosleep = 230,
    LINUX_SYS_exit_group = 231,
    /*
     * Past every number Linux has assigned (about 460 in 2024) with room to grow; the
     * dispatch table has this many entries and any larger number is ENOSYS without a
     * lookup.
     */
    LINUX_SYS_MAX = 512,
};

/* errno values (include/uapi/asm-generic/errno-base.h, errno.h). */
enum linux_errno {
    LINUX_EPERM = 1,
    LINUX_ENOENT = 2,
    LINUX_EINTR = 4,
    LINUX_EIO = 5,
    LINUX_EBADF = 9,
    LINUX_ECHILD = 10,
    LINUX_EAGAIN = 11,
    LINUX_ENOMEM = 12,
    LINUX_EFAULT = 14,
    LINUX_EEXIST = 17,
    LINUX_ENODEV = 19,
    LINUX_EINVAL = 22,
    LINUX_ENOTTY = 25,
    LINUX_ENOSYS = 38,
    LINUX_ETIMEDOUT = 110,
    LINUX_ERRNO_MAX = 4095, /* results -4095..-1 are errors, as the C libraries read them */
};

/* errors.def promises Linux's numbers for the POSIX names; libposix relies on it. */
#define LINUX_ERRNO_IS_COURIERS(name)                                                          \
    _Static_assert((int)LINUX_##name == (int)CR_##name, "errors.def: " #name " is not Linux's")
LINUX_ERRNO_IS_COURIERS(EPERM);
LINUX_ERRNO_IS_COURIERS(ENOENT);
LINUX_ERRNO_IS_COURIERS(EINTR);
LINUX_ERRNO_IS_COURIERS(EIO);
LINUX_ERRNO_IS_COURIERS(EBADF);
LINUX_ERRNO_IS_COURIERS(ECHILD);
LINUX_ERRNO_IS_COURIERS(EAGAIN);
LINUX_ERRNO_IS_COURIERS(ENOMEM);
LINUX_ERRNO_IS_COURIERS(EFAULT);
LINUX_ERRNO_IS_COURIERS(EEXIST);
LINUX_ERRNO_IS_COURIERS(EINVAL);
LINUX_ERRNO_IS_COURIERS(ENOTTY);
LINUX_ERRNO_IS_COURIERS(ENOSYS);
LINUX_ERRNO_IS_COURIERS(ETIMEDOUT);
#undef LINUX_ERRNO_IS_COURIERS

/* mmap, mprotect (include/uapi/asm-generic/mman-common.h, mman.h; x86's MAP_32BIT). */
enum linux_mman {
    LINUX_PROT_READ = 0x1,
    LINUX_PROT_WRITE = 0x2,
    LINUX_PROT_EXEC = 0x4,
    LINUX_PROT_GROWSDOWN = 0x01000000,
    LINUX_PROT_GROWSUP = 0x02000000,
    LINUX_MAP_SHARED = 0x01,
    LINUX_MAP_PRIVATE = 0x02,
    LINUX_MAP_SHARED_VALIDATE = 0x03,
    LINUX_MAP_TYPE = 0x0f,
    LINUX_MAP_FIXED = 0x10,
    LINUX_MAP_ANONYMOUS = 0x20,
    LINUX_MAP_32BIT = 0x40,
    LINUX_MAP_GROWSDOWN = 0x0100,
    LINUX_MAP_HUGETLB = 0x040000,
    LINUX_MAP_FIXED_NOREPLACE = 0x100000,
};

/* Clocks (include/uapi/linux/time.h). */
enum linux_clock {
    LINUX_CLOCK_REALTIME = 0,
    LINUX_CLOCK_MONOTONIC = 1,
    LINUX_CLOCK_PROCESS_CPUTIME_ID = 2,
    LINUX_CLOCK_THREAD_CPUTIME_ID = 3,
    LINUX_CLOCK_MONOTONIC_RAW = 4,
    LINUX_CLOCK_REALTIME_COARSE = 5,
    LINUX_CLOCK_MONOTONIC_COARSE = 6,
    LINUX_CLOCK_BOOTTIME = 7,
    LINUX_TIMER_ABSTIME = 0x01,
};

/* arch_prctl codes (arch/x86/include/uapi/asm/prctl.h). */
enum linux_arch_prctl {
    LINUX_ARCH_SET_GS = 0x1001,
    LINUX_ARCH_SET_FS = 0x1002,
    LINUX_ARCH_GET_FS = 0x1003,
    LINUX_ARCH_GET_GS = 0x1004,
};

/* Signals as far as the masks and actions need them (asm/signal.h). */
enum linux_signal {
    LINUX_SIGKILL = 9,
    LINUX_SIGSTOP = 19,
    LINUX_NSIG = 64,     /* signals are 1..64 */
    LINUX_SIGSET_SIZE = 8, /* the sigsetsize the rt_sig* calls require */
    LINUX_SIG_BLOCK = 0,
    LINUX_SIG_UNBLOCK = 1,
    LINUX_SIG_SETMASK = 2,
};

/* wait4 options (include/uapi/linux/wait.h). */
enum linux_wait {
    LINUX_WNOHANG = 0x00000001,
    LINUX_WUNTRACED = 0x00000002,
    LINUX_WCONTINUED = 0x00000008,
    LINUX_WNOTHREAD = 0x20000000,
    LINUX_WALL = 0x40000000,
};

/* Terminal ioctls (include/uapi/asm-generic/ioctls.h). */
enum linux_ioctl {
    LINUX_TIOCGWINSZ = 0x5413,
};

enum linux_limits {
    LINUX_PAGE_SIZE = 4096,
    LINUX_IOV_MAX = 1024,            /* UIO_MAXIOV: entries of one readv or writev */
    LINUX_MAX_RW_COUNT = 0x7ffff000, /* most bytes one read or write moves */
};

struct linux_timespec {
    int64_t tv_sec;
    int64_t tv_nsec; /* 0..999999999 */
};
_Static_assert(sizeof(struct linux_timespec) == 16, "Linux ABI");

struct linux_timeval {
    int64_t tv_sec;
    int64_t tv_usec;
};
_Static_assert(sizeof(struct linux_timeval) == 16, "Linux ABI");

struct linux_timezone {
    int32_t tz_minuteswest;
    int32_t tz_dsttime;
};
_Static_assert(sizeof(struct linux_timezone) == 8, "Linux ABI");

/* struct iovec: the same layout as struct cr_iov, which libposix relies on. */
struct linux_iovec {
    uint64_t base;
    uint64_t len;
};
_Static_assert(sizeof(struct linux_iovec) == 16, "Linux ABI");

struct linux_winsize {
    uint16_t ws_row;
    uint16_t ws_col;
    uint16_t ws_xpixel;
    uint16_t ws_ypixel;
};
_Static_assert(sizeof(struct linux_winsize) == 8, "Linux ABI");

/* The kernel's struct sigaction for rt_sigaction (not the C library's). */
struct linux_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};
_Static_assert(sizeof(struct linux_sigaction) == 32, "Linux ABI");

/* struct rusage: two timevals and fourteen longs; wait4 only clears it. */
enum {
    LINUX_RUSAGE_SIZE = 144,
};
