/* SPDX-License-Identifier: MIT */
/*
 * System tests of notifications: signal ORs the capability's badge (bit 0 for an
 * unbadged one) into the word; poll and wait take the whole word; poll on an empty word
 * is EAGAIN; the READ and WRITE rights gate wait/poll and signal; a bad result pointer
 * fails before the word is touched; waiters wake in priority order; a waiter whose result
 * cannot be delivered gets EFAULT and the bits stay; destroying a notification wakes its
 * waiters with EREVOKED.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/bootinfo.h>
#include <courier/abi/caps.h>
#include <courier/sys.h>

#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE

TEST(notify_signal_poll_wait)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    uint64_t w = 0xdead;
    EXPECT_ERR(-CR_EAGAIN, cr_notify_poll(n, CR_UPTR(&w)));
    EXPECT_OK(cr_notify_signal(n));
    EXPECT_OK(cr_notify_signal(n)); /* signals do not count: still one bit */
    EXPECT_OK(cr_notify_poll(n, CR_UPTR(&w)));
    EXPECT_EQ(w, 1);
    EXPECT_ERR(-CR_EAGAIN, cr_notify_poll(n, CR_UPTR(&w)));
    /* A wait with bits pending returns at once. */
    EXPECT_OK(cr_notify_signal(n));
    w = 0;
    EXPECT_OK(cr_notify_wait(n, CR_UPTR(&w)));
    EXPECT_EQ(w, 1);
    EXPECT_ERR(-CR_EAGAIN, cr_notify_poll(n, CR_UPTR(&w)));
    tl_end(&t);
}

TEST(notify_badges_or_together)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t b1 = tl_mint(&t, n, CR_RIGHT_WRITE, 0x1);
    cr_cptr_t b4 = tl_mint(&t, n, CR_RIGHT_WRITE, 0x4);
    cr_cptr_t bh = tl_mint(&t, n, CR_RIGHT_WRITE, 0x8000000000000100ull);
    uint64_t w = 0;
    if (bh == 0) {
        goto out;
    }
    EXPECT_OK(cr_notify_signal(b4));
    EXPECT_OK(cr_notify_signal(bh));
    EXPECT_OK(cr_notify_signal(b4));
    EXPECT_OK(cr_notify_poll(n, CR_UPTR(&w)));
    EXPECT_EQ(w, 0x8000000000000104ull);
    /* Unbadged signal is bit 0, the same as badge 1. */
    EXPECT_OK(cr_notify_signal(n));
    EXPECT_OK(cr_notify_signal(b1));
    EXPECT_OK(cr_notify_poll(n, CR_UPTR(&w)));
    EXPECT_EQ(w, 1);
    /* A badged capability may poll too if it has READ (copies keep the rights given). */
    cr_cptr_t rb = tl_mint(&t, n, CR_RIGHT_READ | CR_RIGHT_WRITE, 0x20);
    EXPECT_OK(cr_notify_signal(rb));
    EXPECT_OK(cr_notify_poll(rb, CR_UPTR(&w)));
    EXPECT_EQ(w, 0x20);
out:
    tl_end(&t);
}

TEST(notify_rights)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t wo = n != 0 ? tl_copy(&t, n, CR_RIGHT_WRITE) : 0;
    cr_cptr_t ro = n != 0 ? tl_copy(&t, n, CR_RIGHT_READ) : 0;
    cr_cptr_t none = n != 0 ? tl_copy(&t, n, 0) : 0;
    uint64_t w = 0;
    if (none == 0) {
        goto out;
    }
    EXPECT_OK(cr_notify_signal(wo));
    EXPECT_ERR(-CR_EPERM, cr_notify_wait(wo, CR_UPTR(&w)));
    EXPECT_ERR(-CR_EPERM, cr_notify_poll(wo, CR_UPTR(&w)));
    EXPECT_ERR(-CR_EPERM, cr_notify_signal(ro));
    EXPECT_ERR(-CR_EPERM, cr_notify_signal(none));
    EXPECT_ERR(-CR_EPERM, cr_notify_poll(none, CR_UPTR(&w)));
    /* The signal through wo is still there for a reader. */
    EXPECT_OK(cr_notify_poll(ro, CR_UPTR(&w)));
    EXPECT_EQ(w, 1);
    EXPECT_ERR(-CR_EWRONGTYPE, cr_notify_signal(CR_CAP_ROOT_CNODE));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_notify_poll(CR_CAP_ROOT_TCB, CR_UPTR(&w)));
out:
    tl_end(&t);
}

TEST(notify_bad_result_pointer_keeps_bits)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    uint64_t hole = tl_va(&t, 1);
    EXPECT_OK(cr_notify_signal(n));
    static const uint64_t bad[] = { 0, 0xffff800000000000ull, CR_BOOTINFO_VADDR, CR_USER_MAX - 4, 0,
                                    0 };
    for (size_t i = 0; i < 4; i++) {
        EXPECT_ERR(-CR_EFAULT, cr_notify_poll(n, bad[i]));
        EXPECT_ERR(-CR_EFAULT, cr_notify_wait(n, bad[i]));
    }
    EXPECT_ERR(-CR_EFAULT, cr_notify_wait(n, hole));
    EXPECT_ERR(-CR_EFAULT, cr_notify_poll(n, hole - 4)); /* straddles into the hole */
    uint64_t w = 0;
    EXPECT_OK(cr_notify_poll(n, CR_UPTR(&w)));
    EXPECT_EQ(w, 1);
    /* An empty notification with a bad pointer is EFAULT, not EAGAIN (and never blocks). */
    EXPECT_ERR(-CR_EFAULT, cr_notify_wait(n, hole));
    tl_end(&t);
}

static void
wait_once(struct tl_thread *th)
{
    uint64_t w = 0;
    th->out[0] = 1;
    th->out[1] = (uint64_t)cr_notify_wait(th->arg[0], th->arg[1] != 0 ? th->arg[1] : CR_UPTR(&w));
    th->out[2] = w;
}

TEST(notify_wait_wakes_thread)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t b = tl_mint(&t, n, CR_RIGHT_WRITE, 0x30);
    cr_cptr_t d = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (d == 0 || b == 0 || !tl_thread_new(&t, &th, wait_once, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = n;
    th.done = d;
    if (!tl_thread_start(&th) || !EXPECT_TRUE(tl_wait_word(&th.out[0], 1, TL_PRIO, 0))) {
        goto out;
    }
    tl_pause(TL_PRIO, 1);
    EXPECT_EQ(th.finished, 0);
    /* The signal goes straight to the waiter: the word stays empty. */
    EXPECT_OK(cr_notify_signal(b));
    uint64_t w = 0;
    EXPECT_ERR(-CR_EAGAIN, cr_notify_poll(n, CR_UPTR(&w)));
    EXPECT_OK(tl_wait(d, NULL, 0, 0));
    EXPECT_OK((int64_t)th.out[1]);
    EXPECT_EQ(th.out[2], 0x30);
out:
    tl_end(&t);
}

TEST(notify_waiters_wake_by_priority)
{
    struct tl t;
    struct tl_thread lo;
    struct tl_thread hi;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (n == 0 || !tl_thread_new(&t, &lo, wait_once, 90) ||
        !tl_thread_new(&t, &hi, wait_once, 110)) {
        goto out;
    }
    lo.arg[0] = n;
    hi.arg[0] = n;
    /* lo queues first, hi second. */
    if (!tl_thread_start(&lo) || !EXPECT_TRUE(tl_wait_word(&lo.out[0], 1, 90, 0))) {
        goto out;
    }
    tl_pause(90, 1);
    if (!tl_thread_start(&hi) || !EXPECT_TRUE(tl_wait_word(&hi.out[0], 1, 90, 0))) {
        goto out;
    }
    tl_pause(90, 1);
    EXPECT_OK(cr_notify_signal(n));
    EXPECT_TRUE(tl_wait_word(&hi.finished, 1, 80, 0));
    EXPECT_EQ(lo.finished, 0);
    EXPECT_OK(cr_notify_signal(n));
    EXPECT_TRUE(tl_wait_word(&lo.finished, 1, 80, 0));
    EXPECT_EQ(hi.out[2], 1);
    EXPECT_EQ(lo.out[2], 1);
out:
    tl_end(&t);
}

TEST(notify_undeliverable_result_keeps_bits)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t b = tl_mint(&t, n, CR_RIGHT_WRITE, 0x40);
    cr_cptr_t f;
    volatile uint64_t *page = tl_map(&t, CR_RIGHT_READ | CR_RIGHT_WRITE, &f);
    if (page == NULL || b == 0 || !tl_thread_new(&t, &th, wait_once, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = n;
    th.arg[1] = (uint64_t)(uintptr_t)page; /* valid when it starts waiting... */
    if (!tl_thread_start(&th) || !EXPECT_TRUE(tl_wait_word(&th.out[0], 1, TL_PRIO, 0))) {
        goto out;
    }
    tl_pause(TL_PRIO, 1);
    EXPECT_OK(cr_vspace_unmap(f)); /* ...but gone when the signal comes */
    EXPECT_OK(cr_notify_signal(b));
    EXPECT_TRUE(tl_wait_word(&th.finished, 1, TL_PRIO, 0));
    EXPECT_ERR(-CR_EFAULT, (int64_t)th.out[1]);
    uint64_t w = 0;
    EXPECT_OK(cr_notify_poll(n, CR_UPTR(&w)));
    EXPECT_EQ(w, 0x40);
out:
    tl_end(&t);
}

TEST(notify_delete_wakes_waiter_erevoked)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t c = n != 0 ? tl_copy(&t, n, CR_RIGHT_READ) : 0;
    cr_cptr_t d = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (d == 0 || c == 0 || !tl_thread_new(&t, &th, wait_once, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = c;
    th.done = d;
    if (!tl_thread_start(&th) || !EXPECT_TRUE(tl_wait_word(&th.out[0], 1, TL_PRIO, 0))) {
        goto out;
    }
    tl_pause(TL_PRIO, 1);
    /* Deleting one of two capabilities is not the end of the object. */
    EXPECT_OK(cr_cap_delete(ROOT, n));
    tl_pause(TL_PRIO, 1);
    EXPECT_EQ(th.finished, 0);
    /* The last one is. */
    EXPECT_OK(cr_cap_delete(ROOT, c));
    EXPECT_OK(tl_wait(d, NULL, 0, 0));
    EXPECT_ERR(-CR_EREVOKED, (int64_t)th.out[1]);
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

TEST(notify_revoke_untyped_wakes_waiter_erevoked)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ut2 = tl_ut(&t);
    cr_cptr_t n = ut2 != 0 ? tl_new_from(&t, ut2, CR_OBJ_NOTIFICATION, 0) : 0;
    cr_cptr_t d = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (n == 0 || d == 0 || !tl_thread_new(&t, &th, wait_once, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = n;
    th.done = d;
    if (!tl_thread_start(&th) || !EXPECT_TRUE(tl_wait_word(&th.out[0], 1, TL_PRIO, 0))) {
        goto out;
    }
    tl_pause(TL_PRIO, 1);
    EXPECT_OK(cr_cap_revoke(ROOT, ut2));
    EXPECT_OK(tl_wait(d, NULL, 0, 0));
    EXPECT_ERR(-CR_EREVOKED, (int64_t)th.out[1]);
out:
    tl_end(&t);
}

TEST(notify_suspended_waiter_returns_eintr)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t d = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (d == 0 || !tl_thread_new(&t, &th, wait_once, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = n;
    th.done = d;
    if (!tl_thread_start(&th) || !EXPECT_TRUE(tl_wait_word(&th.out[0], 1, TL_PRIO, 0))) {
        goto out;
    }
    tl_pause(TL_PRIO, 1);
    /* Suspended, it is no longer waiting: the signal stays in the word. */
    EXPECT_OK(cr_tcb_suspend(th.tcb));
    EXPECT_OK(cr_notify_signal(n));
    uint64_t w = 0;
    EXPECT_OK(cr_notify_poll(n, CR_UPTR(&w)));
    EXPECT_EQ(w, 1);
    /* Resumed, its abandoned wait returns EINTR and delivers nothing. */
    EXPECT_OK(cr_tcb_resume(th.tcb));
    EXPECT_OK(tl_wait(d, NULL, 0, 0));
    EXPECT_ERR(-CR_EINTR, (int64_t)th.out[1]);
    EXPECT_EQ(th.out[2], 0);
out:
    tl_end(&t);
}
