/* SPDX-License-Identifier: MIT */
/*
 * System tests of faults, part three: fault_recv and the fault channel. fault_recv refuses
 * each bad argument with its exact error, a blocked fault_recv wakes for a fault, ends with
 * EREVOKED when the channel is deleted and EINTR when its thread is suspended; two threads
 * can share one channel, told apart by their badges; a thread without a channel, or whose
 * channel is deleted with its fault queued, stays stopped and can be restarted by hand.
 * The fault tests' thread is in test_fault.h.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/bootinfo.h>
#include <courier/abi/caps.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "test_fault.h"
#include "testlib.h"

TEST(fault_recv_errors)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ch = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t wr = ch != 0 ? tl_copy(&t, ch, CR_RIGHT_WRITE) : 0;
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    struct cr_fault_msg m;
    EXPECT_ERR(-CR_EAGAIN, cr_fault_recv(ch, CR_UPTR(&m), 1));
    EXPECT_ERR(-CR_EPERM, cr_fault_recv(wr, CR_UPTR(&m), 1));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_fault_recv(n, CR_UPTR(&m), 1));
    EXPECT_ERR(-CR_EINVAL, cr_fault_recv(ch, CR_UPTR(&m), 2));
    EXPECT_ERR(-CR_EINVAL, cr_fault_recv(ch, CR_UPTR(&m), ~0ull));
    EXPECT_ERR(-CR_EFAULT, cr_fault_recv(ch, 0, 1));
    EXPECT_ERR(-CR_EFAULT, cr_fault_recv(ch, CR_BOOTINFO_VADDR, 1));
    EXPECT_ERR(-CR_EFAULT, cr_fault_recv(ch, 0xffff800000000000ull, 0));
    EXPECT_ERR(-CR_ENOCAP, cr_fault_recv(tl_slot(&t), CR_UPTR(&m), 1));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_tcb_set_fault_badge(ch, 1));
    tl_end(&t);
}

TEST(fault_blocking_recv_wakes)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &f, fthread_do_ud2) || !tl_thread_start(&f.th)) {
        goto out;
    }
    /* The root blocks in fault_recv; the thread (lower priority) then runs and faults. */
    struct cr_fault_msg m;
    memset(&m, 0, sizeof(m));
    EXPECT_OK(cr_fault_recv(f.chan, CR_UPTR(&m), 0));
    EXPECT_EQ(m.kind, CR_FAULT_UD);
    EXPECT_EQ(m.rip, TL_ADDR(tf_ud2_insn));
    EXPECT_EQ(m.badge, FAULT_BADGE);
out:
    tl_end(&t);
}

TEST(fault_two_threads_one_channel)
{
    struct tl t;
    struct fthread a;
    struct fthread b;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &a, fthread_do_ud2) || !fthread_new(&t, &b, fthread_do_div0)) {
        goto out;
    }
    /* Both report to a's channel, told apart by their badges. */
    EXPECT_OK(cr_tcb_configure(b.th.tcb, CR_CAP_ROOT_CNODE, CR_CAP_ROOT_VSPACE, a.chan, 0));
    EXPECT_OK(cr_tcb_set_fault_badge(a.th.tcb, 0xa));
    EXPECT_OK(cr_tcb_set_fault_badge(b.th.tcb, 0xb));
    tl_thread_start(&a.th);
    tl_thread_start(&b.th);
    tl_pause(TL_PRIO, 2);
    struct cr_fault_msg m1;
    struct cr_fault_msg m2;
    struct cr_fault_msg m3;
    EXPECT_OK(cr_fault_recv(a.chan, CR_UPTR(&m1), 1));
    EXPECT_OK(cr_fault_recv(a.chan, CR_UPTR(&m2), 1));
    EXPECT_ERR(-CR_EAGAIN, cr_fault_recv(a.chan, CR_UPTR(&m3), 1));
    EXPECT_EQ(m1.badge, 0xa);
    EXPECT_EQ(m1.kind, CR_FAULT_UD);
    EXPECT_EQ(m2.badge, 0xb);
    EXPECT_EQ(m2.kind, CR_FAULT_DIV);
out:
    tl_end(&t);
}

TEST(fault_without_channel_stops_thread)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    if (!tl_thread_new(&t, &th, fthread_do_ud2, TL_PRIO) || !tl_thread_start(&th)) {
        goto out;
    }
    /* No handler: the kernel logs the fault and leaves the thread suspended. */
    tl_pause(TL_PRIO, 2);
    EXPECT_EQ(th.out[0], 0);
    struct cr_regs r;
    EXPECT_OK(cr_tcb_read_regs(th.tcb, CR_UPTR(&r)));
    EXPECT_EQ(r.rip, TL_ADDR(tf_ud2_insn));
    /* And can be restarted past the fault by hand. */
    r.rip = TL_ADDR(tf_ud2_next);
    EXPECT_OK(cr_tcb_write_regs(th.tcb, CR_UPTR(&r), CR_REGS_RESUME));
    EXPECT_TRUE(tl_wait_word(&th.finished, 1, TL_PRIO, 0));
    EXPECT_EQ(th.out[0], 1);
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

TEST(fault_channel_deleted_while_queued)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &f, fthread_do_ud2) || !tl_thread_start(&f.th)) {
        goto out;
    }
    tl_pause(TL_PRIO, 2);
    /* The fault is queued on the channel; the channel goes away (the TCB holds a copy, so
     * delete that first by reconfiguring without a fault channel). */
    EXPECT_OK(cr_tcb_configure(f.th.tcb, CR_CAP_ROOT_CNODE, CR_CAP_ROOT_VSPACE, 0, 0));
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, f.chan));
    EXPECT_EQ(cr_null(), 0);
    /* The thread stays stopped and can still be restarted past the fault. */
    EXPECT_EQ(f.th.out[0], 0);
    fthread_resume_at(&f, TL_ADDR(tf_ud2_next));
    EXPECT_OK(tl_wait(f.done, NULL, 0, 0));
    EXPECT_EQ(f.th.out[0], 1);
out:
    tl_end(&t);
}

static void
delete_slot(struct tl_thread *th)
{
    th->out[0] = (uint64_t)cr_cap_delete(CR_CAP_ROOT_CNODE, th->arg[0]);
}

TEST(fault_recv_channel_deleted_erevoked)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ch = tl_new(&t, CR_OBJ_CHANNEL, 0);
    if (ch == 0 || !tl_thread_new(&t, &th, delete_slot, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = ch;
    if (!tl_thread_start(&th)) {
        goto out;
    }
    /* The root blocks; the helper (lower priority) runs and deletes the channel. */
    struct cr_fault_msg m;
    EXPECT_ERR(-CR_EREVOKED, cr_fault_recv(ch, CR_UPTR(&m), 0));
    EXPECT_TRUE(tl_wait_word(&th.finished, 1, TL_PRIO, 0));
    EXPECT_OK((int64_t)th.out[0]);
    EXPECT_EQ(tl_type(ch), CR_OBJ_NULL);
out:
    tl_end(&t);
}

static void
recv_once(struct tl_thread *th)
{
    struct cr_fault_msg m;
    th->out[0] = 1;
    th->out[1] = (uint64_t)cr_fault_recv(th->arg[0], CR_UPTR(&m), 0);
}

TEST(fault_recv_suspended_receiver_returns_eintr)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ch = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t d = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (d == 0 || !tl_thread_new(&t, &th, recv_once, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = ch;
    th.done = d;
    if (!tl_thread_start(&th) || !EXPECT_TRUE(tl_wait_word(&th.out[0], 1, TL_PRIO, 0))) {
        goto out;
    }
    tl_pause(TL_PRIO, 1);
    EXPECT_OK(cr_tcb_suspend(th.tcb));
    EXPECT_OK(cr_tcb_resume(th.tcb));
    EXPECT_OK(tl_wait(d, NULL, 0, 0));
    EXPECT_ERR(-CR_EINTR, (int64_t)th.out[1]);
out:
    tl_end(&t);
}
