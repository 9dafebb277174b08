/* SPDX-License-Identifier: MIT */
/*
 * Signal actions and the signal mask. No signal is delivered yet (DESIGN §9: delivery
 * comes with upcalls), so these calls only keep what a program sets and give it back, with
 * Linux's checks, which is all musl needs: its start-up, fork, posix_spawn and
 * pthread_create block and restore the mask around their work, and abort and the
 * handlers a program installs only change actions. A handler installed here is never
 * run, and a blocked signal never becomes pending.
 *
 * The state is the process's (its actions, as on Linux) and its one thread's (the mask,
 * which becomes per-thread when clone exists). No lock: there is one thread, and no
 * signal handler can run to interrupt an update.
 */
#include "signals.h"

#include <stddef.h>
#include <stdint.h>

#include "linux.h"

/* What rt_sigaction and rt_sigprocmask have set. */
static struct signals_state {
    struct linux_sigaction act[LINUX_NSIG]; /* act[n - 1] for signal n; all SIG_DFL first */
    uint64_t mask;                          /* bit n - 1 blocks signal n */
} signals_state;

/* SIGKILL and SIGSTOP can be neither caught nor blocked. */
static const uint64_t SIGNALS_UNBLOCKABLE =
    (1ull << (LINUX_SIGKILL - 1)) | (1ull << (LINUX_SIGSTOP - 1));

/*
 * rt_sigaction(sig, act, oact, sigsetsize): stores the old action of sig at oact and
 * makes act its action, if given. Returns 0, or -EINVAL: sigsetsize is not 8, sig is
 * not 1..64, or act is given for SIGKILL or SIGSTOP.
 */
long
sys_rt_sigaction(const long *a)
{
    long sig = a[0];
    const struct linux_sigaction *act = (const struct linux_sigaction *)(uintptr_t)a[1];
    struct linux_sigaction *oact = (struct linux_sigaction *)(uintptr_t)a[2];

    if (a[3] != LINUX_SIGSET_SIZE || sig < 1 || sig > LINUX_NSIG) {
        return -LINUX_EINVAL;
    }
    if (act != NULL && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP)) {
        return -LINUX_EINVAL;
    }
    /* Copied through a local, so act and oact may be the same struct. */
    struct linux_sigaction old = signals_state.act[sig - 1];
    if (act != NULL) {
        struct linux_sigaction new = *act;
        new.mask &= ~SIGNALS_UNBLOCKABLE;
        signals_state.act[sig - 1] = new;
    }
    if (oact != NULL) {
        *oact = old;
    }
    return 0;
}

/*
 * rt_sigprocmask(how, set, oset, sigsetsize): stores the old mask at oset and, if set is
 * given, blocks (SIG_BLOCK), unblocks (SIG_UNBLOCK) or sets (SIG_SETMASK) its signals;
 * SIGKILL and SIGSTOP stay unblocked. Returns 0, or -EINVAL: sigsetsize is not 8, or
 * set is given and how is none of the three.
 */
long
sys_rt_sigprocmask(const long *a)
{
    const uint64_t *set = (const uint64_t *)(uintptr_t)a[1];
    uint64_t *oset = (uint64_t *)(uintptr_t)a[2];
    uint64_t old = signals_state.mask;
    uint64_t mask = old;

    if (a[3] != LINUX_SIGSET_SIZE) {
        return -LINUX_EINVAL;
    }
    if (set != NULL) {
        switch (a[0]) {
        case LINUX_SIG_BLOCK:
            mask = old | *set;
            break;
        case LINUX_SIG_UNBLOCK:
            mask = old & ~*set;
            break;
        case LINUX_SIG_SETMASK:
            mask = *set;
            break;
        default:
            return -LINUX_EINVAL;
        }
    }
    signals_state.mask = mask & ~SIGNALS_UNBLOCKABLE;
    if (oset != NULL) {
        *oset = old;
    }
    return 0;
}
