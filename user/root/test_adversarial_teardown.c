/* SPDX-License-Identifier: MIT */
/*
 * Adversarial system tests of threads that pull the ground from under themselves: a thread
 * that deletes its own TCB, the only capability to its CSpace root or the untyped its TCB
 * came from, reconfigures itself, or has its VSpace revoked while it runs; and TCBs
 * deleted while they wait in queues. Each checks that the thread stops (or goes on) as
 * documented and that the system is still alive afterwards. The syscall fuzzer is
 * test_adversarial.c.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/sys.h>

#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE

static void
delete_own_tcb(struct tl_thread *th)
{
    th->out[0] = 1;
    th->out[2] = (uint64_t)cr_cap_delete(ROOT, th->tcb);
    th->out[1] = 2; /* must not run */
}

TEST(adversarial_thread_deletes_own_tcb)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    if (!tl_thread_new(&t, &th, delete_own_tcb, TL_PRIO) || !tl_thread_start(&th)) {
        goto out;
    }
    EXPECT_TRUE(tl_wait_word(&th.out[0], 1, TL_PRIO, 0));
    tl_pause(TL_PRIO, 5);
    EXPECT_EQ(th.out[1], 0);
    EXPECT_EQ(th.out[2], 0);
    EXPECT_EQ(tl_type(th.tcb), CR_OBJ_NULL);
    EXPECT_EQ(cr_null(), 0);
    /* The system goes on: a new thread runs. */
    struct tl_thread again;
    if (tl_thread_new(&t, &again, delete_own_tcb, TL_PRIO) && tl_thread_start(&again)) {
        EXPECT_TRUE(tl_wait_word(&again.out[0], 1, TL_PRIO, 0));
        tl_pause(TL_PRIO, 2);
        EXPECT_EQ(again.out[1], 0);
    }
out:
    tl_end(&t);
}

static void
delete_own_cspace_cap(struct tl_thread *th)
{
    struct cr_cap_info info;
    /* Its CSpace: slot 0 = the only capability to the CSpace's CNode, 1 = notification. */
    th->out[0] = (uint64_t)cr_cap_delete(0, 0);
    th->out[1] = (uint64_t)cr_cap_identify(0, CR_UPTR(&info));
    th->out[2] = (uint64_t)cr_notify_signal(1);
    th->out[3] = 1;
    for (;;) {
        cr_yield();
    }
}

TEST(adversarial_thread_deletes_own_cspace_cap)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t c = tl_new(&t, CR_OBJ_CNODE, 2);
    cr_cptr_t g = c != 0 ? tl_mint(&t, c, CR_RIGHTS_ALL, 62) : 0;
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (g == 0 || n == 0 || !tl_thread_new(&t, &th, delete_own_cspace_cap, TL_PRIO)) {
        goto out;
    }
    EXPECT_OK(cr_cap_copy(c, 1, ROOT, n, CR_RIGHT_WRITE));
    EXPECT_OK(cr_tcb_configure(th.tcb, g, CR_CAP_ROOT_VSPACE, 0, 0));
    /* Leave the thread's C[0] as the only CNode capability besides the TCB's own copy. */
    EXPECT_OK(cr_cap_move(c, 0, ROOT, g));
    EXPECT_OK(cr_cap_delete(ROOT, c));
    if (!tl_thread_start(&th)) {
        goto out;
    }
    uint64_t bits = 0;
    EXPECT_OK(tl_wait(n, &bits, 0, 0));
    EXPECT_EQ(bits, 1);
    EXPECT_TRUE(tl_wait_word(&th.out[3], 1, TL_PRIO, 0));
    EXPECT_OK((int64_t)th.out[0]);
    EXPECT_ERR(-CR_ENOCAP, (int64_t)th.out[1]);
    EXPECT_OK((int64_t)th.out[2]);
    /* Deleting the thread now destroys the CNode with the last copy. */
    EXPECT_OK(cr_cap_delete(ROOT, th.tcb));
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

/*
 * A running thread loses its VSpace: the TCB's own copy of the VSpace capability is a
 * child of the original (and of the untyped it came from), so a revoke of either deletes
 * it under the thread. The thread must stop with a page fault at its next instruction,
 * not run on (or the kernel load a page-table root that is not there).
 */
static void
vspace_pulled(bool whole_untyped)
{
    struct tl t;
    struct tl_as a;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ut2 = tl_ut(&t);
    if (ut2 == 0 || !tl_as_build(&t, &a, ut2)) {
        goto out;
    }
    /* Count, signal, then yield forever: it stays runnable. */
    uint64_t bits = 0;
    if (!tl_as_run(&a, TL_AS_CODE, TL_AS_DATA, 10, 0) || !EXPECT_OK(tl_wait(a.ntfn, &bits, 0, 0))) {
        goto out;
    }
    EXPECT_EQ(a.data[0], 10);
    if (whole_untyped) {
        EXPECT_OK(cr_cap_revoke(ROOT, ut2));
        EXPECT_EQ(tl_type(a.vs), CR_OBJ_NULL);
    } else {
        EXPECT_OK(cr_cap_revoke(ROOT, a.vs));
        EXPECT_EQ(tl_type(a.vs), CR_OBJ_VSPACE);
    }
    struct cr_fault_msg m;
    if (EXPECT_OK(tl_fault_wait(a.chan, &m, 0, 0))) {
        EXPECT_EQ(m.kind, CR_FAULT_PAGE);
        EXPECT_TRUE(m.rip >= TL_AS_CODE && m.rip < TL_AS_CODE + CR_PAGE_SIZE);
        EXPECT_EQ(m.addr, m.rip);
    }
    /* Resuming it only faults again. */
    EXPECT_OK(cr_tcb_resume(a.tcb));
    if (EXPECT_OK(tl_fault_wait(a.chan, &m, 0, 0))) {
        EXPECT_EQ(m.kind, CR_FAULT_PAGE);
    }
    EXPECT_EQ(a.data[0], 10);
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

TEST(adversarial_vspace_untyped_revoked_under_thread)
{
    vspace_pulled(true);
}

TEST(adversarial_vspace_cap_revoked_under_thread)
{
    vspace_pulled(false);
}

static void
reconfigure_self(struct tl_thread *th)
{
    th->out[0] = 1;
    /* Switch its own VSpace to an empty one: the return from this call has nothing to
     * run on, so the thread page-faults right there. */
    th->out[1] = (uint64_t)cr_tcb_configure(th->tcb, CR_CAP_ROOT_CNODE, th->arg[0], th->arg[1], 0);
    th->out[2] = 1; /* not reached */
}

TEST(adversarial_thread_reconfigures_itself)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t vs = tl_new(&t, CR_OBJ_VSPACE, 0);
    cr_cptr_t ch = tl_new(&t, CR_OBJ_CHANNEL, 0);
    if (ch == 0 || !tl_thread_new(&t, &th, reconfigure_self, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = vs;
    th.arg[1] = ch;
    if (!tl_thread_start(&th)) {
        goto out;
    }
    struct cr_fault_msg m;
    if (EXPECT_OK(tl_fault_wait(ch, &m, 0, 0))) {
        EXPECT_EQ(m.kind, CR_FAULT_PAGE);
        EXPECT_EQ(m.addr, m.rip);
        EXPECT_TRUE(m.rip > TL_ADDR(reconfigure_self));
    }
    EXPECT_EQ(th.out[0], 1);
    EXPECT_EQ(th.out[2], 0);
    /* Back in the root's VSpace it finishes the function (the call returned 0). */
    EXPECT_OK(cr_tcb_configure(th.tcb, CR_CAP_ROOT_CNODE, CR_CAP_ROOT_VSPACE, ch, 0));
    EXPECT_OK(cr_tcb_resume(th.tcb));
    EXPECT_TRUE(tl_wait_word(&th.finished, 1, TL_PRIO, 0));
    EXPECT_OK((int64_t)th.out[1]);
    EXPECT_EQ(th.out[2], 1);
out:
    tl_end(&t);
}

static void
wait_forever(struct tl_thread *th)
{
    uint64_t w = 0;
    th->out[0] = 1;
    th->out[1] = (uint64_t)cr_notify_wait(th->arg[0], CR_UPTR(&w));
    th->out[2] = 1;
}

static void
ud2_now(struct tl_thread *th)
{
    (void)th;
    tf_ud2();
}

static void
recv_forever(struct tl_thread *th)
{
    struct cr_fault_msg m;
    th->out[0] = 1;
    th->out[1] = (uint64_t)cr_fault_recv(th->arg[0], CR_UPTR(&m), 0);
    th->out[2] = 1;
}

/* Threads destroyed while they sit on a wait queue leave no trace on it: the object's
 * next event finds nobody there, and the memory is retyped and zeroed afterwards. */
TEST(adversarial_delete_queued_threads)
{
    struct tl t;
    struct tl_thread waiter;
    struct tl_thread receiver;
    struct tl_thread faulter;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ut2 = tl_ut(&t);
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t ch = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t ch2 = tl_new(&t, CR_OBJ_CHANNEL, 0);
    if (ut2 == 0 || ch2 == 0 || !tl_thread_new(&t, &waiter, wait_forever, TL_PRIO) ||
        !tl_thread_new(&t, &receiver, recv_forever, TL_PRIO) ||
        !tl_thread_new(&t, &faulter, ud2_now, TL_PRIO)) {
        goto out;
    }
    /* The TCBs come from ut2, so their memory can be handed out again. */
    cr_cptr_t tcbs[3] = { waiter.tcb, receiver.tcb, faulter.tcb };
    for (unsigned i = 0; i < 3; i++) {
        EXPECT_OK(cr_cap_delete(ROOT, tcbs[i]));
        EXPECT_OK(cr_untyped_retype(ut2, CR_OBJ_TCB, 0, ROOT, tcbs[i], 1));
        EXPECT_OK(cr_tcb_configure(tcbs[i], ROOT, CR_CAP_ROOT_VSPACE, i == 2 ? ch2 : 0, 0));
        EXPECT_OK(cr_tcb_set_priority(tcbs[i], TL_PRIO, CR_SCHED_RR));
    }
    waiter.arg[0] = n;
    receiver.arg[0] = ch;
    if (!tl_thread_start(&waiter) || !tl_thread_start(&receiver) || !tl_thread_start(&faulter)) {
        goto out;
    }
    EXPECT_TRUE(tl_wait_word(&waiter.out[0], 1, TL_PRIO, 0));
    EXPECT_TRUE(tl_wait_word(&receiver.out[0], 1, TL_PRIO, 0));
    tl_pause(TL_PRIO, 2);
    /* All three are queued: on n's waiters, ch's receivers, ch2's senders. */
    for (unsigned i = 0; i < 3; i++) {
        EXPECT_OK(cr_cap_delete(ROOT, tcbs[i]));
    }
    EXPECT_OK(cr_cap_revoke(ROOT, ut2));
    /* Reuse the memory (retype zeroes it) for a page of 0x5a. */
    cr_cptr_t f = tl_new_from(&t, ut2, CR_OBJ_FRAME, 12);
    uint64_t va = tl_va(&t, 1);
    if (f != 0 && EXPECT_OK(tl_map_at(f, va, CR_RIGHT_READ | CR_RIGHT_WRITE))) {
        volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)va;
        for (unsigned i = 0; i < 512; i++) {
            p[i] = 0x5a5a5a5a5a5a5a5aull;
        }
    }
    /* The objects carry on with empty queues. */
    uint64_t w = 0;
    EXPECT_OK(cr_notify_signal(n));
    EXPECT_OK(cr_notify_poll(n, CR_UPTR(&w)));
    EXPECT_EQ(w, 1);
    struct cr_fault_msg m;
    EXPECT_ERR(-CR_EAGAIN, cr_fault_recv(ch, CR_UPTR(&m), 1));
    EXPECT_ERR(-CR_EAGAIN, cr_fault_recv(ch2, CR_UPTR(&m), 1));
    EXPECT_EQ(waiter.out[2], 0);
    EXPECT_EQ(receiver.out[2], 0);
    /* A new fault on ch is queued for the next receiver, not handed to the dead one. */
    struct tl_thread next;
    if (tl_thread_new(&t, &next, ud2_now, TL_PRIO) &&
        EXPECT_OK(cr_tcb_configure(next.tcb, ROOT, CR_CAP_ROOT_VSPACE, ch, 0)) &&
        tl_thread_start(&next)) {
        if (EXPECT_OK(tl_fault_wait(ch, &m, 0, 0))) {
            EXPECT_EQ(m.kind, CR_FAULT_UD);
        }
    }
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

static void
revoke_own_untyped(struct tl_thread *th)
{
    th->out[0] = 1;
    th->out[2] = (uint64_t)cr_cap_revoke(ROOT, th->arg[0]);
    th->out[1] = 2; /* not reached: its TCB went with the untyped */
}

TEST(adversarial_thread_revokes_own_untyped)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ut2 = tl_ut(&t);
    if (ut2 == 0 || !tl_thread_new(&t, &th, revoke_own_untyped, TL_PRIO)) {
        goto out;
    }
    /* Its TCB from ut2, plus a few more objects there. */
    EXPECT_OK(cr_cap_delete(ROOT, th.tcb));
    EXPECT_OK(cr_untyped_retype(ut2, CR_OBJ_TCB, 0, ROOT, th.tcb, 1));
    EXPECT_OK(cr_tcb_configure(th.tcb, ROOT, CR_CAP_ROOT_VSPACE, 0, 0));
    EXPECT_OK(cr_tcb_set_priority(th.tcb, TL_PRIO, CR_SCHED_RR));
    cr_cptr_t extra = tl_slots(&t, 8);
    EXPECT_OK(cr_untyped_retype(ut2, CR_OBJ_NOTIFICATION, 0, ROOT, extra, 8));
    th.arg[0] = ut2;
    if (!tl_thread_start(&th)) {
        goto out;
    }
    EXPECT_TRUE(tl_wait_word(&th.out[0], 1, TL_PRIO, 0));
    tl_pause(TL_PRIO, 3);
    EXPECT_EQ(th.out[1], 0);
    EXPECT_EQ(tl_type(th.tcb), CR_OBJ_NULL);
    EXPECT_EQ(tl_type(extra + 7), CR_OBJ_NULL);
    /* The untyped is whole again and its memory usable: a new thread runs from it. */
    struct tl_thread again;
    if (tl_thread_new(&t, &again, revoke_own_untyped, TL_PRIO)) {
        EXPECT_OK(cr_cap_delete(ROOT, again.tcb));
        EXPECT_OK(cr_untyped_retype(ut2, CR_OBJ_TCB, 0, ROOT, again.tcb, 1));
        EXPECT_OK(cr_tcb_configure(again.tcb, ROOT, CR_CAP_ROOT_VSPACE, 0, 0));
        EXPECT_OK(cr_tcb_set_priority(again.tcb, TL_PRIO, CR_SCHED_RR));
        again.arg[0] = ut2;
        if (tl_thread_start(&again)) {
            EXPECT_TRUE(tl_wait_word(&again.out[0], 1, TL_PRIO, 0));
            tl_pause(TL_PRIO, 2);
            EXPECT_EQ(again.out[1], 0);
        }
    }
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}
