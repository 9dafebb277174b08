/* SPDX-License-Identifier: MIT */
/*
 * The thread calls. A process has one thread for now: __courier_clone refuses to make
 * another (musl's pthread_create then fails with EAGAIN, posix_spawn with ENOSYS), so the
 * first thread's TCB, which the process manager puts in CR_SLOT_SELF_TCB, is the
 * caller's, its thread id is the pid (as for a Linux process's first thread), and a
 * thread's exit is its process's. When clone exists, each thread will need its own TCB
 * slot and thread id, and exit will end only the caller.
 *
 * musl calls arch_prctl(ARCH_SET_FS) and set_tid_address before the thread pointer
 * exists; nothing here uses TLS. The one piece of state, the clear-child-tid address,
 * is the single thread's and lives in thread_state.
 */
#include "thread.h"

#include <stddef.h>
#include <stdint.h>

#include <courier/abi/caps.h>
#include <courier/proto/proto.h>
#include <courier/sys.h>

#include "dispatch.h"
#include "errmap.h"
#include "linux.h"
#include "process.h"

/* The calling thread's state; one thread per process until clone exists. */
static struct thread_state {
    /* set_tid_address: 0 is stored here when the thread exits (musl's thread-list lock). */
    volatile int32_t *clear_tid;
} thread_state;

/*
 * arch_prctl(code, addr): ARCH_SET_FS makes addr the thread's FS base (tcb_set_tls on
 * CR_SLOT_SELF_TCB); ARCH_GET_FS stores it at addr (tcb_read_regs). Returns 0, or:
 * -EPERM: SET_FS with addr at or above the top of user memory, as Linux;
 * -EFAULT: GET_FS with addr NULL;
 * -EINVAL: any other code (Courier gives user code no GS base);
 * -ENOSYS: the process has no TCB capability in its slot.
 */
long
sys_arch_prctl(const long *a)
{
    uint64_t addr = (uint64_t)a[1];
    struct cr_regs regs;
    long rc;

    switch (a[0]) {
    case LINUX_ARCH_SET_FS:
        if (addr >= CR_USER_MAX) {
            return -LINUX_EPERM;
        }
        return errmap_linux(cr_tcb_set_tls(CR_SLOT_SELF_TCB, addr));
    case LINUX_ARCH_GET_FS:
        if (addr == 0) {
            return -LINUX_EFAULT;
        }
        rc = errmap_linux(cr_tcb_read_regs(CR_SLOT_SELF_TCB, CR_UPTR(&regs)));
        if (rc < 0) {
            return rc;
        }
        *(uint64_t *)(uintptr_t)addr = regs.fs_base;
        return 0;
    default:
        return -LINUX_EINVAL;
    }
}

/* gettid(): the thread id, which is the pid while a process has one thread. */
long
sys_gettid(const long *a)
{
    (void)a;
    return process_getpid();
}

/*
 * set_tid_address(ctid): remembers ctid, where the thread's exit stores 0. Returns the
 * thread id (or -ENOSYS without a process manager, which musl stores as the tid).
 */
long
sys_set_tid_address(const long *a)
{
    thread_state.clear_tid = (volatile int32_t *)(uintptr_t)a[0];
    return process_getpid();
}

/*
 * Clears the clear-child-tid word, as Linux does when a thread ends. Linux then wakes a
 * futex waiter there; with one thread there is none.
 */
static void
thread_clear_tid(void)
{
    if (thread_state.clear_tid != NULL) {
        *thread_state.clear_tid = 0;
    }
}

/* exit(code): ends the calling thread, and with it the process (its only thread). */
long
sys_exit(const long *a)
{
    thread_clear_tid();
    process_exit((int)a[0]);
}

/* sched_yield(): gives the CPU to another ready thread of the same priority. Returns 0. */
long
sys_sched_yield(const long *a)
{
    (void)a;
    cr_yield();
    return 0;
}

/*
 * musl's __clone (docs/musl.md): no thread or vfork child can be made yet. Returns
 * -ENOSYS.
 */
int
__courier_clone(int (*func)(void *), void *stack, int flags, void *arg, int *ptid, void *tls,
                int *ctid)
{
    (void)func;
    (void)stack;
    (void)flags;
    (void)arg;
    (void)ptid;
    (void)tls;
    (void)ctid;
    return -LINUX_ENOSYS;
}

/*
 * musl's __unmapself: a detached thread's end (docs/musl.md). Only a thread made by
 * clone gets here, and none can be made yet; were one to, ending the process ends it and
 * frees its stack with everything else. Does not return.
 */
_Noreturn void
__courier_unmapself(void *base, size_t size)
{
    (void)base;
    (void)size;
    thread_clear_tid();
    process_exit(0);
}
