/* SPDX-License-Identifier: MIT */
/*
 * The process calls, served by the root server's process manager through the connection
 * in CR_SLOT_PROC (courier/proto/proc.h), whose badge tells the manager which process is
 * asking; each is one register request. Nothing is cached: the pid and parent are asked
 * for each time (a register round trip), so a process made by fork or exec later cannot
 * see a stale one.
 *
 * Credentials (getuid and the rest) are 0 until the process manager keeps them
 * (PROC_CRED_SET is written down, but nothing reads credentials back yet): every process
 * is root.
 */
#include "process.h"

#include <stddef.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

#include "errmap.h"
#include "linux.h"
#include "request.h"

enum {
    /* proc_wait_rep.status: 256 + n means ended by PROC_KILL with signal number n. */
    PROCESS_KILLED = 256,
    PROCESS_WAIT_OPTIONS = LINUX_WNOHANG | LINUX_WUNTRACED | LINUX_WCONTINUED |
                           LINUX_WNOTHREAD | LINUX_WALL,
};

/* The caller's pid, from PROC_GETPID, or -errno. */
long
process_getpid(void)
{
    struct proc_getpid_rep rep;

    return errmap_linux(request_regs(CR_SLOT_PROC, PROC_GETPID,
                                     (struct request_args){ { 0, 0, 0 } }, &rep, sizeof(rep)));
}

/* getpid(): the caller's pid. Returns it, or -ENOSYS if the process has no manager. */
long
sys_getpid(const long *a)
{
    (void)a;
    return process_getpid();
}

/*
 * getppid(): the parent's pid, from PROC_GETPID's reply (0 for a process the root server
 * started itself). Returns it, or -ENOSYS as getpid.
 */
long
sys_getppid(const long *a)
{
    struct proc_getpid_rep rep = { 0 };
    int64_t rc = request_regs(CR_SLOT_PROC, PROC_GETPID, (struct request_args){ { 0, 0, 0 } },
                              &rep, sizeof(rep));

    (void)a;
    return rc < 0 ? errmap_linux(rc) : (long)rep.ppid;
}

/*
 * Ends the calling process with code's low 8 bits as its exit status (PROC_EXIT, which
 * has no reply). If the process manager cannot be reached, the thread suspends itself,
 * so that it at least stops, and failing that blocks for good: nothing may return.
 */
_Noreturn void
process_exit(int code)
{
    uint64_t bits;

    request_regs(CR_SLOT_PROC, PROC_EXIT, (struct request_args){ { (uint64_t)code & 0xff } },
                 NULL, 0);
    cr_tcb_suspend(CR_SLOT_SELF_TCB);
    /* NOTREACHED unless the TCB slot is empty too; waiting uses no CPU, spinning would. */
    for (;;) {
        cr_notify_wait(CR_SLOT_NTFN, CR_UPTR(&bits));
    }
}

/* exit_group(code): ends the process with status code & 0xff. Does not return. */
long
sys_exit_group(const long *a)
{
    process_exit((int)a[0]);
}

/*
 * A proc_wait_rep status as Linux's wait status: exit code c is c << 8 (WIFEXITED), an
 * end by PROC_KILL with signal n is n (WIFSIGNALED, no core dump).
 */
long
process_wstatus(int64_t status)
{
    if (status >= PROCESS_KILLED) {
        return (long)((status - PROCESS_KILLED) & 0x7f);
    }
    return (long)((status & 0xff) << 8);
}

/*
 * wait4(pid, wstatus, options, rusage): PROC_WAIT for child pid, or any child for -1.
 * There are no process groups yet, so every child is in its parent's group: pid 0 is
 * any child, and pid < -1 names a group that no child is in. No child ever stops or
 * continues (no job control), so WUNTRACED and WCONTINUED change nothing. Stores the
 * wait status at wstatus and zeros at rusage (no usage is accounted), if given.
 * Returns the child's pid, or 0 (WNOHANG and none has exited), or:
 * -EINVAL: options with another bit;
 * -ECHILD: no such child (pid < -1 always);
 * the process manager's errors (-ENOSYS without one).
 */
long
sys_wait4(const long *a)
{
    int64_t pid = (int32_t)a[0];
    uint64_t options = (uint32_t)a[2];
    int32_t *wstatus = (int32_t *)(uintptr_t)a[1];
    uint8_t *rusage = (uint8_t *)(uintptr_t)a[3];
    struct proc_wait_rep rep = { 0 };

    if ((options & ~(uint64_t)PROCESS_WAIT_OPTIONS) != 0) {
        return -LINUX_EINVAL;
    }
    if (pid < -1) {
        return -LINUX_ECHILD;
    }
    uint64_t flags = (options & LINUX_WNOHANG) ? PROC_WNOHANG : 0;
    int64_t rc = request_regs(CR_SLOT_PROC, PROC_WAIT,
                              (struct request_args){ { (uint64_t)(pid == 0 ? -1 : pid), flags } },
                              &rep, sizeof(rep));
    if (rc <= 0) {
        return errmap_linux(rc);
    }
    if (wstatus != NULL) {
        *wstatus = (int32_t)process_wstatus(rep.status);
    }
    if (rusage != NULL) {
        /* LINUX_RUSAGE_SIZE bytes. */
        for (int i = 0; i < LINUX_RUSAGE_SIZE; i++) {
            rusage[i] = 0;
        }
    }
    return (long)rc;
}

/* getuid(), geteuid(), getgid(), getegid(): 0 until credentials exist. Never fail. */
long
sys_getuid(const long *a)
{
    (void)a;
    return 0;
}

long
sys_geteuid(const long *a)
{
    (void)a;
    return 0;
}

long
sys_getgid(const long *a)
{
    (void)a;
    return 0;
}

long
sys_getegid(const long *a)
{
    (void)a;
    return 0;
}
