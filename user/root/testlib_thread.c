/* SPDX-License-Identifier: MIT */
/*
 * The system tests' helper threads and bounded waits (see testlib.h). A helper thread is
 * a TCB from the test's arena that shares the root server's CNode and VSpace and runs a C
 * function on a stack of TL_STACK_PAGES window pages (an unmapped guard page below);
 * when the function returns, tl_thread_return (testlib_asm.S) calls tl_thread_exit. The
 * waits poll with the root dropped to a lower priority, so the threads they wait for can
 * run, and give up after a timeout instead of hanging the run.
 */
#include "testlib.h"

#include <courier/abi/errors.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "tests.h"

/* Pages of a helper thread's stack (below them one unmapped guard page). */
#define TL_STACK_PAGES 4u

/* The return address planted under a helper thread's entry (testlib_asm.S). */
extern char tl_thread_return[];

void
tl_root_prio(unsigned prio)
{
    int64_t rc = cr_tcb_set_priority(CR_CAP_ROOT_TCB, prio, CR_SCHED_RR);
    if (rc != 0) {
        TEST_FAIL("root priority %u: %s", prio, cr_errname((int)rc));
    }
}

uint64_t
tl_now_ns(void)
{
    uint64_t ns = 0;
    cr_clock_get(CR_UPTR(&ns));
    return ns;
}

static uint64_t
deadline_of(uint64_t timeout_ms)
{
    return tl_now_ns() + (timeout_ms != 0 ? timeout_ms : TL_TIMEOUT_MS) * 1000000ull;
}

/*
 * One turn of a bounded wait: false once the deadline has passed and the root has yielded
 * at least once during the wait; otherwise yields (to the threads waited for) and returns
 * true. The clock is the host's under TCG, so a loaded host can stall the guest past a
 * short deadline before the first poll: a wait never gives up, nor a pause ends, before
 * the threads at its priority have had a turn.
 */
static bool
wait_turn(uint64_t deadline, bool *yielded)
{
    if (*yielded && tl_now_ns() > deadline) {
        return false;
    }
    cr_yield();
    *yielded = true;
    return true;
}

int64_t
tl_wait(cr_cptr_t ntfn, uint64_t *bits, unsigned prio, uint64_t timeout_ms)
{
    uint64_t deadline = deadline_of(timeout_ms);
    bool yielded = false;
    uint64_t w = 0;
    int64_t rc;
    tl_root_prio(prio != 0 ? prio : TL_PRIO);
    for (;;) {
        rc = cr_notify_poll(ntfn, CR_UPTR(&w));
        if (rc != -CR_EAGAIN) {
            break;
        }
        if (!wait_turn(deadline, &yielded)) {
            rc = -CR_ETIMEDOUT;
            break;
        }
    }
    tl_root_prio(TL_ROOT_PRIO);
    if (bits != NULL) {
        *bits = w;
    }
    return rc;
}

int64_t
tl_fault_wait(cr_cptr_t chan, struct cr_fault_msg *msg, unsigned prio, uint64_t timeout_ms)
{
    uint64_t deadline = deadline_of(timeout_ms);
    bool yielded = false;
    int64_t rc;
    tl_root_prio(prio != 0 ? prio : TL_PRIO);
    for (;;) {
        rc = cr_fault_recv(chan, CR_UPTR(msg), 1);
        if (rc != -CR_EAGAIN) {
            break;
        }
        if (!wait_turn(deadline, &yielded)) {
            rc = -CR_ETIMEDOUT;
            break;
        }
    }
    tl_root_prio(TL_ROOT_PRIO);
    return rc;
}

void
tl_pause(unsigned prio, uint64_t ms)
{
    uint64_t deadline = deadline_of(ms);
    bool yielded = false;
    tl_root_prio(prio != 0 ? prio : TL_PRIO);
    /* Bounded by the deadline, after at least one turn. */
    while (wait_turn(deadline, &yielded)) {
    }
    tl_root_prio(TL_ROOT_PRIO);
}

bool
tl_wait_word(volatile uint64_t *word, uint64_t want, unsigned prio, uint64_t timeout_ms)
{
    uint64_t deadline = deadline_of(timeout_ms);
    bool yielded = false;
    bool ok = false;
    tl_root_prio(prio != 0 ? prio : TL_PRIO);
    for (;;) {
        if (*word == want) {
            ok = true;
            break;
        }
        if (!wait_turn(deadline, &yielded)) {
            break;
        }
    }
    tl_root_prio(TL_ROOT_PRIO);
    return ok;
}

bool
tl_thread_new(struct tl *t, struct tl_thread *th, tl_thread_fn fn, unsigned prio)
{
    memset((void *)th, 0, sizeof(*th));
    th->fn = fn;
    th->tcb = tl_new(t, CR_OBJ_TCB, 0);
    if (th->tcb == 0) {
        return false;
    }
    th->self = th->tcb;
    int64_t rc = cr_tcb_configure(th->tcb, CR_CAP_ROOT_CNODE, CR_CAP_ROOT_VSPACE, 0, 0);
    if (rc == 0) {
        rc = cr_tcb_set_priority(th->tcb, prio, CR_SCHED_RR);
    }
    if (rc != 0) {
        TEST_FAIL("tl_thread_new: %s", cr_errname((int)rc));
        return false;
    }
    if (tl_va(t, 1) == 0) { /* guard page */
        return false;
    }
    uint64_t base = 0;
    for (unsigned i = 0; i < TL_STACK_PAGES; i++) {
        void *p = tl_map(t, CR_RIGHT_READ | CR_RIGHT_WRITE, NULL);
        if (p == NULL) {
            return false;
        }
        if (i == 0) {
            base = (uint64_t)(uintptr_t)p;
        }
    }
    th->stack_top = base + TL_STACK_PAGES * CR_PAGE_SIZE;
    return true;
}

static bool
thread_regs(struct tl_thread *th, uint64_t flags)
{
    struct cr_regs r;
    int64_t rc = cr_tcb_read_regs(th->tcb, CR_UPTR(&r));
    if (rc != 0) {
        TEST_FAIL("tl_thread: read_regs: %s", cr_errname((int)rc));
        return false;
    }
    /* fn(th) "called" from tl_thread_return: [rsp] = return address, [rsp+8] = th. */
    uint64_t *sp = (uint64_t *)(uintptr_t)(th->stack_top - 24);
    sp[0] = (uint64_t)(uintptr_t)tl_thread_return;
    sp[1] = (uint64_t)(uintptr_t)th;
    sp[2] = 0;
    r.rip = (uint64_t)(uintptr_t)th->fn;
    r.rsp = (uint64_t)(uintptr_t)sp;
    r.rdi = (uint64_t)(uintptr_t)th;
    r.rbp = 0;
    r.rflags = 0x202;
    th->finished = 0;
    rc = cr_tcb_write_regs(th->tcb, CR_UPTR(&r), flags);
    if (rc != 0) {
        TEST_FAIL("tl_thread: write_regs: %s", cr_errname((int)rc));
        return false;
    }
    return true;
}

bool
tl_thread_prepare(struct tl_thread *th)
{
    return thread_regs(th, 0);
}

bool
tl_thread_start(struct tl_thread *th)
{
    return thread_regs(th, CR_REGS_RESUME);
}

/* Called by tl_thread_return with the thread's struct when fn returns. */
void
tl_thread_exit(struct tl_thread *th)
{
    th->finished = 1;
    if (th->done != 0) {
        cr_notify_signal(th->done);
    }
    for (;;) {
        cr_tcb_suspend(th->self);
        cr_yield();
    }
}
