/* SPDX-License-Identifier: MIT */
/*
 * The dispatcher: musl's every system call comes here as __courier_syscall(n, a..f),
 * with Linux x86_64's number and arguments, and goes to the handler the table gives for
 * n. The table is indexed by the Linux number and filled with designated initialisers,
 * one line per call, grouped by the file that serves it; every number without an entry,
 * and every number outside 0..LINUX_SYS_MAX - 1, returns -ENOSYS and does nothing else.
 * docs/posix.md lists the calls and how each maps onto Courier.
 *
 * A handler returns Linux's result: a value, or -errno (-4095..-1). The dispatcher and
 * every handler are reentrant and use no thread pointer, so they serve musl's start-up
 * before its TLS exists and, later, signal handlers.
 */
#include "dispatch.h"

#include "clock.h"
#include "fdio.h"
#include "linux.h"
#include "mman.h"
#include "process.h"
#include "signals.h"
#include "thread.h"

static const dispatch_fn dispatch_table[LINUX_SYS_MAX] = {
    /* fdio.c: descriptors, to the server behind each */
    [LINUX_SYS_read] = sys_read,
    [LINUX_SYS_write] = sys_write,
    [LINUX_SYS_readv] = sys_readv,
    [LINUX_SYS_writev] = sys_writev,
    [LINUX_SYS_ioctl] = sys_ioctl,
    /* mman.c: memory, to the memory manager */
    [LINUX_SYS_mmap] = sys_mmap,
    [LINUX_SYS_mprotect] = sys_mprotect,
    [LINUX_SYS_munmap] = sys_munmap,
    [LINUX_SYS_brk] = sys_brk,
    /* process.c: the process manager, and credentials */
    [LINUX_SYS_getpid] = sys_getpid,
    [LINUX_SYS_getppid] = sys_getppid,
    [LINUX_SYS_exit_group] = sys_exit_group,
    [LINUX_SYS_wait4] = sys_wait4,
    [LINUX_SYS_getuid] = sys_getuid,
    [LINUX_SYS_geteuid] = sys_geteuid,
    [LINUX_SYS_getgid] = sys_getgid,
    [LINUX_SYS_getegid] = sys_getegid,
    /* thread.c: the calling thread */
    [LINUX_SYS_arch_prctl] = sys_arch_prctl,
    [LINUX_SYS_set_tid_address] = sys_set_tid_address,
    [LINUX_SYS_gettid] = sys_gettid,
    [LINUX_SYS_exit] = sys_exit,
    [LINUX_SYS_sched_yield] = sys_sched_yield,
    /* clock.c: the boot clock and sleeping */
    [LINUX_SYS_clock_gettime] = sys_clock_gettime,
    [LINUX_SYS_clock_getres] = sys_clock_getres,
    [LINUX_SYS_gettimeofday] = sys_gettimeofday,
    [LINUX_SYS_time] = sys_time,
    [LINUX_SYS_nanosleep] = sys_nanosleep,
    [LINUX_SYS_clock_nanosleep] = sys_clock_nanosleep,
    /* signals.c: actions and mask, kept, not yet delivered */
    [LINUX_SYS_rt_sigaction] = sys_rt_sigaction,
    [LINUX_SYS_rt_sigprocmask] = sys_rt_sigprocmask,
};

/* The handler of Linux call n, or NULL if libposix does not implement it. */
dispatch_fn
dispatch_lookup(long n)
{
    if ((unsigned long)n >= LINUX_SYS_MAX) {
        return NULL;
    }
    return dispatch_table[n];
}

/*
 * Linux call n with arguments a..f (docs/musl.md, "__courier_syscall"). Returns the
 * handler's result, or -ENOSYS for a call libposix does not implement.
 */
long
__courier_syscall(long n, long a, long b, long c, long d, long e, long f)
{
    const long args[6] = { a, b, c, d, e, f };
    dispatch_fn fn = dispatch_lookup(n);

    if (fn == NULL) {
        return -LINUX_ENOSYS;
    }
    return fn(args);
}

/*
 * Linux call n as a cancellation point (docs/musl.md, "__courier_syscall_cp"). No
 * signal can arrive during a call yet, so cancel cannot change while it runs, and musl
 * has checked it just before: the call is __courier_syscall's. A cancel request then
 * waits until the call completes by itself, which the contract allows.
 */
long
__courier_syscall_cp(volatile int *cancel, long n, long a, long b, long c, long d, long e, long f)
{
    (void)cancel;
    return __courier_syscall(n, a, b, c, d, e, f);
}
